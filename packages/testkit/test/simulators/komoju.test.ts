/**
 * The KOMOJU simulator in process, driven with plain HTTP requests (never the adapter): keys,
 * tokens (single use, 24 h), payments, customers, sessions, idempotency keys, test cards,
 * webhooks and their delivery, injected faults, the request budget, and that no card number or
 * security code leaves it.
 */
import { createHmac } from "node:crypto"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as KomojuHttpClient from "../../src/simulators/komoju/KomojuHttpClient.js"
import { defaultBaseUrl, KomojuSimulator } from "../../src/simulators/komoju/KomojuSimulator.js"
import * as KomojuWebhooks from "../../src/simulators/komoju/KomojuWebhooks.js"
import * as Faults from "../../src/simulators/shared/Faults.js"
import type { Delivery } from "../../src/simulators/shared/Outbox.js"
import { droppedConnection, jsonOf } from "./Answers.js"

const merchant = {
  id: "merchant-1",
  secretKey: "sk_sim_secret_one",
  publishableKey: "pk_sim_publishable_one",
  webhookSecret: "whsec-simulated-one",
}
const otherMerchant = {
  id: "merchant-2",
  secretKey: "sk_sim_secret_two",
  publishableKey: "pk_sim_publishable_two",
  webhookSecret: "whsec-simulated-two",
}

/** A card number no test card uses, with distinctive digits so a leak cannot hide. */
const pan = "4539578123456789"
const cvv = "918"
const cards = {
  visa: "4111111111111111",
  declined: "4123111111111059",
  insufficient: "4123111111111000",
  fraudulent: "4123111111111083",
}

/** Replaces the card numbers and security code, so a failing assertion never prints one. */
const scrub = (text: string): string =>
  [pan, ...Object.values(cards)].reduce((t, n) => t.replaceAll(n, "<card number>"), text).replaceAll(cvv, "<cvv>")

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  readonly json: Record<string, unknown>
}

interface Send {
  readonly method?: "GET" | "POST" | "DELETE"
  readonly key?: string | null
  readonly idempotency?: string
  readonly headers?: Record<string, string>
  readonly raw?: string
}

const send = (path: string, body?: unknown, options: Send = {}) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const key = options.key === undefined ? merchant.secretKey : options.key
    const method = options.method ?? (body === undefined && options.raw === undefined ? "GET" : "POST")
    let request = HttpClientRequest.make(method)(`${defaultBaseUrl}/api/v1${path}`).pipe(
      HttpClientRequest.setHeaders({
        "x-komoju-api-version": "2025-01-28",
        ...(key === null ? {} : { authorization: basic(key) }),
        ...(options.idempotency === undefined ? {} : { "x-komoju-idempotency": options.idempotency }),
        ...options.headers,
      }),
    )
    if (options.raw !== undefined) request = HttpClientRequest.bodyText(request, options.raw, "application/json")
    else if (body !== undefined) request = HttpClientRequest.bodyUnsafeJson(request, body)
    const response = yield* client.execute(request)
    const text = scrub(yield* response.text)
    // Left empty when not JSON: the malformed-body tests look at the text.
    const json = (jsonOf(text) ?? {}) as Record<string, unknown>
    return { status: response.status, headers: response.headers, text, json } satisfies Answer
  }).pipe(Effect.scoped)

const cardDetails = (number = pan, extra: Record<string, unknown> = {}) => ({
  type: "credit_card",
  number,
  month: 12,
  year: 2031,
  verification_value: cvv,
  name: "HANAKO YAMADA",
  ...extra,
})

const konbiniDetails = { type: "konbini", store: "lawson", email: "hanako@example.com" }

/** Creates a token with the publishable key and returns its id. */
const tokenize = (details: unknown = cardDetails(), key = merchant.publishableKey) =>
  Effect.gen(function* () {
    const answer = yield* send("/tokens", { payment_details: details }, { key })
    expect(answer.status, answer.text).toBe(200)
    return answer.json.id as string
  })

const paymentBody = (token: string, extra: Record<string, unknown> = {}) => ({
  amount: 1200,
  currency: "JPY",
  payment_details: token,
  external_order_num: "order-1",
  metadata: { token_lifecycle_token: "tl-token-1", token_lifecycle_owner: "owner-1" },
  ...extra,
})

const simulator = KomojuHttpClient.layerWithSimulator({ merchants: [merchant, otherMerchant], seed: "komoju-tests" })

const sim = KomojuSimulator

