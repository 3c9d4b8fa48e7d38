/**
 * Zai's webhook signature (provider notes §9.1): the `Webhooks-signature` header holds
 * `t=<unix seconds>` and one or more `v=<signature>`, each signature being HMAC-SHA256, keyed
 * with the shared secret's bytes, over `"{t}.{raw body}"`, written as base64url without padding.
 * A delivery is authentic when any `v` matches; several are sent while a secret is rotated.
 *
 * The signature is checked before the timestamp, so `stale` always means an authentic delivery
 * that is too old or too far ahead (a replay, or clocks apart), never a forgery. Errors carry
 * only their reason: never the body, the secret or a signature.
 */
import * as Hmac from "@token-lifecycle/adapter-kit/Hmac"
import { InvalidSignature } from "@token-lifecycle/domain/Signing"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { defaultWebhookTolerance } from "./ZaiConfig.js"

/** The header Zai sends the signature in. */
export const headerName = "Webhooks-signature"

export interface VerifyOptions {
  readonly secret: Redacted.Redacted<string>
  /** How far the timestamp may be from now, either way. Default 5 minutes. */
  readonly tolerance?: Duration.DurationInput
}

/** What a header says: the timestamp exactly as written, and every signature offered. */
export interface SignatureHeader {
  readonly timestamp: string
  readonly signatures: ReadonlyArray<string>
}

const hmacOptions = (secret: Redacted.Redacted<string>): Hmac.HmacOptions => ({
  algorithm: "sha256",
  encoding: "base64url",
  key: secret,
})

/** A 32-byte digest in base64url without padding: 43 characters, the last one holding 2 unused bits. */
const isSignatureShaped = (text: string): boolean => /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/.test(text)

/**
 * Reads a header. Elements are split on `,` and trimmed, each on its first `=`. Keys other than
 * `t` and `v` are ignored, as a later scheme would add them. An element without `=`, a second
 * `t`, or a `t` that is not decimal digits makes the header malformed; the docs sign the
 * timestamp as received, so a respelled number must not be read as the same one.
 */
export const parseHeader = (header: string | undefined): Either.Either<SignatureHeader, InvalidSignature> => {
  if (header === undefined || header.trim() === "") return Either.left(new InvalidSignature({ reason: "missing" }))
  let timestamp: string | undefined
  const signatures: Array<string> = []
  for (const element of header.split(",")) {
    const item = element.trim()
    const separator = item.indexOf("=")
    if (separator <= 0) return Either.left(new InvalidSignature({ reason: "malformed" }))
    const key = item.slice(0, separator)
    const value = item.slice(separator + 1)
    if (key === "t") {
      if (timestamp !== undefined) return Either.left(new InvalidSignature({ reason: "malformed" }))
      timestamp = value
    } else if (key === "v" && value !== "") {
      signatures.push(value)
    }
  }
  if (timestamp === undefined || timestamp === "") return Either.left(new InvalidSignature({ reason: "missing" }))
  // Fifteen digits reach far past any real clock and stay exact as a JavaScript number.
  if (!/^[0-9]{1,15}$/.test(timestamp) || Number(timestamp) === 0) {
    return Either.left(new InvalidSignature({ reason: "malformed" }))
  }
  if (signatures.length === 0) return Either.left(new InvalidSignature({ reason: "missing" }))
  return Either.right({ timestamp, signatures })
}

/** The bytes Zai signs: the timestamp as written, a dot, and the raw body as received. */
export const signedPayload = (timestamp: string, rawBody: string | Uint8Array): Uint8Array =>
  Buffer.concat([Buffer.from(`${timestamp}.`, "utf8"), typeof rawBody === "string" ? Buffer.from(rawBody) : rawBody])

/** The signature Zai would send for `rawBody` at `timestamp`: to sign test deliveries and simulated ones. */
export const sign = (
  secret: Redacted.Redacted<string>,
  timestamp: string,
  rawBody: string | Uint8Array,
): Redacted.Redacted<string> =>
  Redacted.make(Hmac.digest(hmacOptions(secret), signedPayload(timestamp, rawBody)).toString("base64url"))

/**
 * Verifies one delivery from the header value and the raw body (the exact bytes received, or
 * their text). Fails with `missing` (no header, no `t`, no `v`), `malformed` (an unreadable
 * header, or no `v` shaped like a signature), `mismatch` (no `v` matches) or `stale` (the
 * timestamp is outside the tolerance of `Clock`'s now, in the past or the future).
 */
export const verify = (
  options: VerifyOptions,
  header: string | undefined,
  rawBody: string | Uint8Array,
): Effect.Effect<void, InvalidSignature> =>
  Effect.gen(function* () {
    const parsed = yield* parseHeader(header)
    const candidates = parsed.signatures.filter(isSignatureShaped)
    if (candidates.length === 0) return yield* new InvalidSignature({ reason: "malformed" })
    const expected = Hmac.digest(hmacOptions(options.secret), signedPayload(parsed.timestamp, rawBody))
    // Every candidate is compared, so the time taken does not tell which one matched.
    const matched = candidates.reduce(
      (found, candidate) => Hmac.matches(expected, candidate, "base64url") || found,
      false,
    )
    if (!matched) return yield* new InvalidSignature({ reason: "mismatch" })
    const now = yield* Clock.currentTimeMillis
    const tolerance = Duration.toMillis(Duration.decode(options.tolerance ?? defaultWebhookTolerance))
    if (Math.abs(now - Number(parsed.timestamp) * 1000) > tolerance) {
      return yield* new InvalidSignature({ reason: "stale" })
    }
  })

/** `verify` with one secret and tolerance fixed: what a webhook handler holds. */
export const make =
  (options: VerifyOptions) =>
  (header: string | undefined, rawBody: string | Uint8Array): Effect.Effect<void, InvalidSignature> =>
    verify(options, header, rawBody)
