/**
 * A deterministic `Identity` for tests and the walkthrough: keys count up (`key-1`, `key-2`,
 * …) and fingerprints are a keyed HMAC under a fixed test key, so runs repeat exactly.
 */
import { Hmac } from "@token-lifecycle/adapter-kit"
import { CardFingerprint, TokenKey } from "@token-lifecycle/domain/Identifiers"
import { Identity, type IdentityService } from "@token-lifecycle/domain/Identity"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"

const testKey = Redacted.make("testkit-fingerprint-key")

export const make = (prefix = "key"): Effect.Effect<IdentityService> =>
  Effect.map(Effect.all([Ref.make(0), Ref.make(0)]), ([keys, idempotencyKeys]) => {
    const next = (counter: Ref.Ref<number>) => Ref.updateAndGet(counter, (n) => n + 1)
    return {
      nextKey: Effect.map(next(keys), (n) => TokenKey.make(`${prefix}-${n}`)),
      nextIdempotencyKey: Effect.map(next(idempotencyKeys), (n) => `idem-${n}`),
      fingerprint: (number) =>
        Effect.sync(() =>
          CardFingerprint.make(
            `fp_${Hmac.digest({ algorithm: "sha256", encoding: "hex", key: testKey }, Redacted.value(number)).toString("hex").slice(0, 32)}`,
          ),
        ),
    }
  })

export const layer = (prefix?: string): Layer.Layer<Identity> => Layer.effect(Identity, make(prefix))
