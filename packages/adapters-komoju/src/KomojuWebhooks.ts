/**
 * KOMOJU's webhooks (provider notes §8): a plain function over the raw body and its headers, so
 * any HTTP framework can call it. The signature is HMAC-SHA256 of the raw bytes as received, in
 * lowercase hex, in `X-Komoju-Signature`; nothing is parsed before it verifies.
 *
 * What each event means for a token. KOMOJU tokens are single use and have no webhook of their
 * own: a token ends when a payment (or a customer) consumes it, and no event names a token.
 * - `payment.authorized`, `payment.captured`: the payment exists, so the token it was made with
 *   is spent. This is `TokenUsed` when the payment's `metadata` names the token and its owner
 *   (the adapter records them when it pays; see `useMetadata` in the wire module), and nothing
 *   otherwise: a payment made some other way concerns no token this service holds.
 * - `payment.failed`: not an event here. Whether a failed attempt consumes the token is not
 *   known (§11.4); the lifecycle's own `use` records the attempt when this service makes it.
 * - every other type (`ping`, the rest of `payment.*`, `customer.*`, `subscription.*`,
 *   `settlement.*`, and types added later): ignorable, never an error.
 *
 * Deliveries are de-duplicated on `X-Komoju-ID`, falling back to the event's `id` when the header
 * is missing. Repeats and reordering are harmless anyway: using a spent token again is ignored.
 */
import * as Headers from "@effect/platform/Headers"
import * as Hmac from "@token-lifecycle/adapter-kit/Hmac"
import * as ProviderDeliveries from "@token-lifecycle/adapter-kit/ProviderDeliveries"
import { ProviderProtocolError } from "@token-lifecycle/domain/GatewayError"
import { OwnerRef, TokenId, UseReference } from "@token-lifecycle/domain/Identifiers"
import type { ProviderEvent } from "@token-lifecycle/domain/ProviderEvent"
import { type InvalidSignature, Signing, type SigningService } from "@token-lifecycle/domain/Signing"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { provider } from "./internal/refusal.js"
import * as Wire from "./internal/wire.js"

export type WebhookError = InvalidSignature | ProviderProtocolError

/** The headers of one delivery, in any form an HTTP framework gives them. */
export type WebhookHeaders = Headers.Input

const unreadable = (what: string) => new ProviderProtocolError({ provider, message: `webhook: ${what}` })

/** The webhook secret's `Signing`: HMAC-SHA256, lowercase hex. */
export const signing = (secret: Redacted.Redacted<string>): SigningService =>
  Hmac.make({ algorithm: "sha256", encoding: "hex", key: secret })

/** Succeeds only when `signatureHeader` is the signature of `rawBody` under `secret`. A missing header is refused. */
export const verify = (
  rawBody: string | Uint8Array,
  signatureHeader: string | undefined,
  secret: Redacted.Redacted<string>,
): Effect.Effect<void, InvalidSignature> => signing(secret).verify(rawBody, signatureHeader ?? "")

/** The events that spend a token: the payment exists. */
const spendingTypes: ReadonlySet<string> = new Set(["payment.authorized", "payment.captured"])

const decodePayment = (data: unknown) =>
  Either.mapLeft(Schema.decodeUnknownEither(Wire.Payment)(data), () => unreadable("data is not a payment"))

const paymentEvents = (
  event: Wire.WebhookEvent,
  deliveryId: string,
): Either.Either<ReadonlyArray<ProviderEvent>, ProviderProtocolError> =>
  Either.map(decodePayment(event.data), (payment) => {
    const tokenId = payment.metadata?.[Wire.useMetadata.tokenId]
    const owner = payment.metadata?.[Wire.useMetadata.owner]
    if (tokenId === undefined || tokenId === "" || owner === undefined || owner === "") return []
    return [
      {
        _tag: "TokenUsed",
        deliveryId,
        tokenId: TokenId.make(tokenId),
        by: OwnerRef.make(owner),
        for: Wire.tokenTypeOf(payment.payment_details?.type),
        reference: UseReference.make(payment.id),
      },
    ]
  })

const headerOf = (headers: Headers.Headers, name: string): string | undefined =>
  Option.getOrUndefined(Headers.get(headers, name))

/** The body as JSON; bytes that are not UTF-8 are refused rather than repaired. */
const parseJson = (rawBody: string | Uint8Array): Either.Either<unknown, ProviderProtocolError> =>
  Either.try({
    try: (): unknown =>
      JSON.parse(typeof rawBody === "string" ? rawBody : new TextDecoder("utf-8", { fatal: true }).decode(rawBody)),
    catch: () => unreadable("the body is not JSON"),
  })

/**
 * Verify one delivery with the `Signing` in context and read the provider events it reports.
 * Nothing is read from a body that does not verify.
 */
export const decode = (
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
): Effect.Effect<ReadonlyArray<ProviderEvent>, WebhookError, Signing> =>
  Effect.gen(function* () {
    const received = Headers.fromInput(headers)
    const signing = yield* Signing
    yield* signing.verify(rawBody, headerOf(received, Wire.headers.signature) ?? "")
    const event = yield* Either.flatMap(parseJson(rawBody), (value) =>
      Either.mapLeft(Schema.decodeUnknownEither(Wire.WebhookEvent)(value), () =>
        unreadable("not an event KOMOJU sends"),
      ),
    )
    if (!spendingTypes.has(event.type)) return []
    const header = headerOf(received, Wire.headers.deliveryId)
    const deliveryId = header === undefined || header === "" ? `komoju/event/${event.id}` : `komoju/delivery/${header}`
    return yield* paymentEvents(event, deliveryId)
  })

/** What to answer KOMOJU, and what the delivery did (see `ProviderDeliveries`). */
export type WebhookReceipt = ProviderDeliveries.DeliveryReceipt

/** The handler for one webhook endpoint: verify with its secret, apply through the lifecycle in context. */
export const make = (secret: Redacted.Redacted<string>) =>
  Effect.gen(function* () {
    const lifecycle = yield* TokenLifecycle
    const service = signing(secret)
    return (rawBody: string | Uint8Array, headers: WebhookHeaders): Effect.Effect<WebhookReceipt> =>
      ProviderDeliveries.receive(
        provider,
        lifecycle,
        decode(rawBody, headers).pipe(Effect.provideService(Signing, service)),
      )
  })
