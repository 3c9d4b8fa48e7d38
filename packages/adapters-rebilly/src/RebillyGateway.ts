/**
 * The `TokenGateway` port over Rebilly, through `RebillyClient`. A token is a single-use card
 * token answered at once (`POST /tokens`); it lives 30 minutes from its `createdTime` or until
 * its first use, and nothing revokes it. Its state comes from what Rebilly says of it: `isUsed`
 * and `usageTime` for a use, `expirationTime` (or the 30 minutes, which Rebilly does not state up
 * front) for an expiry. A use redeems the token through its `token` field: a payment is a `sale`
 * transaction, a verification a `setup` transaction (both idempotent by the use's reference as
 * `requestId`), an instrument a payment instrument for the owner as customer.
 *
 * Input Rebilly would refuse is refused here first, with a typed error and no request: a missing
 * card, another organization, a billing address beyond the spec's limits, a payment without an
 * amount or website, a reference Rebilly would not take as a request id, a page beyond 0–1000.
 */
import type { HttpClient } from "@effect/platform/HttpClient"
import { brandOf, type Card, type CardExpiry, type MaskedCard } from "@token-lifecycle/domain/Card"
import {
  type GatewayError,
  ProviderDeclined,
  ProviderProtocolError,
  Unsupported,
} from "@token-lifecycle/domain/GatewayError"
import { type EpochMillis, ProviderId, type TokenId } from "@token-lifecycle/domain/Identifiers"
import {
  type CustomerDetails,
  type IssueOutcome,
  type IssueRequest,
  type Page,
  type PageRequest,
  TokenGateway,
  type TokenGatewayService,
  type TokenSnapshot,
  type UseReceipt,
  type UseRequest,
} from "@token-lifecycle/domain/TokenGateway"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { checkTokenId, invalid } from "./internal/preflight.js"
import { provider } from "./internal/refusal.js"
import * as Wire from "./internal/wire.js"
import { make as makeClient, type RebillyClientService } from "./RebillyClient.js"
import { RebillyConfig } from "./RebillyConfig.js"

/** What Rebilly offers, as literal types: code that needs `revoke` does not compile against it. */
export const capabilities = {
  issue: true,
  retrieve: true,
  list: true,
  revoke: false,
  use: true,
  reusable: false,
  asynchronous: false,
} as const

export type RebillyCapabilities = typeof capabilities

/** A cardholder's name as first and last names, when the customer details give none. */
const namesOf = (holderName: string | undefined): { readonly firstName?: string; readonly lastName?: string } => {
  const parts = holderName?.trim().split(/\s+/) ?? []
  const lastName = parts.at(-1)
  if (lastName === undefined || parts.length < 2) return lastName === undefined ? {} : { lastName }
  return { firstName: parts.slice(0, -1).join(" "), lastName }
}

/** The billing address Rebilly keeps with the token: what the customer details and the card say. */
const billingAddressOf = (customer: CustomerDetails | undefined, card: Card): Wire.ContactRequest | undefined => {
  const names =
    customer?.firstName === undefined && customer?.lastName === undefined
      ? namesOf(card.holderName)
      : {
          ...(customer.firstName === undefined ? {} : { firstName: customer.firstName }),
          ...(customer.lastName === undefined ? {} : { lastName: customer.lastName }),
        }
  const address: Wire.ContactRequest = {
    ...names,
    ...(customer?.country === undefined ? {} : { country: customer.country }),
    ...(customer?.postalCode === undefined ? {} : { postalCode: customer.postalCode }),
    ...(customer?.email === undefined ? {} : { emails: [{ label: "main", value: customer.email, primary: true }] }),
  }
  return Object.keys(address).length === 0 ? undefined : address
}

const expiryOf = (month: number, year: number): CardExpiry | undefined => {
  const fullYear = year < 100 ? 2000 + year : year
  return Number.isInteger(month) && month >= 1 && month <= 12 && fullYear >= 2000 && fullYear <= 2099
    ? { month, year: fullYear }
    : undefined
}

/** What Rebilly's view of a token says, at `now`: used, expired (by its word or by the clock), or active. */
const snapshotOf = (token: Wire.Token, now: EpochMillis): TokenSnapshot => {
  const issuedAt = Wire.instantMillis(token.createdTime)
  const expiresAt = issuedAt + Wire.tokenLifetimeMillis
  const usedAt = token.usageTime == null ? undefined : Wire.instantMillis(token.usageTime)
  const expiredAt = token.expirationTime == null ? undefined : Wire.instantMillis(token.expirationTime)
  const status = token.isUsed
    ? "used"
    : (expiredAt !== undefined && expiredAt <= now) || now >= expiresAt
      ? "expired"
      : "active"
  const instrument = "paymentInstrument" in token ? token.paymentInstrument : undefined
  const expiry = instrument === undefined ? undefined : expiryOf(instrument.expMonth, instrument.expYear)
  const masked = instrument === undefined ? undefined : maskedOf(instrument.bin, instrument.last4)
  return {
    tokenId: token.id as TokenId,
    status,
    issuedAt,
    expiresAt,
    ...(usedAt === undefined ? {} : { usedAt }),
    ...(masked === undefined && expiry === undefined
      ? {}
      : { card: { ...(masked === undefined ? {} : { masked }), ...(expiry === undefined ? {} : { expiry }) } }),
  }
}

