import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as KomojuHttpClient from "../../src/simulators/komoju/KomojuHttpClient.js"
import { defaultBaseUrl, KomojuSimulator } from "../../src/simulators/komoju/KomojuSimulator.js"

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
    let json: Record<string, unknown> = {}
    try {
      json = JSON.parse(text)
    } catch {
      // left empty: the malformed-body tests look at the text
    }
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
