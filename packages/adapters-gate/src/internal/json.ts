/**
 * A strict JSON reader for signed deliveries. Gate signs each number as the text it sent
 * (`1.50`, `1e3`, a 20-digit id), which `JSON.parse` would turn into a float and re-print
 * differently; so numbers stay as their literal text here. Anything outside RFC 8259 is
 * refused, and so is an object that repeats a key (the signer and we could otherwise read
 * different values from the same bytes) or a string holding half a surrogate pair (it has no
 * UTF-8 form: encoders write it as U+FFFD, so two different strings would sign alike).
 */
import * as Data from "effect/Data"
import * as Either from "effect/Either"

/** A JSON number as the literal text it was written with. */
export class JsonNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text
  }
}

export type Json = null | boolean | string | JsonNumber | ReadonlyArray<Json> | JsonObject

/** A JSON object. Built without a prototype, so a key such as `__proto__` is an ordinary key. */
export interface JsonObject {
  readonly [key: string]: Json
}

export type MalformedJsonReason =
  | "invalid UTF-8"
  | "unexpected end"
  | "unexpected character"
  | "invalid number"
  | "invalid escape"
  | "unescaped control character"
  | "lone surrogate"
  | "duplicate key"
  | "too deeply nested"

/** The body is not JSON we accept. Says where and why, never what the body contains. */
export class MalformedJson extends Data.TaggedError("MalformedJson")<{
  readonly reason: MalformedJsonReason
  /** Position in the decoded text (UTF-16 code units from the start). */
  readonly offset: number
}> {
  override get message(): string {
    return `malformed JSON at offset ${this.offset}: ${this.reason}`
  }
}

/** Deliveries are a few levels deep; a cap keeps a hostile body from exhausting the stack. */
export const maxDepth = 64

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/** Raised inside the reader and turned into a `MalformedJson` at its edge. */
class Stop {
  constructor(
    readonly reason: MalformedJsonReason,
    readonly offset: number,
  ) {}
}

/** With the `u` flag, a surrogate class matches only a half that has no partner. */
const loneSurrogate = /\p{Cs}/u

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)

/** Parse `input` (text, or bytes that must be valid UTF-8) into a tree whose numbers keep their text. */
export const parse = (input: string | Uint8Array): Either.Either<Json, MalformedJson> => {
  let text: string
  if (typeof input === "string") {
    text = input
  } else {
    try {
      text = utf8.decode(input)
    } catch {
      return Either.left(new MalformedJson({ reason: "invalid UTF-8", offset: 0 }))
    }
  }
  try {
    const reader = new Reader(text)
    const value = reader.value(0)
    reader.skipWhitespace()
    if (reader.pos !== text.length) throw new Stop("unexpected character", reader.pos)
    return Either.right(value)
  } catch (e) {
    if (e instanceof Stop) return Either.left(new MalformedJson({ reason: e.reason, offset: e.offset }))
    throw e
  }
}

class Reader {
  pos = 0
  constructor(readonly text: string) {}

  private peek(): number {
    if (this.pos >= this.text.length) throw new Stop("unexpected end", this.pos)
    return this.text.charCodeAt(this.pos)
  }

  private expect(c: number): void {
    if (this.peek() !== c) throw new Stop("unexpected character", this.pos)
    this.pos++
  }

  private literal(word: string): void {
    for (let i = 0; i < word.length; i++) this.expect(word.charCodeAt(i))
  }

