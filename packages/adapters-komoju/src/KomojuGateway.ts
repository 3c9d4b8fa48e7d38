/**
 * The `TokenGateway` port over KOMOJU, and the KOMOJU calls the port has no words for.
 *
 * A KOMOJU token is made once (`POST /tokens`), spent once, and gone: there is nothing to read
 * back, list or revoke. Spending it is a payment (`POST /payments`, the port's `payment`), a
 * long-term customer (`POST /customers`, the port's `instrument`: the customer id comes back as
 * the receipt's `providerReference`, a reusable instrument of its own), or a session's payment
 * (`POST /sessions/{id}/pay`, `KomojuGateway.paySession`, as the session names what is paid).
 * Non-card methods such as konbini are tokenized with `KomojuGateway.createToken`, as the port's
 * issue request carries no konbini store.
 *
 * Every request goes out through `internal/transport.ts`: adapter-kit's `ProviderHttp` with the
 * `Authorization` that call takes, `X-KOMOJU-API-VERSION` and, as every call here is a POST, an
 * `X-KOMOJU-IDEMPOTENCY` key. The key is part of the request built once per call, so every
 * retry carries it unchanged and KOMOJU answers a repeat with the first answer instead of acting
 * twice; that is what makes every call safe to retry, a 409 (the same key still in flight)
 * included, which is retried after a pause like any transient failure.
 *
 * Input KOMOJU would refuse is refused here first, with a typed error and no request.
 */

import { randomUUID } from "node:crypto"
import type { HttpClient } from "@effect/platform/HttpClient"
import { cardExpiryEnd } from "@token-lifecycle/domain/Card"
import { type GatewayError, Unsupported } from "@token-lifecycle/domain/GatewayError"
import { type EpochMillis, ProviderId, TokenId, type TokenType } from "@token-lifecycle/domain/Identifiers"
import {
  type IssueOutcome,
  type IssueRequest,
  TokenGateway,
  type TokenGatewayService,
  type UseReceipt,
  type UseRequest,
} from "@token-lifecycle/domain/TokenGateway"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Checks from "./internal/checks.js"
import { pay } from "./internal/payment.js"
import { provider, sessionPayRefusal } from "./internal/refusal.js"
import * as Transport from "./internal/transport.js"
import * as Wire from "./internal/wire.js"
import type { KomojuConfig } from "./KomojuConfig.js"

/** What KOMOJU offers, as literal types: code that needs `revoke` does not compile against it. */
export const capabilities = {
  issue: true,
  retrieve: false,
  list: false,
  revoke: false,
  use: true,
  reusable: false,
  asynchronous: false,
} as const

export type KomojuCapabilities = typeof capabilities

export type KonbiniStore = Wire.KonbiniStore
export const konbiniStores = Wire.konbiniStores

/** A konbini customer's details: the store they will pay at and the email the instructions go to. */
export type KonbiniDetails = Wire.KonbiniDetails

/** The non-card methods this adapter tokenizes. */
export type PaymentMethodDetails = KonbiniDetails

export interface CreateTokenRequest {
  readonly paymentDetails: PaymentMethodDetails
  /** Pins the currency of the payment the token will make. */
  readonly currency?: string
  /** Generated when absent; give one to make the call safe to repeat after a crash. */
  readonly idempotencyKey?: string
}

export interface CreatedToken {
  readonly tokenId: TokenId
  readonly type: TokenType
  /** KOMOJU's creation time: the token lapses 24 hours after it unless spent. */
  readonly issuedAt: EpochMillis
}

export interface PaySessionRequest {
  /** The session created on the server (`POST /sessions`), which says what is paid. */
  readonly sessionId: string
  readonly tokenId: TokenId
  /** `auto` (KOMOJU's default) captures at once, `manual` only authorizes. */
  readonly capture?: "auto" | "manual"
  /** Generated when absent; give one to make the call safe to repeat after a crash. */
  readonly idempotencyKey?: string
}

