/**
 * Request bodies as the simulated KOMOJU reads them: JSON objects whose fields are looked up as
 * own properties only (`JSON.parse` makes `__proto__` an ordinary own key, and lookups never
 * reach `Object.prototype`).
 */

export interface JsonObject {
  readonly [key: string]: unknown
}

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The body as a JSON object; `undefined` when it is not JSON or not an object. An empty body is `{}`. */
export const parseObject = (text: string): JsonObject | undefined => {
  if (text.trim() === "") return {}
  try {
    const value: unknown = JSON.parse(text)
    return isObject(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** An own field of `object`. */
export const field = (object: JsonObject, key: string): unknown =>
  Object.hasOwn(object, key) ? object[key] : undefined

/** A field's text when it is a string or a finite number; `undefined` otherwise. */
export const textOf = (value: unknown): string | undefined =>
  typeof value === "string" ? value : typeof value === "number" && Number.isFinite(value) ? String(value) : undefined
