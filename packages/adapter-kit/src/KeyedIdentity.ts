/**
 * The production `Identity`: random UUIDs for keys and idempotency keys, and card
 * fingerprints as HMAC-SHA256 of the number under a secret key, so the same card gives the
 * same fingerprint while nobody without the key can test a guess against it.
 */
import { randomUUID } from "node:crypto"
import { CardFingerprint, TokenKey } from "@token-lifecycle/domain/Identifiers"
import { Identity, type IdentityService } from "@token-lifecycle/domain/Identity"
import * as Config from "effect/Config"
import type { ConfigError } from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { digest } from "./Hmac.js"

export interface KeyedIdentityOptions {
  /** The fingerprint key. Changing it changes every fingerprint, so keep it as long as the tokens. */
  readonly fingerprintKey: Redacted.Redacted<string>
}

export const make = (options: KeyedIdentityOptions): IdentityService => ({
  nextKey: Effect.sync(() => TokenKey.make(`tok_${randomUUID()}`)),
  nextIdempotencyKey: Effect.sync(() => randomUUID()),
  fingerprint: (number) =>
    Effect.sync(() =>
      CardFingerprint.make(
        digest(
          { algorithm: "sha256", encoding: "base64url", key: options.fingerprintKey },
          Redacted.value(number),
        ).toString("base64url"),
      ),
    ),
})

export const layer = (options: KeyedIdentityOptions): Layer.Layer<Identity> => Layer.succeed(Identity, make(options))

/** Reads the fingerprint key from `TOKEN_LIFECYCLE_FINGERPRINT_KEY` (or the given config). */
export const layerConfig = (
  fingerprintKey: Config.Config<Redacted.Redacted<string>> = Config.redacted("TOKEN_LIFECYCLE_FINGERPRINT_KEY"),
): Layer.Layer<Identity, ConfigError> =>
  Layer.effect(
    Identity,
    Effect.map(fingerprintKey, (key) => make({ fingerprintKey: key })),
  )
