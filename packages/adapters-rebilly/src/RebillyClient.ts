/**
 * Rebilly's payment-token API as Rebilly shapes it, beyond what the `TokenGateway` port needs:
 * create a card token with its billing address, risk metadata and lead source; retrieve one;
 * list a page with what the `Pagination-*` headers say, or stream every page; validate an Apple
 * Pay session; and redeem a token into a transaction or a payment instrument. `RebillyGateway`
 * is the port over this client.
 *
 * Every call goes through adapter-kit's `ProviderHttp` (timeout per attempt, answers decoded,
 * refusals typed, retries only where repeating is safe: reads, and transactions, whose
 * `requestId` makes a repeat harmless). Creating a token, validating a wallet session and
 * creating an instrument carry no idempotency key, so they are never repeated. Input Rebilly
 * would refuse is refused before anything is sent, with the field at fault, and so is a call
 * the configured credentials do not allow.
 */
import type { HttpClient } from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as ProviderHttp from "@token-lifecycle/adapter-kit/ProviderHttp"
import type { Card } from "@token-lifecycle/domain/Card"
import { type GatewayError, ProviderProtocolError } from "@token-lifecycle/domain/GatewayError"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Auth from "./internal/auth.js"
import { checked, checkPageBound, checkTokenId, invalid } from "./internal/preflight.js"
import { provider, refusal } from "./internal/refusal.js"
import * as Wire from "./internal/wire.js"
import { RebillyConfig } from "./RebillyConfig.js"

export type {
  CardToken,
  ContactRequest,
  DigitalWalletValidationAnswer,
  LeadSourceRequest,
  PaymentInstrumentAnswer,
  RateLimit,
  RiskMetadataRequest,
  Token,
  TransactionAnswer,
  TransactionResult,
} from "./internal/wire.js"

/** A card to tokenize, with what Rebilly keeps beside it. */
export interface CardTokenInput {
  /** Checked and redacted at intake (`Card.parseCard`); revealed only into the request body. */
  readonly card: Card
  /** A token created without a billing address cannot pay. */
  readonly billingAddress?: Wire.ContactRequest
  readonly riskMetadata?: Wire.RiskMetadataRequest
  readonly leadSource?: Wire.LeadSourceRequest
}

/** A resource Rebilly created (201), with where it lives and the rate-limit budget left. */
export interface Created<A> {
  readonly value: A
  readonly location?: string
  readonly rateLimit: Wire.RateLimit
}

export interface PageRequest {
  /** 0 to 1000. */
  readonly limit: number
  /** 0 to 1000 (the spec caps the offset too). */
  readonly offset: number
}

/** One page of `GET /tokens`, with what the `Pagination-*` headers said (else what was asked). */
export interface TokenPage {
  readonly items: ReadonlyArray<Wire.Token>
  readonly limit: number
  readonly offset: number
  /** `Pagination-Total`, when sent. */
  readonly total?: number
}

export interface TransactionInput {
  /** `sale` pays; `setup` sets the instrument up through the gateway account's setup instruction. */
  readonly type: "sale" | "authorize" | "setup"
  readonly websiteId: string
  readonly customerId: string
  /** In the currency's minor unit, as the port counts money. */
  readonly amount: number
  readonly currency: string
  readonly token: string
  /** Unique within 24 hours: a repeat with the same id is not billed twice. */
  readonly requestId: string
}

export type InstrumentOutcome =
  | { readonly _tag: "Created"; readonly instrument: Wire.PaymentInstrumentAnswer }
  /** 303: the customer already had this instrument, now updated from the token. */
  | { readonly _tag: "Updated"; readonly instrument: Wire.PaymentInstrumentAnswer }

export interface ApplePaySession {
  /** The `validationURL` Apple Pay JS handed to `onvalidatemerchant`. */
  readonly validationUrl: string
  /** The domain the payment sheet runs on, registered with Apple Pay. */
  readonly domainName: string
  readonly displayName: string
}

