/**
 * Gate's body signature: HMAC-SHA512 over the body's canonical string, keyed with the project
 * secret's UTF-8 bytes, sent as standard base64 inside the body itself. Requests are signed
 * before the signature is inserted; callbacks are verified against every field they carry,
 * known or not, with numbers read as the text that was signed.
 *
 * The canonical form does not tell `null` from `""`, `true` from `1` or `"1"`, a number from
 * the same digits as a string, or `{}`/`[]` from an absent field. A valid signature therefore
 * vouches for a verified body only up to those swaps, and decoders should treat them alike.
 */
import * as Hmac from "@token-lifecycle/adapter-kit/Hmac"
import { InvalidSignature, Signing, type SigningService } from "@token-lifecycle/domain/Signing"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { canonicalBytes, canonicalString } from "./internal/canonical.js"
import { type Json, JsonNumber, type JsonObject, MalformedJson, parse } from "./internal/json.js"

export type { MalformedJsonReason } from "./internal/json.js"
export { type Json, JsonNumber, type JsonObject, MalformedJson }

const hmacOptions = (secret: Redacted.Redacted<string>): Hmac.HmacOptions => ({
  algorithm: "sha512",
  encoding: "base64",
  key: secret,
})

/** The `Signing` service for one Gate project, keyed with its secret. */
export const make = (secret: Redacted.Redacted<string>): SigningService => Hmac.make(hmacOptions(secret))

/** Provides `Signing` for one Gate project. The secret is used as text, never base64-decoded. */
export const layer = (secret: Redacted.Redacted<string>): Layer.Layer<Signing> => Hmac.layer(hmacOptions(secret))

/**
 * The string Gate signs for `body` (see `internal/canonical.ts` for the rules and their order),
 * as the text of the bytes signed: a lone surrogate, which has no UTF-8 form, reads U+FFFD.
 * `body` must be JSON data; anything else (a function, `NaN`, a `Date`) throws a `TypeError`.
 */
export const canonical = (body: object): string => canonicalString(body)

/**
 * The canonical string of a body we are about to send, refusing bodies whose order signers
 * disagree on. A string, not `canonicalBytes`' shared scratch: the `Signing` service may hash it
 * later, when another walk has overwritten the scratch.
 */
const requestMessage = (body: object): string => canonicalString(body, "request")

/**
 * The signature of a request body. Dies (a bug in the body's builder, not a runtime condition)
 * when the body is not JSON data, holds a `JsonNumber` (numbers we send are plain numbers), or
 * holds a case the signers order differently (an array of more than 10 elements, a key that
 * is another's prefix followed by a character below `:`, a `:` in a key, sibling keys such as
 * `a2` and `a10`).
 */
export const sign = (body: object): Effect.Effect<Redacted.Redacted<string>, never, Signing> =>
  Effect.flatMap(Signing, (signing) => Effect.suspend(() => signing.sign(requestMessage(body))))

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber)

/** `body` with the signature's text in `general`, else `customer`, else at the top. */
const placed = <B extends object>(body: B, signature: string): B => {
  const record = body as Record<string, unknown>
  if (isObject(record.general)) return { ...record, general: { ...record.general, signature } } as B
  if (isObject(record.customer)) return { ...record, customer: { ...record.customer, signature } } as B
  return { ...record, signature } as B
}

/**
 * `body` with `signature` written where Gate reads it: in `general` when the body has one
 * (payments, payouts, status…), else in `customer` (token management), else at the top. The
 * signature leaves its `Redacted` wrapper only here. `body` itself is not changed.
 */
export const withSignature = <B extends object>(body: B, signature: Redacted.Redacted<string>): B =>
  placed(body, Redacted.value(signature))

/** `body`, signed, with the signature in place: what to send. Dies as `sign` does. */
export const signBody = <B extends object>(body: B): Effect.Effect<B, never, Signing> =>
  Effect.map(sign(body), (signature) => withSignature(body, signature))

/** Signs the request bodies of one project, synchronously: what `GateGateway` runs for every request. */
export interface RequestSigner {
  /** The signature of a request body. Throws as `sign` dies. */
  readonly signature: (body: object) => string
  /**
   * A copy of `body` carrying its signature where Gate reads it, as `signBody` writes it. The
   * signature exists only inside the body it is sent in.
   */
  readonly signed: <B extends object>(body: B) => B
}

export const requestSigner = (secret: Redacted.Redacted<string>): RequestSigner => {
  const hmac = Hmac.signer(hmacOptions(secret))
  const signature = (body: object): string => {
    // The bytes are signed at once, before any other walk can overwrite them, and wiped
    // after: a tokenize body holds the card number.
    const message = canonicalBytes(body, "request")
    try {
      return hmac(message)
    } finally {
      message.fill(0)
    }
  }
  return { signature, signed: (body) => placed(body, signature(body)) }
}

/** A base64 HMAC-SHA512 written the one way base64 writes 64 bytes: 86 characters and `==`. */
const isSignatureShaped = (text: string): boolean =>
  /^[A-Za-z0-9+/]{86}==$/.test(text) && Buffer.from(text, "base64").toString("base64") === text

const isJsonObject = (value: Json | undefined): value is JsonObject => isObject(value)

/**
 * The signature a delivery carries: top-level `signature`, else `general.signature`. Only a
 * string counts; anything else there (a number, `null`) makes the signature malformed.
 */
const receivedSignature = (body: JsonObject): Either.Either<string, InvalidSignature> => {
  const general = body.general
  const value = Object.hasOwn(body, "signature")
    ? body.signature
    : isJsonObject(general) && Object.hasOwn(general, "signature")
      ? general.signature
      : ""
  if (typeof value !== "string") return Either.left(new InvalidSignature({ reason: "malformed" }))
  if (value === "") return Either.left(new InvalidSignature({ reason: "missing" }))
  // Checked here as well as by the HMAC service: a lenient base64 decoder accepts several
  // spellings of one digest, and a changed signature should never verify.
  if (!isSignatureShaped(value)) return Either.left(new InvalidSignature({ reason: "malformed" }))
  return Either.right(value)
}

/** `node` without the keys the signature does not cover (`signature`, `frame_mode`), at any depth. */
const signedPart = <J extends Json>(node: J): J => {
  if (Array.isArray(node)) return node.map(signedPart) as unknown as J
  if (!isJsonObject(node)) return node
  const result: Record<string, Json> = Object.create(null)
  for (const [key, value] of Object.entries(node)) {
    if (key !== "signature" && key !== "frame_mode") result[key] = signedPart(value)
  }
  return result as J
}

/**
 * Verifies a callback from its raw body (the exact bytes received, or their text) and returns
 * what the signature covers: the body with every `signature` and `frame_mode` key removed, and
 * numbers as `JsonNumber`s holding their text. The signature is checked over every field,
 * including ones this adapter does not know. A body that is not an object carries no
 * signature. Neither error holds the body or the signature.
 */
export const verifyCallback = (
  rawBody: string | Uint8Array,
): Effect.Effect<JsonObject, MalformedJson | InvalidSignature, Signing> =>
  Effect.gen(function* () {
    const body = yield* parse(rawBody)
    if (!isJsonObject(body)) return yield* Effect.fail(new InvalidSignature({ reason: "missing" }))
    const signature = yield* receivedSignature(body)
    const covered = signedPart(body)
    const signing = yield* Signing
    yield* signing.verify(canonicalString(covered), Redacted.make(signature))
    return covered
  })
