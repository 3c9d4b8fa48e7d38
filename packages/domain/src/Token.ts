/**
 * A token's state: what is known of it and where it stands in its life.
 *
 * The state is only ever built by folding events (see `Lifecycle.evolve`); these schemas
 * exist so a store can keep snapshots and the event log in a portable form.
 */
import * as Schema from "effect/Schema"
import { CardExpiry, MaskedCard } from "./Card.js"
import {
  AccountRef,
  CardFingerprint,
  EpochMillis,
  OwnerRef,
  TokenId,
  TokenKey,
  TokenType,
  UseReference,
} from "./Identifiers.js"
import { LifecyclePolicy } from "./Policy.js"

/** What may be kept of the card behind a token: never the number, never the CVV. */
export const CardSummary = Schema.Struct({
  masked: MaskedCard,
  expiry: Schema.optionalWith(CardExpiry, { exact: true }),
  fingerprint: Schema.optionalWith(CardFingerprint, { exact: true }),
})
export type CardSummary = typeof CardSummary.Type

/** The facts fixed when a token's life begins. None of them changes afterwards. */
export const TokenFacts = Schema.Struct({
  key: TokenKey,
  policy: LifecyclePolicy,
  account: AccountRef,
  owner: OwnerRef,
  type: TokenType,
  card: Schema.optionalWith(CardSummary, { exact: true }),
})
export type TokenFacts = typeof TokenFacts.Type

/** Where a token stands. `Used`, `Expired`, `Revoked` and `Failed` are absorbing. */
export const TokenStatus = Schema.Literal("Pending", "Active", "Used", "Expired", "Revoked", "Failed")
export type TokenStatus = typeof TokenStatus.Type

export const absorbingStatuses: ReadonlySet<TokenStatus> = new Set(["Used", "Expired", "Revoked", "Failed"])

/** A use of a token: when, by whom, for which kind of instrument, under which reference. */
export const UseRecord = Schema.Struct({
  at: EpochMillis,
  by: OwnerRef,
  for: TokenType,
  reference: UseReference,
})
export type UseRecord = typeof UseRecord.Type

/** Why a token's life ended. */
export const EndCause = Schema.Literal(
  "used-up",
  "time-to-live",
  "card-expiry",
  "expired-at-provider",
  "revoked-by-merchant",
  "revoked-by-provider",
  "refused-by-provider",
)
export type EndCause = typeof EndCause.Type

export const Ending = Schema.Struct({
  at: EpochMillis,
  cause: EndCause,
  /** The provider's own code for a refusal, when it gave one. */
  providerCode: Schema.optionalWith(Schema.String, { exact: true }),
})
export type Ending = typeof Ending.Type

export const Token = Schema.Struct({
  ...TokenFacts.fields,
  _tag: TokenStatus,
  /** The provider's reference for an accepted, not yet answered, issuance request. */
  requestRef: Schema.optionalWith(Schema.String, { exact: true }),
  tokenId: Schema.optionalWith(TokenId, { exact: true }),
  /** When the provider issued the token; lifetimes count from here. */
  issuedAt: Schema.optionalWith(EpochMillis, { exact: true }),
  /** The first instant at which the token is no longer usable. Absent when it never lapses. */
  expiresAt: Schema.optionalWith(EpochMillis, { exact: true }),
  uses: Schema.Int.pipe(Schema.nonNegative()),
  lastUse: Schema.optionalWith(UseRecord, { exact: true }),
  ending: Schema.optionalWith(Ending, { exact: true }),
  createdAt: EpochMillis,
  /** The time of the latest event; no later event is stamped earlier. */
  updatedAt: EpochMillis,
})
export type Token = typeof Token.Type

/** Before the first event. */
export const Absent = Schema.TaggedStruct("Absent", {})
export type Absent = typeof Absent.Type

export const TokenState = Schema.Union(Absent, Token)
export type TokenState = Absent | Token

export const absent: Absent = { _tag: "Absent" }

export const isAbsorbing = (state: TokenState): boolean => state._tag !== "Absent" && absorbingStatuses.has(state._tag)

/** Pending or Active: the token is, or is about to be, usable. */
export const isLive = (state: TokenState): state is Token => state._tag === "Pending" || state._tag === "Active"