describe("KOMOJU simulator: keys", () => {
  it.effect("refuses a missing or unknown key with 401 unauthorized in KOMOJU's error body", () =>
    Effect.gen(function* () {
      const missing = yield* send("/tokens", { payment_details: cardDetails() }, { key: null })
      expect(missing.status).toBe(401)
      expect(missing.json).toEqual({
        error: { code: "unauthorized", message: expect.any(String), param: null, details: {} },
      })
      const unknown = yield* send("/tokens", { payment_details: cardDetails() }, { key: "sk_nobody" })
      expect([unknown.status, (unknown.json.error as { code: string }).code]).toEqual([401, "unauthorized"])
      expect(yield* Effect.flatMap(sim, (s) => s.tokens)).toHaveLength(0)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("takes the publishable key for tokens only; the secret key everywhere", () =>
    Effect.gen(function* () {
      const byPublishable = yield* tokenize(cardDetails(), merchant.publishableKey)
      const bySecret = yield* tokenize(cardDetails(), merchant.secretKey)
      const pay = yield* send("/payments", paymentBody(byPublishable), { key: merchant.publishableKey })
      expect([pay.status, (pay.json.error as { code: string }).code]).toEqual([403, "forbidden"])
      const customer = yield* send("/customers", { payment_details: bySecret }, { key: merchant.publishableKey })
      expect(customer.status).toBe(403)
      // Nothing was spent by the refused calls.
      const tokens = yield* Effect.flatMap(sim, (s) => s.tokens)
      expect(tokens.map((t) => t.status)).toEqual(["usable", "usable"])
      const paid = yield* send("/payments", paymentBody(byPublishable))
      expect(paid.status).toBe(200)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("reads the key with or without the trailing colon", () =>
    Effect.gen(function* () {
      const noColon = `Basic ${Buffer.from(merchant.secretKey).toString("base64")}`
      const answer = yield* send(
        "/tokens",
        { payment_details: cardDetails() },
        { key: null, headers: { authorization: noColon } },
      )
      expect(answer.status).toBe(200)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("keeps merchants apart: another merchant's token does not exist", () =>
    Effect.gen(function* () {
      const token = yield* tokenize()
      const answer = yield* send("/payments", paymentBody(token), { key: otherMerchant.secretKey })
      expect(answer.status).toBe(422)
      expect(answer.json.error).toMatchObject({ code: "invalid_token", param: "payment_details" })
      const own = yield* send("/payments", paymentBody(token))
      expect(own.status).toBe(200)
    }).pipe(Effect.provide(simulator)),
  )
})

describe("KOMOJU simulator: tokens", () => {
  it.effect("answers a token object with masked payment details only", () =>
    Effect.gen(function* () {
      const s = yield* sim
      yield* s.setTime(Date.UTC(2026, 3, 5, 10, 20, 30, 456))
      const answer = yield* send("/tokens", { payment_details: cardDetails() }, { key: merchant.publishableKey })
      expect(answer.status).toBe(200)
      expect(answer.json).toEqual({
        id: expect.stringMatching(/^tok_[a-z0-9]{25}$/),
        resource: "token",
        created_at: "2026-04-05T10:20:30Z",
        payment_details: {
          type: "credit_card",
          brand: "visa",
          last_four_digits: pan.slice(-4),
          month: 12,
          year: 2031,
          name: "HANAKO YAMADA",
          email: null,
          verification_value: "Approved",
        },
      })
      expect(answer.text).not.toContain("<card number>")
      expect(answer.text).not.toContain("<cvv>")
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("is used once: a second payment with it is refused, and only one payment exists", () =>
    Effect.gen(function* () {
      const token = yield* tokenize()
      const first = yield* send("/payments", paymentBody(token))
      expect(first.status).toBe(200)
      expect(first.json).toMatchObject({ resource: "payment", status: "captured", amount: 1200, currency: "JPY" })
      const second = yield* send("/payments", paymentBody(token, { external_order_num: "order-2" }))
      expect(second.status).toBe(422)
      expect(second.json.error).toMatchObject({ code: "invalid_token", message: "The token has already been used." })
      const s = yield* sim
      expect(yield* s.payments).toHaveLength(1)
      const [view] = yield* s.tokens
      expect(view).toMatchObject({ status: "used", use: { resource: "payment", id: first.json.id } })
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("pays once when two payments race for one token", () =>
    Effect.gen(function* () {
      const token = yield* tokenize()
      const answers = yield* Effect.all(
        [send("/payments", paymentBody(token)), send("/payments", paymentBody(token, { amount: 900 }))],
        { concurrency: "unbounded" },
      )
      expect(answers.map((a) => a.status).sort()).toEqual([200, 422])
      expect(yield* Effect.flatMap(sim, (s) => s.payments)).toHaveLength(1)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("expires 24 hours after creation on the simulator's clock, unused", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const early = yield* tokenize()
      const late = yield* tokenize()
      yield* s.advanceClock(Duration.sum(Duration.hours(23), Duration.minutes(59)))
      expect((yield* send("/payments", paymentBody(early))).status).toBe(200)
      yield* TestClock.adjust(Duration.minutes(1))
      const expired = yield* send("/payments", paymentBody(late))
      expect(expired.status).toBe(422)
      expect(expired.json.error).toMatchObject({ code: "invalid_token", message: "The token has expired." })
      expect((yield* s.tokens).map((t) => t.status)).toEqual(["used", "expired"])
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("refuses what KOMOJU refuses: no details, a bad number, an expired card, no name", () =>
    Effect.gen(function* () {
      yield* Effect.flatMap(sim, (s) => s.setTime(Date.UTC(2026, 0, 15)))
      const none = yield* send("/tokens", {})
      expect([none.status, none.json.error]).toEqual([
        422,
        { code: "missing_parameter", message: expect.any(String), param: "payment_details", details: {} },
      ])
      const badNumber = yield* send("/tokens", { payment_details: cardDetails("4111111111111112") })
      expect(badNumber.json.error).toMatchObject({ code: "invalid_number", param: "payment_details[number]" })
      const expired = yield* send("/tokens", { payment_details: cardDetails(pan, { month: 1, year: 20 }) })
      expect(expired.json.error).toMatchObject({ code: "card_expired", param: "payment_details[year]" })
      const { name: _, ...nameless } = cardDetails()
      const noName = yield* send("/tokens", { payment_details: nameless })
      expect(noName.json.error).toMatchObject({ code: "missing_parameter", param: "payment_details[name]" })
      const named = yield* send("/tokens", {
        payment_details: { ...nameless, given_name: "Hanako", family_name: "Yamada", month: "01", year: "31" },
      })
      expect(named.status).toBe(200)
      const bitcoin = yield* send("/tokens", { payment_details: { type: "bit_cash" } })
      expect(bitcoin.json.error).toMatchObject({ code: "missing_parameter" })
      const notJson = yield* send("/tokens", undefined, { raw: "{nope" })
      expect([notJson.status, (notJson.json.error as { code: string }).code]).toEqual([400, "bad_request"])
      expect(yield* Effect.flatMap(sim, (s) => s.tokens)).toHaveLength(1)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("tokenizes konbini details; the payment waits for the store with a deadline", () =>
    Effect.gen(function* () {
      const token = yield* tokenize(konbiniDetails)
      const paid = yield* send("/payments", paymentBody(token))
      expect(paid.status).toBe(200)
      expect(paid.json).toMatchObject({
        status: "authorized",
        payment_deadline: expect.any(String),
        payment_details: { type: "konbini", store: "lawson", email: "hanako@example.com" },
      })
      const noStore = yield* send("/tokens", { payment_details: { type: "konbini", email: "a@example.com" } })
      expect(noStore.json.error).toMatchObject({ code: "missing_parameter", param: "payment_details[store]" })
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("pins the payment's currency when the token names one", () =>
    Effect.gen(function* () {
      const answer = yield* send("/tokens", { payment_details: cardDetails(), currency: "USD" })
      const token = answer.json.id as string
      const yen = yield* send("/payments", paymentBody(token))
      expect(yen.json.error).toMatchObject({ code: "invalid_parameter", param: "currency" })
      const dollars = yield* send("/payments", paymentBody(token, { currency: "USD" }))
      expect(dollars.status).toBe(200)
    }).pipe(Effect.provide(simulator)),
  )
})

describe("KOMOJU simulator: payments", () => {
  it.effect("answers a full payment object carrying the order number and metadata", () =>
    Effect.gen(function* () {
      const token = yield* tokenize()
      const answer = yield* send("/payments", paymentBody(token), { idempotency: "key-1" })
      expect(answer.json).toMatchObject({
        id: expect.stringMatching(/^[a-z0-9]{25}$/),
        resource: "payment",
        status: "captured",
        amount: 1200,
        total: 1200,
        currency: "JPY",
        external_order_num: "order-1",
        metadata: { token_lifecycle_token: "tl-token-1", token_lifecycle_owner: "owner-1" },
        captured_at: expect.any(String),
        payment_details: { type: "credit_card", brand: "visa", last_four_digits: pan.slice(-4) },
        refunds: [],
      })
      const [record] = yield* Effect.flatMap(sim, (s) => s.payments)
      expect(record).toMatchObject({ token, idempotencyKey: "key-1", status: "captured" })
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("authorizes with capture false, then captures or cancels once", () =>
    Effect.gen(function* () {
      const first = yield* send("/payments", paymentBody(yield* tokenize(), { capture: false }))
      expect(first.json).toMatchObject({ status: "authorized", captured_at: null })
      const id = first.json.id as string
      const captured = yield* send(`/payments/${id}/capture`, {})
      expect(captured.json).toMatchObject({ id, status: "captured" })
      const again = yield* send(`/payments/${id}/capture`, {})
      expect([again.status, (again.json.error as { code: string }).code]).toEqual([422, "not_capturable"])
      const second = yield* send("/payments", paymentBody(yield* tokenize(), { capture: false }))
      const cancelled = yield* send(`/payments/${second.json.id as string}/cancel`, {})
      expect(cancelled.json.status).toBe("cancelled")
      const shown = yield* send(`/payments/${id}`)
      expect(shown.json).toMatchObject({ id, status: "captured" })
      const missing = yield* send("/payments/nosuchpayment")
      expect([missing.status, (missing.json.error as { code: string }).code]).toEqual([404, "not_found"])
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("refuses bad parameters naming the field, before spending the token", () =>
    Effect.gen(function* () {
      const token = yield* tokenize()
      const cases: ReadonlyArray<readonly [Record<string, unknown>, string, string]> = [
        [{ amount: undefined }, "missing_parameter", "amount"],
        [{ amount: 0 }, "invalid_parameter", "amount"],
        [{ amount: 12.5 }, "invalid_parameter", "amount"],
        [{ currency: undefined }, "missing_parameter", "currency"],
        [{ currency: "YEN1" }, "invalid_parameter", "currency"],
        [{ payment_details: undefined }, "missing_parameter", "payment_details"],
        [{ customer: "someone" }, "invalid_parameter", "customer"],
        [{ metadata: { this_key_is_longer_than_thirty_chars: "x" } }, "invalid_parameter", "metadata"],
        [{ metadata: { count: 3 } }, "invalid_parameter", "metadata"],
        [{ external_order_num: "x".repeat(256) }, "invalid_parameter", "external_order_num"],
        [{ capture: "yes" }, "invalid_parameter", "capture"],
      ]
      for (const [change, code, param] of cases) {
        const body = Object.fromEntries(
          Object.entries({ ...paymentBody(token), ...change }).filter(([, v]) => v !== undefined),
        )
        const answer = yield* send("/payments", body)
        expect([answer.status, answer.json.error], JSON.stringify(change)).toEqual([
          422,
          { code, param, message: expect.any(String), details: {} },
        ])
      }
      expect((yield* Effect.flatMap(sim, (s) => s.tokens))[0]?.status).toBe("usable")
      expect(yield* Effect.flatMap(sim, (s) => s.payments)).toHaveLength(0)
    }).pipe(Effect.provide(simulator)),
  )
})

describe("KOMOJU simulator: test cards and scenarios", () => {
  it.effect("declines each test card with its code: 502 from the processor, 422 for fraud", () =>
    Effect.gen(function* () {
      const expected: ReadonlyArray<readonly [string, number, string]> = [
        ["4123111111111000", 502, "insufficient_funds"],
        ["4123111111111018", 502, "exceeds_limit"],
        ["4123111111111034", 502, "bad_verification_value"],
        ["4123111111111042", 502, "card_expired"],
        ["4123111111111059", 502, "card_declined"],
        ["4123111111111067", 502, "invalid_number"],
        ["4123111111111083", 422, "fraudulent"],
      ]
      for (const [number, status, code] of expected) {
        const token = yield* tokenize(cardDetails(number))
        const answer = yield* send("/payments", paymentBody(token))
        expect([answer.status, answer.json.error], code).toEqual([
          status,
          { code, message: expect.any(String), param: null, details: {} },
        ])
      }
      for (const number of ["5555555555554444", "3530111333300000", "378282246310005", "30569309025904"]) {
        const answer = yield* send("/payments", paymentBody(yield* tokenize(cardDetails(number))))
        expect(answer.status, number.slice(-4)).toBe(200)
      }
      const payments = yield* Effect.flatMap(sim, (s) => s.payments)
      expect(payments.filter((p) => p.status === "failed")).toHaveLength(expected.length)
      expect(payments.map((p) => (p.details.type === "credit_card" ? p.details.brand : "")).slice(-4)).toEqual([
        "master",
        "jcb",
        "american_express",
        "diners_club",
      ])
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("a refused payment spends the token by default", () =>
    Effect.gen(function* () {
      const token = yield* tokenize(cardDetails(cards.declined))
      expect((yield* send("/payments", paymentBody(token))).status).toBe(502)
      const again = yield* send("/payments", paymentBody(token))
      expect(again.json.error).toMatchObject({ code: "invalid_token" })
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("with failedPaymentConsumesToken false, a refused payment leaves the token usable", () =>
    Effect.gen(function* () {
      const token = yield* tokenize(cardDetails(cards.declined))
      expect((yield* send("/payments", paymentBody(token))).status).toBe(502)
      expect((yield* Effect.flatMap(sim, (s) => s.tokens))[0]?.status).toBe("usable")
    }).pipe(
      Effect.provide(KomojuHttpClient.layerWithSimulator({ merchants: [merchant], failedPaymentConsumesToken: false })),
    ),
  )

  it.effect("Komoju-Scenario forces a failure on a payment, a session or a customer", () =>
    Effect.gen(function* () {
      const scenario = { "komoju-scenario": "insufficient_funds" }
      const payment = yield* send("/payments", paymentBody(yield* tokenize()), { headers: scenario })
      expect([payment.status, (payment.json.error as { code: string }).code]).toEqual([502, "insufficient_funds"])

      const customer = yield* send("/customers", { payment_details: yield* tokenize() }, { headers: scenario })
      expect(customer.status).toBe(200)
      const byCustomer = yield* send("/payments", { amount: 500, currency: "JPY", customer: customer.json.id })
      expect((byCustomer.json.error as { code: string }).code).toBe("insufficient_funds")

      const session = yield* send("/sessions", { amount: 800, currency: "JPY" }, { headers: scenario })
      const paid = yield* send(`/sessions/${session.json.id as string}/pay`, { payment_details: yield* tokenize() })
      expect(paid.json).toMatchObject({ status: "error", error: { code: "insufficient_funds" } })

      const unknown = yield* send("/payments", paymentBody(yield* tokenize()), {
        headers: { "komoju-scenario": "nope" },
      })
      expect(unknown.json.error).toMatchObject({ code: "invalid_parameter", param: "Komoju-Scenario" })
    }).pipe(Effect.provide(simulator)),
  )
})

describe("KOMOJU simulator: customers and sessions", () => {
  it.effect("turns a token into a customer, spending the token; the customer pays any number of times", () =>
    Effect.gen(function* () {
      const token = yield* tokenize()
      const created = yield* send("/customers", {
        payment_details: token,
        email: "h@example.com",
        metadata: { a: "b" },
      })
      expect(created.status).toBe(200)
      expect(created.json).toMatchObject({
        id: expect.stringMatching(/^[a-z0-9]{25}$/),
        resource: "customer",
        email: "h@example.com",
        metadata: { a: "b" },
        payment_details: { type: "credit_card", last_four_digits: pan.slice(-4) },
      })
      const id = created.json.id as string
      const reused = yield* send("/payments", paymentBody(token))
      expect(reused.json.error).toMatchObject({ code: "invalid_token" })
      for (const amount of [100, 200]) {
        const paid = yield* send("/payments", { amount, currency: "JPY", customer: id })
        expect(paid.json).toMatchObject({ status: "captured", customer: id, amount })
      }
      const both = yield* send("/payments", { amount: 1, currency: "JPY", customer: id, payment_details: token })
      expect(both.json.error).toMatchObject({ code: "invalid_parameter" })
      expect((yield* send(`/customers/${id}`)).json).toMatchObject({ id, resource: "customer" })
      expect((yield* send(`/customers/${id}`, undefined, { method: "DELETE" })).status).toBe(200)
      expect((yield* send(`/customers/${id}`)).status).toBe(404)
      const gone = yield* send("/payments", { amount: 1, currency: "JPY", customer: id })
      expect(gone.json.error).toMatchObject({ code: "invalid_parameter", param: "customer" })
      const [view] = yield* Effect.flatMap(sim, (s) => s.tokens)
      expect(view?.use).toMatchObject({ resource: "customer", id })
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("pays a session once with a token, by publishable or secret key", () =>
    Effect.gen(function* () {
      const session = yield* send("/sessions", {
        amount: 3000,
        currency: "JPY",
        return_url: "https://shop.example/done",
        payment_data: { external_order_num: "order-s", metadata: { token_lifecycle_token: "tl-9" } },
      })
      expect(session.json).toMatchObject({ resource: "session", status: "pending", amount: 3000, payment: null })
      const id = session.json.id as string
      const token = yield* tokenize()
      const paid = yield* send(`/sessions/${id}/pay`, { payment_details: token }, { key: merchant.publishableKey })
      expect(paid.status).toBe(200)
      expect(paid.json).toMatchObject({
        status: "completed",
        redirect_url: "https://shop.example/done",
        payment: {
          status: "captured",
          session: id,
          external_order_num: "order-s",
          metadata: { token_lifecycle_token: "tl-9" },
        },
      })
      const shown = yield* send(`/sessions/${id}`, undefined, { key: merchant.publishableKey })
      expect(shown.json).toMatchObject({
        status: "completed",
        payment: { id: (paid.json.payment as { id: string }).id },
      })
      const again = yield* send(`/sessions/${id}/pay`, { payment_details: yield* tokenize() })
      expect(again.json).toMatchObject({ status: "error", error: { code: "unprocessable_entity" } })
      const manual = yield* send("/sessions", { amount: 10, currency: "JPY" })
      const authorized = yield* send(`/sessions/${manual.json.id as string}/pay`, {
        payment_details: yield* tokenize(),
        capture: "manual",
      })
      expect(authorized.json).toMatchObject({ status: "completed", payment: { status: "authorized" } })
      expect((yield* send("/sessions", { amount: 10, currency: "JPY" }, { key: merchant.publishableKey })).status).toBe(
        403,
      )
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("answers a refused Session: Pay with its error as an object, or as a string when configured", () =>
    Effect.gen(function* () {
      const asObject = yield* Effect.gen(function* () {
        const session = yield* send("/sessions", { amount: 10, currency: "JPY" })
        const token = yield* tokenize(cardDetails(cards.declined))
        return yield* send(`/sessions/${session.json.id as string}/pay`, { payment_details: token })
      }).pipe(Effect.provide(simulator))
      expect(asObject.status).toBe(502)
      expect(asObject.json).toEqual({
        status: "error",
        redirect_url: null,
        error: { code: "card_declined", message: expect.any(String), param: null, details: {} },
      })
      const asString = yield* Effect.gen(function* () {
        const session = yield* send("/sessions", { amount: 10, currency: "JPY" })
        const used = yield* send(`/sessions/${session.json.id as string}/pay`, { payment_details: "tok_nothing" })
        const declined = yield* send(`/sessions/${session.json.id as string}/pay`, {
          payment_details: yield* tokenize(cardDetails(cards.declined)),
        })
        return { used, declined }
      }).pipe(
        Effect.provide(KomojuHttpClient.layerWithSimulator({ merchants: [merchant], sessionPayErrorForm: "string" })),
      )
      expect(asString.used.json).toEqual({ status: "error", redirect_url: null, error: "The token does not exist." })
      expect(asString.declined.json).toEqual({ status: "error", redirect_url: null, error: expect.any(String) })
    }),
  )
})

describe("KOMOJU simulator: idempotency keys", () => {
  it.effect("replays the first answer to the same key and request, without a second payment", () =>
    Effect.gen(function* () {
      const token = yield* tokenize()
      const first = yield* send("/payments", paymentBody(token), { idempotency: "pay-once" })
      const second = yield* send("/payments", paymentBody(token), { idempotency: "pay-once" })
      expect(second.status).toBe(200)
      expect(second.text).toBe(first.text)
      const s = yield* sim
      expect(yield* s.payments).toHaveLength(1)
      const log = yield* s.requests
      expect(log.filter((r) => r.endpoint === "createPayment").map((r) => r.idempotency)).toEqual(["fresh", "replayed"])
      // The first answer is replayed even when it was a refusal.
      const declined = yield* tokenize(cardDetails(cards.declined))
      const refused = yield* send("/payments", paymentBody(declined), { idempotency: "declined" })
      const replayed = yield* send("/payments", paymentBody(declined), { idempotency: "declined" })
      expect([replayed.status, replayed.text]).toEqual([502, refused.text])
      expect(yield* s.payments).toHaveLength(2)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("answers 409 to the same key while the first request is still in flight", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const token = yield* tokenize()
      yield* s.injectFault(Faults.slow("5 seconds"), { endpoint: "createPayment", times: 1 })
      const first = yield* Effect.fork(send("/payments", paymentBody(token), { idempotency: "slow-key" }))
      yield* TestClock.adjust("1 second")
      const during = yield* send("/payments", paymentBody(token), { idempotency: "slow-key" })
      expect(during.status).toBe(409)
      expect(during.json.error).toMatchObject({ code: "conflict" })
      yield* TestClock.adjust("5 seconds")
      const answered = yield* Fiber.join(first)
      expect(answered.status).toBe(200)
      const after = yield* send("/payments", paymentBody(token), { idempotency: "slow-key" })
      expect(after.text).toBe(answered.text)
      expect(yield* s.payments).toHaveLength(1)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("refuses a key reused for another request, and a key over 100 ASCII characters", () =>
    Effect.gen(function* () {
      const token = yield* tokenize()
      expect((yield* send("/payments", paymentBody(token), { idempotency: "k" })).status).toBe(200)
      const other = yield* send("/payments", paymentBody(token, { amount: 99 }), { idempotency: "k" })
      expect([other.status, (other.json.error as { code: string }).code]).toEqual([422, "idempotency_key_reused"])
      const long = yield* send("/payments", paymentBody(yield* tokenize()), { idempotency: "k".repeat(101) })
      expect([long.status, long.json.error]).toEqual([
        400,
        { code: "bad_request", param: "X-KOMOJU-IDEMPOTENCY", message: expect.any(String), details: {} },
      ])
      const hundred = yield* send("/payments", paymentBody(yield* tokenize()), { idempotency: "k".repeat(100) })
      expect(hundred.status).toBe(200)
      const unicode = yield* send("/payments", paymentBody(yield* tokenize()), { idempotency: "ключ" })
      expect(unicode.status).toBe(400)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("keeps a key 24 hours, per merchant; after that the key is new again", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const first = yield* send("/tokens", { payment_details: cardDetails() }, { idempotency: "tok-key" })
      const replay = yield* send("/tokens", { payment_details: cardDetails() }, { idempotency: "tok-key" })
      expect(replay.json.id).toBe(first.json.id)
      const elsewhere = yield* send(
        "/tokens",
        { payment_details: cardDetails() },
        { idempotency: "tok-key", key: otherMerchant.secretKey },
      )
      expect(elsewhere.json.id).not.toBe(first.json.id)
      yield* s.advanceClock("24 hours")
      const later = yield* send("/tokens", { payment_details: cardDetails() }, { idempotency: "tok-key" })
      expect(later.status).toBe(200)
      expect(later.json.id).not.toBe(first.json.id)
      expect(yield* s.tokens).toHaveLength(3)
    }).pipe(Effect.provide(simulator)),
  )
})

/** A sink recording what it receives, refusing the first `refuse` deliveries. */
const recordingSink = (refuse = 0) =>
  Effect.gen(function* () {
    const received = yield* Ref.make<ReadonlyArray<Delivery>>([])
    const calls = yield* Ref.make(0)
    const sink = (delivery: Delivery) =>
      Effect.flatMap(
        Ref.getAndUpdate(calls, (n) => n + 1),
        (n) => (n < refuse ? Effect.fail("refused") : Ref.update(received, (all) => [...all, delivery])),
      )
    return { sink, received: Ref.get(received) }
  })

const eventOf = (delivery: Delivery) =>
  JSON.parse(delivery.body) as { id: string; type: string; data: Record<string, unknown> }

describe("KOMOJU simulator: webhooks", () => {
  it("signs with the illustrative vector of the provider notes", () => {
    const body =
      '{"id":"evt_illustration01","type":"payment.authorized","resource":"event","data":{"id":"pay_illustration01","resource":"payment","status":"authorized","amount":2500,"currency":"JPY"},"created_at":"2025-06-01T09:30:00Z","reason":null}'
    expect(KomojuWebhooks.sign(body, "doc-illustration-webhook-secret")).toBe(
      "26e6899479cdf1f887c8d59d023620315b1ccf7a13e0fd82d752e3a2b49d4947",
    )
  })

  it.effect(
    "sends each payment event signed with the merchant's webhook secret, with the payment and its metadata",
    () =>
      Effect.gen(function* () {
        const s = yield* sim
        const { sink, received } = yield* recordingSink()
        yield* s.configureWebhooks({ sink })
        const paid = yield* send("/payments", paymentBody(yield* tokenize()))
        const authorized = yield* send("/payments", paymentBody(yield* tokenize(), { capture: false }))
        yield* send("/payments", paymentBody(yield* tokenize(cardDetails(cards.insufficient))))
        const elsewhere = yield* tokenize(cardDetails(), otherMerchant.publishableKey)
        yield* send("/payments", paymentBody(elsewhere), { key: otherMerchant.secretKey })
        expect(yield* received).toHaveLength(0)
        yield* s.deliverDue
        const deliveries = yield* received
        expect(deliveries.map((d) => d.headers["x-komoju-event"])).toEqual([
          "payment.captured",
          "payment.authorized",
          "payment.failed",
          "payment.captured",
        ])
        deliveries.forEach((delivery, i) => {
          const secret = i === 3 ? otherMerchant.webhookSecret : merchant.webhookSecret
          const expected = createHmac("sha256", secret).update(delivery.body).digest("hex")
          expect(delivery.headers["x-komoju-signature"]).toBe(expected)
          expect(delivery.headers["content-type"]).toBe("application/json")
          expect(delivery.headers["user-agent"]).toBe("Komoju-Webhook")
          expect(delivery.headers["x-komoju-id"]).toMatch(/^[a-z0-9]{25}$/)
        })
        const [captured, auth, failed] = deliveries.map(eventOf)
        expect(captured).toMatchObject({
          type: "payment.captured",
          resource: "event",
          reason: null,
          data: {
            id: paid.json.id,
            status: "captured",
            metadata: { token_lifecycle_token: "tl-token-1", token_lifecycle_owner: "owner-1" },
          },
        })
        expect(auth?.data).toMatchObject({ id: authorized.json.id, status: "authorized" })
        expect(failed).toMatchObject({ reason: "insufficient_funds", data: { status: "failed" } })
        expect(new Set(deliveries.map((d) => eventOf(d).id)).size).toBe(4)
      }).pipe(Effect.provide(simulator)),
  )

  it.effect("delivers late, twice and out of order as configured; a copy keeps its X-Komoju-ID", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { sink, received } = yield* recordingSink()
      yield* s.configureWebhooks({ sink, duplicate: 2, order: "reverse", delay: "30 seconds" })
      const first = yield* send("/payments", paymentBody(yield* tokenize()))
      const second = yield* send("/payments", paymentBody(yield* tokenize()))
      expect(yield* s.deliverDue).toHaveLength(0)
      yield* s.advanceClock("30 seconds")
      yield* s.deliverDue
      const ids = (yield* received).map((d) => eventOf(d).data.id)
      expect(ids).toEqual([second.json.id, second.json.id, first.json.id, first.json.id])
      const deliveryIds = (yield* received).map((d) => d.headers["x-komoju-id"])
      expect(deliveryIds[0]).toBe(deliveryIds[1])
      expect(deliveryIds[0]).not.toBe(deliveryIds[2])
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("sends a refused webhook again later, with the same id and bytes, until accepted", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { sink, received } = yield* recordingSink(2)
      yield* s.configureWebhooks({ sink })
      yield* send("/payments", paymentBody(yield* tokenize()))
      yield* s.deliverDue
      expect((yield* s.pendingWebhooks)[0]?.attempts).toBe(1)
      yield* s.advanceClock("1 minute")
      yield* s.deliverDue
      expect((yield* s.pendingWebhooks)[0]?.attempts).toBe(2)
      yield* s.advanceClock("1 minute")
      expect(yield* s.deliverDue).toHaveLength(0)
      yield* s.advanceClock("1 minute")
      yield* s.deliverDue
      expect(yield* s.pendingWebhooks).toHaveLength(0)
      const attempts = yield* s.deliveredWebhooks
      expect(attempts.map((a) => [a.attempt, a.accepted])).toEqual([
        [1, false],
        [2, false],
        [3, true],
      ])
      expect(new Set(attempts.map((a) => a.body)).size).toBe(1)
      expect(new Set(attempts.map((a) => a.headers["x-komoju-id"])).size).toBe(1)
      expect(yield* received).toHaveLength(1)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("sends customer events, and webhooks on their own in auto mode", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { sink, received } = yield* recordingSink()
      yield* s.configureWebhooks({ sink, mode: "auto", delay: "2 seconds" })
      const customer = yield* send("/customers", { payment_details: yield* tokenize() })
      yield* TestClock.adjust("2 seconds")
      const [created] = yield* received
      expect(created?.headers["x-komoju-event"]).toBe("customer.created")
      expect(created === undefined ? undefined : eventOf(created).data).toMatchObject({
        id: customer.json.id,
        resource: "customer",
      })
    }).pipe(Effect.provide(simulator)),
  )
})

describe("KOMOJU simulator: faults and the request budget", () => {
  it.effect("answers an injected server error with KOMOJU's body, processing nothing", () =>
    Effect.gen(function* () {
      const s = yield* sim
      yield* s.injectFault(Faults.serverError(503), { endpoint: "createToken", times: 1 })
      const failed = yield* send("/tokens", { payment_details: cardDetails() })
      expect([failed.status, (failed.json.error as { code: string }).code]).toEqual([503, "service_unavailable"])
      expect(yield* s.tokens).toHaveLength(0)
      const retried = yield* send("/tokens", { payment_details: cardDetails() })
      expect(retried.status).toBe(200)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("drops a connection after processing; a retry with the same key gets the first answer", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const token = yield* tokenize()
      yield* s.injectFault(Faults.drop({ afterProcessing: true }), { endpoint: "createPayment", times: 1 })
      const dropped = yield* Effect.either(send("/payments", paymentBody(token), { idempotency: "retry-me" }))
      expect(droppedConnection(dropped)).toBe(true)
      const retried = yield* send("/payments", paymentBody(token), { idempotency: "retry-me" })
      expect(retried.json).toMatchObject({ status: "captured" })
      expect(yield* s.payments).toHaveLength(1)
      const log = yield* s.requests
      expect(log.slice(-2).map((r) => [r.status, r.fault, r.idempotency])).toEqual([
        ["dropped", "Drop", "fresh"],
        [200, undefined, "replayed"],
      ])
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("drops before processing; answers malformed bodies after processing", () =>
    Effect.gen(function* () {
      const s = yield* sim
      yield* s.injectFault(Faults.drop(), { times: 1 })
      expect(droppedConnection(yield* Effect.either(send("/tokens", { payment_details: cardDetails() })))).toBe(true)
      expect(yield* s.tokens).toHaveLength(0)
      for (const shape of ["not-json", "truncated", "wrong-shape"] as const) {
        yield* s.injectFault(Faults.malformed(shape), { times: 1 })
        const answer = yield* send("/tokens", { payment_details: cardDetails() })
        expect(answer.status).toBe(200)
        expect(answer.json.resource, shape).not.toBe("token")
      }
      expect(yield* s.tokens).toHaveLength(3)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("answers 429 with Retry-After once the budget is spent, until the window ends", () =>
    Effect.gen(function* () {
      const s = yield* sim
      yield* s.setRateLimit({ requests: 2, window: "10 seconds" })
      expect((yield* send("/tokens", { payment_details: cardDetails() })).status).toBe(200)
      yield* s.advanceClock("3 seconds")
      expect((yield* send("/tokens", { payment_details: cardDetails() })).status).toBe(200)
      const limited = yield* send("/tokens", { payment_details: cardDetails() })
      expect(limited.status).toBe(429)
      expect(limited.headers["retry-after"]).toBe("7")
      expect(limited.json.error).toMatchObject({ code: "too_many_requests" })
      yield* s.advanceClock("7 seconds")
      expect((yield* send("/tokens", { payment_details: cardDetails() })).status).toBe(200)
      yield* s.setRateLimit(undefined)
      for (let i = 0; i < 5; i++) expect((yield* send("/payments/none")).status).toBe(404)
    }).pipe(Effect.provide(simulator)),
  )
})

describe("KOMOJU simulator: no card data leaves it", () => {
  it.effect("answers, webhooks, books and the request log hold no card number or security code", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { sink, received } = yield* recordingSink()
      yield* s.configureWebhooks({ sink })
      const rawPan = ["4539", "5781", "2345", "6789"].join("")
      const raw: Array<string> = []
      const capture = <A extends { readonly text: string }>(effect: Effect.Effect<A, unknown, HttpClient.HttpClient>) =>
        Effect.tap(effect, (a) => Effect.sync(() => raw.push(a.text)))
      const token = yield* capture(send("/tokens", { payment_details: cardDetails() }))
      yield* capture(send("/payments", paymentBody(token.json.id as string)))
      yield* capture(send("/payments", { ...paymentBody("x"), payment_details: cardDetails(rawPan) }))
      yield* capture(send("/customers", { payment_details: cardDetails() }))
      yield* capture(send("/tokens", { payment_details: cardDetails("4111111111111112") }))
      yield* capture(send("/tokens", undefined, { raw: `{"payment_details": {"number": "${rawPan}"` }))
      yield* s.deliverDue
      const everything = JSON.stringify({
        raw,
        webhooks: yield* received,
        tokens: yield* s.tokens,
        payments: yield* s.payments,
        customers: yield* s.customers,
        requests: yield* s.requests,
      })
      for (const secret of [rawPan, "4111111111111112", cvv]) {
        expect(everything.includes(secret), "a card number or security code leaked").toBe(false)
      }
      const [first] = yield* s.requests
      expect(first?.body).toMatchObject({ payment_details: { number: "****6789", verification_value: "[REDACTED]" } })
    }).pipe(Effect.provide(simulator)),
  )
})

describe("KOMOJU simulator: konbini at the store", () => {
  it.effect("captures a konbini payment when the customer pays before the deadline, and says so", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { sink, received } = yield* recordingSink()
      yield* s.configureWebhooks({ sink })
      const first = yield* send("/payments", paymentBody(yield* tokenize(konbiniDetails)))
      const second = yield* send("/payments", paymentBody(yield* tokenize(konbiniDetails)))
      const card = yield* send("/payments", paymentBody(yield* tokenize(), { capture: false }))
      expect(yield* s.payAtStore(first.json.id as string)).toBe(true)
      expect(yield* s.payAtStore(first.json.id as string)).toBe(false)
      expect(yield* s.payAtStore(card.json.id as string)).toBe(false)
      yield* s.advanceClock("3 days")
      expect(yield* s.payAtStore(second.json.id as string)).toBe(false)
      yield* s.deliverDue
      expect((yield* received).map((d) => [d.headers["x-komoju-event"], eventOf(d).data.id])).toEqual([
        ["payment.authorized", first.json.id],
        ["payment.authorized", second.json.id],
        ["payment.authorized", card.json.id],
        ["payment.captured", first.json.id],
      ])
      expect((yield* send(`/payments/${first.json.id as string}`)).json).toMatchObject({ status: "captured" })
    }).pipe(Effect.provide(simulator)),
  )
})
