/**
 * The names things go by: our aggregate key, the provider's token id, owners, accounts,
 * references and card fingerprints. Each is a branded string so one cannot stand in for another.
 */
import * as Schema from "effect/Schema"

const Name = Schema.Trim.pipe(Schema.nonEmptyString(), Schema.maxLength(255))

/** A provider's name (`"gate"`, `"rebilly"`, …). Open, so a fifth provider needs no change here. */
export const ProviderId = Name.pipe(Schema.brand("ProviderId"))
export type ProviderId = typeof ProviderId.Type

/** Our own key for one token's life, assigned before the provider has answered. */
export const TokenKey = Name.pipe(Schema.brand("TokenKey"))
export type TokenKey = typeof TokenKey.Type

/** The token as the provider names it. */
export const TokenId = Name.pipe(Schema.brand("TokenId"))
export type TokenId = typeof TokenId.Type

/**
 * A token id branded with its provider as well, so a Gate token cannot be passed where a
 * Rebilly one is expected. Adapters refine it with their provider's format.
 */
export const ProviderTokenId = <const P extends string>(provider: P) =>
  TokenId.pipe(Schema.brand(`TokenId/${provider}` as `TokenId/${P}`))

/** Whom a token belongs to at the provider: a customer, a user. */
export const OwnerRef = Name.pipe(Schema.brand("OwnerRef"))
export type OwnerRef = typeof OwnerRef.Type

/** The provider-side scope a token lives in: a project, an organization, a merchant account. */
export const AccountRef = Name.pipe(Schema.brand("AccountRef"))
export type AccountRef = typeof AccountRef.Type

/** What a use was for: a payment id, an account id, an order number. */
export const UseReference = Name.pipe(Schema.brand("UseReference"))
export type UseReference = typeof UseReference.Type

/** A keyed hash of a card number: equal for the same card, useless to recover the number. */
export const CardFingerprint = Name.pipe(Schema.brand("CardFingerprint"))
export type CardFingerprint = typeof CardFingerprint.Type

/** What kind of instrument a token stands for, and so what it may be used for. */
export const TokenType = Schema.Literal("card", "bank", "other")
export type TokenType = typeof TokenType.Type

/** A point in time: milliseconds since the Unix epoch, UTC. Always passed in, never read here. */
export const EpochMillis = Schema.Number.pipe(Schema.int(), Schema.nonNegative())
export type EpochMillis = number
