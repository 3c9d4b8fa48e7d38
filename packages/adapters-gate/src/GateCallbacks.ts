/**
 * Gate's callbacks: a plain function over the raw body, so any HTTP framework can call it.
 * It verifies the signature over every field received, decodes the callback, turns it into the
 * domain's provider events and applies them through `TokenLifecycle`. Gate redelivers until it
 * gets a 200, so duplicates and reordering are normal; applying is idempotent (invariant 10).
 */

import * as ProviderDeliveries from "@token-lifecycle/adapter-kit/ProviderDeliveries"
import { ProviderProtocolError } from "@token-lifecycle/domain/GatewayError"
import { AccountRef, OwnerRef, TokenId } from "@token-lifecycle/domain/Identifiers"
import type { ProviderEvent } from "@token-lifecycle/domain/ProviderEvent"
import type { InvalidSignature } from "@token-lifecycle/domain/Signing"
import { Signing } from "@token-lifecycle/domain/Signing"
import type { CardSummary } from "@token-lifecycle/domain/Token"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { GateConfig } from "./GateConfig.js"
import type { MalformedJson } from "./internal/json.js"
import { provider } from "./internal/refusal.js"
import * as Wire from "./internal/wire.js"
import * as Signature from "./Signature.js"

export type CallbackError = InvalidSignature | MalformedJson | ProviderProtocolError

const unreadable = (what: string) => new ProviderProtocolError({ provider, message: `callback: ${what}` })

const cardSummary = (
  number: string | undefined,
  month: number | undefined,
  year: number | undefined,
): CardSummary | undefined => {
  const masked = Wire.maskedCard(number)
  if (masked === undefined) return undefined
  const expiry = Wire.cardExpiry(month, year)
  return expiry === undefined ? { masked } : { masked, expiry }
}

const tokenEvents = (
  callback: Wire.TokenCallback,
): Either.Either<ReadonlyArray<ProviderEvent>, ProviderProtocolError> => {
  const owner = callback.customer?.id ?? callback.general.customer_id
  if (owner === undefined) return Either.left(unreadable("a token callback names no customer"))
  const requestRef = callback.request.id
  // Gate's callbacks carry no delivery id; these fields name one event, however often it is delivered.
  const deliveryId = `gate/token/${requestRef}/${callback.token}/${callback.token_status}/${callback.request.status}`
  const tokenId = TokenId.make(callback.token)
  if (callback.request.status !== "success") {
    return Either.right([{ _tag: "TokenRefused", deliveryId, requestRef, reason: { kind: "declined" } }])
  }
  switch (callback.token_status) {
    case "active": {
      const issuedAt =
        callback.token_created_at === undefined ? undefined : Wire.parseInstant(callback.token_created_at)
      const card = cardSummary(callback.card?.number, callback.card?.exp_month, callback.card?.exp_year)
      return Either.right([
        {
          _tag: "TokenIssued",
          deliveryId,
          tokenId,
          account: AccountRef.make(String(callback.general.project_id)),
          owner: OwnerRef.make(owner),
          type: "card",
          requestRef,
          ...(issuedAt === undefined ? {} : { issuedAt }),
          ...(card === undefined ? {} : { card }),
        },
      ])
    }
    case "revoke":
      return Either.right([{ _tag: "TokenRevoked", deliveryId, tokenId, requestRef }])
    case "expiry":
      return Either.right([{ _tag: "TokenExpired", deliveryId, tokenId, requestRef }])
  }
}

/** A payment callback matters here only when it carries a token: Gate tokenized the card by itself. */
const paymentEvents = (
  callback: Wire.PaymentCallback,
): Either.Either<ReadonlyArray<ProviderEvent>, ProviderProtocolError> => {
  const token = callback.account?.token
  if (token === undefined || callback.payment.status !== "success") return Either.right([])
  const owner = callback.customer?.id
  const project = callback.project_id ?? callback.general?.project_id
  if (owner === undefined || project === undefined)
    return Either.left(unreadable("a tokenizing payment names no customer or project"))
  const account = callback.account
  const card = cardSummary(account?.number, account?.expiry_month, account?.expiry_year)
  return Either.right([
    {
      _tag: "TokenIssued",
      deliveryId: `gate/payment/${callback.payment.id}/${callback.operation?.id ?? ""}/${token}`,
      tokenId: TokenId.make(token),
      account: AccountRef.make(String(project)),
      owner: OwnerRef.make(owner),
      type: "card",
      ...(card === undefined ? {} : { card }),
    },
  ])
}

const decodeWith =
  <A, I>(schema: Schema.Schema<A, I>, what: string) =>
  (value: unknown) =>
    Either.mapLeft(Schema.decodeUnknownEither(schema)(value), () => unreadable(`not a ${what} Gate sends`))

/** Verify one callback and read the provider events it reports. Nothing is read from a body that does not verify. */
export const decode = (
  rawBody: string | Uint8Array,
): Effect.Effect<ReadonlyArray<ProviderEvent>, CallbackError, Signing> =>
  Effect.gen(function* () {
    const body = Wire.plain(yield* Signature.verifyCallback(rawBody)) as Record<string, unknown>
    if ("token_status" in body)
      return yield* Either.flatMap(decodeWith(Wire.TokenCallback, "token callback")(body), tokenEvents)
    if ("payment" in body)
      return yield* Either.flatMap(decodeWith(Wire.PaymentCallback, "payment callback")(body), paymentEvents)
    return yield* unreadable("neither a token nor a payment callback")
  })

/** What to answer Gate, and what the callback did (see `ProviderDeliveries`: Gate stops redelivering on 200 only). */
export type CallbackReceipt = ProviderDeliveries.DeliveryReceipt

/** The handler for one Gate project: verify with its secret, apply through the lifecycle in context. */
export const make = Effect.gen(function* () {
  const config = yield* GateConfig
  const lifecycle = yield* TokenLifecycle
  const signing = Signature.make(config.secretKey)
  return (rawBody: string | Uint8Array): Effect.Effect<CallbackReceipt> =>
    ProviderDeliveries.receive(provider, lifecycle, decode(rawBody).pipe(Effect.provideService(Signing, signing)))
})
