/**
 * Whether one of the adapter's wire Schemas agrees with the spec's schema for the same thing:
 * every field it names exists there, with a compatible type; a request sends no read-only field
 * and keeps the spec's limits (length, pattern, bounds); an answer reads no write-only field; and
 * every field the spec requires, the Schema requires too. The Schema is read through
 * `JSONSchema.make`, the spec through its JSON pointers, `$ref`s and `allOf`s followed.
 */
import * as JSONSchema from "effect/JSONSchema"
import type * as Schema from "effect/Schema"
import { at } from "./OpenApi.js"

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema documents are plain data
type Json = any

export type Direction = "request" | "answer"

export interface Verdict {
  readonly problems: ReadonlyArray<string>
  /** Fields the Schema requires that the spec does not (dot paths). */
  readonly requiredBeyondSpec: ReadonlyArray<string>
}

/** What the spec says of one value, merged over `$ref`s and `allOf`s. */
interface SpecView {
  readonly types: Set<string>
  readonly properties: Map<string, Array<string>>
  readonly required: Set<string>
  readonly alternatives: Array<string>
  readonly keywords: Record<string, unknown>
  readonly items: Array<string>
  readOnly: boolean
  writeOnly: boolean
}

const limitKeywords = ["maxLength", "minLength", "pattern", "minimum", "maximum"] as const

const specView = (pointers: ReadonlyArray<string>): SpecView => {
  const view: SpecView = {
    types: new Set(),
    properties: new Map(),
    required: new Set(),
    alternatives: [],
    keywords: {},
    items: [],
    readOnly: false,
    writeOnly: false,
  }
  const visit = (pointer: string) => {
    const schema = at(pointer)
    if (schema === undefined || schema === true) return
    if (schema.readOnly === true) view.readOnly = true
    if (schema.writeOnly === true) view.writeOnly = true
    if (typeof schema.$ref === "string") visit(schema.$ref)
    for (const type of [schema.type ?? []].flat()) view.types.add(type)
    for (const name of schema.required ?? []) view.required.add(name)
    for (const name of Object.keys(schema.properties ?? {})) {
      const list = view.properties.get(name) ?? []
      list.push(`${pointer}/properties/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`)
      view.properties.set(name, list)
    }
    for (const keyword of [...limitKeywords, "enum"]) {
      if (schema[keyword] !== undefined) view.keywords[keyword] = schema[keyword]
    }
    if (schema.items !== undefined) view.items.push(`${pointer}/items`)
    for (const [i] of (schema.allOf ?? []).entries()) visit(`${pointer}/allOf/${i}`)
    for (const keyword of ["oneOf", "anyOf"]) {
      for (const [i, member] of (schema[keyword] ?? []).entries()) {
        if (member.type === "null") view.types.add("null")
        else view.alternatives.push(`${pointer}/${keyword}/${i}`)
      }
    }
  }
  for (const pointer of pointers) visit(pointer)
  return view
}

interface OursView {
  readonly types: Set<string>
  readonly nullable: boolean
  readonly node: Json
}

const oursView = (node: Json, defs: Record<string, Json>): OursView => {
  const deref = (value: Json): Json => {
    if (typeof value?.$ref !== "string") return value
    const { $ref, ...siblings } = value
    return { ...deref(defs[$ref.replace("#/$defs/", "")]), ...siblings }
  }
  const resolved = deref(node)
  const members: Array<Json> = resolved.anyOf === undefined ? [resolved] : resolved.anyOf.map(deref)
  const types = new Set<string>()
  let nullable = false
  let body: Json = {}
  for (const member of members) {
    const memberTypes = [member.type ?? []].flat() as Array<string>
    if (memberTypes.includes("null") || member.const === null) nullable = true
    for (const type of memberTypes.filter((t) => t !== "null")) types.add(type)
    if (!memberTypes.includes("null") && member.const !== null) body = { ...body, ...member }
  }
  return { types, nullable, node: body }
}

const typeFits = (ours: string, spec: Set<string>): boolean =>
  spec.size === 0 || spec.has(ours) || (ours === "integer" && spec.has("number"))

