import { describe, expect, it } from "@effect/vitest"
import * as Simulator from "@token-lifecycle/testkit/simulators/gate/GateSignature"
import * as Redacted from "effect/Redacted"
import * as fc from "fast-check"
import { canonicalBytes, canonicalString, type Reading } from "../src/internal/canonical.js"
import * as GateSignature from "../src/Signature.js"
import { type Plain, params, requestBodies, secret, signatureOf, succeed, timeout } from "./SignatureFixtures.js"

const { JsonNumber } = GateSignature

const signer = GateSignature.requestSigner(Redacted.make(secret))
const signedBody = <B extends object>(body: B): B => succeed(GateSignature.signBody(body))

/** A copy of the canonical bytes: the function's own result is a view its next call overwrites. */
const bytesOf = (body: object, reading: Reading = "delivery"): Buffer => Buffer.from(canonicalBytes(body, reading))
const utf8 = (text: string): Buffer => Buffer.from(text, "utf8")
const isWiped = (bytes: Uint8Array): boolean => bytes.every((byte) => byte === 0)
/** Compares bytes natively (deep equality is slow on long bodies), as hex when they differ. */
const expectSameBytes = (actual: Uint8Array, expected: Uint8Array): void => {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.length)
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.length)
  if (!a.equals(b)) expect(a.toString("hex")).toBe(b.toString("hex"))
}

// ---------------------------------------------------------------------------------------------
// Bodies

/** Any key: non-ASCII, astral, lone surrogates, index-like (up to and past 2^32 − 2), empty, skipped. */
const anyKey = fc.oneof(
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.string({ unit: "grapheme", maxLength: 3 }),
  fc.stringMatching(/^[a-z][a-z_0-9]{0,6}$/),
  fc.nat({ max: 30 }).map(String),
  fc.constantFrom("", "é", "😀", "ｚ", "\ud800", "a\udc00", "4294967294", "4294967295", "signature", "frame_mode"),
)

/** Strings long enough, in UTF-8, to take the scratch past its initial size. */
const longString = fc.string({ unit: "binary", minLength: 400, maxLength: 3000 })

/** Any JSON data in plain JS values, strings of every kind, some long. */
const jsonBody: fc.Arbitrary<Plain> = fc.letrec<{ node: Plain; object: { readonly [key: string]: Plain } }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    fc.string({ unit: "binary" }),
    fc.string({ unit: "grapheme" }),
    longString,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("node"), { maxLength: 12 }),
    tie("object"),
  ),
  object: fc.dictionary(anyKey, tie("node"), { maxKeys: 5 }),
})).node

/** A body: an object or an array at the root. */
const anyBody: fc.Arbitrary<object> = fc.oneof(
  fc.dictionary(anyKey, jsonBody, { maxKeys: 5 }),
  fc.array(jsonBody, { maxLength: 12 }),
)

/** A body holding at least one long string. */
const longBody: fc.Arbitrary<object> = fc
  .tuple(anyBody, longString)
  .map(([body, text]) => (Array.isArray(body) ? [...body, text] : { ...body, long: text }))

/**
 * Whether the simulator orders `body` as we do: it takes every all-digit key for an index,
 * where JavaScript (and ECommPay's signer) stop at 2^32 − 2.
 */
const simulatorOrders = (node: unknown): boolean => {
  if (typeof node !== "object" || node === null) return true
  if (Array.isArray(node)) return node.every(simulatorOrders)
  return Object.entries(node).every(
    ([key, value]) => !(/^[1-9][0-9]{9,}$/.test(key) && Number(key) > 4_294_967_294) && simulatorOrders(value),
  )
}

