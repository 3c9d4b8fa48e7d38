/**
 * The message Gate signs: every leaf of the body as `path:value`, joined with `;`, in UTF-8.
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
 * and an `undefined` array element is `null`, so the signed message always describes the bytes
 * sent. Numbers parsed from a delivery (`JsonNumber`) are signed as the text they arrived in.
 * A lone surrogate has no UTF-8 form: like every UTF-8 encoder (and so every signer), the walk
 * writes it as U+FFFD.
 */
import { JsonNumber } from "./json.js"

// Every request we send is walked once before its HMAC, writing the message's bytes and ordering
// and checking each object shape the first time it meets it (`knownShapes`), with plain loops: no
// regular expressions, no `[key, value]` lists, no strings built only to be compared or joined,
// and an insertion sort for the few keys of an object.

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

/**
 * Bytes written piece by piece into memory this module owns (never Node's shared pool), doubled
 * when a piece might not fit. Replaced memory is wiped: it may hold a card number.
 */
class Scratch {
  /** The memory, as a plain `Uint8Array`: its views and `fill` cost less than a `Buffer`'s. */
  bytes: Uint8Array
  /** The same memory as a `Buffer`, for Node's UTF-8 encoder and decoder. */
  buffer: Buffer
  length = 0

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity)
    this.buffer = Buffer.from(this.bytes.buffer)
  }

  /** Makes room for `count` more bytes. */
  reserve(count: number): void {
    const needed = this.length + count
    if (needed <= this.bytes.length) return
    let capacity = this.bytes.length * 2
    while (capacity < needed) capacity *= 2
    const grown = new Uint8Array(capacity)
    grown.set(this.bytes.subarray(0, this.length))
    this.bytes.fill(0)
    this.bytes = grown
    this.buffer = Buffer.from(grown.buffer)
  }

  /** Appends one byte, in room already reserved. */
  byte(value: number): void {
    this.bytes[this.length++] = value
  }

  /** Appends `other`'s bytes, in room already reserved. */
  append(other: Scratch): void {
    const from = other.bytes
    const to = this.bytes
    const start = this.length
    const count = other.length
    // Paths are a few dozen bytes: a loop beats the fixed cost of a native copy.
    for (let i = 0; i < count; i++) to[start + i] = from[i] as number
    this.length = start + count
  }

  /** Appends `text` as UTF-8, in room already reserved (`room(text)`). */
  text(text: string): void {
    const bytes = this.bytes
    const start = this.length
    const units = text.length
    for (let i = 0; i < units; i++) {
      const unit = text.charCodeAt(i)
      if (unit >= 0x80) {
        // Beyond ASCII, Node's encoder writes the whole text again: it pairs surrogates and
        // writes a lone one as U+FFFD, as every signer's encoder does.
        this.length = start + this.buffer.write(text, start, "utf8")
        return
      }
      bytes[start + i] = unit
    }
    this.length = start + units
  }
}

/** The most bytes `text` takes in UTF-8: a UTF-16 code unit never takes more than 3. */
const room = (text: string): number => 3 * text.length

const colonByte = 0x3a
const semicolonByte = 0x3b

/**
 * The message being written, and the path of the container being walked (its keys' bytes
 * joined with `:`). A tokenize request fits the initial sizes; a bigger body grows them, and
 * they keep that size.
 */
const message = new Scratch(1024)
const path = new Scratch(128)

/**
 * The path of the container being walked, as text: built only for an error message. A
 * container's key holding a lone surrogate shows it as U+FFFD, as it is signed.
 */
const pathText = (): string => path.buffer.toString("utf8", 0, path.length)

/** The path of `key` under `prefix`. */
const pathOf = (prefix: string, key: string): string => (prefix === "" ? key : `${prefix}:${key}`)

/** Non-JSON data in a body is a bug in the code that built it, not a runtime condition. */
const unsupported = (at: string, what: string): TypeError =>
  new TypeError(`Gate signature: ${what} at ${at === "" ? "the root" : `"${at}"`} is not JSON data`)

/** A body we send holds a case signers order differently: a bug in its builder. */
const ambiguous = (at: string): TypeError =>
  new TypeError(`Gate signature: signers order the entries under ${at === "" ? "the root" : `"${at}"`} differently`)

/** A container the walk descends into: an array or an object, but not a `JsonNumber` (a leaf). */
const isContainer = (value: unknown): value is object =>
  typeof value === "object" && value !== null && !(value instanceof JsonNumber)

