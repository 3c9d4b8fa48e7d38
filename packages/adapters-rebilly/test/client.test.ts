/**
 * The Rebilly client against a stub transport: the bytes it sends for each operation, which
 * credential goes on which call (and which calls are refused unsent), how every refusal reads,
 * when it retries, and how answers and pages are read.
 */
import { describe, expect, it } from "@effect/vitest"
import { parseCard } from "@token-lifecycle/domain/Card"
import type { GatewayError } from "@token-lifecycle/domain/GatewayError"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as RebillyClient from "../src/RebillyClient.js"
import { baseUrl, cardToken, config, json, keys, type Recorder, recorder, respond } from "./Recording.js"

const card = Either.getOrThrow(
  parseCard({ number: "4111 1111 1111 1111", cvv: "123", expiry: { month: 12, year: 2030 }, holderName: "JANE ROE" }),
)

const client = (rec: Recorder, ...options: Parameters<typeof config>) =>
  RebillyClient.make.pipe(Effect.provide(Layer.merge(rec.layer, config(...options))))

/** The failure of `effect`, which must fail. */
const failure = <A>(effect: Effect.Effect<A, GatewayError>) =>
  Effect.flip(effect).pipe(Effect.catchAllDefect((defect) => Effect.die(defect)))

/** Run `effect` while the test clock moves a minute, so its waits, retries and timeouts pass. */
const inAMinute = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust("1 minute")
    return yield* Fiber.join(fiber)
  })

const created = (value: unknown = cardToken()) => json(201, value, { location: `${baseUrl}/tokens/x` })

const problem = (status: number, fields: Record<string, unknown> = {}) =>
  json(status, { type: "about:blank", title: "Problem", status, detail: `refused with ${status}`, ...fields })

describe("credentials, per operation as the spec allows", () => {
  it.effect("a token is created with the secret key when the adapter holds one, in REB-APIKEY", () =>
    Effect.gen(function* () {
      const rec = recorder(() => created())
      yield* (yield* client(rec)).createToken({ card })
      const [request] = rec.requests
      expect(request?.headers["reb-apikey"]).toBe(Redacted.value(keys.secretKey))
      expect(request?.headers.authorization).toBeUndefined()
    }),
  )

  it.effect("with only a publishable key, it goes raw in Authorization, no Bearer", () =>
    Effect.gen(function* () {
      const rec = recorder(() => created())
      yield* (yield* client(rec, {}, ["publishableKey"])).createToken({ card })
      expect(rec.requests[0]?.headers.authorization).toBe(Redacted.value(keys.publishableKey))
      expect(rec.requests[0]?.headers["reb-apikey"]).toBeUndefined()
    }),
  )

  it.effect("with only a JWT, it goes as Authorization: Bearer", () =>
    Effect.gen(function* () {
      const rec = recorder(() => created())
      yield* (yield* client(rec, {}, ["jwt"])).createToken({ card })
      expect(rec.requests[0]?.headers.authorization).toBe(`Bearer ${Redacted.value(keys.jwt)}`)
    }),
  )

  it.effect("retrieving a token takes the publishable key even when a secret key is held", () =>
    Effect.gen(function* () {
      const rec = recorder(() => json(200, cardToken()))
      yield* (yield* client(rec)).getToken("AYW7VCAFAKFEWK6SZ7Z5")
      expect(rec.requests[0]?.headers.authorization).toBe(Redacted.value(keys.publishableKey))
      expect(rec.requests[0]?.headers["reb-apikey"]).toBeUndefined()
    }),
  )

  it.effect("calls the held credentials do not allow are refused before anything is sent", () =>
    Effect.gen(function* () {
      const rec = recorder(() => json(200, []))
      const serverOnly = yield* client(rec, {}, ["secretKey", "jwt"])
      const browserOnly = yield* client(rec, {}, ["publishableKey"])
      const refusals = [
        yield* failure(serverOnly.getToken("AYW7VCAFAKFEWK6SZ7Z5")),
        yield* failure(browserOnly.listTokens({ limit: 10, offset: 0 })),
        yield* failure(
          browserOnly.createTransaction({
            type: "sale",
            websiteId: "web-test",
            customerId: "cus-1",
            amount: 100,
            currency: "USD",
            token: "tok",
            requestId: "order-1",
          }),
        ),
        yield* failure(browserOnly.createPaymentInstrument({ customerId: "cus-1", token: "tok" })),
      ]
      expect(refusals.map((error) => error._tag)).toEqual(Array(4).fill("ProviderUnauthorized"))
      expect(refusals[0]?.message).toBe(
        "retrieve token: Rebilly accepts a publishable key only, and the adapter holds a secret key or a JWT; not sent",
      )
      expect(refusals[1]?.message).toContain("list tokens: Rebilly accepts a secret key or a JWT only")
      expect(rec.requests).toHaveLength(0)
    }),
  )

  it.effect("a credential of the wrong kind, or for the other environment, is refused unsent and unnamed", () =>
    Effect.gen(function* () {
      const rec = recorder(() => created())
      const swapped = yield* client(rec, { publishableKey: keys.secretKey })
      const wrongKind = yield* failure(swapped.getToken("AYW7VCAFAKFEWK6SZ7Z5"))
      expect(wrongKind.message).toBe(
        "retrieve token: the credential configured as a publishable key is a secret key; not sent",
      )
      const live = yield* client(rec, { baseUrl: "https://api.rebilly.com/organizations/org-test" })
      const wrongHost = yield* failure(live.createToken({ card }))
      expect(wrongHost.message).toBe("create token: a secret key for sandbox cannot call the live API; not sent")
      expect(rec.requests).toHaveLength(0)
      for (const error of [wrongKind, wrongHost]) {
        expect(JSON.stringify(error)).not.toContain(Redacted.value(keys.secretKey))
      }
    }),
  )
})

