/**
 * Why the lifecycle refused a command. Every refusal is typed, names the token by our key,
 * and carries no card data: the messages are built from statuses, times and kinds only.
 */
import * as Data from "effect/Data"
import type { LifecycleCommandTag } from "./Command.js"
import type { TokenKey, TokenType } from "./Identifiers.js"
import type { TokenStatus } from "./Token.js"

const iso = (millis: number): string => new globalThis.Date(millis).toISOString()

/** A command other than `Request`/`Issue` reached a token that has no history. */
export class TokenNotFound extends Data.TaggedError("TokenNotFound")<{ readonly key?: TokenKey }> {
  override get message(): string {
    return this.key === undefined ? "token not found" : `token ${this.key} not found`
  }
}

/** A token with this key, or this card, already exists. */
export class TokenAlreadyExists extends Data.TaggedError("TokenAlreadyExists")<{
  readonly key: TokenKey
  readonly status: TokenStatus
}> {
  override get message(): string {
    return `token ${this.key} already exists (${this.status})`
  }
}

export class TokenAlreadyUsed extends Data.TaggedError("TokenAlreadyUsed")<{
  readonly key: TokenKey
  readonly usedAt: number
}> {
  override get message(): string {
    return `token ${this.key} was already used at ${iso(this.usedAt)}`
  }
}

export class TokenExpired extends Data.TaggedError("TokenExpired")<{
  readonly key: TokenKey
  readonly expiredAt: number
}> {
  override get message(): string {
    return `token ${this.key} expired at ${iso(this.expiredAt)}`
  }
}

export class TokenRevoked extends Data.TaggedError("TokenRevoked")<{
  readonly key: TokenKey
  readonly revokedAt: number
}> {
  override get message(): string {
    return `token ${this.key} was revoked at ${iso(this.revokedAt)}`
  }
}

/** The provider refused to issue this token; nothing can be done with it. */
export class TokenFailed extends Data.TaggedError("TokenFailed")<{
  readonly key: TokenKey
  readonly failedAt: number
}> {
  override get message(): string {
    return `token ${this.key} was refused by the provider at ${iso(this.failedAt)}`
  }
}

/** The token is not (yet) active: the provider has not issued it. */
export class TokenNotActive extends Data.TaggedError("TokenNotActive")<{
  readonly key: TokenKey
  readonly status: TokenStatus
  readonly command: LifecycleCommandTag
}> {
  override get message(): string {
    return `token ${this.key} is ${this.status}: ${this.command} needs an active token`
  }
}

/** The command has no meaning in the token's current status (for example `Fail` on an issued token). */
export class CommandNotApplicable extends Data.TaggedError("CommandNotApplicable")<{
  readonly key: TokenKey
  readonly status: TokenStatus
  readonly command: LifecycleCommandTag
}> {
  override get message(): string {
    return `${this.command} does not apply to token ${this.key} while it is ${this.status}`
  }
}

/** Someone other than the token's owner tried to use it. */
export class WrongOwner extends Data.TaggedError("WrongOwner")<{ readonly key: TokenKey }> {
  override get message(): string {
    return `token ${this.key} belongs to another owner`
  }
}

/** The token was offered for an instrument of another type (a bank token for a card, say). */
export class WrongTokenType extends Data.TaggedError("WrongTokenType")<{
  readonly key: TokenKey
  readonly tokenType: TokenType
  readonly requested: TokenType
}> {
  override get message(): string {
    return `token ${this.key} is a ${this.tokenType} token and cannot be used for ${this.requested}`
  }
}

/** The provider's policy does not allow this operation (revoking a Rebilly token, say). */
export class UnsupportedByPolicy extends Data.TaggedError("UnsupportedByPolicy")<{
  readonly key: TokenKey
  readonly policy: string
  readonly operation: LifecycleCommandTag
}> {
  override get message(): string {
    return `${this.operation} is not supported by the ${this.policy} policy (token ${this.key})`
  }
}

/** An expiry was recorded before the token's time was up. */
export class NotYetExpired extends Data.TaggedError("NotYetExpired")<{
  readonly key: TokenKey
  readonly expiresAt?: number
}> {
  override get message(): string {
    return this.expiresAt === undefined
      ? `token ${this.key} does not lapse with time`
      : `token ${this.key} is valid until ${iso(this.expiresAt)}`
  }
}

/** An expiry refresh came with another card's fingerprint. */
export class FingerprintMismatch extends Data.TaggedError("FingerprintMismatch")<{ readonly key: TokenKey }> {
  override get message(): string {
    return `the card offered for token ${this.key} is not the card behind it`
  }
}

/** The card's printed expiry has passed. */
export class CardExpired extends Data.TaggedError("CardExpired")<{
  readonly key: TokenKey
  readonly expiredAt: number
}> {
  override get message(): string {
    return `the card for token ${this.key} expired at ${iso(this.expiredAt)}`
  }
}

export type LifecycleError =
  | TokenNotFound
  | TokenAlreadyExists
  | TokenAlreadyUsed
  | TokenExpired
  | TokenRevoked
  | TokenFailed
  | TokenNotActive
  | CommandNotApplicable
  | WrongOwner
  | WrongTokenType
  | UnsupportedByPolicy
  | NotYetExpired
  | FingerprintMismatch
  | CardExpired