export interface RebillyClientService {
  readonly createToken: (input: CardTokenInput) => Effect.Effect<Created<Wire.CardToken>, GatewayError>
  readonly getToken: (id: string) => Effect.Effect<Wire.Token, GatewayError>
  readonly listTokens: (page: PageRequest) => Effect.Effect<TokenPage, GatewayError>
  /** Every page from offset 0, `pageSize` tokens each, until a short page or the total. */
  readonly pages: (pageSize: number) => Stream.Stream<TokenPage, GatewayError>
  /** Every token, page after page. */
  readonly tokens: (pageSize: number) => Stream.Stream<Wire.Token, GatewayError>
  readonly validateApplePay: (
    session: ApplePaySession,
  ) => Effect.Effect<Created<Wire.DigitalWalletValidationAnswer>, GatewayError>
  readonly createTransaction: (input: TransactionInput) => Effect.Effect<Wire.TransactionAnswer, GatewayError>
  readonly createPaymentInstrument: (input: {
    readonly customerId: string
    readonly token: string
  }) => Effect.Effect<InstrumentOutcome, GatewayError>
}

export class RebillyClient extends Context.Tag("@token-lifecycle/adapters-rebilly/RebillyClient")<
  RebillyClient,
  RebillyClientService
>() {}

/** What a 404 of each operation did not find. */
const resources: Readonly<Record<Auth.Operation, string>> = {
  createToken: "token",
  listTokens: "tokens",
  getToken: "token",
  validateDigitalWallet: "digital wallet session",
  createTransaction: "transaction",
  createPaymentInstrument: "payment instrument",
}

const createdFrom = <A>(success: ProviderHttp.Success<A>): Created<A> => {
  const location = success.answer.headers.location
  return {
    value: success.value,
    rateLimit: Wire.rateLimit(success.answer.headers),
    ...(location === undefined ? {} : { location }),
  }
}

