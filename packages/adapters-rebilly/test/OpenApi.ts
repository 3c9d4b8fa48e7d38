/**
 * The vendored OpenAPI 3.1 snapshot as a validator: which operation a request on the wire is
 * (by its method and path alone), and whether its path parameters, query, credentials and body
 * are what that operation accepts; whether an answer fits the operation's response; and whether
 * a body carries fields the spec marks read-only (in a request) or write-only (in an answer).
 * JSON Schema 2020-12 by ajv, `$ref`s resolved within the spec.
 */
import { readFileSync } from "node:fs"
import type * as SimulatedHttp from "@token-lifecycle/testkit/simulators/shared/SimulatedHttp"
import Ajv2020Module, { type ValidateFunction } from "ajv/dist/2020.js"
import addFormats from "ajv-formats"
import { parse } from "yaml"

// biome-ignore lint/suspicious/noExplicitAny: the spec is plain parsed YAML
type Json = any

export const spec: Json = parse(readFileSync(new URL("../spec/openapi.yaml", import.meta.url), "utf8"))

const root = "https://spec.rebilly.invalid/openapi.json"

/** Which way a value travels: a required field marked read-only binds answers only, one marked write-only requests only. */
export type Direction = "request" | "answer"

/**
 * The spec as one direction reads it: fields the other direction alone carries are not required.
 * And every `oneOf` is read as `anyOf`: the snapshot's alternatives overlap (`PaymentInstruction`
 * lists `PaymentInstructionMethods`, which requires nothing and so fits every object, beside
 * `PaymentInstructionToken`), so a strict `oneOf` refuses the very `{token}` instruction the
 * spec documents. The member a request means is checked on its own where it matters.
 */
const asRead = (value: Json, skip: "readOnly" | "writeOnly"): Json => {
  if (Array.isArray(value)) return value.map((item) => asRead(item, skip))
  if (value === null || typeof value !== "object") return value
  const copy: Json = Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key === "oneOf" ? "anyOf" : key, asRead(item, skip)]),
  )
  if (Array.isArray(copy.required) && copy.properties !== undefined) {
    copy.required = copy.required.filter((name: string) => copy.properties[name]?.[skip] !== true)
  }
  return copy
}

const validatorsOf = (skip: "readOnly" | "writeOnly") => {
  const ajv = new Ajv2020Module.default({ strict: false, allErrors: true, validateSchema: false, logger: false })
  addFormats.default(ajv)
  // Formats the spec names that JSON Schema does not define: one is checked, the others are labels.
  ajv.addFormat("ipv4 or ipv6", (value: string) => /^[\d.]+$|:/.test(value))
  for (const label of ["double", "float", "integer", "bin", "operationId", "password", "ip"]) ajv.addFormat(label, true)
  ajv.addSchema({ ...asRead(spec, skip), $id: root })
  return ajv
}

const ajvs = { request: validatorsOf("readOnly"), answer: validatorsOf("writeOnly") } as const

/** A JSON pointer segment. */
export const segment = (key: string): string => key.replace(/~/g, "~0").replace(/\//g, "~1")

/** The value at a JSON pointer (`#/components/schemas/X`). */
export const at = (pointer: string): Json =>
  pointer
    .replace(/^#\//, "")
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((value: Json, key) => value?.[key], spec)

const validators = new Map<string, ValidateFunction>()

/** The schema at `pointer`, as `direction` reads it, compiled once. */
export const validator = (pointer: string, direction: Direction): ValidateFunction => {
  const key = `${direction} ${pointer}`
  let validate = validators.get(key)
  if (validate === undefined) {
    validate = ajvs[direction].getSchema(`${root}${pointer.replace(/\/oneOf\//g, "/anyOf/")}`)
    if (validate === undefined) throw new Error(`no schema at ${pointer}`)
    validators.set(key, validate)
  }
  return validate
}

/** Why `value` does not fit the schema at `pointer`: none when it fits. */
export const problems = (pointer: string, value: unknown, direction: Direction): ReadonlyArray<string> => {
  const validate = validator(pointer, direction)
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`)
}

/** Follow `$ref`s: the pointer of the schema a pointer finally names. */
export const resolve = (pointer: string): string => {
  const value = at(pointer)
  return typeof value?.$ref === "string" ? resolve(value.$ref) : pointer
}

export interface Operation {
  readonly method: string
  readonly template: string
  readonly pointer: string
  readonly operationId: string
}

const methods = ["get", "put", "post", "patch", "delete"] as const

export const operations: ReadonlyArray<Operation> = Object.entries(spec.paths as Record<string, Json>).flatMap(
  ([template, item]) =>
    methods
      .filter((method) => item[method] !== undefined)
      .map((method) => ({
        method: method.toUpperCase(),
        template,
        pointer: `#/paths/${segment(template)}/${method}`,
        operationId: item[method].operationId as string,
      })),
)

