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
 * the server uses there is unknown, so a body we send must not contain those cases (the walk
 * refuses them as it goes); a callback that does may fail verification.
 *
 * The body is JSON data as `JSON.stringify` would write it: an `undefined` property is absent
 * and an `undefined` array element is `null`, so the signed string always describes the bytes
 * sent. Numbers parsed from a delivery (`JsonNumber`) are signed as the text they arrived in.
 */
import { JsonNumber } from "./json.js"

// Every request we send is walked once before its HMAC, checking the order as it builds the
// string, with plain loops: no regular expressions, no `[key, value]` lists, no strings built
// only to be compared, and an insertion sort for the few keys of an object.

/** Keys no signer includes. */
const skipped = (key: string): boolean => key === "frame_mode" || key === "signature"

/** Whether the code unit `c` is an ASCII digit; `NaN` (past the end of a string) is not. */
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39

/** An array index as JavaScript orders object keys: canonical decimal, at most 2^32 − 2. */
const isIndexKey = (key: string): boolean => {
  const length = key.length
  if (length === 0 || length > 10) return false
  const first = key.charCodeAt(0)
  if (first === 0x30) return length === 1
  if (!isDigit(first)) return false
  for (let i = 1; i < length; i++) if (!isDigit(key.charCodeAt(i))) return false
  return length < 10 || Number(key) <= 4_294_967_294
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const byValue = (a: string, b: string): number => Number(a) - Number(b)

/**
 * Sorts `keys` in place by `compare`. An object has a handful of keys, already in order or
 * nearly, where an insertion sort beats `Array.prototype.sort`'s fixed cost; keys are distinct,
 * so any correct sort gives the same order.
 */
const sortKeys = (keys: Array<string>, compare: (a: string, b: string) => number): void => {
  if (keys.length > 16) {
    keys.sort(compare)
    return
  }
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string
    let j = i - 1
    while (j >= 0 && compare(keys[j] as string, key) > 0) {
      keys[j + 1] = keys[j] as string
      j--
    }
    keys[j + 1] = key
  }
}

/** `keys`, which the caller gives up, in signing order: sorted in place when none is an index key. */
const order = (keys: Array<string>): Array<string> => {
  let index = 0
  while (index < keys.length && !isIndexKey(keys[index] as string)) index++
  if (index === keys.length) {
    sortKeys(keys, byCodeUnit)
    return keys
  }
  const indices: Array<string> = []
  const names: Array<string> = []
  for (const key of keys) (isIndexKey(key) ? indices : names).push(key)
  sortKeys(indices, byValue)
  sortKeys(names, byCodeUnit)
  return indices.concat(names)
}

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Non-JSON data in a body is a bug in the code that built it, not a runtime condition. */
const unsupported = (path: string, what: string): TypeError =>
  new TypeError(`Gate signature: ${what} at ${path === "" ? "the root" : `"${path}"`} is not JSON data`)

/** A container the walk descends into: an array or an object, but not a `JsonNumber` (a leaf). */
const isContainer = (value: unknown): value is object =>
  typeof value === "object" && value !== null && !(value instanceof JsonNumber)

/** The path of `key` under `prefix`. */
const pathOf = (prefix: string, key: string): string => (prefix === "" ? key : `${prefix}:${key}`)

/**
 * The keys of a plain object in signing order, without skipped keys and keys whose value is
 * `undefined`. Throws on an object that is not plain.
 */
const signedKeys = (record: Record<string, unknown>, path: string): Array<string> => {
  if (!isPlainObject(record)) throw unsupported(path, "an object that is not plain")
  const keys = order(Object.keys(record))
  let kept = 0
  for (const key of keys) if (!skipped(key) && record[key] !== undefined) keys[kept++] = key
  if (kept !== keys.length) keys.length = kept
  return keys
}

/**
 * What is being signed. A `delivery` (a callback to verify) may hold `JsonNumber`s, signed as
 * their text, and any order. A `request` (a body we send) may not hold `JsonNumber`s
 * (`JSON.stringify` cannot write them), nor a case signers order differently.
 */