export interface SessionReceipt {
  /** `completed` only when KOMOJU says so; anything short of it is `pending`. */
  readonly status: "completed" | "pending"
  /** Where to send the customer next (3-D Secure, a konbini slip), when KOMOJU gives a page. */
  readonly redirectUrl?: string
  readonly paymentId?: string
}

/** The port, plus the KOMOJU calls it has no words for. */
export interface KomojuGatewayService extends TokenGatewayService<KomojuCapabilities> {
  /** `POST /tokens` for a non-card method (konbini). Register the token with the lifecycle to use it. */
  readonly createToken: (request: CreateTokenRequest) => Effect.Effect<CreatedToken, GatewayError>
  /** `POST /sessions/{id}/pay` with a token. Claim the token's use in the lifecycle first. */
  readonly paySession: (request: PaySessionRequest) => Effect.Effect<SessionReceipt, GatewayError>
}

export class KomojuGateway extends Context.Tag("@token-lifecycle/adapters-komoju/KomojuGateway")<
  KomojuGateway,
  KomojuGatewayService
>() {}

const { check, invalid } = Checks

const generatedKey = Effect.sync(() => randomUUID())

export const make: Effect.Effect<KomojuGatewayService, never, KomojuConfig | HttpClient> = Effect.gen(function* () {
  const transport = yield* Transport.make
  const keys = transport.keys

  const createTokenWith = (
    details: Wire.CardDetails | Wire.KonbiniDetails,
    currency: string | undefined,
    key: string,
  ) =>
    Effect.gen(function* () {
      if (currency !== undefined) yield* Checks.currency(currency)
      const token = yield* transport.post({
        operation: "create token",
        path: Wire.paths.tokens,
        authorization: keys.tokens,
        idempotencyKey: key,
        body: currency === undefined ? { payment_details: details } : { payment_details: details, currency },
        success: Wire.Token,
      })
      return { token, issuedAt: yield* Checks.createdAt("create token", token.created_at) }
    })

  const issue = (request: IssueRequest): Effect.Effect<IssueOutcome, GatewayError> =>
    Effect.gen(function* () {
      if (request.type !== "card") {
        return yield* invalid("type", "must be card: other methods are tokenized with KomojuGateway.createToken")
      }
      const card = request.card
      if (card === undefined) return yield* invalid("payment_details", "needs the card to tokenize")
      yield* Checks.idempotencyKey(request.idempotencyKey, "idempotencyKey")
      const now = yield* Clock.currentTimeMillis
      yield* check(now < cardExpiryEnd(card.expiry), "payment_details.year", "the card's expiry month has passed")
      const customer = request.customer
      const holder =
        card.holderName !== undefined
          ? { name: card.holderName }
          : customer?.firstName !== undefined && customer.lastName !== undefined
            ? { given_name: customer.firstName, family_name: customer.lastName }
            : undefined
      if (holder === undefined) {
        return yield* invalid("payment_details.name", "is required: the cardholder's name, or the customer's two names")
      }
      const details: Wire.CardDetails = {
        type: "credit_card",
        number: Redacted.value(card.number),
        month: card.expiry.month,
        year: card.expiry.year,
        ...(card.cvv === undefined ? {} : { verification_value: Redacted.value(card.cvv) }),
        ...holder,
        ...(customer?.email === undefined ? {} : { email: customer.email }),
      }
      const { token, issuedAt } = yield* createTokenWith(details, undefined, request.idempotencyKey)
      return { _tag: "Issued", tokenId: TokenId.make(token.id), issuedAt } as const
    })

  const createToken = (request: CreateTokenRequest): Effect.Effect<CreatedToken, GatewayError> =>
    Effect.gen(function* () {
      const details = request.paymentDetails
      yield* check(
        (Wire.konbiniStores as ReadonlyArray<string>).includes(details.store),
        "payment_details.store",
        `must be one of ${Wire.konbiniStores.join(", ")}`,
      )
      yield* check(details.email.includes("@"), "payment_details.email", "must be an email address")
      const key = request.idempotencyKey ?? (yield* generatedKey)
      yield* Checks.idempotencyKey(key, "idempotencyKey")
      const { token, issuedAt } = yield* createTokenWith(
        {
          type: "konbini",
          store: details.store,
          email: details.email,
          ...(details.name === undefined ? {} : { name: details.name }),
          ...(details.phone === undefined ? {} : { phone: details.phone }),
        },
        request.currency,
        key,
      )
      return { tokenId: TokenId.make(token.id), type: Wire.tokenTypeOf(details.type), issuedAt }
    })

  /** Who spent the token, in the payment's metadata: how a webhook names the token (see `KomojuWebhooks`). */
  const spentBy = (request: UseRequest) => ({
    [Wire.useMetadata.tokenId]: request.tokenId,
    [Wire.useMetadata.owner]: request.owner,
  })

  const keep = (request: UseRequest) =>
    Effect.gen(function* () {
      if (request.amount !== undefined) yield* Checks.currency(request.amount.currency)
      const email = request.customer?.email
      const body: Wire.CustomerRequest = {
        payment_details: request.tokenId,
        ...(request.amount === undefined ? {} : { currency: request.amount.currency }),
        ...(email === undefined ? {} : { email }),
        metadata: spentBy(request),
      }
      const customer = yield* transport.post({
        operation: "create customer",
        path: Wire.paths.customers,
        authorization: keys.secret,
        idempotencyKey: request.reference,
        body,
        success: Wire.Customer,
      })
      return { reference: request.reference, providerReference: customer.id, status: "succeeded" } satisfies UseReceipt
    })

  const use = (request: UseRequest): Effect.Effect<UseReceipt, GatewayError> =>
    Effect.gen(function* () {
      if (request.operation === "payout" || request.operation === "verification") {
        return yield* new Unsupported({ provider, operation: `use for a ${request.operation}` })
      }
      yield* Checks.tokenId(request.tokenId)
      // The reference is the idempotency key: one reference, one payment, however often it is sent.
      yield* Checks.idempotencyKey(request.reference, "reference")
      return yield* request.operation === "payment"
        ? pay(transport, request, { payment_details: request.tokenId }, spentBy(request))
        : keep(request)
    })

  const paySession = (request: PaySessionRequest): Effect.Effect<SessionReceipt, GatewayError> =>
    Effect.gen(function* () {
      yield* Checks.pathId(request.sessionId, "session", "session")
      yield* Checks.tokenId(request.tokenId)
      const key = request.idempotencyKey ?? (yield* generatedKey)
      yield* Checks.idempotencyKey(key, "idempotencyKey")
      const body: Wire.SessionPayRequest = {
        payment_details: request.tokenId,
        ...(request.capture === undefined ? {} : { capture: request.capture }),
      }
      const answer = yield* transport.post({
        operation: "pay session",
        path: Wire.paths.sessionPay(request.sessionId),
        authorization: keys.secret,
        idempotencyKey: key,
        body,
        success: Wire.SessionPayAnswer,
      })
      if (answer.status === "error") return yield* sessionPayRefusal(answer.error)
      const redirectUrl = answer.redirect_url ?? undefined
      const paymentId = answer.payment?.id
      return {
        status: answer.status === "completed" ? "completed" : "pending",
        ...(redirectUrl === undefined || redirectUrl === "" ? {} : { redirectUrl }),
        ...(paymentId === undefined ? {} : { paymentId }),
      } satisfies SessionReceipt
    })

  return {
    provider: ProviderId.make(provider),
    capabilities,
    issue,
    retrieve: () => Effect.fail(new Unsupported({ provider, operation: "retrieve" })),
    list: () => Effect.fail(new Unsupported({ provider, operation: "list" })),
    revoke: () => Effect.fail(new Unsupported({ provider, operation: "revoke" })),
    use,
    createToken,
    paySession,
  }
})

/** The KOMOJU gateway as the port and with its own calls, over the `HttpClient` and `KomojuConfig` in context. */
export const layer: Layer.Layer<TokenGateway | KomojuGateway, never, KomojuConfig | HttpClient> = Layer.effectContext(
  Effect.map(make, (service) => Context.make(KomojuGateway, service).pipe(Context.add(TokenGateway, service))),
)