/** `keys` (which the caller gives up) in signing order, without the keys no signer includes. */
const signingOrder = (keys: Array<string>): Array<string> => {
  const ordered = order(keys)
  let kept = 0
  for (const key of ordered) if (!skipped(key)) ordered[kept++] = key
  if (kept !== ordered.length) ordered.length = kept
  return ordered
}

/** The keys of `ordered` whose value in `record` is not `undefined`, as a new list. */
const present = (ordered: ReadonlyArray<string>, record: Record<string, unknown>): Array<string> => {
  const keys: Array<string> = []
  for (const key of ordered) if (record[key] !== undefined) keys.push(key)
  return keys
}

/**
 * The keys of a plain object in signing order, without skipped keys and keys whose value is
 * `undefined`. Throws on an object that is not plain.
 */
const signedKeys = (record: Record<string, unknown>): Array<string> => {
  if (!isPlainObject(record)) throw unsupported(pathText(), "an object that is not plain")
  return present(signingOrder(Object.keys(record)), record)
}

/**
 * Object shapes already met in requests, under their first key: the keys as `Object.keys`
 * lists them, and the same keys in signing order, found unambiguous. A gateway builds its
 * requests in a few fixed shapes, so each shape is ordered and checked once. Leaving out keys
 * whose value is `undefined` keeps a level unambiguous: every check compares keys pairwise.
 */
interface KnownShape {
  readonly listed: ReadonlyArray<string>
  readonly ordered: ReadonlyArray<string>
}
const knownShapes = new Map<string, Array<KnownShape>>()
/** Callers' free-form maps could otherwise grow the table without end. */
const maxKnownShapes = 256
let knownShapeCount = 0

const sameKeys = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const knownOrder = (listed: ReadonlyArray<string>): ReadonlyArray<string> | undefined => {
  const shapes = knownShapes.get(listed[0] as string)
  if (shapes !== undefined) for (const shape of shapes) if (sameKeys(shape.listed, listed)) return shape.ordered
  return undefined
}

const remember = (listed: ReadonlyArray<string>, ordered: ReadonlyArray<string>): void => {
  if (knownShapeCount >= maxKnownShapes) return
  const first = listed[0] as string
  const shapes = knownShapes.get(first)
  if (shapes === undefined) knownShapes.set(first, [{ listed, ordered }])
  else shapes.push({ listed, ordered })
  knownShapeCount++
}

/** `signedKeys` for a body we send, refusing a level signers order differently. */
const requestKeys = (record: Record<string, unknown>): Array<string> => {
  if (!isPlainObject(record)) throw unsupported(pathText(), "an object that is not plain")
  const listed = Object.keys(record)
  if (listed.length === 0) return listed
  const known = knownOrder(listed)
  if (known !== undefined) return present(known, record)
  const ordered = signingOrder(listed.slice())
  if (levelAmbiguity(ordered) === undefined) remember(listed, ordered)
  const keys = present(ordered, record)
  const ambiguity = levelAmbiguity(keys)
  if (ambiguity === "level") throw ambiguous(pathText())
  if (ambiguity !== undefined) throw ambiguous(pathOf(pathText(), ambiguity.keyWithColon))
  return keys
}

/**
 * What is being signed. A `delivery` (a callback to verify) may hold `JsonNumber`s, signed as
 * their text, and any order. A `request` (a body we send) may not hold `JsonNumber`s
 * (`JSON.stringify` cannot write them), nor a case signers order differently.
 */
export type Reading = "request" | "delivery"

/** The text of the leaf `value` under `key`. */
const leafText = (key: string, value: unknown, reading: Reading): string => {
  switch (typeof value) {
    case "string":
      return value
    case "boolean":
      return value ? "1" : "0"
    case "number":
      if (!Number.isFinite(value)) throw unsupported(pathOf(pathText(), key), "a number that is not finite")
      return String(value)
    default:
      if (value === null) return ""
      if (value instanceof JsonNumber) {
        if (reading === "delivery") return value.text
        throw new TypeError(
          `Gate signature: a JsonNumber at "${pathOf(pathText(), key)}" in a body to send; use a number`,
        )
      }
      throw unsupported(pathOf(pathText(), key), `a ${typeof value}`)
  }
}

/**
 * Writes the entry `path:key:text` of the leaf `value` under `key`, after a `;` unless it is
 * the first. A leaf's key goes straight into the message, never onto the path.
 */
const writeLeaf = (key: string, value: unknown, reading: Reading): void => {
  const text = leafText(key, value, reading)
  message.reserve(path.length + room(key) + room(text) + 3)
  if (message.length > 0) message.byte(semicolonByte)
  // A path starts with its first key, even when an empty key precedes it.
  if (path.length > 0) {
    message.append(path)
    message.byte(colonByte)
  }
  message.text(key)
  message.byte(colonByte)
  message.text(text)
}

