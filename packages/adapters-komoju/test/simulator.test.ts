/**
 * The KOMOJU calls the conformance suite does not make, against the testkit's KOMOJU simulator:
 * a session paid with a card token and with a konbini token, a card kept as a customer, the
 * refusals of a session payment in both of KOMOJU's forms, and which key each call was sent with.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { parseCard } from "@token-lifecycle/domain/Card"
import { AccountRef, OwnerRef, TokenId, UseReference } from "@token-lifecycle/domain/Identifiers"
import * as KomojuHttpClient from "@token-lifecycle/testkit/simulators/komoju/KomojuHttpClient"
import * as KomojuSimulator from "@token-lifecycle/testkit/simulators/komoju/KomojuSimulator"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as KomojuConfig from "../src/KomojuConfig.js"
import * as KomojuGateway from "../src/KomojuGateway.js"

const merchant = {
  id: "merchant-sessions",
  secretKey: Redacted.make("sk_test_sessions_41c2aa"),
  publishableKey: Redacted.make("pk_test_sessions_93be07"),
  webhookSecret: Redacted.make("sessions-webhook-secret"),
}

const start = Date.UTC(2026, 2, 1, 9)

const services = (options: Partial<KomojuSimulator.KomojuSimulatorOptions> = {}) =>
  KomojuGateway.layer.pipe(
    Layer.provide(KomojuConfig.layer({ secretKey: merchant.secretKey, publishableKey: merchant.publishableKey })),
    Layer.provideMerge(KomojuHttpClient.layer()),
    Layer.provideMerge(KomojuSimulator.layer({ merchants: [merchant], seed: "sessions", ...options })),
  )

let sessions = 0

/** A session made on the server, as the merchant's checkout does before the customer pays (not an adapter call). */
const createSession = (paymentTypes: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(
      HttpClientRequest.post("https://komoju.com/api/v1/sessions").pipe(
        HttpClientRequest.basicAuth(merchant.secretKey, ""),
        HttpClientRequest.setHeader("x-komoju-idempotency", `session-${++sessions}`),
        HttpClientRequest.bodyUnsafeJson({
          amount: 3500,
          currency: "JPY",
          payment_types: paymentTypes,
          payment_data: { external_order_num: "order-4001" },
        }),
      ),
    )
    const session = (yield* response.json) as { readonly id: string }
    return session.id
  }).pipe(Effect.scoped, Effect.orDie)

const cardToken = (number: string) =>
  Effect.gen(function* () {
    const gateway = yield* KomojuGateway.KomojuGateway
    const card = Either.getOrThrow(parseCard({ number, expiry: { month: 12, year: 2030 }, holderName: "TARO YAMADA" }))
    const issued = yield* gateway.issue({
      account: AccountRef.make(merchant.id),
      owner: OwnerRef.make("customer-1"),
      type: "card",
      card,
      idempotencyKey: `token-${number.slice(-4)}`,
    })
    return issued._tag === "Issued" ? issued.tokenId : TokenId.make("none")
  })