  /** JSON whitespace is exactly space, tab, line feed and carriage return. */
  skipWhitespace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos)
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return
      this.pos++
    }
  }

  value(depth: number): Json {
    this.skipWhitespace()
    const c = this.peek()
    switch (c) {
      case 0x7b: // {
        return this.object(depth + 1)
      case 0x5b: // [
        return this.array(depth + 1)
      case 0x22: // "
        return this.string()
      case 0x74:
        this.literal("true")
        return true
      case 0x66:
        this.literal("false")
        return false
      case 0x6e:
        this.literal("null")
        return null
      default:
        if (c === 0x2d || isDigit(c)) return this.number()
        throw new Stop("unexpected character", this.pos)
    }
  }

  private object(depth: number): JsonObject {
    if (depth > maxDepth) throw new Stop("too deeply nested", this.pos)
    this.pos++
    const result: Record<string, Json> = Object.create(null)
    this.skipWhitespace()
    if (this.peek() === 0x7d) {
      this.pos++
      return result
    }
    for (;;) {
      this.skipWhitespace()
      const keyAt = this.pos
      if (this.peek() !== 0x22) throw new Stop("unexpected character", this.pos)
      const key = this.string()
      if (Object.hasOwn(result, key)) throw new Stop("duplicate key", keyAt)
      this.skipWhitespace()
      this.expect(0x3a) // :
      result[key] = this.value(depth)
      this.skipWhitespace()
      const c = this.peek()
      this.pos++
      if (c === 0x7d) return result
      if (c !== 0x2c) throw new Stop("unexpected character", this.pos - 1)
    }
  }

  private array(depth: number): ReadonlyArray<Json> {
    if (depth > maxDepth) throw new Stop("too deeply nested", this.pos)
    this.pos++
    const result: Array<Json> = []
    this.skipWhitespace()
    if (this.peek() === 0x5d) {
      this.pos++
      return result
    }
    for (;;) {
      result.push(this.value(depth))
      this.skipWhitespace()
      const c = this.peek()
      this.pos++
      if (c === 0x5d) return result
      if (c !== 0x2c) throw new Stop("unexpected character", this.pos - 1)
    }
  }

  /** `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as written. */
  private number(): JsonNumber {
    const start = this.pos
    const text = this.text
    const digitsFrom = (from: number): number => {
      let i = from
      while (i < text.length && isDigit(text.charCodeAt(i))) i++
      return i
    }
    let i = start
    if (text.charCodeAt(i) === 0x2d) i++
    if (text.charCodeAt(i) === 0x30) {
      i++
    } else {
      const end = digitsFrom(i)
      if (end === i) throw new Stop("invalid number", start)
      i = end
    }
    if (text.charCodeAt(i) === 0x2e) {
      const end = digitsFrom(i + 1)
      if (end === i + 1) throw new Stop("invalid number", start)
      i = end
    }
    const e = text.charCodeAt(i)
    if (e === 0x65 || e === 0x45) {
      i++
      const sign = text.charCodeAt(i)
      if (sign === 0x2b || sign === 0x2d) i++
      const end = digitsFrom(i)
      if (end === i) throw new Stop("invalid number", start)
      i = end
    }
    // A digit straight after a complete number can only be a leading zero such as `01`.
    if (i < text.length && isDigit(text.charCodeAt(i))) throw new Stop("invalid number", start)
    this.pos = i
    return new JsonNumber(text.slice(start, i))
  }

  private string(): string {
    const text = this.text
    const start = this.pos
    this.pos++ // opening quote
    let result = ""
    let runStart = this.pos
    for (;;) {
      if (this.pos >= text.length) throw new Stop("unexpected end", this.pos)
      const c = text.charCodeAt(this.pos)
      if (c === 0x22) {
        result += text.slice(runStart, this.pos)
        this.pos++
        if (loneSurrogate.test(result)) throw new Stop("lone surrogate", start)
        return result
      }
      if (c < 0x20) throw new Stop("unescaped control character", this.pos)
      if (c !== 0x5c) {
        this.pos++
        continue
      }
      result += text.slice(runStart, this.pos)
      const escapeAt = this.pos
      this.pos++
      if (this.pos >= text.length) throw new Stop("unexpected end", this.pos)
      const e = text.charCodeAt(this.pos)
      this.pos++
      switch (e) {
        case 0x22:
          result += '"'
          break
        case 0x5c:
          result += "\\"
          break
        case 0x2f:
          result += "/"
          break
        case 0x62:
          result += "\b"
          break
        case 0x66:
          result += "\f"
          break
        case 0x6e:
          result += "\n"
          break
        case 0x72:
          result += "\r"
          break
        case 0x74:
          result += "\t"
          break
        case 0x75: {
          // \uXXXX: one UTF-16 code unit; a pair written as two escapes joins up in `result`.
          for (let k = 0; k < 4; k++) {
            if (this.pos + k >= text.length) throw new Stop("unexpected end", this.pos + k)
            if (!isHex(text.charCodeAt(this.pos + k))) throw new Stop("invalid escape", escapeAt)
          }
          result += String.fromCharCode(Number.parseInt(text.slice(this.pos, this.pos + 4), 16))
          this.pos += 4
          break
        }
        default:
          throw new Stop("invalid escape", escapeAt)
      }
      runStart = this.pos
    }
  }
}
