import { describe, expect, it } from "@effect/vitest"
import * as Runs from "@token-lifecycle/testkit/Runs"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as fc from "fast-check"
import * as ZaiWebhookSignature from "../src/ZaiWebhookSignature.js"

const runs = Runs.numRuns()
/** Room for however many runs were asked for. */
const timeout = 10_000 + runs * 5

const secretText = "whsec-zai-known-answer-0123456789abcdef"
const secret = Redacted.make(secretText)
const verify = ZaiWebhookSignature.make({ secret })

/**
 * A known answer computed for this suite with node:crypto, not a vector Zai published:
 * `createHmac("sha256", secret).update(`${t}.${body}`).digest("base64url")`.
 */
const knownTimestamp = "1700000000"
const knownBody = '{"accounts":{"id":"6f348690-0000-4000-8000-000000000001","state":"active"}}'
const knownSignature = "ZmzpV8J3M8P1yf6AiB5-8rBF7jujC8p3mvxbrxpWtxM"

const atSeconds = (seconds: number) => TestClock.setTime(seconds * 1000)
const signed = (timestamp: string, body: string | Uint8Array) =>
  Redacted.value(ZaiWebhookSignature.sign(secret, timestamp, body))
const reasonOf = (effect: Effect.Effect<void, { readonly reason: string }>) =>
  Effect.map(Effect.either(effect), (outcome) => (Either.isLeft(outcome) ? outcome.left.reason : "accepted"))

describe("the Webhooks-signature header", () => {
  it.effect("verifies the known answer, over the text or the raw bytes", () =>
    Effect.gen(function* () {
      yield* atSeconds(Number(knownTimestamp))
      expect(signed(knownTimestamp, knownBody)).toBe(knownSignature)
      const header = `t=${knownTimestamp},v=${knownSignature}`
      expect(yield* reasonOf(verify(header, knownBody))).toBe("accepted")
      expect(yield* reasonOf(verify(header, new TextEncoder().encode(knownBody)))).toBe("accepted")
    }),
  )

  it.effect("accepts when any one of several signatures matches, in any position, spaces around elements", () =>
    Effect.gen(function* () {
      yield* atSeconds(Number(knownTimestamp))
      const other = signed(knownTimestamp, "another body")
      expect(yield* reasonOf(verify(` t=${knownTimestamp} , v=${other} , v=${knownSignature} `, knownBody))).toBe(
        "accepted",
      )
      expect(yield* reasonOf(verify(`v=${knownSignature},v=${other},t=${knownTimestamp}`, knownBody))).toBe("accepted")
      expect(yield* reasonOf(verify(`t=${knownTimestamp},v=${other},v=${other}`, knownBody))).toBe("mismatch")
    }),
  )

  it.effect("ignores keys it does not know, and signatures that are not shaped like one when another matches", () =>
    Effect.gen(function* () {
      yield* atSeconds(Number(knownTimestamp))
      expect(
        yield* reasonOf(verify(`t=${knownTimestamp},v0=abc,v=not-a-signature,v=${knownSignature}`, knownBody)),
      ).toBe("accepted")
    }),
  )

  it.effect("says missing for no header, no timestamp or no signature", () =>
    Effect.gen(function* () {
      yield* atSeconds(Number(knownTimestamp))
      expect(yield* reasonOf(verify(undefined, knownBody))).toBe("missing")
      expect(yield* reasonOf(verify("  ", knownBody))).toBe("missing")
      expect(yield* reasonOf(verify(`v=${knownSignature}`, knownBody))).toBe("missing")
      expect(yield* reasonOf(verify(`t=,v=${knownSignature}`, knownBody))).toBe("missing")
      expect(yield* reasonOf(verify(`t=${knownTimestamp}`, knownBody))).toBe("missing")
      expect(yield* reasonOf(verify(`t=${knownTimestamp},v=`, knownBody))).toBe("missing")
    }),
  )

  it.effect("says malformed for an unreadable header or timestamp, or no signature-shaped value", () =>
    Effect.gen(function* () {
      yield* atSeconds(Number(knownTimestamp))
      const v = `v=${knownSignature}`
      for (const header of [
        `t=${knownTimestamp};${v}`,
        `t=${knownTimestamp},,${v}`,
        `t=${knownTimestamp},${v},`,
        `=${knownTimestamp},${v}`,
        `t=1.7e9,${v}`,
        `t=-1700000000,${v}`,
        `t=0,${v}`,
        `t=${knownTimestamp}0000000,${v}`,
        `t=${knownTimestamp},t=${knownTimestamp},${v}`,
        `t=${knownTimestamp},v=${knownSignature}=`,
        `t=${knownTimestamp},v=${Buffer.from(knownSignature, "base64url").toString("base64")}`,
        `t=${knownTimestamp},v=${Buffer.from(knownSignature, "base64url").toString("hex")}`,
      ]) {
        expect([header, yield* reasonOf(verify(header, knownBody))]).toEqual([header, "malformed"])
      }
    }),
  )

  it.effect("refuses a body re-serialised from its JSON: the raw bytes are what is signed", () =>
    Effect.gen(function* () {
      yield* atSeconds(Number(knownTimestamp))
      const respelled = JSON.stringify(JSON.parse(knownBody), null, 2)
      expect(yield* reasonOf(verify(`t=${knownTimestamp},v=${knownSignature}`, respelled))).toBe("mismatch")
    }),
  )

  it.effect("signs the timestamp as written: a respelled number does not verify", () =>
    Effect.gen(function* () {
      yield* atSeconds(Number(knownTimestamp))
      expect(yield* reasonOf(verify(`t=0${knownTimestamp},v=${knownSignature}`, knownBody))).toBe("mismatch")
    }),
  )

  it.effect("puts neither the body, the secret nor a signature in its errors", () =>
    Effect.gen(function* () {
      yield* atSeconds(Number(knownTimestamp) + 3600)
      const wrong = signed(knownTimestamp, "forged")
      for (const header of [`t=${knownTimestamp},v=${wrong}`, `t=${knownTimestamp},v=${knownSignature}`]) {
        const outcome = yield* Effect.either(verify(header, knownBody))
        expect(Either.isLeft(outcome)).toBe(true)
        const error = Either.isLeft(outcome) ? outcome.left : undefined
        const shown = `${String(error)} ${JSON.stringify(error)} ${error?.message} ${error?.stack ?? ""}`
        for (const hidden of [secretText, knownBody, knownSignature, wrong, "accounts"]) {
          expect(shown).not.toContain(hidden)
        }
      }
    }),
  )
})

