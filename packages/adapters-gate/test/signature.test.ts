import { describe, expect, it } from "@effect/vitest"
import { InvalidSignature, type Signing } from "@token-lifecycle/domain/Signing"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as GateSignature from "../src/Signature.js"

const { JsonNumber, MalformedJson } = GateSignature

/** Runs a Gate signature effect under the project secret `secret`. */
const under = <A, E>(secret: string, effect: Effect.Effect<A, E, Signing>) =>
  Effect.provide(effect, GateSignature.layer(Redacted.make(secret)))

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure, got a success")
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") throw new Error("expected a typed failure, got a defect or interruption")
  return failure.value
}

/** Every way an error could end up in a log line. */
const renderings = (exit: Exit.Exit<unknown, unknown>): ReadonlyArray<string> =>
  Exit.isSuccess(exit)
    ? []
    : [
        Cause.pretty(exit.cause),
        JSON.stringify(exit.cause),
        String(Cause.squash(exit.cause)),
        JSON.stringify(Cause.squash(exit.cause)),
      ]

// §10, vector V1: tokenize-shaped, secret `secret`; boolean → 1 and `frame_mode` left out.
const v1Body = JSON.parse(
  '{"customer":{"project_id":0,"id":"sutm_id"},"card":{"pan":"4242424242424242","year":2020,"month":8,"card_holder":"John Smith","cvv":"123","save":true},"frame_mode":"popup"}',
)
const v1String =
  "card:card_holder:John Smith;card:cvv:123;card:month:8;card:pan:4242424242424242;card:save:1;card:year:2020;customer:id:sutm_id;customer:project_id:0"
const v1Signature = "lY0LTSAzpR7zGce5qfYGacOuYlHGWqkMcQlqmjlsDDZI2gVcE1qVeWANnkIR7mdOqRXJnL1kO0lUmkQ0YYLWRg=="

// §10, vector V2: payment status, secret `secret`.
const v2Body = { payment: { id: "000049", status: "success" } }
const v2Signature = "/3TrhHVz9BHaLfgLyhoxO7dsQNzbzZa/TdO3pxQocXWwgVM6tGlzMLVfpOxFNTnkR9iiFVK/77ZedMcbkCjmng=="

// §10, PHP token-callback template #2, secret `123`, signature in `general`.
const template2 =
  '{"general":{"signature":"R5wq+3/y4lG9ty5sHR6MuscWBRg/bzAo9dxlMkVOUhQ+KpS7FwHMx+5saiLQnn90Rl7rhp1U37dgThSorpn1Ew==","project_id":"[2] projectId"},\n' +
  ' "request":{"action":"[36] action","errors":"[38] errors","id":"[3] requestId","status":"[37] status"},\n' +
  ' "customer":{"id":"[18] userLogin"},\n' +
  ' "token_status":"[71] status","token_created_at":"[70] created_at","token":"[68] tokenString"}'
const template2String =
  "customer:id:[18] userLogin;general:project_id:[2] projectId;request:action:[36] action;request:errors:[38] errors;request:id:[3] requestId;request:status:[37] status;token:[68] tokenString;token_created_at:[70] created_at;token_status:[71] status"
const template2Signature = "R5wq+3/y4lG9ty5sHR6MuscWBRg/bzAo9dxlMkVOUhQ+KpS7FwHMx+5saiLQnn90Rl7rhp1U37dgThSorpn1Ew=="

