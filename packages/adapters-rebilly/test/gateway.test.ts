/**
 * The port over Rebilly against a stub transport: what an issuance sends and answers, how
 * Rebilly's view of a token becomes the port's status, and how each use redeems the token.
 */
import { describe, expect, it } from "@effect/vitest"
import { parseCard } from "@token-lifecycle/domain/Card"
import type { GatewayError } from "@token-lifecycle/domain/GatewayError"
import { AccountRef, OwnerRef, TokenId, UseReference } from "@token-lifecycle/domain/Identifiers"
import * as Policy from "@token-lifecycle/domain/Policy"
import type { IssueRequest, UseRequest } from "@token-lifecycle/domain/TokenGateway"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as Wire from "../src/internal/wire.js"
import * as RebillyConfig from "../src/RebillyConfig.js"
import * as RebillyGateway from "../src/RebillyGateway.js"
import { baseUrl, cardToken, config, json, keys, organizationId, type Recorder, recorder } from "./Recording.js"

const card = Either.getOrThrow(
  parseCard({ number: "4111111111111111", cvv: "123", expiry: { month: 12, year: 2030 }, holderName: "Jane Q Roe" }),
)
const createdAt = Date.UTC(2026, 0, 1)

const gateway = (rec: Recorder, ...options: Parameters<typeof config>) =>
  RebillyGateway.make.pipe(Effect.provide(Layer.merge(rec.layer, config(...options))))

const issueRequest = (overrides: Partial<IssueRequest> = {}): IssueRequest => ({
  account: AccountRef.make(organizationId),
  owner: OwnerRef.make("cus-1"),
  type: "card",
  card,
  idempotencyKey: "idem-1",
  ...overrides,
})

const useRequest = (overrides: Partial<UseRequest> = {}): UseRequest => ({
  tokenId: TokenId.make("AYW7VCAFAKFEWK6SZ7Z5"),
  owner: OwnerRef.make("cus-1"),
  type: "card",
  operation: "payment",
  reference: UseReference.make("order-7"),
  amount: { amount: 4990, currency: "EUR" },
  ...overrides,
})

const failure = <A>(effect: Effect.Effect<A, GatewayError>) => Effect.flip(effect)

describe("issue", () => {
  it("declares what Rebilly offers, as its policy says", () => {
    expect(RebillyGateway.capabilities).toMatchObject({
      reusable: Policy.rebilly.maxUses === null,
      revoke: Policy.rebilly.revocable,
      asynchronous: Policy.rebilly.answer === "asynchronous",
    })
    expect(Wire.tokenLifetimeMillis).toBe(Policy.rebilly.timeToLive.card)
  })

  it.effect("sends the card with a billing address from the customer or the cardholder, and answers Issued", () =>
    Effect.gen(function* () {
      const rec = recorder(() => json(201, cardToken()))
      const rebilly = yield* gateway(rec)
      const outcome = yield* rebilly.issue(issueRequest({ customer: { ipAddress: "198.51.100.47", country: "US" } }))
      expect(JSON.parse(rec.requests[0]?.body ?? "")).toEqual({
        method: "payment-card",
        paymentInstrument: { pan: "4111111111111111", cvv: "123", expMonth: 12, expYear: 2030 },
        billingAddress: { firstName: "Jane Q", lastName: "Roe", country: "US" },
        riskMetadata: { ipAddress: "198.51.100.47" },
      })
      expect(outcome).toEqual({
        _tag: "Issued",
        tokenId: "AYW7VCAFAKFEWK6SZ7Z5",
        issuedAt: createdAt,
        card: { masked: card.masked, expiry: { month: 12, year: 2030 } },
      })
      yield* rebilly.issue(
        issueRequest({
          customer: { firstName: "Ana", lastName: "Ruiz", email: "ana@example.com", postalCode: "28001" },
        }),
      )
      expect(JSON.parse(rec.requests[1]?.body ?? "").billingAddress).toEqual({
        firstName: "Ana",
        lastName: "Ruiz",
        postalCode: "28001",
        emails: [{ label: "main", value: "ana@example.com", primary: true }],
      })
    }),
  )

  it.effect("refuses unsent what Rebilly would not tokenize here", () =>
    Effect.gen(function* () {
      const rec = recorder(() => json(201, cardToken()))
      const rebilly = yield* gateway(rec)
      const { card: _, ...cardless } = issueRequest()
      const errors = [
        yield* failure(rebilly.issue(cardless)),
        yield* failure(rebilly.issue(issueRequest({ type: "bank" }))),
        yield* failure(rebilly.issue(issueRequest({ account: AccountRef.make("another-org") }))),
        yield* failure(rebilly.issue(issueRequest({ customer: { postalCode: "10001 / NY" } }))),
      ]
      expect(errors.map((error) => error._tag)).toEqual(Array(4).fill("ProviderValidationError"))
      expect(errors.map((error) => (error._tag === "ProviderValidationError" ? error.fields[0]?.field : ""))).toEqual([
        "card",
        "type",
        "account",
        "billingAddress.postalCode",
      ])
      expect(rec.requests).toHaveLength(0)
    }),
  )

  it.effect("an answer for another card, or a new token already used, is a protocol error", () =>
    Effect.gen(function* () {
      for (const answer of [
        cardToken({ paymentInstrument: { bin: "555555", last4: "4444", expMonth: 12, expYear: 2030 } }),
        cardToken({ isUsed: true }),
      ]) {
        const error = yield* failure((yield* gateway(recorder(() => json(201, answer)))).issue(issueRequest()))
        expect(error._tag).toBe("ProviderProtocolError")
      }
    }),
  )
})