/** Request bodies with strings of every kind, lone surrogates included. */
const requestBody = requestBodies(fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" })))

/** A request body whose signature goes at the top, in `general` or in `customer`. */
const requestAnywhere = fc
  .tuple(fc.constantFrom("top", "general", "customer"), requestBody, requestBody)
  .map(([where, body, inner]) => (where === "top" ? body : { ...body, [where]: inner }))

/** The signature where `placed` writes it: `general`, else `customer`, else the top. */
const carried = (signed: Record<string, unknown>): unknown => {
  const inner = (key: string) => {
    const value = signed[key]
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  }
  return (inner("general") ?? inner("customer") ?? signed).signature
}

// ---------------------------------------------------------------------------------------------

describe("canonical bytes (properties)", () => {
  it(
    "are the canonical string's UTF-8, and the simulator's, for any JSON body",
    () => {
      fc.assert(
        fc.property(anyBody, (body) => {
          const bytes = bytesOf(body)
          expectSameBytes(bytes, utf8(canonicalString(body)))
          if (simulatorOrders(body)) expectSameBytes(bytes, utf8(Simulator.canonical(body)))
        }),
        params,
      )
    },
    timeout,
  )

  it(
    "hold nothing of the call before, long or short",
    () => {
      fc.assert(
        fc.property(longBody, anyBody, (long, short) => {
          const expectedLong = utf8(canonicalString(long))
          const expectedShort = utf8(canonicalString(short))
          expectSameBytes(canonicalBytes(long), expectedLong)
          expectSameBytes(canonicalBytes(short), expectedShort)
          expectSameBytes(canonicalBytes(long), expectedLong)
        }),
        params,
      )
    },
    timeout,
  )

  it(
    "are the same read as a request, when the request is accepted",
    () => {
      fc.assert(
        fc.property(requestBody, (body) => {
          expectSameBytes(bytesOf(body, "request"), canonicalBytes(body, "delivery"))
        }),
        params,
      )
    },
    timeout,
  )
})

describe("canonical bytes", () => {
  it("write non-ASCII text with Node's UTF-8 encoder: astral characters whole, lone surrogates as U+FFFD", () => {
    expectSameBytes(
      canonicalBytes({ "😀": "é", b: "\ud800", c: "x\udc00y", d: "\ud83d\ude00" }),
      Buffer.concat([
        utf8("b:"),
        Buffer.from([0xef, 0xbf, 0xbd]),
        utf8(";c:x"),
        Buffer.from([0xef, 0xbf, 0xbd]),
        utf8("y;d:"),
        Buffer.from([0xf0, 0x9f, 0x98, 0x80]),
        utf8(";😀:é"),
      ]),
    )
    expect(canonicalString({ b: "\ud800" })).toBe("b:\ufffd")
  })

  it("grow past the scratch's size, wiping what it held, and past the path's", () => {
    const small = canonicalBytes({ card: { pan: "4242424242424242" } })
    const capacity = small.buffer.byteLength
    const body = { a: "y".repeat(capacity), b: "é😀".repeat(capacity), c: { [`k${"é".repeat(capacity)}`]: [1, "z"] } }
    const grown = canonicalBytes(body)
    expect(grown.buffer.byteLength).toBeGreaterThan(capacity)
    expect(isWiped(small)).toBe(true)
    expectSameBytes(grown, utf8(Simulator.canonical(body)))
  })

  it("make room for three bytes per UTF-16 code unit (`€` is one unit, three bytes)", () => {
    const capacity = canonicalBytes({}).buffer.byteLength
    // Fits in the scratch at two bytes a unit, not at three.
    const text = "€".repeat(capacity / 2 - 4)
    expectSameBytes(canonicalBytes({ a: text }), utf8(`a:${text}`))
  })

  it("leave nothing in the scratch once a string is built, or a body refused", () => {
    const body = { card: { pan: "4242424242424242", holder: "JANE ROE" } }
    const view = canonicalBytes(body)
    expect(Buffer.from(view).toString()).toContain("4242424242424242")
    canonicalString(body)
    expect(isWiped(view)).toBe(true)

    canonicalBytes(body)
    view.fill(0)
    expect(() => canonicalBytes({ a: "4242424242424242", b: Number.NaN })).toThrow(TypeError)
    expect(isWiped(view)).toBe(true)
  })

  // Each message as the string walk wrote it, which named each path as text.
  const refusals: ReadonlyArray<readonly [string, object, Reading, string]> = [
    [
      "a number that is not finite",
      { a: Number.NaN },
      "delivery",
      'a number that is not finite at "a" is not JSON data',
    ],
    [
      "an object that is not plain, in an array",
      { a: { b: [1, new Date(0)] } },
      "delivery",
      'an object that is not plain at "a:b:1" is not JSON data',
    ],
    ["a root that is not plain", new Date(0), "delivery", "an object that is not plain at the root is not JSON data"],
    ["a function", { a: { b: () => 1 } }, "delivery", 'a function at "a:b" is not JSON data'],
    ["a bigint under a non-ASCII key", { a: { "😀": [1n] } }, "delivery", 'a bigint at "a:😀:0" is not JSON data'],
    [
      "a symbol in an array at the root",
      [{ k: undefined, s: Symbol("s") }],
      "delivery",
      'a symbol at "0:s" is not JSON data',
    ],
    [
      "a value under an empty key",
      { "": { x: Number.POSITIVE_INFINITY } },
      "delivery",
      'a number that is not finite at "x" is not JSON data',
    ],
    [
      "a JsonNumber in a request",
      { x: { amount: new JsonNumber("1.50") } },
      "request",
      'a JsonNumber at "x:amount" in a body to send; use a number',
    ],
    [
      "an array of 11 elements",
      { items: Array.from({ length: 11 }, (_, i) => i) },
      "request",
      'signers order the entries under "items" differently',
    ],
    ["a `:` in a key", { "a:b": 1 }, "request", 'signers order the entries under "a:b" differently'],
    ["a `:` in a nested key", { o: { "a:b": 1 } }, "request", 'signers order the entries under "o:a:b" differently'],
    [
      "a key that is another's prefix",
      { a: 1, a1: 2 },
      "request",
      "signers order the entries under the root differently",
    ],
    [
      "digit runs, in an array",
      { x: [{ line2: 1, line10: 2 }] },
      "request",
      'signers order the entries under "x:0" differently',
    ],
    [
      "the same under a non-ASCII key",
      { é: { a: 1, a1: 2 } },
      "request",
      'signers order the entries under "é" differently',
    ],
    [
      "an ambiguous level before a bad value in it",
      { a: Number.NaN, b: 1, b1: 2 },
      "request",
      "signers order the entries under the root differently",
    ],
  ]
  for (const [what, body, reading, message] of refusals) {
    it(`name the path of ${what} as they always have`, () => {
      expect(() => canonicalString(body, reading)).toThrow(new TypeError(`Gate signature: ${message}`))
      expect(() => canonicalBytes(body, reading)).toThrow(new TypeError(`Gate signature: ${message}`))
    })
  }
})

describe("requestSigner", () => {
  it(
    "signs as `sign`, `signBody` and the simulator do, wherever the signature goes",
    () => {
      fc.assert(
        fc.property(requestAnywhere, (body) => {
          const signed = signer.signed(body)
          const signature = signatureOf(body)
          expect(signer.signature(body)).toBe(signature)
          expect(carried(signed)).toBe(signature)
          expect(Simulator.sign(body, secret)).toBe(signature)
          expect(signed).toEqual(signedBody(body))
        }),
        params,
      )
    },
    timeout,
  )

  it("wipes the bytes it signed: a tokenize body holds the card number", () => {
    const body = { customer: { id: "c-1", project_id: 1 }, card: { pan: "4242424242424242", year: 2030 } }
    const view = canonicalBytes(body, "request")
    expect(Buffer.from(view).toString()).toContain("4242424242424242")
    signer.signature(body)
    expect(isWiped(view)).toBe(true)
  })
})

describe("request shapes met before", () => {
  it(
    "are ordered as when first met, with any of their values left out",
    () => {
      fc.assert(
        fc.property(requestAnywhere, fc.infiniteStream(fc.boolean()), (body, leaveOut) => {
          const first = canonicalString(body, "request")
          expect(canonicalString(body, "request")).toBe(first)
          const thinned: Record<string, unknown> = { ...body }
          for (const key of Object.keys(thinned)) if (leaveOut.next().value) thinned[key] = undefined
          expect(canonicalString(thinned, "request")).toBe(canonicalString(thinned, "delivery"))
        }),
        params,
      )
    },
    timeout,
  )

  it("are refused every time when signers order them differently", () => {
    for (let i = 0; i < 3; i++) {
      expect(() => canonicalString({ a: 1, a1: 2 }, "request")).toThrow(TypeError)
      expect(() => canonicalString({ a: 1, a1: undefined }, "request")).not.toThrow()
    }
  })
})