describe("known answers (gate.md §10)", () => {
  it("V1: canonical string", () => {
    expect(GateSignature.canonical(v1Body)).toBe(v1String)
  })

  it.effect("V1: signature", () =>
    Effect.gen(function* () {
      const signature = yield* under("secret", GateSignature.sign(v1Body))
      expect(Redacted.value(signature)).toBe(v1Signature)
    }),
  )

  it.effect("V1: signBody writes the signature into `customer` (tokenize has no `general`)", () =>
    Effect.gen(function* () {
      const signed = yield* under("secret", GateSignature.signBody(v1Body))
      expect(signed.customer).toEqual({ project_id: 0, id: "sutm_id", signature: v1Signature })
      expect(signed.card).toEqual(v1Body.card)
      expect(signed.frame_mode).toBe("popup")
      expect("signature" in signed).toBe(false)
    }),
  )

  it.effect("V2: signature, and the signed status verifies as a callback", () =>
    Effect.gen(function* () {
      const signature = yield* under("secret", GateSignature.sign(v2Body))
      expect(Redacted.value(signature)).toBe(v2Signature)
      const raw = JSON.stringify({ ...v2Body, signature: v2Signature })
      const verified = yield* under("secret", GateSignature.verifyCallback(raw))
      expect(GateSignature.canonical(verified)).toBe("payment:id:000049;payment:status:success")
    }),
  )

  it.effect("template #2: verifies per §6.3 and returns the body without its signature", () =>
    Effect.gen(function* () {
      const verified = yield* under("123", GateSignature.verifyCallback(template2))
      expect(GateSignature.canonical(verified)).toBe(template2String)
      expect(JSON.parse(JSON.stringify(verified))).toEqual({
        general: { project_id: "[2] projectId" },
        request: { action: "[36] action", errors: "[38] errors", id: "[3] requestId", status: "[37] status" },
        customer: { id: "[18] userLogin" },
        token_status: "[71] status",
        token_created_at: "[70] created_at",
        token: "[68] tokenString",
      })
      expect(JSON.stringify(verified)).not.toContain(template2Signature)
    }),
  )

  it.effect("template #2: verifies from bytes as well as text", () =>
    Effect.gen(function* () {
      const verified = yield* under("123", GateSignature.verifyCallback(new TextEncoder().encode(template2)))
      expect(GateSignature.canonical(verified)).toBe(template2String)
    }),
  )

  it.effect("template #2: refused under another secret", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(under("1234", GateSignature.verifyCallback(template2)))
      expect(failureOf(exit)).toEqual(new InvalidSignature({ reason: "mismatch" }))
    }),
  )

  it.effect("the secret is used as UTF-8 text, never base64-decoded", () =>
    Effect.gen(function* () {
      // "c2VjcmV0" is base64 for "secret": read as text it is a different key.
      const signature = yield* under("c2VjcmV0", GateSignature.sign(v1Body))
      expect(Redacted.value(signature)).not.toBe(v1Signature)
      expect(Redacted.value(signature)).toHaveLength(88)
    }),
  )
})

describe("canonical string", () => {
  it("writes null as an empty value, keeps empty strings, and drops empty containers", () => {
    expect(GateSignature.canonical({ a: null, b: "", c: {}, d: [], e: { f: {} } })).toBe("a:;b:")
  })

  it("numbers array elements from 0 and joins nested paths with `:`", () => {
    expect(GateSignature.canonical({ items: [{ code: "x" }, true, false, null, 2.5] })).toBe(
      "items:0:code:x;items:1:1;items:2:0;items:3:;items:4:2.5",
    )
  })

  it("orders index-like keys numerically first, then the rest by UTF-16 code unit", () => {
    const body = { b: 1, "10": 1, B: 1, "2": 1, a1: 1, "a-b": 1, a: 1, "02": 1, é: 1, "😀": 1, ｚ: 1 }
    expect(GateSignature.canonical(body)).toBe("2:1;10:1;02:1;B:1;a:1;a-b:1;a1:1;b:1;é:1;😀:1;ｚ:1")
  })

  it("passes `;` and `:` inside values through unescaped", () => {
    expect(GateSignature.canonical({ a: "x;y:z" })).toBe("a:x;y:z")
  })

  it("leaves out `frame_mode` and `signature` at any depth, in objects within arrays too", () => {
    const body = { a: { frame_mode: "popup", signature: "x", b: 1 }, list: [{ signature: "y", c: 2 }], signature: "z" }
    expect(GateSignature.canonical(body)).toBe("a:b:1;list:0:c:2")
  })

  it("describes what JSON.stringify sends: undefined properties are absent, undefined elements null", () => {
    expect(GateSignature.canonical({ a: undefined, b: [undefined, 1] })).toBe("b:0:;b:1:1")
  })

  it("signs a number the way it is written on the wire", () => {
    expect(GateSignature.canonical({ a: 1e21, b: -0, c: 0.1 })).toBe("a:1e+21;b:0;c:0.1")
  })

  it("refuses data JSON cannot carry", () => {
    expect(() => GateSignature.canonical({ a: Number.NaN })).toThrow(TypeError)
    expect(() => GateSignature.canonical({ a: new Date(0) })).toThrow(TypeError)
    expect(() => GateSignature.canonical({ a: () => 1 })).toThrow(TypeError)
    expect(() => GateSignature.canonical({ a: 1n })).toThrow(TypeError)
  })
})