/** Writes the entries of `value` under `key`: a leaf's entry, or a container's with `key` on the path meanwhile. */
const writeUnder = (key: string, value: unknown, reading: Reading): void => {
  if (!isContainer(value)) {
    writeLeaf(key, value, reading)
    return
  }
  const parent = path.length
  path.reserve(room(key) + 1)
  if (parent > 0) path.byte(colonByte)
  path.text(key)
  writeContainer(value, reading)
  path.length = parent
}

/** Writes the entries of the array or object `node` at the current path. */
const writeContainer = (node: object, reading: Reading): void => {
  if (Array.isArray(node)) {
    // Holes and `undefined` elements go on the wire as `null`.
    const array: ReadonlyArray<unknown> = node
    const length = array.length
    // Index 10 is the first to sort differently: `10:` before `9:`, and `2` against `10` as numbers.
    if (reading === "request" && length > 10) throw ambiguous(pathText())
    for (let i = 0; i < length; i++) {
      const value = array[i]
      writeUnder(String(i), value === undefined ? null : value, reading)
    }
    return
  }
  const record = node as Record<string, unknown>
  const keys = reading === "request" ? requestKeys(record) : signedKeys(record)
  for (const key of keys) writeUnder(key, record[key], reading)
}

/**
 * Writes the canonical bytes of `body` at the start of the message scratch and returns their
 * length. A refused body's entries written so far are wiped.
 */
const walk = (body: object, reading: Reading): number => {
  message.length = 0
  path.length = 0
  try {
    writeContainer(body, reading)
  } catch (error) {
    message.bytes.fill(0, 0, message.length)
    throw error
  }
  return message.length
}

/**
 * The canonical message of `body` as UTF-8 bytes, read as a `request` or a `delivery` (the
 * default): exactly `canonicalString`'s text in UTF-8, written without building that string.
 * Throws as `canonicalString` does.
 *
 * The result is a view of this module's scratch memory, valid only until the next call of
 * either function here, which overwrites it: use it at once, synchronously, never keep it or
 * hand it to anything that runs later, and wipe it (`fill(0)`) once used, since it may hold a
 * card number.
 */
export const canonicalBytes = (body: object, reading: Reading = "delivery"): Uint8Array => {
  const length = walk(body, reading)
  // Read only now: the walk may have replaced the memory.
  return message.bytes.subarray(0, length)
}

/**
 * The canonical string of `body`, read as a `request` or a `delivery` (the default): the text of
 * `canonicalBytes`, so a lone surrogate comes back as U+FFFD, as it is signed. Throws a
 * `TypeError` on data JSON cannot carry (a function, `NaN`, a `Date`), on a `JsonNumber` in a
 * request, and on a request holding a case signers order differently.
 */
export const canonicalString = (body: object, reading: Reading = "delivery"): string => {
  const length = walk(body, reading)
  const text = message.buffer.toString("utf8", 0, length)
  message.bytes.fill(0, 0, length)
  return text
}

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

/** Why signers may order a level's keys differently: one key holds `:`, or the order of the level as a whole. */
type Ambiguity = { readonly keyWithColon: string } | "level"

/**
 * Whether signers may order this level's `keys` (already in signing order) differently, and
 * why; `undefined` when all of them build the same message: no key may contain `:`, the keys
 * must come out in the same order when compared as `key + ":"` by code unit (the whole-path
 * order), and no two keys may hold digit runs a natural sort compares differently.
 */
const levelAmbiguity = (keys: ReadonlyArray<string>): Ambiguity | undefined => {
  /** The earlier keys holding a digit (only two such keys can have digit runs that differ), once there is one. */
  let withDigits: Array<string> | undefined
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    let colon = false
    let digit = false
    for (let c = 0; c < key.length; c++) {
      const unit = key.charCodeAt(c)
      // Letters and `_` sit above `:`; only `:` and digits matter here.
      if (unit > 0x3a) continue
      if (unit === 0x3a) colon = true
      else if (isDigit(unit)) digit = true
    }
    if (colon) return { keyWithColon: key }
    if (i > 0 && !beforeAsPath(keys[i - 1] as string, key)) return "level"
    if (digit) {
      withDigits ??= []
      for (const other of withDigits) if (digitRunsDiffer(other, key)) return "level"
      withDigits.push(key)
    }
  }
  return undefined
}