export const make: Effect.Effect<RebillyClientService, never, RebillyConfig | HttpClient> = Effect.gen(function* () {
  const config = yield* RebillyConfig
  const signers = Auth.authorizations(config, config.baseUrl)
  const transports = yield* Effect.all(
    Object.fromEntries(
      Object.entries(resources).map(([operation, resource]) => [
        operation,
        ProviderHttp.make({
          provider,
          baseUrl: config.baseUrl,
          timeout: config.timeout,
          secretHeaders: Auth.secretHeaders,
          refusal: refusal(resource),
        }),
      ]),
    ) as Record<Auth.Operation, Effect.Effect<ProviderHttp.ProviderHttpService, never, HttpClient>>,
  )

  /** Sign the request with the operation's credential (or refuse it unsent), send it, decode the answer. */
  const send = <A, I>(
    operation: Auth.Operation,
    request: HttpClientRequest.HttpClientRequest,
    success: Schema.Schema<A, I>,
    idempotent: boolean,
    alsoSuccess?: ReadonlyArray<number>,
  ): Effect.Effect<ProviderHttp.Success<A>, GatewayError> =>
    Effect.flatMap(signers[operation], (sign) =>
      transports[operation].call({
        operation: Auth.operations[operation].label,
        request: sign(request),
        success,
        idempotent,
        ...(alsoSuccess === undefined ? {} : { alsoSuccess }),
      }),
    )

  const post = <S extends Schema.Schema.AnyNoContext>(path: string, schema: S, body: Schema.Schema.Type<S>) =>
    Effect.map(checked(schema, body), (valid) =>
      HttpClientRequest.post(path).pipe(HttpClientRequest.bodyUnsafeJson(valid)),
    )

  const createToken = (input: CardTokenInput) =>
    Effect.gen(function* () {
      const { card } = input
      const request = yield* post(Wire.paths.tokens, Wire.CardTokenRequest, {
        method: "payment-card",
        paymentInstrument: {
          pan: Redacted.value(card.number),
          ...(card.cvv === undefined ? {} : { cvv: Redacted.value(card.cvv) }),
          expMonth: card.expiry.month,
          expYear: card.expiry.year,
        },
        ...(input.billingAddress === undefined ? {} : { billingAddress: input.billingAddress }),
        ...(input.riskMetadata === undefined ? {} : { riskMetadata: input.riskMetadata }),
        ...(input.leadSource === undefined ? {} : { leadSource: input.leadSource }),
      })
      // No idempotency key exists for tokens: a repeat could mint a second one, so none is made.
      return createdFrom(yield* send("createToken", request, Wire.CardTokenAnswer, false))
    })

  const getToken = (id: string) =>
    Effect.gen(function* () {
      yield* checkTokenId(id)
      const { value } = yield* send("getToken", HttpClientRequest.get(Wire.paths.token(id)), Wire.TokenAnswer, true)
      if (value.id !== id) {
        return yield* new ProviderProtocolError({ provider, message: "retrieve token: answered for another token" })
      }
      return value
    })

  const listTokens = (page: PageRequest) =>
    Effect.gen(function* () {
      yield* checkPageBound("limit", page.limit)
      yield* checkPageBound("offset", page.offset)
      const request = HttpClientRequest.get(Wire.paths.tokens).pipe(
        HttpClientRequest.setUrlParams({ limit: String(page.limit), offset: String(page.offset) }),
      )
      const { value, answer } = yield* send("listTokens", request, Wire.TokenListAnswer, true)
      const read = Wire.pagination(answer.headers)
      if (read._tag === "Invalid") {
        return yield* new ProviderProtocolError({
          provider,
          status: answer.status,
          message: `list tokens: ${read.header} is not a whole number`,
        })
      }
      return {
        items: value,
        limit: read.limit ?? page.limit,
        offset: read.offset ?? page.offset,
        ...(read.total === undefined ? {} : { total: read.total }),
      } satisfies TokenPage
    })

  const pages = (pageSize: number): Stream.Stream<TokenPage, GatewayError> =>
    Stream.unwrap(
      Effect.as(
        pageSize > 0 ? checkPageBound("limit", pageSize) : Effect.fail(invalid("limit", "must be at least 1 to page")),
        Stream.paginateEffect(0, (offset) =>
          Effect.map(listTokens({ limit: pageSize, offset }), (page) => {
            const next = offset + pageSize
            const done = page.items.length < pageSize || (page.total !== undefined && next >= page.total)
            return [page, done ? Option.none() : Option.some(next)] as const
          }),
        ),
      ),
    )

  const tokens = (pageSize: number) => Stream.mapConcatChunk(pages(pageSize), (page) => Chunk.fromIterable(page.items))

  const validateApplePay = (session: ApplePaySession) =>
    Effect.gen(function* () {
      const request = yield* post(Wire.paths.digitalWalletValidation, Wire.DigitalWalletValidationRequest, {
        type: "Apple Pay",
        validationRequest: session,
      })
      return createdFrom(yield* send("validateDigitalWallet", request, Wire.DigitalWalletValidationAnswer, false))
    })

  const createTransaction = (input: TransactionInput) =>
    Effect.gen(function* () {
      if (!Number.isSafeInteger(input.amount) || input.amount <= 0) {
        return yield* invalid("amount", "must be a positive whole number of the currency's minor unit")
      }
      const amount = Wire.majorUnits(input.amount, input.currency)
      if (amount === undefined) return yield* invalid("currency", "must be an ISO 4217 code such as USD")
      const request = yield* post(Wire.paths.transactions, Wire.TransactionRequest, {
        type: input.type,
        websiteId: input.websiteId,
        customerId: input.customerId,
        currency: input.currency,
        amount,
        paymentInstruction: { token: input.token },
        requestId: input.requestId,
      })
      const { value } = yield* send("createTransaction", request, Wire.TransactionAnswer, true)
      return value
    })

  const createPaymentInstrument = (input: { readonly customerId: string; readonly token: string }) =>
    Effect.gen(function* () {
      const request = yield* post(Wire.paths.paymentInstruments, Wire.PaymentInstrumentRequest, input)
      // 303 "payment instrument updated" answers with the instrument, as 201 does.
      const { value, answer } = yield* send(
        "createPaymentInstrument",
        request,
        Wire.PaymentInstrumentAnswer,
        false,
        [303],
      )
      return { _tag: answer.status === 303 ? "Updated" : "Created", instrument: value } satisfies InstrumentOutcome
    })

  return {
    createToken,
    getToken,
    listTokens,
    pages,
    tokens,
    validateApplePay,
    createTransaction,
    createPaymentInstrument,
  } satisfies RebillyClientService
})

/** The client, over the `HttpClient` and `RebillyConfig` in context. */
export const layer: Layer.Layer<RebillyClient, never, RebillyConfig | HttpClient> = Layer.effect(RebillyClient, make)