export const operationById = (operationId: string): Operation => {
  const found = operations.find((operation) => operation.operationId === operationId)
  if (found === undefined) throw new Error(`no operation ${operationId}`)
  return found
}

/** The operation a method and path (relative to the server URL) call, with the path's parameters. */
export const route = (
  method: string,
  path: string,
): { readonly operation: Operation; readonly parameters: Record<string, string> } | undefined => {
  for (const operation of operations) {
    if (operation.method !== method) continue
    const names: Array<string> = []
    const pattern = new RegExp(
      `^${operation.template.replace(/\{([^}]+)\}/g, (_, name: string) => {
        names.push(name)
        return "([^/]+)"
      })}$`,
    )
    const match = pattern.exec(path)
    if (match === null) continue
    return {
      operation,
      parameters: Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? "")])),
    }
  }
  return undefined
}

interface Parameter {
  readonly name: string
  readonly in: string
  readonly required?: boolean
  readonly pointer: string
}

const parametersOf = (operation: Operation): ReadonlyArray<Parameter> => {
  const pathItem = operation.pointer.replace(/\/[a-z]+$/, "")
  return [`${pathItem}/parameters`, `${operation.pointer}/parameters`].flatMap((list) =>
    ((at(list) ?? []) as Array<Json>).map((_, i) => {
      const pointer = resolve(`${list}/${i}`)
      const parameter = at(pointer)
      return { name: parameter.name, in: parameter.in, required: parameter.required, pointer: `${pointer}/schema` }
    }),
  )
}

/** A query or path value as its schema's type: the wire carries text. */
const typed = (pointer: string, text: string): unknown => {
  const type = at(resolve(pointer))?.type
  return (type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text
}

export type SchemeName = "SecretApiKey" | "PublishableApiKey" | "JWT" | "ApplicationJWT" | "CustomerJWT"

/**
 * Whether the headers carry the credential a scheme names: an API key's header, a bearer token.
 * The publishable key travels raw in `Authorization`, so a `Bearer` there is not one.
 */
const carries = (scheme: SchemeName, headers: Readonly<Record<string, string>>): boolean => {
  const definition = spec.components.securitySchemes[scheme]
  const authorization = headers.authorization ?? ""
  if (definition.type === "http") return /^Bearer \S+$/.test(authorization)
  const value = headers[String(definition.name).toLowerCase()]
  if (value === undefined || value.length === 0) return false
  return definition.name === "Authorization" ? !/^Bearer /i.test(value) : true
}

/** The security requirements of an operation: its own, or the spec's default. */
export const securityOf = (operation: Operation): ReadonlyArray<ReadonlyArray<SchemeName>> =>
  ((at(operation.pointer).security ?? spec.security) as Array<Record<string, unknown>>).map(
    (requirement) => Object.keys(requirement) as Array<SchemeName>,
  )

/** Properties of `value` that the schema at `pointer` marks `mark`, by dot path. */
export const marked = (pointer: string, value: unknown, mark: "readOnly" | "writeOnly", path = ""): Array<string> => {
  const schema = at(pointer)
  if (schema === undefined || value === undefined || value === null) return []
  if (path !== "" && schema[mark] === true) return [path]
  const found: Array<string> = []
  if (typeof schema.$ref === "string") found.push(...marked(schema.$ref, value, mark, path))
  for (const [i] of (schema.allOf ?? []).entries()) found.push(...marked(`${pointer}/allOf/${i}`, value, mark, path))
  for (const keyword of ["oneOf", "anyOf"] as const) {
    for (const [i] of (schema[keyword] ?? []).entries()) {
      const member = `${pointer}/${keyword}/${i}`
      if (problems(member, value, mark === "readOnly" ? "request" : "answer").length === 0)
        found.push(...marked(member, value, mark, path))
    }
  }
  if (Array.isArray(value)) {
    if (schema.items !== undefined) {
      for (const [i, item] of value.entries()) found.push(...marked(`${pointer}/items`, item, mark, `${path}.${i}`))
    }
  } else if (typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      if (schema.properties?.[key] !== undefined) {
        found.push(...marked(`${pointer}/properties/${segment(key)}`, item, mark, path === "" ? key : `${path}.${key}`))
      }
    }
  }
  return [...new Set(found)]
}

