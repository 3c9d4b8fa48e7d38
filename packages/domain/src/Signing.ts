/**
 * The signing port: sign what we send, verify what providers send us. What a provider signs
 * (a canonical string, the raw body, a timestamp and the body) is the adapter's business;
 * the port sees only the bytes to authenticate. Keys stay `Redacted` inside implementations,
 * and verification compares in constant time.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"

/** A signature was missing, malformed or wrong. The signature itself is never part of the error. */
export class InvalidSignature extends Data.TaggedError("InvalidSignature")<{
  readonly reason: "missing" | "malformed" | "mismatch" | "stale"
}> {
  override get message(): string {
    return `signature ${this.reason}`
  }
}

export interface SigningService {
  /** The signature of `message`, in the provider's encoding. */
  readonly sign: (message: string | Uint8Array) => Effect.Effect<Redacted.Redacted<string>>
  /** Succeeds only when `signature` is the signature of `message`. */
  readonly verify: (
    message: string | Uint8Array,
    signature: string | Redacted.Redacted<string>,
  ) => Effect.Effect<void, InvalidSignature>
}

export class Signing extends Context.Tag("@token-lifecycle/domain/Signing")<Signing, SigningService>() {}
