/**
 * Where identifiers and card fingerprints come from. The domain asks; an implementation
 * answers (random ids and a keyed hash in production, deterministic ones in tests).
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type { CardNumber } from "./Card.js"
import type { CardFingerprint, TokenKey } from "./Identifiers.js"

export interface IdentityService {
  /** A fresh key for a new token's life. */
  readonly nextKey: Effect.Effect<TokenKey>
  /** A fresh idempotency key for one request to a provider. */
  readonly nextIdempotencyKey: Effect.Effect<string>
  /**
   * A keyed hash of the card number. A plain hash would not do: the space of card numbers is
   * small enough to search, so without a secret key a fingerprint gives the number away.
   */
  readonly fingerprint: (number: Redacted.Redacted<CardNumber>) => Effect.Effect<CardFingerprint>
}

export class Identity extends Context.Tag("@token-lifecycle/domain/Identity")<Identity, IdentityService>() {}