/** The member a discriminated schema maps `value` to, when the schema is one and maps it. */
const discriminated = (pointer: string, value: unknown): string | undefined => {
  const schema = at(resolve(pointer))
  const property = schema?.discriminator?.propertyName
  if (property === undefined || typeof value !== "object" || value === null) return undefined
  return schema.discriminator.mapping?.[(value as Record<string, unknown>)[property] as string]
}

export interface RequestCheck {
  readonly operationId: string | undefined
  /** The schemes of the security requirement the request satisfies. */
  readonly schemes: ReadonlyArray<SchemeName>
  readonly problems: ReadonlyArray<string>
}

/** Everything the spec says of a request, checked: operation, path parameters, query, credentials, body. */
export const checkRequest = (request: SimulatedHttp.WireRequest): RequestCheck => {
  const routed = route(request.method, request.path)
  if (routed === undefined) {
    return { operationId: undefined, schemes: [], problems: [`no operation ${request.method} ${request.path}`] }
  }
  const { operation } = routed
  const found: Array<string> = []
  const parameters = parametersOf(operation)
  for (const parameter of parameters.filter((p) => p.in === "path")) {
    const value = routed.parameters[parameter.name]
    if (value === undefined) found.push(`path parameter ${parameter.name} missing`)
    else
      found.push(
        ...problems(parameter.pointer, typed(parameter.pointer, value), "request").map(
          (p) => `path ${parameter.name}: ${p}`,
        ),
      )
  }
  const query = parameters.filter((p) => p.in === "query")
  for (const [name, value] of request.query) {
    const parameter = query.find((p) => p.name === name)
    if (parameter === undefined) found.push(`query ${name} is not a parameter of ${operation.operationId}`)
    else
      found.push(
        ...problems(parameter.pointer, typed(parameter.pointer, value), "request").map((p) => `query ${name}: ${p}`),
      )
  }
  for (const parameter of query.filter((p) => p.required && !request.query.has(p.name))) {
    found.push(`query ${parameter.name} is required`)
  }
  const satisfied = securityOf(operation).find((requirement) =>
    requirement.every((scheme) => carries(scheme, request.headers)),
  )
  if (satisfied === undefined) found.push(`no credential ${operation.operationId} accepts`)
  const bodyPointer = `${operation.pointer}/requestBody`
  if (at(bodyPointer) === undefined) {
    if (request.body !== "") found.push(`${operation.operationId} takes no body`)
  } else {
    const requestBody = resolve(bodyPointer)
    const contentType = request.headers["content-type"]?.split(";")[0]?.trim() ?? ""
    const media = at(`${requestBody}/content`)?.[contentType]
    if (media === undefined) found.push(`content-type ${contentType || "(none)"} is not accepted`)
    else if (request.body === "") {
      if (at(requestBody).required) found.push("the body is required")
    } else {
      const schema = `${requestBody}/content/${segment(contentType)}/schema`
      const body = JSON.parse(request.body)
      found.push(...problems(schema, body, "request").map((p) => `body${p}`))
      const member = discriminated(schema, body)
      if (member !== undefined) found.push(...problems(member, body, "request").map((p) => `body (as ${member})${p}`))
      found.push(...marked(schema, body, "readOnly").map((field) => `body ${field} is read-only`))
    }
  }
  return { operationId: operation.operationId, schemes: satisfied ?? [], problems: found }
}

/** Whether an answer fits the response the operation declares for its status, write-only fields included. */
export const checkAnswer = (operationId: string, status: number, body: unknown): ReadonlyArray<string> => {
  const operation = operationById(operationId)
  const declared = `${operation.pointer}/responses/${status}`
  if (at(declared) === undefined) return [`${operationId} declares no ${status}`]
  const schema = `${resolve(declared)}/content/application~1json/schema`
  if (at(schema) === undefined) return body === undefined || body === "" ? [] : [`${operationId} ${status} has no body`]
  const member = discriminated(schema, body)
  return [
    ...problems(schema, body, "answer"),
    ...(member === undefined ? [] : problems(member, body, "answer").map((p) => `(as ${member})${p}`)),
    ...marked(schema, body, "writeOnly").map((field) => `${field} is write-only`),
  ]
}