/** Compare `schema` with the spec schema(s) at `pointers`. */
export const agree = (
  schema: Schema.Schema.Any,
  pointers: ReadonlyArray<string>,
  direction: Direction,
  options: { readonly requiredSuperset?: boolean } = {},
): Verdict => {
  const document = JSONSchema.make(schema) as Json
  const defs: Record<string, Json> = document.$defs ?? {}
  const problems: Array<string> = []
  const beyond: Array<string> = []
  const requiredSuperset = options.requiredSuperset ?? true

  const compare = (node: Json, specPointers: ReadonlyArray<string>, path: string) => {
    const here = path === "" ? "(root)" : path
    const ours = oursView(node, defs)
    let spec = specView(specPointers)
    const ourKeys = Object.keys(ours.node.properties ?? {})
    if (spec.properties.size === 0 && spec.alternatives.length > 0) {
      // A oneOf/anyOf: the member holding every field we name stands for it.
      const member = spec.alternatives.find((pointer) => {
        const candidate = specView([pointer])
        return ourKeys.every((key) => candidate.properties.has(key))
      })
      if (member === undefined) {
        problems.push(`${here}: no alternative of the spec holds ${ourKeys.join(", ")}`)
        return
      }
      spec = specView([member])
    }
    for (const type of ours.types) {
      if (!typeFits(type, spec.types)) problems.push(`${here}: ${type} where the spec has ${[...spec.types].join("|")}`)
    }
    if (direction === "request" && ours.nullable) problems.push(`${here}: would send null`)
    const values = ours.node.enum ?? (ours.node.const === undefined ? undefined : [ours.node.const])
    const allowed = spec.keywords.enum as Array<unknown> | undefined
    if (values !== undefined && allowed !== undefined) {
      for (const value of values) {
        if (!allowed.includes(value)) problems.push(`${here}: ${JSON.stringify(value)} is not in the spec's enum`)
      }
    }
    if (direction === "request") {
      for (const keyword of limitKeywords) {
        const limit = spec.keywords[keyword]
        const numeric = keyword === "minimum" || keyword === "maximum"
        if (limit === undefined || (numeric && !spec.types.has("integer") && !spec.types.has("number"))) continue
        if (ours.node[keyword] !== limit) {
          problems.push(
            `${here}: ${keyword} ${JSON.stringify(ours.node[keyword])}, the spec's ${JSON.stringify(limit)}`,
          )
        }
      }
    }
    const prefix = path === "" ? "" : `${path}.`
    for (const key of ourKeys) {
      const specProperty = spec.properties.get(key)
      if (specProperty === undefined) {
        problems.push(`${prefix}${key}: not in the spec`)
        continue
      }
      const view = specView(specProperty)
      if (direction === "request" && view.readOnly) problems.push(`${prefix}${key}: read-only in the spec`)
      if (direction === "answer" && view.writeOnly) problems.push(`${prefix}${key}: write-only in the spec`)
      compare(ours.node.properties[key], specProperty, `${prefix}${key}`)
    }
    if (ours.node.items !== undefined && spec.items.length > 0) compare(ours.node.items, spec.items, `${prefix}[]`)
    if (ourKeys.length > 0 || ours.types.has("object")) {
      const ourRequired = new Set<string>(ours.node.required ?? [])
      // A field required but read-only is required of answers only; write-only, of requests only.
      const applies = (name: string) => {
        const view = specView(spec.properties.get(name) ?? [])
        return direction === "request" ? !view.readOnly : !view.writeOnly
      }
      const specRequired = new Set([...spec.required].filter(applies))
      if (requiredSuperset) {
        for (const name of specRequired) {
          if (!ourRequired.has(name)) problems.push(`${prefix}${name}: required by the spec, optional here`)
        }
      }
      for (const name of ourRequired) if (!specRequired.has(name)) beyond.push(`${prefix}${name}`)
    }
  }

  const { $defs: _, $schema: __, ...top } = document
  compare(top, pointers, "")
  return { problems, requiredBeyondSpec: beyond }
}