describe("KOMOJU sessions, customers and konbini against the simulator", () => {
  it.effect("a card token pays a session once: completed with its payment; the token and the session are spent", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const gateway = yield* KomojuGateway.KomojuGateway
      const komoju = yield* KomojuSimulator.KomojuSimulator
      const sessionId = yield* createSession(["credit_card"])
      const tokenId = yield* cardToken("4111111111111111")
      const receipt = yield* gateway.paySession({ sessionId, tokenId })
      expect(receipt.status).toBe("completed")
      const [payment] = yield* komoju.payments
      expect(receipt.paymentId).toBe(payment?.id)
      expect(payment).toMatchObject({ status: "captured", token: tokenId, session: sessionId, amount: 3500 })
      const again = yield* Effect.flip(gateway.paySession({ sessionId, tokenId: yield* cardToken("5555555555554444") }))
      expect(again).toMatchObject({ _tag: "ProviderValidationError" })
      const reused = yield* Effect.flip(
        gateway.paySession({ sessionId: yield* createSession(["credit_card"]), tokenId }),
      )
      expect(reused).toMatchObject({ _tag: "ProviderValidationError", fields: [{ field: "payment_details" }] })
      const keys = (yield* komoju.requests).map((request) => [request.endpoint, request.keyKind])
      expect(keys).toEqual([
        ["createSession", "secret"],
        ["createToken", "publishable"],
        ["paySession", "secret"],
        ["createToken", "publishable"],
        ["paySession", "secret"],
        ["createSession", "secret"],
        ["paySession", "secret"],
      ])
    }).pipe(Effect.provide(services())),
  )

  it.effect("a konbini token pays a konbini session: pending, with the instructions page to send the customer to", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const gateway = yield* KomojuGateway.KomojuGateway
      const komoju = yield* KomojuSimulator.KomojuSimulator
      const created = yield* gateway.createToken({
        paymentDetails: { type: "konbini", store: "lawson", email: "taro@example.com", name: "Taro Yamada" },
      })
      expect(created).toMatchObject({ type: "other", issuedAt: start })
      const [token] = yield* komoju.tokens
      expect(token).toMatchObject({ id: created.tokenId, type: "konbini", status: "usable" })
      const receipt = yield* gateway.paySession({
        sessionId: yield* createSession(["konbini"]),
        tokenId: created.tokenId,
      })
      expect(receipt.status).toBe("pending")
      expect(receipt.redirectUrl).toMatch(/^https:\/\/komoju\.com\/payments\/.+\/instructions$/)
      expect((yield* komoju.payments)[0]).toMatchObject({ status: "authorized", token: created.tokenId })
    }).pipe(Effect.provide(services())),
  )

  it.effect("a declined card in a session is a decline, whether KOMOJU shows the error as an object or as text", () =>
    Effect.gen(function* () {
      for (const sessionPayErrorForm of ["object", "string"] as const) {
        const refused = yield* Effect.gen(function* () {
          yield* TestClock.setTime(start)
          const gateway = yield* KomojuGateway.KomojuGateway
          const sessionId = yield* createSession(["credit_card"])
          return yield* Effect.flip(gateway.paySession({ sessionId, tokenId: yield* cardToken("4123111111111059") }))
        }).pipe(Effect.provide(services({ sessionPayErrorForm })))
        expect(refused, sessionPayErrorForm).toMatchObject(
          sessionPayErrorForm === "object"
            ? { _tag: "ProviderDeclined", code: "card_declined" }
            : { _tag: "ProviderDeclined", code: "error", message: "Your card has been declined." },
        )
      }
    }),
  )

  it.effect("a card kept as a customer: the customer id is the receipt's reference, and the token is spent", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const gateway = yield* KomojuGateway.KomojuGateway
      const komoju = yield* KomojuSimulator.KomojuSimulator
      const tokenId = yield* cardToken("4111111111111111")
      const use = {
        tokenId,
        owner: OwnerRef.make("customer-1"),
        type: "card" as const,
        operation: "instrument" as const,
        reference: UseReference.make("keep-card-1"),
        customer: { email: "taro@example.com" },
      }
      const receipt = yield* gateway.use(use)
      const [customer] = yield* komoju.customers
      expect(receipt).toEqual({ reference: "keep-card-1", providerReference: customer?.id, status: "succeeded" })
      expect(customer).toMatchObject({ token: tokenId, email: "taro@example.com", idempotencyKey: "keep-card-1" })
      expect(customer?.metadata).toEqual({ token_lifecycle_token: tokenId, token_lifecycle_owner: "customer-1" })
      // The same use again is the same customer, answered by replay; another use of the token is refused.
      expect(yield* gateway.use(use)).toEqual(receipt)
      const spent = yield* Effect.flip(gateway.use({ ...use, reference: UseReference.make("keep-card-2") }))
      expect(spent).toMatchObject({ _tag: "ProviderValidationError", providerCode: "invalid_token" })
      expect((yield* komoju.customers).length).toBe(1)
    }).pipe(Effect.provide(services())),
  )
})