describe("what Rebilly says of a token, as the port's status", () => {
  const retrieveAt = (at: number, fields: Record<string, unknown>) =>
    Effect.gen(function* () {
      yield* TestClock.setTime(at)
      const rebilly = yield* gateway(recorder(() => json(200, cardToken(fields))))
      return yield* rebilly.retrieve(TokenId.make("AYW7VCAFAKFEWK6SZ7Z5"), OwnerRef.make("cus-1"))
    })

  it.effect("fresh: active, issued at createdTime, expiring 30 minutes later, its card masked from bin and last4", () =>
    Effect.gen(function* () {
      const snapshot = yield* retrieveAt(createdAt + 60_000, {})
      expect(snapshot).toEqual({
        tokenId: "AYW7VCAFAKFEWK6SZ7Z5",
        status: "active",
        issuedAt: createdAt,
        expiresAt: createdAt + 30 * 60_000,
        card: { masked: { bin: "411111", last4: "1111", brand: "visa" }, expiry: { month: 12, year: 2030 } },
      })
    }),
  )

  it.effect("isUsed: used, at its usageTime", () =>
    Effect.gen(function* () {
      const snapshot = yield* retrieveAt(createdAt + 120_000, { isUsed: true, usageTime: "2026-01-01T00:01:30Z" })
      expect(snapshot).toMatchObject({ status: "used", usedAt: createdAt + 90_000 })
    }),
  )

  it.effect("expirationTime passed: expired; 30 minutes passed without one: expired too, from that instant", () =>
    Effect.gen(function* () {
      const byWord = yield* retrieveAt(createdAt + 60_000, { expirationTime: "2026-01-01T00:00:59+00:00" })
      expect(byWord.status).toBe("expired")
      expect((yield* retrieveAt(createdAt + 30 * 60_000 - 1, {})).status).toBe("active")
      expect((yield* retrieveAt(createdAt + 30 * 60_000, {})).status).toBe("expired")
    }),
  )

  it.effect("list: every token on the page, with its offset, limit and total", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(createdAt)
      const rec = recorder(() =>
        json(200, [cardToken(), cardToken({ id: "USED000001", isUsed: true })], {
          "pagination-total": "12",
          "pagination-limit": "2",
          "pagination-offset": "4",
        }),
      )
      const page = yield* (yield* gateway(rec)).list({ offset: 4, limit: 2 })
      expect(page).toMatchObject({ offset: 4, limit: 2, total: 12 })
      expect(page.items.map((item) => [item.tokenId, item.status])).toEqual([
        ["AYW7VCAFAKFEWK6SZ7Z5", "active"],
        ["USED000001", "used"],
      ])
    }),
  )
})

