import { describe, expect, it } from "@effect/vitest"
import { parseCardNumber } from "@token-lifecycle/domain/Card"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as KeyedIdentity from "../src/KeyedIdentity.js"

const card = (digits: string) => Either.getOrThrow(parseCardNumber(digits))

describe("keyed identity", () => {
  it.effect("fingerprints the same card alike and different cards or keys differently, never showing the number", () =>
    Effect.gen(function* () {
      const a = KeyedIdentity.make({ fingerprintKey: Redacted.make("key-a") })
      const b = KeyedIdentity.make({ fingerprintKey: Redacted.make("key-b") })
      const visa = yield* a.fingerprint(card("4111111111111111"))
      expect(yield* a.fingerprint(card("4111 1111 1111 1111"))).toBe(visa)
      expect(yield* a.fingerprint(card("5555555555554444"))).not.toBe(visa)
      expect(yield* b.fingerprint(card("4111111111111111"))).not.toBe(visa)
      expect(visa).not.toContain("4111")
    }),
  )

  it.effect("hands out fresh keys and idempotency keys", () =>
    Effect.gen(function* () {
      const identity = KeyedIdentity.make({ fingerprintKey: Redacted.make("k") })
      const keys = yield* Effect.all(Array.from({ length: 100 }, () => identity.nextKey))
      expect(new Set(keys).size).toBe(100)
      expect(yield* identity.nextIdempotencyKey).not.toBe(yield* identity.nextIdempotencyKey)
    }),
  )
})
