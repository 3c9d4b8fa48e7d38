/**
 * The `Signing` port over HMAC: what every provider here uses to sign requests and deliveries
 * (Gate: SHA-512/base64; KOMOJU: SHA-256/hex; Zai: SHA-256/base64url). Comparison is in
 * constant time, and the key never leaves its `Redacted` wrapper except to key the HMAC.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import { InvalidSignature, Signing, type SigningService } from "@token-lifecycle/domain/Signing"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as KeyedHmac from "./internal/keyedHmac.js"

export type Algorithm = KeyedHmac.Algorithm
export type Encoding = KeyedHmac.Encoding

export interface HmacOptions {
  readonly algorithm: Algorithm
  readonly encoding: Encoding
  readonly key: Redacted.Redacted<string>
}

/** The raw digest of `message`. Exposed for adapters that compose signatures (a timestamp and a body, say). */
export const digest = (options: HmacOptions, message: string | Uint8Array): Buffer =>
  createHmac(options.algorithm, Redacted.value(options.key)).update(message).digest()

/**
 * Strict decoding: the text must be exactly what encoding the decoded bytes gives back. Base64
 * decoders tolerate respellings (unused low bits in the last character, missing padding), which
 * would let two different strings verify as one signature.
 */
const decode = (text: string, encoding: Encoding): Buffer | undefined => {
  const bytes = Buffer.from(text, encoding)
  return bytes.length > 0 && bytes.toString(encoding) === text ? bytes : undefined
}

/** Whether `signature` (in `encoding`) is the digest `expected`, in time independent of where they differ. */
export const matches = (expected: Buffer, signature: string, encoding: Encoding): boolean => {
  const received = decode(signature, encoding)
  return received !== undefined && received.length === expected.length && timingSafeEqual(received, expected)
}

/**
 * The key made ready once, not on every signature (see `internal/keyedHmac.ts`). Its bytes stay
 * out of anything loggable: the key's padded blocks live in closures, and a `KeyObject` (which
 * never shows its bytes) serves messages too long for the fast path.
 */
const prepared = (options: HmacOptions): KeyedHmac.KeyedHmac => {
  const keyBytes = Buffer.from(Redacted.value(options.key), "utf8")
  const hmac = KeyedHmac.prepare(options.algorithm, keyBytes)
  keyBytes.fill(0)
  return hmac
}

/**
 * The signature of each message, synchronously and unwrapped: for an adapter that writes it
 * straight into the body it sends (Gate), where a `Redacted` wrapper would be unwrapped at once.
 */
export const signer = (options: HmacOptions): ((message: string | Uint8Array) => string) => {
  const hmac = prepared(options)
  return (message) => hmac.encoded(message, options.encoding)
}

export const make = (options: HmacOptions): SigningService => {
  const hmac = prepared(options)
  return {
    sign: (message) => Effect.sync(() => Redacted.make(hmac.encoded(message, options.encoding))),
    verify: (message, signature) =>
      Effect.suspend(() => {
        const received = Redacted.isRedacted(signature) ? Redacted.value(signature) : signature
        if (received.length === 0) return Effect.fail(new InvalidSignature({ reason: "missing" }))
        if (decode(received, options.encoding) === undefined) {
          return Effect.fail(new InvalidSignature({ reason: "malformed" }))
        }
        return matches(hmac.digest(message), received, options.encoding)
          ? Effect.void
          : Effect.fail(new InvalidSignature({ reason: "mismatch" }))
      }),
  }
}

export const layer = (options: HmacOptions): Layer.Layer<Signing> => Layer.succeed(Signing, make(options))