export type Reading = "request" | "delivery"

const leaf = (value: unknown, path: string, reading: Reading): string => {
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
        if (reading === "delivery") return value.text
        throw new TypeError(`Gate signature: a JsonNumber at "${path}" in a body to send; use a number`)
      }
      throw unsupported(path, `a ${typeof value}`)
  }
}

/** `signed` followed by the entries of `value` at `path`. Entries are never empty, so `signed` is `""` only before the first. */
const entries = (signed: string, path: string, value: unknown, reading: Reading): string => {
  if (isContainer(value)) return flatten(signed, value, path, reading)
  const entry = `${path}:${leaf(value, path, reading)}`
  return signed === "" ? entry : `${signed};${entry}`
}

/** A body we send holds a case signers order differently: a bug in its builder. */
const ambiguous = (path: string): TypeError =>
  new TypeError(`Gate signature: signers order the entries under ${path === "" ? "the root" : `"${path}"`} differently`)

const flatten = (signed: string, node: object, prefix: string, reading: Reading): string => {
  let result = signed
  if (Array.isArray(node)) {
    // Holes and `undefined` elements go on the wire as `null`.
    const array: ReadonlyArray<unknown> = node
    const length = array.length
    // Index 10 is the first to sort differently: `10:` before `9:`, and `2` against `10` as numbers.
    if (reading === "request" && length > 10) throw ambiguous(prefix)
    for (let i = 0; i < length; i++) {
      const value = array[i]
      result = entries(result, pathOf(prefix, String(i)), value === undefined ? null : value, reading)
    }
    return result
  }
  const record = node as Record<string, unknown>
  const keys = signedKeys(record, prefix)
  if (reading === "request") {
    const path = levelAmbiguity(keys, prefix)
    if (path !== undefined) throw ambiguous(path)
  }
  for (const key of keys) result = entries(result, pathOf(prefix, key), record[key], reading)
  return result
}

/**
 * The canonical string of `body`, read as a `request` or a `delivery` (the default). Throws a
 * `TypeError` on data JSON cannot carry (a function, `NaN`, a `Date`), on a `JsonNumber` in a
 * request, and on a request holding a case signers order differently.
 */
export const canonicalString = (body: object, reading: Reading = "delivery"): string => flatten("", body, "", reading)

const isDigitAt = (text: string, i: number): boolean => isDigit(text.charCodeAt(i))

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

/** Whether `a + ":"` sorts before `b + ":"` by code unit (the whole-path order), without building either. */
const beforeAsPath = (a: string, b: string): boolean => {
  const common = Math.min(a.length, b.length)
  for (let i = 0; i < common; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return x < y
  }
  if (a.length === b.length) return false
  // One is a prefix of the other: the shorter one's `:` meets the longer one's next code unit.
  return a.length < b.length ? 0x3a <= b.charCodeAt(common) : a.charCodeAt(common) < 0x3a
}

/**
 * The path under which signers may order this level's `keys` (already in signing order)
 * differently, or `undefined` when all of them build the same string: no key may contain `:`,
 * the keys must come out in the same order when compared as `key + ":"` by code unit (the
 * whole-path order), and no two keys may hold digit runs a natural sort compares differently.
 */
const levelAmbiguity = (keys: ReadonlyArray<string>, prefix: string): string | undefined => {
  /** The earlier keys holding a digit: only two such keys can have digit runs that differ. */
  const withDigits: Array<string> = []
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    let colon = false
    let digit = false
    for (let c = 0; c < key.length; c++) {
      const unit = key.charCodeAt(c)
      if (unit === 0x3a) colon = true
      else if (isDigit(unit)) digit = true
    }
    if (colon) return pathOf(prefix, key)
    if (i > 0 && !beforeAsPath(keys[i - 1] as string, key)) return prefix
    if (digit) {
      for (const other of withDigits) if (digitRunsDiffer(other, key)) return prefix
      withDigits.push(key)
    }
  }
  return undefined
}
