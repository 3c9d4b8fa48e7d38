/**
 * Lifecycle events: the facts a token's life is made of. The event list is the audit trail,
 * and folding it is the only way state is built.
 */
import * as Schema from "effect/Schema"
import { CardExpiry } from "./Card.js"
import { EpochMillis, OwnerRef, TokenId, TokenKey, TokenType, UseReference } from "./Identifiers.js"
import { TokenFacts } from "./Token.js"

const at = EpochMillis

/** Issuance was asked of the provider; its answer is not in yet. */
export const TokenRequested = Schema.TaggedStruct("TokenRequested", { key: TokenKey, at, token: TokenFacts })

/** The provider accepted the issuance request under this reference; the token follows by callback. */
export const TokenRequestAcknowledged = Schema.TaggedStruct("TokenRequestAcknowledged", {
  key: TokenKey,
  at,
  requestRef: Schema.String,
})

/**
 * The provider issued the token. `token` carries the facts when no request preceded it
 * (a token created in the browser, or by the provider after a payment).
 */
export const TokenIssued = Schema.TaggedStruct("TokenIssued", {
  key: TokenKey,
  at,
  tokenId: TokenId,
  issuedAt: EpochMillis,
  expiresAt: Schema.optionalWith(EpochMillis, { exact: true }),
  token: Schema.optionalWith(TokenFacts, { exact: true }),
})

/** The token was used; `uses` counts uses so far, this one included. */
export const TokenUsed = Schema.TaggedStruct("TokenUsed", {
  key: TokenKey,
  at,
  by: OwnerRef,
  for: TokenType,
  reference: UseReference,
  uses: Schema.Int.pipe(Schema.positive()),
})

/** The same card came back with another expiry; only the expiry (and what follows from it) changed. */
export const TokenExpiryRefreshed = Schema.TaggedStruct("TokenExpiryRefreshed", {
  key: TokenKey,
  at,
  expiry: CardExpiry,
  expiresAt: Schema.optionalWith(EpochMillis, { exact: true }),
})

export const TokenExpired = Schema.TaggedStruct("TokenExpired", {
  key: TokenKey,
  at,
  cause: Schema.Literal("time-to-live", "card-expiry", "provider"),
})

export const TokenRevoked = Schema.TaggedStruct("TokenRevoked", {
  key: TokenKey,
  at,
  by: Schema.Literal("merchant", "provider"),
})

/** Why the provider refused to issue: a kind, and its own code when it gave one. Never its free text. */
export const FailureReason = Schema.Struct({
  kind: Schema.Literal("declined", "invalid", "unauthorized", "unavailable", "timeout", "protocol", "other"),
  providerCode: Schema.optionalWith(Schema.String, { exact: true }),
})
export type FailureReason = typeof FailureReason.Type

export const TokenFailed = Schema.TaggedStruct("TokenFailed", { key: TokenKey, at, reason: FailureReason })

export const LifecycleEvent = Schema.Union(
  TokenRequested,
  TokenRequestAcknowledged,
  TokenIssued,
  TokenUsed,
  TokenExpiryRefreshed,
  TokenExpired,
  TokenRevoked,
  TokenFailed,
)
export type LifecycleEvent = typeof LifecycleEvent.Type
export type LifecycleEventTag = LifecycleEvent["_tag"]