describe("use", () => {
  it.effect("a payment is a sale transaction paying with the token, idempotent by the use's reference", () =>
    Effect.gen(function* () {
      const rec = recorder(() => json(201, { id: "txn_1", result: "approved" }))
      const receipt = yield* (yield* gateway(rec)).use(useRequest())
      expect(receipt).toEqual({ reference: "order-7", providerReference: "txn_1", status: "succeeded" })
      expect(rec.requests[0]?.path).toBe("/transactions")
      expect(JSON.parse(rec.requests[0]?.body ?? "")).toEqual({
        type: "sale",
        websiteId: "web-test",
        customerId: "cus-1",
        currency: "EUR",
        amount: 49.9,
        paymentInstruction: { token: "AYW7VCAFAKFEWK6SZ7Z5" },
        requestId: "order-7",
      })
    }),
  )

  it.effect("a verification is a setup transaction; waiting for approval is pending; a decline is declined", () =>
    Effect.gen(function* () {
      let result = "unknown"
      const rec = recorder(() => json(201, { id: "txn_2", result, status: "waiting-approval" }))
      const rebilly = yield* gateway(rec)
      const pending = yield* rebilly.use(useRequest({ operation: "verification" }))
      expect(pending.status).toBe("pending")
      expect(JSON.parse(rec.requests[0]?.body ?? "").type).toBe("setup")
      result = "declined"
      const declined = yield* failure(rebilly.use(useRequest()))
      expect(declined).toMatchObject({ _tag: "ProviderDeclined", code: "declined" })
    }),
  )

  it.effect("an instrument is a payment instrument for the owner, made from the token (201) or updated (303)", () =>
    Effect.gen(function* () {
      let created = true
      const rec = recorder(() =>
        created
          ? json(201, { id: "inst_1", method: "payment-card" })
          : json(303, { id: "inst_1", method: "payment-card" }, { location: `${baseUrl}/payment-instruments/inst_1` }),
      )
      const rebilly = yield* gateway(rec)
      const receipt = yield* rebilly.use(useRequest({ operation: "instrument" }))
      expect(receipt).toEqual({ reference: "order-7", providerReference: "inst_1", status: "succeeded" })
      expect(JSON.parse(rec.requests[0]?.body ?? "")).toEqual({ customerId: "cus-1", token: "AYW7VCAFAKFEWK6SZ7Z5" })
      created = false
      // 303: the owner had this card already; Rebilly updated that instrument and answers with it.
      expect(yield* rebilly.use(useRequest({ operation: "instrument" }))).toEqual({
        reference: "order-7",
        providerReference: "inst_1",
        status: "succeeded",
      })
    }),
  )

  it.effect("no payout, no revocation; a payment without an amount or a website is refused unsent", () =>
    Effect.gen(function* () {
      const rec = recorder(() => json(201, { id: "txn_1", result: "approved" }))
      const rebilly = yield* gateway(rec)
      const { amount: _, ...free } = useRequest()
      expect(yield* failure(rebilly.use(useRequest({ operation: "payout" })))).toMatchObject({
        _tag: "Unsupported",
        operation: "use for a payout",
      })
      expect(yield* failure(rebilly.revoke(TokenId.make("x"), OwnerRef.make("cus-1")))).toMatchObject({
        _tag: "Unsupported",
        operation: "revoke",
      })
      expect((yield* failure(rebilly.use(free)))._tag).toBe("ProviderValidationError")
      const siteless = yield* RebillyGateway.make.pipe(
        Effect.provide(Layer.merge(rec.layer, RebillyConfig.layer({ organizationId, baseUrl, ...keys }))),
      )
      const error = yield* failure(siteless.use(useRequest()))
      expect(error).toMatchObject({ _tag: "ProviderValidationError", fields: [{ field: "websiteId" }] })
      expect(rec.requests).toHaveLength(0)
    }),
  )
})