describe("requests", () => {
  it.effect("create token: the card, billing address, risk metadata and lead source as the spec names them", () =>
    Effect.gen(function* () {
      const rec = recorder(() => created())
      const answer = yield* (yield* client(rec)).createToken({
        card,
        billingAddress: { firstName: "Jane", lastName: "Roe", country: "US", postalCode: "10001" },
        riskMetadata: { ipAddress: "198.51.100.47" },
        leadSource: { campaign: "spring" },
      })
      const [request] = rec.requests
      expect(request?.method).toBe("POST")
      expect(request?.path).toBe("/tokens")
      expect(request?.headers["content-type"]).toBe("application/json")
      expect(JSON.parse(request?.body ?? "")).toEqual({
        method: "payment-card",
        paymentInstrument: { pan: "4111111111111111", cvv: "123", expMonth: 12, expYear: 2030 },
        billingAddress: { firstName: "Jane", lastName: "Roe", country: "US", postalCode: "10001" },
        riskMetadata: { ipAddress: "198.51.100.47" },
        leadSource: { campaign: "spring" },
      })
      expect(answer.location).toBe(`${baseUrl}/tokens/x`)
      expect(answer.value.id).toBe("AYW7VCAFAKFEWK6SZ7Z5")
    }),
  )

  it.effect("a body beyond the spec's limits is refused before sending, field by field, without its values", () =>
    Effect.gen(function* () {
      const rec = recorder(() => created())
      const error = yield* failure(
        (yield* client(rec)).createToken({
          card,
          billingAddress: { firstName: "J".repeat(46), country: "usa", emails: [{ label: "main", value: "nobody" }] },
        }),
      )
      expect(error._tag).toBe("ProviderValidationError")
      expect(error._tag === "ProviderValidationError" && error.fields).toEqual([
        { field: "billingAddress.firstName", message: "must be at most 45 characters" },
        { field: "billingAddress.country", message: "must be an ISO 3166 alpha-2 code such as US" },
        { field: "billingAddress.emails.0.value", message: "must be an email address" },
      ])
      expect(JSON.stringify(error)).not.toContain("JJJJ")
      expect(JSON.stringify(error)).not.toContain("4111111111111111")
      expect(rec.requests).toHaveLength(0)
    }),
  )

  it.effect("a token id is a percent-encoded path segment; one Rebilly cannot hold is refused unsent", () =>
    Effect.gen(function* () {
      const rec = recorder((request) => json(200, cardToken({ id: decodeURIComponent(request.path.slice(8)) })))
      const rebilly = yield* client(rec)
      yield* rebilly.getToken("a b/c?d#e")
      expect(rec.requests[0]?.path).toBe("/tokens/a%20b%2Fc%3Fd%23e")
      for (const id of ["", "..", ".", "x".repeat(51)]) {
        expect((yield* failure(rebilly.getToken(id)))._tag).toBe("ProviderValidationError")
      }
      expect(rec.requests).toHaveLength(1)
    }),
  )

  it.effect("a transaction pays in major units, with the use's reference as requestId", () =>
    Effect.gen(function* () {
      const rec = recorder(() => json(201, { id: "txn_1", result: "approved", status: "completed", extra: 1 }))
      const rebilly = yield* client(rec)
      const pay = (amount: number, currency: string) =>
        rebilly.createTransaction({
          type: "sale",
          websiteId: "web-test",
          customerId: "cus-1",
          amount,
          currency,
          token: "tok_1",
          requestId: "order-7",
        })
      yield* pay(1999, "USD")
      yield* pay(1050, "JPY")
      yield* pay(1234, "KWD")
      const bodies = rec.requests.map((request) => JSON.parse(request.body))
      expect(bodies.map((body) => body.amount)).toEqual([19.99, 1050, 1.234])
      expect(bodies[0]).toEqual({
        type: "sale",
        websiteId: "web-test",
        customerId: "cus-1",
        currency: "USD",
        amount: 19.99,
        paymentInstruction: { token: "tok_1" },
        requestId: "order-7",
      })
      for (const [amount, currency] of [
        [0, "USD"],
        [10.5, "USD"],
        [100, "usd"],
      ] as const) {
        expect((yield* failure(pay(amount, currency)))._tag).toBe("ProviderValidationError")
      }
      const badReference = yield* failure(
        rebilly.createTransaction({
          type: "sale",
          websiteId: "web-test",
          customerId: "cus-1",
          amount: 100,
          currency: "USD",
          token: "tok_1",
          requestId: "order 7",
        }),
      )
      expect(badReference._tag === "ProviderValidationError" && badReference.fields[0]?.field).toBe("requestId")
      expect(rec.requests).toHaveLength(3)
    }),
  )

  it.effect("a payment instrument from a token: 201 created, 303 updated", () =>
    Effect.gen(function* () {
      let status = 201
      const rec = recorder(() =>
        status === 201
          ? json(201, { id: "inst_1", method: "payment-card", customerId: "cus-1" })
          : json(
              303,
              { id: "inst_1", method: "payment-card", customerId: "cus-1" },
              {
                location: `${baseUrl}/payment-instruments/inst_1`,
              },
            ),
      )
      const rebilly = yield* client(rec)
      const first = yield* rebilly.createPaymentInstrument({ customerId: "cus-1", token: "tok_1" })
      status = 303
      const second = yield* rebilly.createPaymentInstrument({ customerId: "cus-1", token: "tok_2" })
      expect(first).toEqual({
        _tag: "Created",
        instrument: { id: "inst_1", method: "payment-card", customerId: "cus-1" },
      })
      expect(second).toEqual({
        _tag: "Updated",
        instrument: { id: "inst_1", method: "payment-card", customerId: "cus-1" },
      })
      expect(JSON.parse(rec.requests[1]?.body ?? "")).toEqual({ customerId: "cus-1", token: "tok_2" })
    }),
  )

  it.effect("an Apple Pay session is validated with the validation request as written", () =>
    Effect.gen(function* () {
      const session = { merchantSessionIdentifier: "SSH1", displayName: "My Store" }
      const rec = recorder(() =>
        json(201, { type: "Apple Pay", validationResponse: session }, { "x-ratelimit-remaining": "41" }),
      )
      const answer = yield* (yield* client(rec)).validateApplePay({
        validationUrl: "https://apple-pay-gateway.apple.com/paymentservices/startSession",
        domainName: "www.example.com",
        displayName: "My Store",
      })
      expect(JSON.parse(rec.requests[0]?.body ?? "")).toEqual({
        type: "Apple Pay",
        validationRequest: {
          validationUrl: "https://apple-pay-gateway.apple.com/paymentservices/startSession",
          domainName: "www.example.com",
          displayName: "My Store",
        },
      })
      expect(answer.value.validationResponse).toEqual(session)
      expect(answer.rateLimit).toEqual({ remaining: 41 })
    }),
  )
})

