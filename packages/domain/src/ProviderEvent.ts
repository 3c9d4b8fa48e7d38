/**
 * What a provider's callback or webhook means, in the domain's words. Adapters verify and
 * decode the delivery, then hand one of these to `TokenLifecycle.applyProviderEvent`.
 */

import type { FailureReason } from "./Event.js"
import type { AccountRef, EpochMillis, OwnerRef, TokenId, TokenType, UseReference } from "./Identifiers.js"
import type { CardSummary } from "./Token.js"

interface Delivery {
  /** The provider's id of this delivery (or a stable digest of it); repeats are applied once. */
  readonly deliveryId: string
}

/** The provider issued a token: the answer to our request (`requestRef`), or one it made by itself. */
export interface TokenIssuedByProvider extends Delivery {
  readonly _tag: "TokenIssued"
  readonly tokenId: TokenId
  readonly account: AccountRef
  readonly owner: OwnerRef
  readonly type: TokenType
  readonly requestRef?: string
  readonly issuedAt?: EpochMillis
  readonly card?: CardSummary
}

export interface TokenRefusedByProvider extends Delivery {
  readonly _tag: "TokenRefused"
  readonly requestRef: string
  readonly reason: FailureReason
}

export interface TokenRevokedByProvider extends Delivery {
  readonly _tag: "TokenRevoked"
  readonly tokenId: TokenId
  readonly requestRef?: string
}

export interface TokenExpiredAtProvider extends Delivery {
  readonly _tag: "TokenExpired"
  readonly tokenId: TokenId
  readonly requestRef?: string
}

export interface TokenUsedAtProvider extends Delivery {
  readonly _tag: "TokenUsed"
  readonly tokenId: TokenId
  readonly by: OwnerRef
  readonly for: TokenType
  readonly reference: UseReference
}

export type ProviderEvent =
  | TokenIssuedByProvider
  | TokenRefusedByProvider
  | TokenRevokedByProvider
  | TokenExpiredAtProvider
  | TokenUsedAtProvider
