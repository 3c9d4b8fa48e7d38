/**
 * Reading a JSON request body field by field, collecting every problem as Rebilly's
 * `invalidFields` does (`field` in dot notation, `paymentInstrument.expMonth`). Messages say what
 * is wrong, never what was sent.
 */
import type { InvalidField } from "./RebillyProblems.js"

export type JsonObject = Readonly<Record<string, unknown>>

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const own = (object: JsonObject, key: string): unknown => (Object.hasOwn(object, key) ? object[key] : undefined)

/** Collects the invalid fields of one request. */
export class Fields {
  readonly invalid: Array<InvalidField> = []

  add(field: string, message: string): undefined {
    this.invalid.push({ field, message })
    return undefined
  }

  /** The field's value, `undefined` when absent or null (noted when `required`). */
  present(object: JsonObject, key: string, path: string, required = false): unknown {
    const value = own(object, key)
    if (value !== undefined && value !== null) return value
    return required ? this.add(path, "This value is required.") : undefined
  }

  get ok(): boolean {
    return this.invalid.length === 0
  }

  /** A string of at most `maxLength`; `required` says whether it may be absent. */
  string(
    object: JsonObject,
    key: string,
    path: string,
    options: { readonly required?: boolean; readonly maxLength?: number; readonly pattern?: RegExp } = {},
  ): string | undefined {
    const value = this.present(object, key, path, options.required)
    if (value === undefined) return undefined
    if (typeof value !== "string") return this.add(path, "This value must be a string.")
    if (options.required && value.length === 0) return this.add(path, "This value must not be empty.")
    if (options.maxLength !== undefined && value.length > options.maxLength) {
      return this.add(path, `This value must be at most ${options.maxLength} characters long.`)
    }
    if (options.pattern !== undefined && !options.pattern.test(value)) {
      return this.add(path, "This value has an invalid format.")
    }
    return value
  }

  integer(
    object: JsonObject,
    key: string,
    path: string,
    options: { readonly required?: boolean; readonly min?: number; readonly max?: number } = {},
  ): number | undefined {
    const value = this.present(object, key, path, options.required)
    if (value === undefined) return undefined
    if (typeof value !== "number" || !Number.isInteger(value)) return this.add(path, "This value must be an integer.")
    if ((options.min !== undefined && value < options.min) || (options.max !== undefined && value > options.max)) {
      return this.add(path, `This value must be between ${options.min ?? "-∞"} and ${options.max ?? "∞"}.`)
    }
    return value
  }

  object(object: JsonObject, key: string, path: string, required = false): JsonObject | undefined {
    const value = this.present(object, key, path, required)
    if (value === undefined) return undefined
    return isObject(value) ? value : this.add(path, "This value must be an object.")
  }

  boolean(object: JsonObject, key: string, path: string): boolean | undefined {
    const value = this.present(object, key, path)
    if (value === undefined) return undefined
    return typeof value === "boolean" ? value : this.add(path, "This value must be a boolean.")
  }
}

const textFields: ReadonlyArray<readonly [string, number]> = [
  ["firstName", 45],
  ["lastName", 45],
  ["organization", 255],
  ["address", 60],
  ["address2", 60],
  ["city", 45],
  ["region", 45],
  ["jobTitle", 255],
]

/** A `ContactObject` (billing address): known fields checked, then kept as sent; `hash` is Rebilly's to write. */
export const contact = (fields: Fields, value: JsonObject, path: string): JsonObject => {
  for (const [name, maxLength] of textFields) fields.string(value, name, `${path}.${name}`, { maxLength })
  fields.string(value, "country", `${path}.country`, { pattern: /^[A-Z]{2}$/ })
  fields.string(value, "postalCode", `${path}.postalCode`, { maxLength: 10, pattern: /^[\w\s-]+$/ })
  fields.string(value, "dob", `${path}.dob`, { pattern: /^\d{4}-\d{2}-\d{2}$/ })
  for (const list of ["emails", "phoneNumbers"] as const) {
    const items = own(value, list)
    if (items === undefined || items === null) continue
    if (!Array.isArray(items)) {
      fields.add(`${path}.${list}`, "This value must be an array.")
      continue
    }
    for (const [index, item] of items.entries()) {
      const at = `${path}.${list}.${index}`
      if (!isObject(item)) {
        fields.add(at, "This value must be an object.")
        continue
      }
      fields.string(item, "label", `${at}.label`, { required: true, maxLength: 45 })
      fields.string(item, "value", `${at}.value`, { required: true, maxLength: list === "emails" ? 255 : 50 })
      fields.boolean(item, "primary", `${at}.primary`)
    }
  }
  const { hash: _hash, ...kept } = value
  return kept
}