describe("refusals", () => {
  it.effect("a 422 keeps every invalid field Rebilly named, and its message", () =>
    Effect.gen(function* () {
      const rec = recorder(() =>
        problem(422, {
          type: "https://api.rebilly.com/problems/validation",
          invalidFields: [
            { field: "paymentInstrument.expMonth", message: "expMonth is required" },
            { field: "billingAddress.postalCode", message: "postalCode is invalid" },
          ],
        }),
      )
      const error = yield* failure((yield* client(rec)).createToken({ card }))
      expect(error).toMatchObject({
        _tag: "ProviderValidationError",
        message:
          "refused with 422 (paymentInstrument.expMonth: expMonth is required; billingAddress.postalCode: postalCode is invalid)",
        providerCode: "https://api.rebilly.com/problems/validation",
        fields: [
          { field: "paymentInstrument.expMonth", message: "expMonth is required" },
          { field: "billingAddress.postalCode", message: "postalCode is invalid" },
        ],
      })
    }),
  )

  it.effect("each status is its typed error; a body that is no problem still maps by status", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [ReturnType<typeof json>, string]> = [
        [problem(400), "ProviderValidationError"],
        [problem(401), "ProviderUnauthorized"],
        [problem(403), "ProviderUnauthorized"],
        [problem(404), "ProviderNotFound"],
        [problem(405), "ProviderProtocolError"],
        [problem(409), "ProviderDeclined"],
        [respond(502, "<html>Bad gateway</html>", { "content-type": "text/html" }), "ProviderUnavailable"],
        [respond(404, "not json"), "ProviderNotFound"],
        [json(200, { id: "AYW7VCAFAKFEWK6SZ7Z5" }), "ProviderProtocolError"],
        [respond(200, "{truncated"), "ProviderProtocolError"],
      ]
      for (const [answer, tag] of cases) {
        const rec = recorder(() => answer)
        const error = yield* failure(inAMinute((yield* client(rec)).getToken("AYW7VCAFAKFEWK6SZ7Z5")))
        expect(error._tag, `HTTP ${answer._tag === "Respond" ? answer.status : "drop"}`).toBe(tag)
      }
      const notFound = yield* failure((yield* client(recorder(() => problem(404)))).getToken("nope"))
      expect(notFound).toMatchObject({ resource: "token", message: "refused with 404" })
    }),
  )

  it.effect("a rate limit says when to retry: X-RateLimit-Retry-After (epoch), Retry-After, Rate-Limit-Reset", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 0, 1))
      const now = Date.UTC(2026, 0, 1) / 1000
      const waits: Array<number | undefined> = []
      for (const headers of [
        { "x-ratelimit-retry-after": String(now + 90) },
        { "retry-after": "7" },
        { "rate-limit-reset": new Date((now + 30) * 1000).toUTCString() },
        { "x-ratelimit-retry-after": String(now + 60), "retry-after": "5" },
        {},
      ]) {
        const limited = recorder(() => json(429, { title: "Rate Limit Exceeded", status: 429 }, headers))
        const error = yield* failure((yield* client(limited)).createToken({ card }))
        expect(error._tag).toBe("ProviderRateLimited")
        waits.push(error._tag === "ProviderRateLimited" ? error.retryAfterMillis : -1)
        expect(limited.requests, "a token creation is never repeated").toHaveLength(1)
      }
      expect(waits).toEqual([90_000, 7_000, 30_000, 60_000, undefined])
    }),
  )
})