describe("signing requests", () => {
  const signedWith = (body: object) => under("secret", GateSignature.signBody(body))

  it.effect("puts the signature in `general` when the body has one, even beside `customer`", () =>
    Effect.gen(function* () {
      const body = { general: { project_id: 1, payment_id: "p" }, customer: { id: "c" }, token: "t" }
      const signed = yield* signedWith(body)
      const expected = Redacted.value(yield* under("secret", GateSignature.sign(body)))
      expect(signed).toEqual({ ...body, general: { project_id: 1, payment_id: "p", signature: expected } })
      expect(body.general).not.toHaveProperty("signature")
    }),
  )

  it.effect("puts it at the top when there is neither `general` nor `customer`", () =>
    Effect.gen(function* () {
      const signed = yield* signedWith({ token: "t" })
      expect(Object.keys(signed)).toEqual(["token", "signature"])
    }),
  )

  it.effect("a signed payment-shaped body verifies as a callback (the signature covers the rest)", () =>
    Effect.gen(function* () {
      const signed = yield* signedWith({ general: { project_id: 7, payment_id: "p-1" }, payment: { amount: 1000 } })
      const verified = yield* under("secret", GateSignature.verifyCallback(JSON.stringify(signed)))
      expect(GateSignature.canonical(verified)).toBe("general:payment_id:p-1;general:project_id:7;payment:amount:1000")
    }),
  )

  it.effect("keeps the signature Redacted until it is written into the body", () =>
    Effect.gen(function* () {
      const signature = yield* under("secret", GateSignature.sign(v1Body))
      expect(Redacted.isRedacted(signature)).toBe(true)
      expect(String(signature)).not.toContain(v1Signature)
      expect(JSON.stringify(signature)).not.toContain(v1Signature)
    }),
  )

  const refused: ReadonlyArray<readonly [string, object]> = [
    [
      "an array of 11 elements (`items:10` sorts before `items:2` as text)",
      { items: Array.from({ length: 11 }, (_, i) => i) },
    ],
    ["an object with numbered keys 2 and 10", { lines: { "2": "a", "10": "b" } }],
    ["a key that is another's prefix followed by a character below `:`", { a: 1, a1: 2 }],
    ["the same, with `-`", { card: { a: 1, "a-b": 2 } }],
    ["a `:` in a key", { "a:b": 1 }],
    ["sibling keys whose digit runs a natural sort compares as numbers", { line2: 1, line10: 2 }],
    ["the same, further apart", { a10: 1, a1_: 2, a2: 3 }],
    ["a JsonNumber (JSON.stringify would write an object)", { amount: new JsonNumber("1.50") }],
    ["a Redacted value left unwrapped", { card: { pan: Redacted.make("4242424242424242") } }],
  ]
  for (const [what, body] of refused) {
    it.effect(`dies on ${what}, naming no value`, () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(under("secret", GateSignature.signBody(body)))
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
        for (const text of renderings(exit)) {
          expect(text).not.toContain("4242424242424242")
          expect(text).not.toContain("1.50")
        }
      }),
    )
  }

  it.effect("signs 10 array elements (indices 0–9 sort alike either way) and keys like `a_b` beside `a`", () =>
    Effect.gen(function* () {
      const signed = yield* signedWith({
        items: Array.from({ length: 10 }, (_, i) => i),
        a: 1,
        a_b: 2,
        line1: 1,
        line2: 2,
      })
      expect(signed).toHaveProperty("signature")
    }),
  )
})

