import { describe, expect, it } from "@effect/vitest"
import * as Runs from "@token-lifecycle/testkit/Runs"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { type Json, JsonNumber, type MalformedJson, maxDepth, parse } from "../src/internal/json.js"

const params = Runs.parameters()
const runs = params.numRuns
/** Room for however many runs were asked for. */
const timeout = 10_000 + runs * 5

/** The tree as `JSON.parse` would give it, numbers read as floats. */
const toPlain = (json: Json): unknown => {
  if (json instanceof JsonNumber) return Number(json.text)
  if (Array.isArray(json)) return json.map(toPlain)
  if (typeof json === "object" && json !== null) {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(json))
      Object.defineProperty(out, key, { value: toPlain(value), enumerable: true })
    return out
  }
  return json
}

const accepted = (text: string): Json => {
  const result = parse(text)
  if (Either.isLeft(result)) throw new Error(`refused: ${result.left.message}`)
  return result.right
}

const refusal = (text: string | Uint8Array): MalformedJson => {
  const result = parse(text)
  if (Either.isRight(result)) throw new Error("expected the text to be refused")
  return result.left
}

const jsonParses = (text: string): boolean => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

describe("JSON reader", () => {
  it("keeps every number as the text it was written with", () => {
    const tree = accepted('{"a":1.50,"b":1e3,"c":-0,"d":1E+2,"e":12345678901234567890123,"f":[0.1,2e-7]}')
    expect(tree).toEqual({
      a: new JsonNumber("1.50"),
      b: new JsonNumber("1e3"),
      c: new JsonNumber("-0"),
      d: new JsonNumber("1E+2"),
      e: new JsonNumber("12345678901234567890123"),
      f: [new JsonNumber("0.1"), new JsonNumber("2e-7")],
    })
  })

  it("reads strings, escapes and literals", () => {
    expect(
      accepted(' { "s" : "a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00" , "t":true,"f":false,"n":null } '),
    ).toEqual({
      s: 'a"b\\c/d\b\f\n\r\té😀',
      t: true,
      f: false,
      n: null,
    })
  })

  it("treats `__proto__` as an ordinary key", () => {
    const tree = accepted('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>
    expect(Object.keys(tree)).toEqual(["__proto__", "a"])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(tree.polluted).toBeUndefined()
  })

  const malformed: ReadonlyArray<readonly [string, MalformedJson["reason"], number]> = [
    ["", "unexpected end", 0],
    ["   ", "unexpected end", 3],
    ["{", "unexpected end", 1],
    ['{"a":1', "unexpected end", 6],
    ['"abc', "unexpected end", 4],
    ["01", "invalid number", 0],
    ["-01", "invalid number", 0],
    ["1.", "invalid number", 0],
    [".5", "unexpected character", 0],
    ["+1", "unexpected character", 0],
    ["-", "invalid number", 0],
    ["1e", "invalid number", 0],
    ["1e+", "invalid number", 0],
    ["[1,]", "unexpected character", 3],
    ["{,}", "unexpected character", 1],
    ['{"a" 1}', "unexpected character", 5],
    ['{"a":1,}', "unexpected character", 7],
    ['{"a":1 "b":2}', "unexpected character", 7],
    ["[1 2]", "unexpected character", 3],
    ["{a:1}", "unexpected character", 1],
    ["{'a':1}", "unexpected character", 1],
    ["tru", "unexpected end", 3],
    ["nul", "unexpected end", 3],
    ["True", "unexpected character", 0],
    ["NaN", "unexpected character", 0],
    ["Infinity", "unexpected character", 0],
    ["{} {}", "unexpected character", 3],
    ["/*c*/{}", "unexpected character", 0],
    ["\uFEFF{}", "unexpected character", 0],
    ["\u00A0{}", "unexpected character", 0],
    ['"\\x"', "invalid escape", 1],
    ['"\\u12G4"', "invalid escape", 1],
    ['"\\u12', "unexpected end", 5],
    ['"a\nb"', "unescaped control character", 2],
    ['"a\u0000b"', "unescaped control character", 2],
    ['{"a":1,"a":1}', "duplicate key", 7],
    ['{"x":{"b":true,"b":false}}', "duplicate key", 15],
    ['["\\ud800"]', "lone surrogate", 1],
    ['"\\udc00\\ud83d"', "lone surrogate", 0],
    ['"a\ud800"', "lone surrogate", 0],
  ]
  for (const [text, reason, offset] of malformed) {
    it(`refuses ${JSON.stringify(text)}: ${reason} at ${offset}`, () => {
      expect(refusal(text)).toMatchObject({ _tag: "MalformedJson", reason, offset })
    })
  }

  it("refuses bytes that are not UTF-8, and a byte-order mark", () => {
    expect(refusal(new Uint8Array([0x22, 0xc3, 0x28, 0x22])).reason).toBe("invalid UTF-8")
    expect(refusal(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])).reason).toBe("unexpected character")
  })

  it(`accepts ${maxDepth} levels of nesting and refuses more, without exhausting the stack`, () => {
    expect(Either.isRight(parse(`${"[".repeat(maxDepth)}${"]".repeat(maxDepth)}`))).toBe(true)
    expect(refusal(`${"[".repeat(maxDepth + 1)}${"]".repeat(maxDepth + 1)}`).reason).toBe("too deeply nested")
    expect(refusal(`${'{"a":'.repeat(maxDepth + 1)}1${"}".repeat(maxDepth + 1)}`).reason).toBe("too deeply nested")
    expect(refusal("[".repeat(1_000_000)).reason).toBe("too deeply nested")
  })

  it("never puts the body in the error", () => {
    const error = refusal('{"card":"4242424242424242","secret":"hunter2",}')
    for (const text of [error.message, String(error), JSON.stringify(error)]) {
      expect(text).not.toContain("4242")
      expect(text).not.toContain("hunter2")
    }
  })

  it(
    "reads whatever JSON.stringify writes as JSON.parse does, from text and from bytes",
    () => {
      fc.assert(
        fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, "\t"), (value, indent) => {
          const text = JSON.stringify(value, null, indent)
          const tree = accepted(text)
          expect(toPlain(tree)).toEqual(JSON.parse(text))
          expect(parse(new TextEncoder().encode(text))).toEqual(Either.right(tree))
        }),
        params,
      )
    },
    timeout,
  )

  const near = fc.constantFrom(...'{}[]":,0123456789-+.eEtrufalsn \n\t\\/ubx\u0001é😀'.split(/(?:)/u))

  it(
    "accepts exactly what JSON.parse accepts, apart from repeated keys and lone surrogates",
    () => {
      const edited = fc
        .tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat(), fc.nat({ max: 2 }), near)
        .map(([value, at, kind, char]) => {
          const text = JSON.stringify(value)
          const i = text.length === 0 ? 0 : at % text.length
          if (kind === 0) return text.slice(0, i) + text.slice(i + 1)
          if (kind === 1) return text.slice(0, i) + char + text.slice(i)
          return text.slice(0, i) + char + text.slice(i + 1)
        })
      const noise = fc.array(near, { maxLength: 12 }).map((chars) => chars.join(""))
      fc.assert(
        fc.property(fc.oneof(edited, noise), (text) => {
          const result = parse(text)
          if (Either.isRight(result)) {
            expect(jsonParses(text)).toBe(true)
            expect(toPlain(result.right)).toEqual(JSON.parse(text))
          } else if (result.left.reason !== "duplicate key" && result.left.reason !== "lone surrogate") {
            expect(jsonParses(text)).toBe(false)
          }
        }),
        params,
      )
    },
    timeout,
  )

  it(
    "keeps numbers exactly, however they are spelled",
    () => {
      const numberText = fc
        .tuple(
          fc.constantFrom("", "-"),
          fc.oneof(fc.constant("0"), fc.stringMatching(/^[1-9][0-9]{0,30}$/)),
          fc.option(fc.stringMatching(/^[0-9]{1,12}$/), { nil: undefined }),
          fc.option(fc.stringMatching(/^[eE][+-]?[0-9]{1,3}$/), { nil: undefined }),
        )
        .map(([sign, int, frac, exp]) => `${sign}${int}${frac === undefined ? "" : `.${frac}`}${exp ?? ""}`)
      fc.assert(
        fc.property(fc.array(numberText, { maxLength: 5 }), (texts) => {
          expect(accepted(`[${texts.join(",")}]`)).toEqual(texts.map((text) => new JsonNumber(text)))
        }),
        params,
      )
    },
    timeout,
  )
})
