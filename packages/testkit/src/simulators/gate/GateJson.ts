/**
 * JSON as Gate reads it: numbers keep the text they were sent with, because the signature
 * covers a number's text (gate.md §6.3) and `JSON.parse` would turn `1.50` into `1.5`.
 *
 * Objects are built without a prototype, so a key such as `__proto__` is an ordinary field.
 */

/** A JSON number as written on the wire. */
export class JsonNumber {
  constructor(readonly text: string) {}
  get value(): number {
    return Number(this.text)
  }
}

export type Json = null | boolean | string | JsonNumber | ReadonlyArray<Json> | JsonObject
export interface JsonObject {
  readonly [key: string]: Json
}

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber)

/** Why a body is not JSON. Says where, never what: the body may hold card data. */
export class JsonSyntaxError extends Error {
  constructor(readonly position: number) {
    super(`invalid JSON at position ${position}`)
  }
}

const whitespace = new Set([" ", "\t", "\n", "\r"])
const literals: ReadonlyArray<readonly [string, Json]> = [
  ["true", true],
  ["false", false],
  ["null", null],
]
const numberPattern = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y

/** Parses `text`; throws `JsonSyntaxError` on anything that is not one complete JSON value. */
export const parse = (text: string): Json => {
  let at = 0

  const fail = (): never => {
    throw new JsonSyntaxError(at)
  }
  const skip = () => {
    while (at < text.length && whitespace.has(text.charAt(at))) at++
  }
  const expect = (literal: string) => {
    if (text.startsWith(literal, at)) at += literal.length
    else fail()
  }

  const string = (): string => {
    at++ // opening quote
    let out = ""
    for (;;) {
      if (at >= text.length) fail()
      const c = text.charAt(at)
      if (c === '"') {
        at++
        return out
      }
      if (c < " ") fail()
      if (c !== "\\") {
        out += c
        at++
        continue
      }
      const escaped = text.charAt(at + 1)
      at += 2
      switch (escaped) {
        case '"':
        case "\\":
        case "/":
          out += escaped
          break
        case "b":
          out += "\b"
          break
        case "f":
          out += "\f"
          break
        case "n":
          out += "\n"
          break
        case "r":
          out += "\r"
          break
        case "t":
          out += "\t"
          break
        case "u": {
          const hex = text.slice(at, at + 4)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail()
          out += String.fromCharCode(Number.parseInt(hex, 16))
          at += 4
          break
        }
        default:
          at -= 2
          fail()
      }
    }
  }

  const value = (): Json => {
    skip()
    const c = text.charAt(at)
    if (c === "{") {
      at++
      const object: Record<string, Json> = Object.create(null)
      skip()
      if (text.charAt(at) === "}") {
        at++
        return object
      }
      for (;;) {
        skip()
        if (text.charAt(at) !== '"') fail()
        const key = string()
        skip()
        expect(":")
        object[key] = value()
        skip()
        const next = text.charAt(at++)
        if (next === "}") return object
        if (next !== ",") {
          at--
          fail()
        }
      }
    }
    if (c === "[") {
      at++
      const array: Array<Json> = []
      skip()
      if (text.charAt(at) === "]") {
        at++
        return array
      }
      for (;;) {
        array.push(value())
        skip()
        const next = text.charAt(at++)
        if (next === "]") return array
        if (next !== ",") {
          at--
          fail()
        }
      }
    }
    if (c === '"') return string()
    for (const [literal, parsed] of literals) {
      if (text.startsWith(literal, at)) {
        at += literal.length
        return parsed
      }
    }
    numberPattern.lastIndex = at
    const match = numberPattern.exec(text)
    if (match === null) return fail()
    at += match[0].length
    return new JsonNumber(match[0])
  }

  const result = value()
  skip()
  if (at !== text.length) fail()
  return result
}

/** The field at `path` of an object, if every step is an object. */
export const at = (root: Json, ...path: ReadonlyArray<string>): Json | undefined => {
  let node: Json | undefined = root
  for (const key of path) {
    if (node === undefined || !isObject(node)) return undefined
    node = Object.hasOwn(node, key) ? node[key] : undefined
  }
  return node
}

/** A field's text when it is a string or a number; `undefined` when absent, null or of another type. */
export const scalarText = (value: Json | undefined): string | undefined =>
  typeof value === "string" ? value : value instanceof JsonNumber ? value.text : undefined