describe("verifying callbacks", () => {
  const secret = "project-secret"
  const signatureOf = (canonical: string) =>
    Redacted.value(Effect.runSync(GateSignature.make(Redacted.make(secret)).sign(canonical)))
  const verify = (raw: string | Uint8Array) => Effect.exit(under(secret, GateSignature.verifyCallback(raw)))

  it.effect("takes a top-level signature before `general.signature`", () =>
    Effect.gen(function* () {
      const good = signatureOf("general:project_id:1;token:t")
      const wrong = signatureOf("something else")
      const exit = yield* verify(
        JSON.stringify({ signature: good, general: { project_id: 1, signature: wrong }, token: "t" }),
      )
      expect(Exit.isSuccess(exit)).toBe(true)
      const swapped = yield* verify(
        JSON.stringify({ signature: wrong, general: { project_id: 1, signature: good }, token: "t" }),
      )
      expect(failureOf(swapped)).toEqual(new InvalidSignature({ reason: "mismatch" }))
    }),
  )

  it.effect("removes every `signature` key, in nested objects and arrays, before checking", () =>
    Effect.gen(function* () {
      const good = signatureOf("items:0:a:1;items:1:b:2;operation:id:5")
      const raw = JSON.stringify({
        general: { signature: good },
        items: [
          { a: 1, signature: "x" },
          { signature: { deep: 1 }, b: 2 },
        ],
        operation: { id: 5, signature: null },
      })
      const exit = yield* verify(raw)
      expect(Exit.isSuccess(exit)).toBe(true)
      if (Exit.isSuccess(exit)) expect(JSON.stringify(exit.value)).not.toContain("signature")
    }),
  )

  it.effect("covers fields the adapter does not know and returns them, with numbers as their text", () =>
    Effect.gen(function* () {
      const good = signatureOf("extra:nested:1;general:project_id:12345678901234567890123;sum:1.50")
      const raw = `{"general":{"project_id":12345678901234567890123,"signature":"${good}"},"sum":1.50,"extra":{"nested":true}}`
      const exit = yield* verify(raw)
      if (!Exit.isSuccess(exit)) throw new Error("expected the callback to verify")
      const general = exit.value.general as Record<string, unknown>
      expect(general.project_id).toEqual(new JsonNumber("12345678901234567890123"))
      expect(exit.value.sum).toEqual(new JsonNumber("1.50"))
      expect(exit.value.extra).toEqual({ nested: true })
      const dropped = yield* verify(raw.replace(',"extra":{"nested":true}', ""))
      expect(failureOf(dropped)).toEqual(new InvalidSignature({ reason: "mismatch" }))
    }),
  )

  it.effect("a callback that hits an ambiguous order case is checked in the documented order", () =>
    Effect.gen(function* () {
      const good = signatureOf("a:1;a-b:2;a1:3")
      expect(Exit.isSuccess(yield* verify(JSON.stringify({ "a-b": 2, a1: 3, a: 1, signature: good })))).toBe(true)
    }),
  )

  const missing: ReadonlyArray<readonly [string, string]> = [
    ["no signature at all", '{"general":{"project_id":1},"token":"t"}'],
    ["a signature only in `customer`", '{"customer":{"id":"c","signature":"x"}}'],
    ["an empty signature", '{"general":{"signature":""}}'],
    ["a body that is not an object", '["signature"]'],
    ["a bare string", '"signature"'],
  ]
  for (const [what, raw] of missing) {
    it.effect(`refuses ${what} as "missing"`, () =>
      Effect.gen(function* () {
        expect(failureOf(yield* verify(raw))).toEqual(new InvalidSignature({ reason: "missing" }))
      }),
    )
  }

  const malformed: ReadonlyArray<readonly [string, (good: string) => unknown]> = [
    ["a number", () => 12],
    ["null", () => null],
    ["not base64", () => "not a signature"],
    ["padded with whitespace", (good) => ` ${good}`],
    ["the wrong length", (good) => good.slice(4)],
  ]
  for (const [what, make] of malformed) {
    it.effect(`refuses a signature that is ${what}`, () =>
      Effect.gen(function* () {
        const good = signatureOf("token:t")
        const exit = yield* verify(JSON.stringify({ token: "t", signature: make(good) }))
        const error = failureOf(exit)
        expect(error).toBeInstanceOf(InvalidSignature)
        expect((error as InvalidSignature).reason).not.toBe("missing")
      }),
    )
  }

  it.effect("refuses another base64 spelling of the right digest as malformed", () =>
    Effect.gen(function* () {
      // The 86th character carries 2 bits of the digest and 4 unused ones; setting an unused
      // bit gives a string that lenient decoders read as the very same 64 bytes.
      const good = signatureOf("token:t")
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
      const last = alphabet.indexOf(good.charAt(85))
      const respelled = `${good.slice(0, 85)}${alphabet.charAt(last ^ 1)}==`
      expect(Buffer.from(respelled, "base64")).toEqual(Buffer.from(good, "base64"))
      const exit = yield* verify(JSON.stringify({ token: "t", signature: respelled }))
      expect(failureOf(exit)).toEqual(new InvalidSignature({ reason: "malformed" }))
    }),
  )

  it.effect("refuses malformed JSON with a typed error that holds no content", () =>
    Effect.gen(function* () {
      const good = signatureOf("token:t")
      const exit = yield* verify(`{"signature":"${good}","token":"t",}`)
      const error = failureOf(exit)
      expect(error).toBeInstanceOf(MalformedJson)
      expect(error).toMatchObject({ _tag: "MalformedJson", reason: "unexpected character" })
      for (const text of renderings(exit)) expect(text).not.toContain(good)
    }),
  )

  it.effect("refuses a duplicated key, which could let the signer and us read different values", () =>
    Effect.gen(function* () {
      const good = signatureOf("amount:1")
      const exit = yield* verify(`{"signature":"${good}","amount":1,"amount":1000}`)
      expect(failureOf(exit)).toMatchObject({ _tag: "MalformedJson", reason: "duplicate key" })
    }),
  )

  it.effect("refuses bytes that are not UTF-8", () =>
    Effect.gen(function* () {
      const exit = yield* verify(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))
      expect(failureOf(exit)).toMatchObject({ _tag: "MalformedJson", reason: "invalid UTF-8" })
    }),
  )

  it.effect("never prints the secret or a signature when refusing", () =>
    Effect.gen(function* () {
      const good = signatureOf("token:t")
      const exits = [
        yield* verify(JSON.stringify({ token: "tampered", signature: good })),
        yield* verify(JSON.stringify({ token: "t", signature: `${good.slice(0, 10)}` })),
        yield* verify(`{"token":"t","signature":"${good}"`),
      ]
      for (const exit of exits) {
        expect(Exit.isFailure(exit)).toBe(true)
        for (const text of renderings(exit)) {
          expect(text).not.toContain(secret)
          expect(text).not.toContain(good)
          expect(text).not.toContain(good.slice(0, 10))
        }
      }
    }),
  )
})