describe("retries: reads and idempotent transactions only, never sooner than asked", () => {
  it.effect("a read rate-limited for 3 seconds is retried after 3 seconds, then answered", () =>
    Effect.gen(function* () {
      let calls = 0
      const rec = recorder(() =>
        ++calls === 1 ? json(429, { status: 429 }, { "retry-after": "3" }) : json(200, cardToken()),
      )
      const token = yield* inAMinute((yield* client(rec)).getToken("AYW7VCAFAKFEWK6SZ7Z5"))
      expect(token.id).toBe("AYW7VCAFAKFEWK6SZ7Z5")
      expect(rec.requests).toHaveLength(2)
      expect((rec.requests[1]?.at ?? 0) - (rec.requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(3_000)
    }),
  )

  it.effect("a 503 on a read is retried; on a token creation it is returned at once", () =>
    Effect.gen(function* () {
      let calls = 0
      const read = recorder(() => (++calls <= 2 ? problem(503) : json(200, [], { "pagination-total": "0" })))
      const page = yield* inAMinute((yield* client(read)).listTokens({ limit: 10, offset: 0 }))
      expect(page.items).toEqual([])
      expect(read.requests).toHaveLength(3)
      const write = recorder(() => problem(503))
      const error = yield* inAMinute(Effect.flip((yield* client(write)).createToken({ card })))
      expect(error._tag).toBe("ProviderUnavailable")
      expect(write.requests).toHaveLength(1)
    }),
  )

  it.effect("a transaction whose connection broke is sent again with the same requestId and body", () =>
    Effect.gen(function* () {
      let calls = 0
      const rec = recorder(() =>
        ++calls === 1 ? { _tag: "Drop" as const } : json(201, { id: "txn_1", result: "approved" }),
      )
      const transaction = yield* inAMinute(
        (yield* client(rec)).createTransaction({
          type: "sale",
          websiteId: "web-test",
          customerId: "cus-1",
          amount: 500,
          currency: "EUR",
          token: "tok_1",
          requestId: "order-9",
        }),
      )
      expect(transaction.id).toBe("txn_1")
      expect(rec.requests).toHaveLength(2)
      expect(rec.requests[1]?.body).toBe(rec.requests[0]?.body)
    }),
  )

  it.effect("a payment instrument, which has no idempotency key, is not sent twice", () =>
    Effect.gen(function* () {
      const rec = recorder(() => ({ _tag: "Drop" as const }))
      const error = yield* inAMinute(
        Effect.flip((yield* client(rec)).createPaymentInstrument({ customerId: "cus-1", token: "tok_1" })),
      )
      expect(error._tag).toBe("ProviderTimeout")
      expect(rec.requests).toHaveLength(1)
    }),
  )
})

describe("answers", () => {
  it.effect("extra fields the live API sends are ignored; a missing required one is a protocol error", () =>
    Effect.gen(function* () {
      const rebilly = (body: unknown) => client(recorder(() => json(200, body)))
      const read = yield* (yield* rebilly(cardToken())).getToken("AYW7VCAFAKFEWK6SZ7Z5")
      expect(read).toEqual({
        id: "AYW7VCAFAKFEWK6SZ7Z5",
        method: "payment-card",
        isUsed: false,
        createdTime: "2026-01-01T00:00:00+00:00",
        updatedTime: "2026-01-01T00:00:00+00:00",
        usageTime: null,
        expirationTime: null,
        paymentInstrument: { bin: "411111", last4: "1111", expMonth: 12, expYear: 2030 },
      })
      const { createdTime: _, ...undated } = cardToken()
      const { expMonth: __, ...noMonth } = cardToken().paymentInstrument
      for (const broken of [
        undated,
        cardToken({ paymentInstrument: noMonth }),
        cardToken({ createdTime: "yesterday" }),
        cardToken({ id: "" }),
        cardToken({ id: "another-token" }),
      ]) {
        const error = yield* failure((yield* rebilly(broken)).getToken("AYW7VCAFAKFEWK6SZ7Z5"))
        expect(error._tag).toBe("ProviderProtocolError")
      }
    }),
  )

  it.effect("a token of another method is read by its life alone", () =>
    Effect.gen(function* () {
      const paypal = {
        id: "PAYPAL0001",
        method: "paypal",
        isUsed: true,
        createdTime: "2026-01-01T00:00:00Z",
        usageTime: "2026-01-01T00:05:00Z",
        paymentInstrument: { paypalMerchantId: "m", billingAgreementToken: "b" },
      }
      const read = yield* (yield* client(recorder(() => json(200, paypal)))).getToken("PAYPAL0001")
      expect(read).toMatchObject({
        id: "PAYPAL0001",
        method: "paypal",
        isUsed: true,
        usageTime: "2026-01-01T00:05:00Z",
      })
    }),
  )

  it.effect("an answer echoing the card number or CVV is refused, and the refusal shows neither", () =>
    Effect.gen(function* () {
      const echoed = cardToken({
        paymentInstrument: { ...cardToken().paymentInstrument, pan: "4111111111111111", cvv: "737" },
      })
      const error = yield* failure((yield* client(recorder(() => created(echoed)))).createToken({ card }))
      expect(error._tag).toBe("ProviderProtocolError")
      expect(error.message).toContain("paymentInstrument.pan, paymentInstrument.cvv")
      const shown = `${JSON.stringify(error)} ${String(error)} ${error.message}`
      expect(shown).not.toContain("4111111111111111")
      expect(shown).not.toContain("737")
    }),
  )
})

describe("pages", () => {
  const tokens = Array.from({ length: 7 }, (_, i) => cardToken({ id: `TOKEN${String(i).padStart(4, "0")}` }))
  /** A collection of seven tokens, its pagination headers reflecting the query. */
  const collection = recorder((request) => {
    const limit = Number(request.query.get("limit"))
    const offset = Number(request.query.get("offset"))
    return json(200, tokens.slice(offset, offset + limit), {
      "pagination-total": String(tokens.length),
      "pagination-limit": String(limit),
      "pagination-offset": String(offset),
    })
  })

  it.effect("a page is the items with what the Pagination headers say", () =>
    Effect.gen(function* () {
      const page = yield* (yield* client(collection)).listTokens({ limit: 3, offset: 3 })
      expect(page.items.map((token) => token.id)).toEqual(["TOKEN0003", "TOKEN0004", "TOKEN0005"])
      expect(page).toMatchObject({ limit: 3, offset: 3, total: 7 })
      expect(collection.requests.at(-1)?.query.toString()).toBe("limit=3&offset=3")
    }),
  )

  it.effect("the stream walks every page once, and stops at the total", () =>
    Effect.gen(function* () {
      const before = collection.requests.length
      const all = yield* Stream.runCollect((yield* client(collection)).tokens(3))
      expect(Chunk.toReadonlyArray(all).map((token) => token.id)).toEqual(tokens.map((token) => token.id))
      const asked = collection.requests.slice(before).map((request) => request.query.get("offset"))
      expect(asked).toEqual(["0", "3", "6"])
    }),
  )

  it.effect("without headers a page says what was asked; a header that is no number is a protocol error", () =>
    Effect.gen(function* () {
      const bare = yield* (yield* client(recorder(() => json(200, [])))).listTokens({ limit: 5, offset: 10 })
      expect(bare).toEqual({ items: [], limit: 5, offset: 10 })
      const garbled = recorder(() => json(200, [], { "pagination-total": "many" }))
      const error = yield* failure((yield* client(garbled)).listTokens({ limit: 5, offset: 0 }))
      expect(error.message).toBe("list tokens: Pagination-Total is not a whole number")
    }),
  )

  it.effect("limit and offset outside 0 to 1000 are refused unsent; a stream past offset 1000 fails so", () =>
    Effect.gen(function* () {
      const rec = recorder(() => json(200, []))
      const rebilly = yield* client(rec)
      for (const page of [
        { limit: 1001, offset: 0 },
        { limit: 10, offset: -1 },
        { limit: 2.5, offset: 0 },
        { limit: 10, offset: 1001 },
      ]) {
        expect((yield* failure(rebilly.listTokens(page)))._tag).toBe("ProviderValidationError")
      }
      expect(rec.requests).toHaveLength(0)
      const endless = recorder((request) =>
        json(
          200,
          Array.from({ length: Number(request.query.get("limit")) }, (_, i) => cardToken({ id: `T${i}` })),
        ),
      )
      const error = yield* Effect.flip(Stream.runDrain((yield* client(endless)).pages(500)))
      expect(error).toMatchObject({ _tag: "ProviderValidationError", fields: [{ field: "offset" }] })
      expect(endless.requests.map((request) => request.query.get("offset"))).toEqual(["0", "500", "1000"])
    }),
  )
})
