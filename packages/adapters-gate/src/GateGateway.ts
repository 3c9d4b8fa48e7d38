/**
 * The `TokenGateway` port over ECommPay Gate. Every request is signed and sent through the shared
 * `ProviderHttp` transport; a 200 only means Gate registered the request, so issuance and
 * revocation answer "accepted" and their outcome arrives by callback (see `GateCallbacks`).
 *
 * Input Gate would refuse is refused here first, with a typed error and no request: a card past
 * its month, a missing IP address or cardholder, a token that is not 64 characters, a payment
 * without an amount.
 */
import type { HttpClient } from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as ProviderHttp from "@token-lifecycle/adapter-kit/ProviderHttp"
import { cardExpiryEnd } from "@token-lifecycle/domain/Card"
import {
  type GatewayError,
  ProviderProtocolError,
  ProviderValidationError,
  Unsupported,
} from "@token-lifecycle/domain/GatewayError"
import { ProviderId, type TokenId } from "@token-lifecycle/domain/Identifiers"
import {
  type IssueRequest,
  TokenGateway,
  type TokenGatewayService,
  type TokenSnapshot,
  type UseRequest,
} from "@token-lifecycle/domain/TokenGateway"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import { GateConfig } from "./GateConfig.js"
import { duplicatePaymentId, provider, refusal } from "./internal/refusal.js"
import * as Wire from "./internal/wire.js"
import * as Signature from "./Signature.js"

/** What Gate offers, as literal types: code that needs `list` does not compile against it. */
export const capabilities = {
  issue: true,
  retrieve: true,
  list: false,
  revoke: true,
  use: true,
  reusable: true,
  asynchronous: true,
} as const

export type GateCapabilities = typeof capabilities

const invalid = (field: string, message: string) =>
  new ProviderValidationError({ provider, message: `${field} ${message}`, fields: [{ field, message }] })

const checkToken = (tokenId: TokenId): Effect.Effect<void, ProviderValidationError> =>
  Wire.tokenPattern.test(tokenId) ? Effect.void : Effect.fail(invalid("token", "must be 64 letters and digits"))

const useOperations = {
  payment: { path: Wire.paths.sale, needsAmount: true },
  payout: { path: Wire.paths.payout, needsAmount: true },
  verification: { path: Wire.paths.verification, needsAmount: false },
} as const

