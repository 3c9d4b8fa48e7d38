import { createHmac } from "node:crypto"
import { inspect } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as fc from "fast-check"
import * as Hmac from "../src/Hmac.js"

const key = Redacted.make("whsec_test_key")

describe("HMAC signing", () => {
  it.effect("matches Node's HMAC in each provider's encoding, and keeps the signature redacted", () =>
    Effect.gen(function* () {
      for (const [algorithm, encoding] of [
        ["sha512", "base64"],
        ["sha256", "hex"],
        ["sha256", "base64url"],
      ] as const) {
        const signing = Hmac.make({ algorithm, encoding, key })
        const signature = yield* signing.sign("t=1.body")
        expect(Redacted.value(signature)).toBe(
          createHmac(algorithm, "whsec_test_key").update("t=1.body").digest(encoding),
        )
        expect(String(signature)).not.toContain(Redacted.value(signature))
        expect(inspect(signature)).not.toContain(Redacted.value(signature))
      }
    }),
  )

  it.effect("verifies its own signatures and refuses every altered message or signature", () =>
    Effect.gen(function* () {
      const signing = Hmac.make({ algorithm: "sha256", encoding: "hex", key })
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.string(), fc.string({ minLength: 1 }), async (message, other) => {
            const signature = Redacted.value(await Effect.runPromise(signing.sign(message)))
            await Effect.runPromise(signing.verify(message, signature))
            const wrongMessage = await Effect.runPromise(Effect.flip(signing.verify(message + other, signature)))
            expect(wrongMessage.reason).toBe("mismatch")
            const flipped = (signature[0] === "0" ? "1" : "0") + signature.slice(1)
            const wrongSignature = await Effect.runPromise(Effect.flip(signing.verify(message, flipped)))
            expect(wrongSignature.reason).toBe("mismatch")
          }),
          { numRuns: 500 },
        ),
      )
    }),
  )

  it.effect("tells a missing or malformed signature from a wrong one, without repeating it", () =>
    Effect.gen(function* () {
      const signing = Hmac.make({ algorithm: "sha512", encoding: "base64", key })
      expect((yield* Effect.flip(signing.verify("m", ""))).reason).toBe("missing")
      const malformed = yield* Effect.flip(signing.verify("m", "not base64 at all!"))
      expect(malformed.reason).toBe("malformed")
      expect(malformed.message).toBe("signature malformed")
      const short = yield* Effect.flip(signing.verify("m", "AAAA"))
      expect(short.reason).toBe("mismatch")
      // The same bytes spelt another way (an unused low bit set in the last character) are not the signature.
      const signature = Redacted.value(yield* signing.sign("m"))
      const last = signature.at(-3) as string
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
      const respelt = signature.slice(0, -3) + alphabet[alphabet.indexOf(last) ^ 1] + signature.slice(-2)
      expect(Buffer.from(respelt, "base64")).toEqual(Buffer.from(signature, "base64"))
      expect((yield* Effect.flip(signing.verify("m", respelt))).reason).toBe("malformed")
      expect((yield* Effect.flip(signing.verify("m", ` ${signature}`))).reason).toBe("malformed")
    }),
  )
})
