/**
 * Commands: what someone asks of a token. Time does not travel in the command; `decide`
 * receives it beside the command, so the same command can be judged at any instant.
 */
import type { CardExpiry } from "./Card.js"
import type { FailureReason } from "./Event.js"
import type { CardFingerprint, EpochMillis, OwnerRef, TokenId, TokenType, UseReference } from "./Identifiers.js"
import type { TokenFacts } from "./Token.js"

/** Ask the provider for a token; it stays `Pending` until the provider answers. */
export interface Request {
  readonly _tag: "Request"
  readonly token: TokenFacts
}

/** The provider took the request under this reference; its answer comes later. */
export interface Acknowledge {
  readonly _tag: "Acknowledge"
  readonly requestRef: string
}

/**
 * The provider issued the token. `issuedAt` is the provider's creation time, when it gives
 * one; lifetimes count from it. `token` is required when no `Request` came first.
 */
export interface Issue {
  readonly _tag: "Issue"
  readonly tokenId: TokenId
  readonly issuedAt?: EpochMillis
  readonly token?: TokenFacts
}

/** Use the token, as `by`, to create or pay with an instrument of type `for`. */
export interface Use {
  readonly _tag: "Use"
  readonly by: OwnerRef
  readonly for: TokenType
  readonly reference: UseReference
}

/** Record the end of the token's lifetime: because its time is up, or because the provider says so. */
export interface Expire {
  readonly _tag: "Expire"
  readonly source: "clock" | "provider"
}

/** Revoke the token: on the merchant's request, or because the provider reports it revoked. */
export interface Revoke {
  readonly _tag: "Revoke"
  readonly source: "merchant" | "provider"
}

/** The same card came back with this expiry. */
export interface RefreshExpiry {
  readonly _tag: "RefreshExpiry"
  readonly expiry: CardExpiry
  readonly fingerprint?: CardFingerprint
}

/** The provider refused to issue the token. */
export interface Fail {
  readonly _tag: "Fail"
  readonly reason: FailureReason
}

export type LifecycleCommand = Request | Acknowledge | Issue | Use | Expire | Revoke | RefreshExpiry | Fail
export type LifecycleCommandTag = LifecycleCommand["_tag"]

export const request = (token: TokenFacts): Request => ({ _tag: "Request", token })
export const acknowledge = (requestRef: string): Acknowledge => ({ _tag: "Acknowledge", requestRef })
export const issue = (fields: Omit<Issue, "_tag">): Issue => ({ _tag: "Issue", ...fields })
export const use = (fields: Omit<Use, "_tag">): Use => ({ _tag: "Use", ...fields })
export const expire = (source: Expire["source"] = "clock"): Expire => ({ _tag: "Expire", source })
export const revoke = (source: Revoke["source"] = "merchant"): Revoke => ({ _tag: "Revoke", source })
export const refreshExpiry = (fields: Omit<RefreshExpiry, "_tag">): RefreshExpiry => ({
  _tag: "RefreshExpiry",
  ...fields,
})
export const fail = (reason: FailureReason): Fail => ({ _tag: "Fail", reason })