export const make: Effect.Effect<TokenGatewayService<GateCapabilities>, never, GateConfig | HttpClient> = Effect.gen(
  function* () {
    const config = yield* GateConfig
    const http = yield* ProviderHttp.make({
      provider,
      baseUrl: config.baseUrl,
      timeout: config.timeout,
      refusal,
    })
    const signer = Signature.requestSigner(config.secretKey)
    const projectId = config.projectId

    /** Sign `body`, send it to `path`, decode the answer. */
    const send = <A, I>(
      operation: string,
      path: string,
      body: object,
      success: Schema.Schema<A, I>,
      idempotent: boolean,
    ): Effect.Effect<A, GatewayError> =>
      Effect.gen(function* () {
        const request = HttpClientRequest.post(path).pipe(HttpClientRequest.bodyUnsafeJson(signer.signed(body)))
        const { value } = yield* http.call({ operation, request, success, idempotent })
        return value
      })

    const issue = (request: IssueRequest) =>
      Effect.gen(function* () {
        const card = request.card
        if (card === undefined) return yield* invalid("card", "is required: Gate tokenizes a card")
        if (request.type !== "card") return yield* invalid("type", "must be card: Gate tokenizes cards only")
        if (request.account !== String(projectId)) {
          return yield* invalid("account", `must be this adapter's project (${projectId})`)
        }
        const ipAddress = request.customer?.ipAddress
        if (ipAddress === undefined || ipAddress.trim() === "")
          return yield* invalid("customer.ip_address", "is required")
        const holder = card.holderName
        if (holder === undefined) return yield* invalid("card.card_holder", "is required")
        if ((yield* Clock.currentTimeMillis) >= cardExpiryEnd(card.expiry)) {
          return yield* invalid("card.expiry", "has passed")
        }
        // Repeating a tokenization cannot make a second token: Gate keeps one per card per customer.
        const answer = yield* send(
          "tokenize",
          Wire.paths.tokenize,
          {
            customer: { id: request.owner, ip_address: ipAddress, project_id: projectId },
            card: {
              pan: Redacted.value(card.number),
              year: card.expiry.year,
              month: card.expiry.month,
              card_holder: holder,
            },
          },
          Wire.Accepted,
          true,
        )
        return { _tag: "Accepted", requestRef: answer.request_id } as const
      })

    const tokenBody = (tokenId: TokenId, owner: string) => ({
      customer: { project_id: projectId, id: owner },
      token: tokenId,
    })

    const retrieve = (tokenId: TokenId, owner: string) =>
      Effect.gen(function* () {
        yield* checkToken(tokenId)
        const answer = yield* send(
          "card by token",
          Wire.paths.cardByToken,
          tokenBody(tokenId, owner),
          Wire.CardByToken,
          true,
        )
        if (answer.token !== tokenId || (answer.customer !== undefined && answer.customer.id !== owner)) {
          return yield* new ProviderProtocolError({ provider, message: "card by token answered for another token" })
        }
        return snapshotOf(answer)
      })

    const revoke = (tokenId: TokenId, owner: string) =>
      Effect.gen(function* () {
        yield* checkToken(tokenId)
        yield* send("revoke", Wire.paths.revoke, tokenBody(tokenId, owner), Wire.Accepted, false)
      })

    const use = (request: UseRequest) =>
      Effect.gen(function* () {
        if (request.operation === "instrument") {
          return yield* new Unsupported({ provider, operation: "use for an instrument" })
        }
        yield* checkToken(request.tokenId)
        const operation = useOperations[request.operation]
        if (operation.needsAmount && request.amount === undefined)
          return yield* invalid("payment.amount", "is required")
        const ipAddress = request.customer?.ipAddress
        const body = {
          general: { project_id: projectId, payment_id: request.reference },
          customer: { id: request.owner, ...(ipAddress === undefined ? {} : { ip_address: ipAddress }) },
          ...(request.amount === undefined
            ? {}
            : { payment: { amount: request.amount.amount, currency: request.amount.currency } }),
          token: request.tokenId,
        }
        // payment_id is the idempotency key, kept across retries: a retry cannot pay twice, and Gate
        // answering that it knows the payment id means the first attempt was registered.
        const answer = yield* send(request.operation, operation.path, body, Wire.Accepted, true).pipe(
          Effect.map((accepted) => accepted.payment_id),
          Effect.catchIf(
            (error) => error._tag === "ProviderDeclined" && error.code === String(duplicatePaymentId),
            () => Effect.succeed(undefined),
          ),
        )
        return {
          reference: request.reference,
          providerReference: answer ?? request.reference,
          status: "pending",
        } as const
      })

    return {
      provider: ProviderId.make(provider),
      capabilities,
      issue,
      retrieve,
      list: () => Effect.fail(new Unsupported({ provider, operation: "list" })),
      revoke,
      use,
    }
  },
)

const statuses = { active: "active", revoke: "revoked", expiry: "expired" } as const

const snapshotOf = (answer: Wire.CardByToken): TokenSnapshot => {
  const issuedAt = answer.token_created_at === undefined ? undefined : Wire.parseInstant(answer.token_created_at)
  const masked = Wire.maskedCard(answer.card?.number)
  const expiry = Wire.cardExpiry(answer.card?.exp_month, answer.card?.exp_year)
  const card =
    masked === undefined && expiry === undefined
      ? undefined
      : { ...(masked ? { masked } : {}), ...(expiry ? { expiry } : {}) }
  return {
    tokenId: answer.token as TokenId,
    status: statuses[answer.token_status],
    ...(issuedAt === undefined ? {} : { issuedAt }),
    ...(expiry === undefined ? {} : { expiresAt: cardExpiryEnd(expiry) }),
    ...(card === undefined ? {} : { card }),
  }
}

/** The Gate gateway, over the `HttpClient` and `GateConfig` in context. */
export const layer: Layer.Layer<TokenGateway, never, GateConfig | HttpClient> = Layer.effect(TokenGateway, make)