describe("the Webhooks-signature header, as properties", () => {
  it.effect(
    "refuses a body with any byte changed",
    () =>
      Runs.assertEffectProperty(
        [fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.nat(), fc.integer({ min: 1, max: 255 })],
        (body, at, flip) =>
          Effect.gen(function* () {
            yield* atSeconds(Number(knownTimestamp))
            const header = `t=${knownTimestamp},v=${signed(knownTimestamp, body)}`
            expect(yield* reasonOf(verify(header, body))).toBe("accepted")
            const changed = Uint8Array.from(body)
            const index = at % body.length
            changed[index] = (changed[index] as number) ^ flip
            expect(yield* reasonOf(verify(header, changed))).toBe("mismatch")
          }),
      ),
    timeout,
  )

  it.effect(
    "refuses a signature with any character changed",
    () =>
      Runs.assertEffectProperty(
        [fc.string({ maxLength: 200 }), fc.nat({ max: 42 }), fc.constantFrom(..."ABCabc012-_+/=. ")],
        (body, index, replacement) =>
          Effect.gen(function* () {
            yield* atSeconds(Number(knownTimestamp))
            const signature = signed(knownTimestamp, body)
            const changed = `${signature.slice(0, index)}${replacement}${signature.slice(index + 1)}`
            const reason = yield* reasonOf(verify(`t=${knownTimestamp},v=${changed}`, body))
            if (changed === signature) expect(reason).toBe("accepted")
            else expect(["malformed", "mismatch"]).toContain(reason)
          }),
      ),
    timeout,
  )

  it.effect(
    "refuses a header whose timestamp has any digit changed, even to one within the tolerance",
    () =>
      Runs.assertEffectProperty(
        [fc.string({ maxLength: 200 }), fc.nat({ max: knownTimestamp.length - 1 }), fc.integer({ min: 1, max: 9 })],
        (body, index, shift) =>
          Effect.gen(function* () {
            const signature = signed(knownTimestamp, body)
            const digit = (Number(knownTimestamp[index]) + shift) % 10
            const changed = `${knownTimestamp.slice(0, index)}${digit}${knownTimestamp.slice(index + 1)}`
            // The clock at the changed time: only the signature can tell the change.
            yield* atSeconds(Number(changed))
            expect(yield* reasonOf(verify(`t=${changed},v=${signature}`, body))).toBe("mismatch")
          }),
      ),
    timeout,
  )

  it.effect(
    "refuses any timestamp outside the tolerance, past or future, and accepts any inside it",
    () =>
      Runs.assertEffectProperty(
        [
          fc.integer({ min: 1, max: 4_000_000_000 }),
          fc.integer({ min: 1, max: 86_400 }),
          fc.integer({ min: -200_000_000, max: 200_000_000 }),
        ],
        (timestamp, toleranceSeconds, offsetMillis) =>
          Effect.gen(function* () {
            yield* TestClock.setTime(timestamp * 1000 + offsetMillis)
            const body = '{"message":"Zai callback test"}'
            const header = `t=${timestamp},v=${signed(String(timestamp), body)}`
            const reason = yield* reasonOf(
              ZaiWebhookSignature.verify({ secret, tolerance: `${toleranceSeconds} seconds` }, header, body),
            )
            expect(reason).toBe(Math.abs(offsetMillis) > toleranceSeconds * 1000 ? "stale" : "accepted")
          }),
      ),
    timeout,
  )

  it.effect("holds the default tolerance at five minutes either way", () =>
    Effect.gen(function* () {
      const header = `t=${knownTimestamp},v=${knownSignature}`
      const at = Number(knownTimestamp) * 1000
      for (const [offset, expected] of [
        [300_000, "accepted"],
        [-300_000, "accepted"],
        [300_001, "stale"],
        [-300_001, "stale"],
      ] as const) {
        yield* TestClock.setTime(at + offset)
        expect([offset, yield* reasonOf(verify(header, knownBody))]).toEqual([offset, expected])
      }
    }),
  )
})
