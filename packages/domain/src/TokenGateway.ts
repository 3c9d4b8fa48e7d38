/**
 * The transport port: how the lifecycle talks to a provider. Business code depends on this
 * tag, never on an adapter; each adapter provides it and declares its capabilities.
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type { Capabilities } from "./Capabilities.js"
import type { Card, CardExpiry, MaskedCard } from "./Card.js"
import type { GatewayError } from "./GatewayError.js"
import type { AccountRef, EpochMillis, OwnerRef, ProviderId, TokenId, TokenType, UseReference } from "./Identifiers.js"

/** Who the token is for, beyond the owner reference: what some providers ask for at issuance. */
export interface CustomerDetails {
  readonly ipAddress?: string
  readonly email?: string
  readonly firstName?: string
  readonly lastName?: string
  readonly country?: string
  readonly postalCode?: string
}

export interface IssueRequest {
  readonly account: AccountRef
  readonly owner: OwnerRef
  readonly type: TokenType
  /** The card, already checked and redacted. Absent for tokens issued before any card is known (Zai). */
  readonly card?: Card
  readonly customer?: CustomerDetails
  /** Kept identical across retries of this one request, where the provider honours one. */
  readonly idempotencyKey: string
}

/** What the provider said about a card it tokenized: never more than the masked form. */
export interface IssuedCard {
  readonly masked?: MaskedCard
  readonly expiry?: CardExpiry
}

export type IssueOutcome =
  /** The token itself, answered synchronously. */
  | {
      readonly _tag: "Issued"
      readonly tokenId: TokenId
      /** The provider's creation time, when it gives one. */
      readonly issuedAt?: EpochMillis
      readonly card?: IssuedCard
    }
  /** The request was accepted; the token arrives later as a provider event. */
  | { readonly _tag: "Accepted"; readonly requestRef: string }

export interface Money {
  /** In the currency's minor unit. */
  readonly amount: number
  /** ISO 4217. */
  readonly currency: string
}

export type UseOperation = "payment" | "payout" | "verification" | "instrument"

export interface UseRequest {
  readonly tokenId: TokenId
  readonly owner: OwnerRef
  readonly type: TokenType
  readonly operation: UseOperation
  /** Our reference for this use; doubles as the provider's idempotency key where it has one. */
  readonly reference: UseReference
  readonly amount?: Money
  /** What some providers ask to know of the customer paying (Gate: the IP address). */
  readonly customer?: CustomerDetails
}

export interface UseReceipt {
  readonly reference: UseReference
  /** The provider's id for what the use created (a payment, an account). */
  readonly providerReference?: string
  readonly status: "succeeded" | "pending"
}

/** A provider's view of a token, as retrieve and list report it. */
export interface TokenSnapshot {
  readonly tokenId: TokenId
  readonly status: "active" | "used" | "expired" | "revoked"
  readonly issuedAt?: EpochMillis
  readonly usedAt?: EpochMillis
  readonly expiresAt?: EpochMillis
  readonly card?: IssuedCard
}

export interface PageRequest {
  readonly offset: number
  readonly limit: number
}

export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly offset: number
  readonly limit: number
  readonly total?: number
}

export interface TokenGatewayService<C extends Capabilities = Capabilities> {
  readonly provider: ProviderId
  readonly capabilities: C
  readonly issue: (request: IssueRequest) => Effect.Effect<IssueOutcome, GatewayError>
  readonly retrieve: (tokenId: TokenId, owner: OwnerRef) => Effect.Effect<TokenSnapshot, GatewayError>
  readonly list: (page: PageRequest) => Effect.Effect<Page<TokenSnapshot>, GatewayError>
  readonly revoke: (tokenId: TokenId, owner: OwnerRef) => Effect.Effect<void, GatewayError>
  readonly use: (request: UseRequest) => Effect.Effect<UseReceipt, GatewayError>
}

export class TokenGateway extends Context.Tag("@token-lifecycle/domain/TokenGateway")<
  TokenGateway,
  TokenGatewayService
>() {}