/** The masked card from the first six and last four digits Rebilly shows (not the number's length). */
const maskedOf = (bin: string | null | undefined, last4: string | null | undefined): MaskedCard | undefined =>
  bin != null && last4 != null && /^[0-9]{6}/.test(bin) && /^[0-9]{4}$/.test(last4)
    ? { bin: bin.slice(0, 6), last4, brand: brandOf(bin) }
    : undefined

/** The synchronous answer to an issuance, checked to be a fresh token for the card sent. */
const issuedFrom = (token: Wire.CardToken, card: Card): Effect.Effect<IssueOutcome, ProviderProtocolError> => {
  const { bin, last4 } = token.paymentInstrument
  const otherCard =
    (bin != null && bin.slice(0, 6) !== card.masked.bin) || (last4 != null && last4 !== card.masked.last4)
  if (otherCard)
    return Effect.fail(new ProviderProtocolError({ provider, message: "create token: answered for another card" }))
  if (token.isUsed)
    return Effect.fail(new ProviderProtocolError({ provider, message: "create token: a new token answered as used" }))
  const expiry = expiryOf(token.paymentInstrument.expMonth, token.paymentInstrument.expYear)
  return Effect.succeed({
    _tag: "Issued",
    tokenId: token.id as TokenId,
    issuedAt: Wire.instantMillis(token.createdTime),
    // Rebilly confirmed the first six and last four digits of the card sent: its masked form holds.
    card: { masked: card.masked, ...(expiry === undefined ? {} : { expiry }) },
  })
}

const transactionTypes = { payment: "sale", verification: "setup" } as const

/** The gateway over a Rebilly client and the organization it is configured for. */
const over = (
  client: RebillyClientService,
  config: { readonly organizationId: string; readonly websiteId?: string },
): TokenGatewayService<RebillyCapabilities> => {
  const issue = (request: IssueRequest) =>
    Effect.gen(function* () {
      const card = request.card
      if (card === undefined) return yield* invalid("card", "is required: Rebilly tokenizes a card")
      if (request.type !== "card") return yield* invalid("type", "must be card: this adapter issues card tokens")
      if (request.account !== config.organizationId) {
        return yield* invalid("account", `must be this adapter's organization (${config.organizationId})`)
      }
      const billingAddress = billingAddressOf(request.customer, card)
      const ipAddress = request.customer?.ipAddress
      const created = yield* client.createToken({
        card,
        ...(billingAddress === undefined ? {} : { billingAddress }),
        ...(ipAddress === undefined ? {} : { riskMetadata: { ipAddress } }),
      })
      return yield* issuedFrom(created.value, card)
    })

  const retrieve = (tokenId: TokenId) => Effect.zipWith(client.getToken(tokenId), Clock.currentTimeMillis, snapshotOf)

  const list = (page: PageRequest) =>
    Effect.gen(function* () {
      const read = yield* client.listTokens(page)
      const now = yield* Clock.currentTimeMillis
      return {
        items: read.items.map((token) => snapshotOf(token, now)),
        offset: read.offset,
        limit: read.limit,
        ...(read.total === undefined ? {} : { total: read.total }),
      } satisfies Page<TokenSnapshot>
    })

  const use = (request: UseRequest): Effect.Effect<UseReceipt, GatewayError> =>
    Effect.gen(function* () {
      yield* checkTokenId(request.tokenId)
      if (request.operation === "payout") {
        return yield* new Unsupported({ provider, operation: "use for a payout" })
      }
      if (request.operation === "instrument") {
        const outcome = yield* client.createPaymentInstrument({ customerId: request.owner, token: request.tokenId })
        return { reference: request.reference, status: "succeeded", providerReference: outcome.instrument.id } as const
      }
      const amount = request.amount
      if (amount === undefined) return yield* invalid("amount", "is required")
      if (config.websiteId === undefined) {
        return yield* invalid("websiteId", "is not configured: a transaction names the website it is made for")
      }
      const transaction = yield* client.createTransaction({
        type: transactionTypes[request.operation],
        websiteId: config.websiteId,
        customerId: request.owner,
        amount: amount.amount,
        currency: amount.currency,
        token: request.tokenId,
        requestId: request.reference,
      })
      switch (transaction.result) {
        case "approved":
          return { reference: request.reference, providerReference: transaction.id, status: "succeeded" } as const
        case "unknown":
          // Waiting for the customer (3-D Secure, an offsite approval) or the gateway: the outcome comes later.
          return { reference: request.reference, providerReference: transaction.id, status: "pending" } as const
        default:
          return yield* new ProviderDeclined({
            provider,
            code: transaction.result,
            message: `transaction ${transaction.id} ${transaction.result}`,
          })
      }
    })

  return {
    provider: ProviderId.make(provider),
    capabilities,
    issue,
    retrieve,
    list,
    revoke: () => Effect.fail(new Unsupported({ provider, operation: "revoke" })),
    use,
  }
}

export const make: Effect.Effect<
  TokenGatewayService<RebillyCapabilities>,
  never,
  RebillyConfig | HttpClient
> = Effect.gen(function* () {
  return over(yield* makeClient, yield* RebillyConfig)
})

/** The Rebilly gateway, over the `HttpClient` and `RebillyConfig` in context. */
export const layer: Layer.Layer<TokenGateway, never, RebillyConfig | HttpClient> = Layer.effect(TokenGateway, make)
