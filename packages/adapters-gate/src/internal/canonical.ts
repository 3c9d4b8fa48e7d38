/**
 * The string Gate signs: every leaf of the body as `path:value`, joined with `;`.
 *
 * - `path` is the keys from the root joined with `:`; an array element's key is its index.
 * - `true`/`false` are `1`/`0`; `null` gives an empty value (`path:`), as does `""`.
 * - `{}` and `[]` give no entry at all; numbers and strings are their text, unescaped.
 * - Every key named `frame_mode` or `signature`, at any depth, is left out.
 *
 * Order, at each object level: keys that are array indices (`0`, `7`, `42`, no leading zero,
 * below 2^32 − 1) first, ascending by value; then every other key by UTF-16 code unit. A key's
 * own entries follow it directly. This is the order of ECommPay's JavaScript signer, and it
 * matches every published vector. Other signers sort whole `path:value` strings instead, which
 * differs only when a level holds a numbered key of 10 or more beside a smaller one (`x:10`
 * against `x:2`, so arrays of more than 10 elements), a key that is another's prefix followed
 * by a character below `:` (`a` against `a-b` or `a1`), or a key containing `:`; PHP's natural
 * sort also reorders keys whose digit runs differ in length (`a2` against `a10`). Which order
 * the server uses there is unknown, so `orderAmbiguity` finds those cases and bodies we sign
 * must not contain them; a callback that does may fail verification.
 *
 * The body is JSON data as `JSON.stringify` would write it: an `undefined` property is absent
 * and an `undefined` array element is `null`, so the signed string always describes the bytes
 * sent. Numbers parsed from a delivery (`JsonNumber`) are signed as the text they arrived in.
 */
import { JsonNumber } from "./json.js"

/** Keys no signer includes. */
const skipped = (key: string): boolean => key === "frame_mode" || key === "signature"

/** An array index as JavaScript orders object keys: canonical decimal, at most 2^32 − 2. */
const isIndexKey = (key: string): boolean =>
  (key === "0" || /^[1-9][0-9]{0,9}$/.test(key)) && Number(key) <= 4_294_967_294

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Index keys ascending by value, then the rest by UTF-16 code unit. */
export const orderKeys = (keys: ReadonlyArray<string>): Array<string> => {
  const indices: Array<string> = []
  const names: Array<string> = []
  for (const key of keys) (isIndexKey(key) ? indices : names).push(key)
  indices.sort((a, b) => Number(a) - Number(b))
  names.sort(byCodeUnit)
  return indices.concat(names)
}

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Non-JSON data in a body is a bug in the code that built it, not a runtime condition. */
const unsupported = (path: string, what: string): TypeError =>
  new TypeError(`Gate signature: ${what} at ${path === "" ? "the root" : `"${path}"`} is not JSON data`)

/** The children of a container as `[key, value]`, in signing order and without skipped keys. */
const children = (node: object, path: string): Array<readonly [string, unknown]> => {
  if (Array.isArray(node)) {
    // Holes and `undefined` elements go on the wire as `null`.
    return Array.from(node, (value: unknown, i) => [String(i), value === undefined ? null : value] as const)
  }
  if (!isPlainObject(node)) throw unsupported(path, "an object that is not plain")
  const record = node as Record<string, unknown>
  return orderKeys(Object.keys(record))
    .filter((key) => !skipped(key) && record[key] !== undefined)
    .map((key) => [key, record[key]] as const)
}

/** Whether `JsonNumber`s are accepted: yes in a delivery, no in a body we send (`JSON.stringify` cannot write them). */
interface Options {
  readonly numberText: boolean
}

const leaf = (value: unknown, path: string, options: Options): string => {
  switch (typeof value) {
    case "string":
      return value
    case "boolean":
      return value ? "1" : "0"
    case "number":
      if (!Number.isFinite(value)) throw unsupported(path, "a number that is not finite")
      return String(value)
    default:
      if (value === null) return ""
      if (value instanceof JsonNumber) {
        if (options.numberText) return value.text
        throw new TypeError(`Gate signature: a JsonNumber at "${path}" in a body to send; use a number`)
      }
      throw unsupported(path, `a ${typeof value}`)
  }
}

const flatten = (node: object, prefix: string, options: Options, out: Array<string>): void => {
  for (const [key, value] of children(node, prefix)) {
    const path = prefix === "" ? key : `${prefix}:${key}`
    if (typeof value === "object" && value !== null && !(value instanceof JsonNumber)) {
      flatten(value, path, options, out)
    } else {
      out.push(`${path}:${leaf(value, path, options)}`)
    }
  }
}

/**
 * The canonical string of `body`. Throws a `TypeError` on data JSON cannot carry (a function,
 * `NaN`, a `Date`), and on a `JsonNumber` unless `numberText` is set.
 */
export const canonicalString = (body: object, options: Options = { numberText: true }): string => {
  const entries: Array<string> = []
  flatten(body, "", options, entries)
  return entries.join(";")
}

const isDigitAt = (text: string, i: number): boolean => {
  const c = text.charCodeAt(i) // NaN past the end
  return c >= 0x30 && c <= 0x39
}

/**
 * Whether a natural sort (PHP's `SORT_NATURAL`, digit runs compared as numbers) may order `a`
 * and `b` unlike code units: where they first differ, both sit in a digit run, and the runs
 * have different lengths (`a2` against `a10`, or `a12` against `a105`).
 */
const digitRunsDiffer = (a: string, b: string): boolean => {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  if (!isDigitAt(a, i) || !isDigitAt(b, i)) return false
  let start = i
  while (start > 0 && isDigitAt(a, start - 1)) start--
  const runEnd = (text: string): number => {
    let end = i
    while (isDigitAt(text, end)) end++
    return end
  }
  return runEnd(a) - start !== runEnd(b) - start
}

/**
 * The first path (`""` for the root) under which signers may order entries differently, or
 * `undefined` when all of them build the same string. At each level no key may contain `:`,
 * the keys must come out in the same order when compared as `key + ":"` by code unit (the
 * whole-path order), and no two keys may hold digit runs a natural sort compares differently.
 */
export const orderAmbiguity = (body: object): string | undefined => {
  const visit = (node: object, prefix: string): string | undefined => {
    const entries = children(node, prefix)
    const keys = entries.map(([key]) => key)
    for (const [i, key] of keys.entries()) {
      if (key.includes(":")) return prefix === "" ? key : `${prefix}:${key}`
      const earlier = keys.slice(0, i)
      const previous = earlier.at(-1)
      if (previous !== undefined && !(`${previous}:` < `${key}:`)) return prefix
      if (earlier.some((other) => digitRunsDiffer(other, key))) return prefix
    }
    for (const [key, value] of entries) {
      if (typeof value === "object" && value !== null && !(value instanceof JsonNumber)) {
        const inner = visit(value, prefix === "" ? key : `${prefix}:${key}`)
        if (inner !== undefined) return inner
      }
    }
    return undefined
  }
  return visit(body, "")
}
