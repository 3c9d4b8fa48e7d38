/**
 * The Rebilly simulator in process, driven with plain HTTP requests (never the adapter): tokens
 * minted, read and listed with the credentials each operation accepts, single use and the
 * 30-minute expiry on the simulator's clock, redemption by payment instrument and transaction,
 * RFC 9457 problems, pagination, the rate-limit budget and its headers, injected faults, and that
 * no card number or CVV leaves it.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as RebillyHttpClient from "../../src/simulators/rebilly/RebillyHttpClient.js"
import { defaultBaseUrl, RebillySimulator } from "../../src/simulators/rebilly/RebillySimulator.js"
import * as Faults from "../../src/simulators/shared/Faults.js"
import { type Answer, droppedConnection, exchange } from "./Answers.js"

const secretKey = "sk_sandbox_0f1e2d3c4b5a69788796a5b4"
const publishableKey = "pk_sandbox_a1b2c3d4e5f60718293a4b5c"
const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzaW0ifQ.c2lnbmF0dXJl"
const keys = { secretKeys: [secretKey], publishableKeys: [publishableKey], jwts: [jwt] }

/** Card numbers with distinctive middle digits (Luhn-valid), so a leak cannot hide in a masked form. */
const pan = "4539578123456789"
const declinedPan = "4000000000000002"
const cvv = "918"

/** Whether `value` holds a `pan` or `cvv` field, or a string equal to the CVV, at any depth. */
const holdsCardField = (value: unknown): boolean => {
  if (typeof value === "string") return value === cvv
  if (Array.isArray(value)) return value.some(holdsCardField)
  if (typeof value !== "object" || value === null) return false
  return Object.entries(value).some(([key, field]) => key === "pan" || key === "cvv" || holdsCardField(field))
}

/** Fails without printing `text`, so a failure never shows card data. */
const expectNoCardData = (text: string) => {
  expect(text.includes(pan) || text.includes(declinedPan), "the text carries a card number").toBe(false)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  expect(holdsCardField(parsed), "the JSON carries a pan or cvv field or the CVV").toBe(false)
}

const startedAt = Date.UTC(2026, 5, 1, 12, 0, 0)

type Credential = "secret" | "publishable" | "jwt" | "none" | Readonly<Record<string, string>>

const headersFor = (credential: Credential): Record<string, string> => {
  switch (credential) {
    case "secret":
      return { "REB-APIKEY": secretKey }
    case "publishable":
      return { Authorization: publishableKey }
    case "jwt":
      return { Authorization: `Bearer ${jwt}` }
    case "none":
      return {}
    default:
      return { ...credential }
  }
}

const send = (
  method: "GET" | "POST",
  path: string,
  options: { readonly credential?: Credential; readonly body?: unknown; readonly base?: string } = {},
) => {
  const url = `${options.base ?? defaultBaseUrl}${path}`
  const base = method === "GET" ? HttpClientRequest.get(url) : HttpClientRequest.post(url)
  const withHeaders = HttpClientRequest.setHeaders(base, headersFor(options.credential ?? "secret"))
  return exchange(
    options.body === undefined ? withHeaders : HttpClientRequest.bodyUnsafeJson(withHeaders, options.body),
  )
}

const cardBody = (overrides: Record<string, unknown> = {}, card: Record<string, unknown> = {}) => ({
  method: "payment-card",
  paymentInstrument: { pan, cvv, expMonth: 12, expYear: 2030, ...card },
  billingAddress: { firstName: "Jane", lastName: "Doe", country: "US", postalCode: "10001" },
  ...overrides,
})

const createToken = (credential: Credential = "publishable", body: unknown = cardBody()) =>
  send("POST", "/tokens", { credential, body })

const mint = (card: Record<string, unknown> = {}) =>
  Effect.map(createToken("publishable", cardBody({}, card)), (answer) => {
    expect(answer.status).toBe(201)
    return answer.json.id as string
  })

const redeemAsInstrument = (token: string, customerId = "cus_1") =>
  send("POST", "/payment-instruments", { body: { customerId, token } })

const pay = (token: string, extra: Record<string, unknown> = {}) =>
  send("POST", "/transactions", {
    body: {
      type: "sale",
      websiteId: "web_1",
      customerId: "cus_1",
      currency: "USD",
      amount: 12.5,
      paymentInstruction: { token },
      ...extra,
    },
  })

const simulator = (options: Parameters<typeof RebillyHttpClient.layerWithSimulator>[0] = {}) =>
  RebillyHttpClient.layerWithSimulator({ ...keys, seed: "rebilly", ...options })

const atStart = Effect.flatMap(RebillySimulator, (sim) => sim.setTime(startedAt))

describe("Rebilly simulator: tokens", () => {
  it.effect("mints a card token with a publishable key: 201, Location, rate-limit headers, masked card only", () =>
    Effect.gen(function* () {
      yield* atStart
      const answer = yield* createToken()
      expect(answer.status).toBe(201)
      const token = answer.json
      expect(token.id).toMatch(/^[A-Z0-9]{20}$/)
      expect(answer.headers.location).toBe(`${defaultBaseUrl}/tokens/${token.id}`)
      expect(answer.headers["x-ratelimit-limit"]).toBe("3000")
      expect(answer.headers["x-ratelimit-remaining"]).toBe("2999")
      expect(token).toMatchObject({
        method: "payment-card",
        isUsed: false,
        usageTime: null,
        expirationTime: null,
        createdTime: "2026-06-01T12:00:00+00:00",
        paymentInstrument: { bin: "453957", last4: "6789", brand: "Visa", expMonth: 12, expYear: 2030 },
        billingAddress: { firstName: "Jane", lastName: "Doe", country: "US", city: null, emails: [] },
        _links: [{ rel: "self", href: `${defaultBaseUrl}/tokens/${token.id}` }],
      })
      expect(token.billingAddress.hash).toMatch(/^[0-9a-f]{32}$/)
      expectNoCardData(answer.text)
      // The undocumented fields the sandbox sends.
      expect(token).toMatchObject({ used: false, usedTime: null, expiredTime: null, last4: "6789", brand: "Visa" })
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("mints with a secret key or a JWT as well; the book records which", () =>
    Effect.gen(function* () {
      expect((yield* createToken("secret")).status).toBe(201)
      expect((yield* createToken("jwt")).status).toBe(201)
      const sim = yield* RebillySimulator
      expect((yield* sim.tokens).map((t) => t.createdWith)).toEqual(["secret", "jwt"])
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("reads a token with the publishable key only, as the spec's security says", () =>
    Effect.gen(function* () {
      const id = yield* mint()
      const read = yield* send("GET", `/tokens/${id}`, { credential: "publishable" })
      expect(read.status).toBe(200)
      expect(read.json).toMatchObject({ id, isUsed: false })
      expectNoCardData(read.text)
      const withSecret = yield* send("GET", `/tokens/${id}`, { credential: "secret" })
      expect(withSecret.status).toBe(403)
      expect(withSecret.json).toMatchObject({ type: "about:blank", title: "Forbidden", status: 403 })
      expect((yield* send("GET", `/tokens/${id}`, { credential: "jwt" })).status).toBe(403)
      const missing = yield* send("GET", "/tokens/NOSUCHTOKEN000000000", { credential: "publishable" })
      expect(missing.status).toBe(404)
      expect(missing.json).toMatchObject({ title: "Not Found", status: 404, instance: "/tokens/NOSUCHTOKEN000000000" })
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("lets a secret key read tokens when told the operation accepts it", () =>
    Effect.gen(function* () {
      const id = yield* mint()
      expect((yield* send("GET", `/tokens/${id}`, { credential: "secret" })).status).toBe(200)
    }).pipe(Effect.provide(simulator({ acceptedSchemes: { getToken: ["publishable", "secret", "jwt"] } }))),
  )

  it.effect("lists tokens with a secret key or JWT, never a publishable key", () =>
    Effect.gen(function* () {
      yield* mint()
      const list = yield* send("GET", "/tokens", { credential: "secret" })
      expect(list.status).toBe(200)
      expect(list.json).toHaveLength(1)
      expect((yield* send("GET", "/tokens", { credential: "jwt" })).status).toBe(200)
      const withPublishable = yield* send("GET", "/tokens", { credential: "publishable" })
      expect(withPublishable.status).toBe(403)
      expect(withPublishable.json.detail).toContain("publishable")
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("401 without credentials or with unknown ones; the key's value never shows in the answer", () =>
    Effect.gen(function* () {
      const none = yield* createToken("none")
      expect(none.status).toBe(401)
      expect(none.json).toEqual({
        type: "about:blank",
        title: "Unauthorized",
        status: 401,
        detail: "Invalid credentials.",
        instance: "/tokens",
      })
      const wrongSecret = yield* send("GET", "/tokens", { credential: { "REB-APIKEY": "sk_sandbox_wrong" } })
      expect(wrongSecret.status).toBe(401)
      // A secret key sent where a publishable key goes is not a publishable key.
      const misplaced = yield* createToken({ Authorization: secretKey })
      expect(misplaced.status).toBe(401)
      expect(misplaced.text.includes(secretKey), "the answer carries the key").toBe(false)
      // A JWT is told from a publishable key by `Bearer `.
      const bearerPublishable = yield* createToken({ Authorization: `Bearer ${publishableKey}` })
      expect(bearerPublishable.status).toBe(401)
      const sim = yield* RebillySimulator
      expect(yield* sim.tokens).toHaveLength(0)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("both headers at once, as the JS SDK sends them: let in when either fits the operation", () =>
    Effect.gen(function* () {
      const both = { "REB-APIKEY": secretKey, Authorization: publishableKey }
      const id = (yield* createToken(both)).json.id
      expect((yield* send("GET", `/tokens/${id}`, { credential: both })).status).toBe(200)
      expect((yield* send("GET", "/tokens", { credential: both })).status).toBe(200)
    }).pipe(Effect.provide(simulator())),
  )
})

describe("Rebilly simulator: single use", () => {
  it.effect("a payment instrument made from a token uses it: isUsed and usageTime; a second use is refused", () =>
    Effect.gen(function* () {
      yield* atStart
      const id = yield* mint()
      const created = yield* redeemAsInstrument(id)
      expect(created.status).toBe(201)
      expect(created.json).toMatchObject({
        customerId: "cus_1",
        method: "payment-card",
        bin: "453957",
        last4: "6789",
        brand: "Visa",
      })
      expect(created.headers.location).toBe(`${defaultBaseUrl}/payment-instruments/${created.json.id}`)
      expectNoCardData(created.text)

      const read = yield* send("GET", `/tokens/${id}`, { credential: "publishable" })
      expect(read.json).toMatchObject({ isUsed: true, usageTime: "2026-06-01T12:00:00+00:00", expirationTime: null })

      const again = yield* pay(id)
      expect(again.status).toBe(422)
      expect(again.json).toMatchObject({
        type: "about:blank",
        status: 422,
        invalidFields: [{ field: "paymentInstruction.token", message: "Token has already been used." }],
      })
      const sim = yield* RebillySimulator
      const [token] = yield* sim.tokens
      expect(token).toMatchObject({ id, state: "used", usedBy: created.json.id })
      expect(yield* sim.transactions).toHaveLength(0)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("a transaction paid with a token uses it; a declined card uses it too", () =>
    Effect.gen(function* () {
      const approved = yield* pay(yield* mint())
      expect(approved.status).toBe(201)
      expect(approved.json).toMatchObject({ type: "sale", result: "approved", amount: 12.5, currency: "USD" })
      const declinedToken = yield* mint({ pan: declinedPan })
      const declined = yield* pay(declinedToken)
      expect(declined.status).toBe(201)
      expect(declined.json.result).toBe("declined")
      expectNoCardData(declined.text)
      expect((yield* pay(declinedToken)).status).toBe(422)
    }).pipe(Effect.provide(simulator())),
  )
})

describe("Rebilly simulator: 30 minutes on the simulator's clock", () => {
  it.effect("usable until 29:59.999, expired at 30:00: refused, expirationTime = createdTime + 30 min", () =>
    Effect.gen(function* () {
      yield* atStart
      const early = yield* mint()
      const late = yield* mint()
      yield* TestClock.adjust("1799999 millis")
      expect((yield* redeemAsInstrument(early)).status).toBe(201)
      yield* TestClock.adjust("1 millis")
      const refused = yield* redeemAsInstrument(late)
      expect(refused.status).toBe(422)
      expect(refused.json.invalidFields).toEqual([{ field: "token", message: "Token has expired." }])
      const read = yield* send("GET", `/tokens/${late}`, { credential: "publishable" })
      expect(read.status).toBe(200)
      expect(read.json).toMatchObject({
        isUsed: false,
        usageTime: null,
        expirationTime: "2026-06-01T12:30:00+00:00",
        expiredTime: "2026-06-01T12:30:00+00:00",
      })
      // A used token shows its use, not an expiry, once 30 minutes have passed.
      const used = yield* send("GET", `/tokens/${early}`, { credential: "publishable" })
      expect(used.json).toMatchObject({ isUsed: true, usageTime: "2026-06-01T12:29:59+00:00", expirationTime: null })
      const sim = yield* RebillySimulator
      expect((yield* sim.tokens).map((t) => t.state)).toEqual(["used", "expired"])
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("advanceClock and setTime move the simulator's time as TestClock does", () =>
    Effect.gen(function* () {
      const sim = yield* RebillySimulator
      yield* sim.setTime(startedAt)
      expect(yield* sim.now).toBe(startedAt)
      const id = yield* mint()
      yield* sim.advanceClock("30 minutes")
      expect(yield* sim.now).toBe(startedAt + 30 * 60_000)
      expect((yield* pay(id)).json.invalidFields).toEqual([
        { field: "paymentInstruction.token", message: "Token has expired." },
      ])
      expect((yield* sim.tokens)[0]).toMatchObject({ state: "expired", expiresAt: startedAt + 30 * 60_000 })
    }).pipe(Effect.provide(simulator())),
  )
})

describe("Rebilly simulator: pagination", () => {
  it.effect("pages through many tokens, newest first, with Pagination-Total/Limit/Offset", () =>
    Effect.gen(function* () {
      const minted: Array<string> = []
      for (let i = 0; i < 25; i++) minted.push(yield* mint())
      const seen: Array<string> = []
      for (const offset of [0, 10, 20]) {
        const page = yield* send("GET", `/tokens?limit=10&offset=${offset}`)
        expect(page.status).toBe(200)
        expect(page.headers["pagination-total"]).toBe("25")
        expect(page.headers["pagination-limit"]).toBe("10")
        expect(page.headers["pagination-offset"]).toBe(String(offset))
        expect(page.json).toHaveLength(offset === 20 ? 5 : 10)
        seen.push(...page.json.map((token: { id: string }) => token.id))
      }
      expect(seen).toEqual([...minted].reverse())
      const whole = yield* send("GET", "/tokens")
      expect(whole.headers["pagination-limit"]).toBe("100")
      expect(whole.headers["pagination-offset"]).toBe("0")
      expect(whole.json).toHaveLength(25)
      const past = yield* send("GET", "/tokens?offset=1000&limit=1000")
      expect(past.json).toEqual([])
      expect(past.headers["pagination-total"]).toBe("25")
      const none = yield* send("GET", "/tokens?limit=0")
      expect(none.json).toEqual([])
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("limit and offset outside 0..1000 or not integers: 422 naming the parameter", () =>
    Effect.gen(function* () {
      for (const [query, field] of [
        ["limit=1001", "limit"],
        ["limit=5000", "limit"],
        ["offset=1001", "offset"],
        ["offset=-1", "offset"],
        ["limit=ten", "limit"],
        ["limit=2.5", "limit"],
      ] as const) {
        const answer = yield* send("GET", `/tokens?${query}`)
        expect(answer.status, query).toBe(422)
        expect(
          answer.json.invalidFields.map((f: { field: string }) => f.field),
          query,
        ).toEqual([field])
      }
    }).pipe(Effect.provide(simulator())),
  )
})

describe("Rebilly simulator: RFC 9457 problems", () => {
  it.effect("422 lists every invalid field in dot notation, without quoting what was sent", () =>
    Effect.gen(function* () {
      const answer = yield* createToken(
        "publishable",
        cardBody(
          { billingAddress: { country: "usa", postalCode: "10001!" } },
          { pan: "4539578123456788", cvv: "12", expMonth: 13, expYear: undefined },
        ),
      )
      expect(answer.status).toBe(422)
      expect(answer.headers["content-type"]).toBe("application/json")
      expect(answer.json).toMatchObject({ type: "about:blank", title: "Unprocessable Entity", status: 422 })
      expect(typeof answer.json.detail).toBe("string")
      expect(answer.json.invalidFields.map((f: { field: string }) => f.field).sort()).toEqual([
        "billingAddress.country",
        "billingAddress.postalCode",
        "paymentInstrument.cvv",
        "paymentInstrument.expMonth",
        "paymentInstrument.expYear",
        "paymentInstrument.pan",
      ])
      expect(answer.text.includes("4539578123456788"), "the answer quotes the card number").toBe(false)
      const sim = yield* RebillySimulator
      expect(yield* sim.tokens).toHaveLength(0)
      const [record] = yield* sim.requests
      expect(record).toMatchObject({ endpoint: "createToken", status: 422, scheme: "publishable" })
      expect(record?.invalidFields).toContain("paymentInstrument.pan")
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("a card past its expiry, a method other than payment-card, a missing paymentInstrument: 422", () =>
    Effect.gen(function* () {
      yield* atStart
      const expired = yield* createToken("publishable", cardBody({}, { expMonth: 5, expYear: 2026 }))
      expect(expired.json.invalidFields).toEqual([
        { field: "paymentInstrument.expYear", message: "The card has expired." },
      ])
      const paypal = yield* createToken("publishable", cardBody({ method: "paypal" }))
      expect(paypal.json.invalidFields.map((f: { field: string }) => f.field)).toEqual(["method"])
      const bare = yield* createToken("publishable", { method: "payment-card" })
      expect(bare.json.invalidFields).toEqual([{ field: "paymentInstrument", message: "This value is required." }])
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("400 for a body that is not a JSON object; 404 for an unknown path; 405 with Allow", () =>
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient
      const raw = (text: string, contentType = "application/json") =>
        Effect.flatMap(
          client.execute(
            HttpClientRequest.post(`${defaultBaseUrl}/tokens`).pipe(
              HttpClientRequest.setHeader("Authorization", publishableKey),
              HttpClientRequest.bodyText(text, contentType),
            ),
          ),
          (response) => Effect.map(response.json, (json) => ({ status: response.status, json })),
        )
      expect(yield* raw("{not json")).toMatchObject({ status: 400, json: { title: "Bad Request", status: 400 } })
      expect((yield* raw("[1, 2]")).status).toBe(400)
      expect((yield* raw("method=payment-card", "application/x-www-form-urlencoded")).status).toBe(400)
      const unknown = yield* send("GET", "/customers")
      expect(unknown.json).toMatchObject({ status: 404, title: "Not Found", instance: "/customers" })
      const client405 = yield* client.execute(
        HttpClientRequest.del(`${defaultBaseUrl}/tokens/ABC`).pipe(
          HttpClientRequest.setHeader("REB-APIKEY", secretKey),
        ),
      )
      expect(client405.status).toBe(405)
      expect(client405.headers.allow).toBe("GET")
      expect(yield* client405.json).toMatchObject({ status: 405, title: "Method Not Allowed" })
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("problem answers can be sent as application/problem+json", () =>
    Effect.gen(function* () {
      const answer = yield* createToken("none")
      expect(answer.status).toBe(401)
      expect(answer.headers["content-type"]).toBe("application/problem+json")
      expect(answer.json.status).toBe(401)
    }).pipe(Effect.provide(simulator({ problemContentType: "application/problem+json" }))),
  )
})

describe("Rebilly simulator: redemption", () => {
  it.effect(
    "the same card again for the same customer updates its instrument: 303 with Location; another customer gets its own",
    () =>
      Effect.gen(function* () {
        const first = yield* redeemAsInstrument(yield* mint())
        const again = yield* redeemAsInstrument(yield* mint({ expYear: 2031 }))
        expect(again.status).toBe(303)
        expect(again.json).toMatchObject({ id: first.json.id, expYear: 2031, revision: 2 })
        expect(again.headers.location).toBe(`${defaultBaseUrl}/payment-instruments/${first.json.id}`)
        const other = yield* redeemAsInstrument(yield* mint(), "cus_2")
        expect(other.status).toBe(201)
        expect(other.json.id).not.toBe(first.json.id)
        const read = yield* send("GET", `/payment-instruments/${first.json.id}`)
        expect(read).toMatchObject({ status: 200, json: { id: first.json.id, customerId: "cus_1" } })
        expect(
          (yield* send("GET", `/payment-instruments/${first.json.id}`, { credential: "publishable" })).status,
        ).toBe(403)
        expect((yield* send("GET", "/payment-instruments/inst_NONE")).status).toBe(404)
      }).pipe(Effect.provide(simulator())),
  )

  it.effect("a retried transaction with the same requestId answers the first; another request with it is 409", () =>
    Effect.gen(function* () {
      const id = yield* mint()
      const first = yield* pay(id, { requestId: "order-42" })
      const retry = yield* pay(id, { requestId: "order-42" })
      expect(first.status).toBe(201)
      expect(retry.status).toBe(201)
      expect(retry.json).toEqual(first.json)
      const clash = yield* pay(id, { requestId: "order-42", amount: 99 })
      expect(clash.status).toBe(409)
      expect(clash.json).toMatchObject({ type: "about:blank", title: "Conflict", status: 409 })
      const sim = yield* RebillySimulator
      expect((yield* sim.transactions).map((t) => [t.requestId, t.token])).toEqual([["order-42", id]])
      const read = yield* send("GET", `/transactions/${first.json.id}`)
      expect(read.json).toEqual(first.json)
      expect((yield* send("GET", "/transactions/txn_NONE")).status).toBe(404)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("a token that cannot pay is refused and stays unused: no billing address, no card number", () =>
    Effect.gen(function* () {
      const noAddress = (yield* createToken("publishable", cardBody({ billingAddress: undefined }))).json.id
      const refused = yield* pay(noAddress)
      expect(refused.json.invalidFields).toEqual([
        { field: "paymentInstruction.token", message: "Token has no billing address." },
      ])
      const withAddress = yield* pay(noAddress, { billingAddress: { firstName: "Jane", country: "US" } })
      expect(withAddress.status).toBe(201)
      const noPan = (yield* createToken("publishable", cardBody({}, { pan: undefined, cvv: undefined }))).json
      expect(noPan.paymentInstrument).toEqual({ bin: null, last4: null, expMonth: 12, expYear: 2030 })
      expect((yield* redeemAsInstrument(noPan.id)).json.invalidFields).toEqual([
        { field: "token", message: "Token has no card number." },
      ])
      const unknown = yield* redeemAsInstrument("NOSUCHTOKEN")
      expect(unknown.json.invalidFields).toEqual([{ field: "token", message: "Token not found." }])
      const sim = yield* RebillySimulator
      expect((yield* sim.tokens).map((t) => t.state)).toEqual(["used", "unused"])
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("a transaction can pay with a vaulted instrument of its customer only", () =>
    Effect.gen(function* () {
      const instrument = (yield* redeemAsInstrument(yield* mint())).json.id
      const paid = yield* pay("", { paymentInstruction: { paymentInstrumentId: instrument } })
      expect(paid).toMatchObject({
        status: 201,
        json: { result: "approved", paymentInstrument: { paymentInstrumentId: instrument } },
      })
      const foreign = yield* pay("", { customerId: "cus_2", paymentInstruction: { paymentInstrumentId: instrument } })
      expect(foreign.status).toBe(422)
      const none = yield* pay("", { paymentInstruction: undefined })
      expect(none.json.invalidFields.map((f: { field: string }) => f.field)).toEqual(["paymentInstruction"])
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("TestProcessor declines: its decline cards, CVV 000, expiry 10/2051", () =>
    Effect.gen(function* () {
      const outcome = (card: Record<string, unknown>) =>
        Effect.flatMap(mint(card), (id) => Effect.map(pay(id), (answer) => answer.json.gateway.response.code))
      expect(yield* outcome({})).toBe("00")
      expect(yield* outcome({ pan: declinedPan })).toBe("05")
      expect(yield* outcome({ cvv: "000" })).toBe("N7")
      expect(yield* outcome({ expMonth: 10, expYear: 2051 })).toBe("54")
      const sim = yield* RebillySimulator
      expect((yield* sim.transactions).map((t) => t.result)).toEqual(["approved", "declined", "declined", "declined"])
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("two redemptions of one token at once: exactly one wins", () =>
    Effect.gen(function* () {
      const id = yield* mint()
      const answers = yield* Effect.all([pay(id), pay(id), redeemAsInstrument(id), redeemAsInstrument(id, "cus_2")], {
        concurrency: "unbounded",
      })
      expect(answers.map((a) => a.status).filter((status) => status === 201)).toHaveLength(1)
      expect(answers.map((a) => a.status).filter((status) => status === 422)).toHaveLength(3)
    }).pipe(Effect.provide(simulator())),
  )
})

describe("Rebilly simulator: digital wallets", () => {
  it.effect("validates an Apple Pay session with a publishable key; other wallets and bad requests are 422", () =>
    Effect.gen(function* () {
      const validationRequest = {
        validationUrl: "https://apple-pay-gateway.apple.com/paymentservices/startSession",
        domainName: "www.example.com",
        displayName: "My Store",
      }
      const answer = yield* send("POST", "/digital-wallets/validation", {
        credential: "publishable",
        body: { type: "Apple Pay", validationRequest },
      })
      expect(answer.status).toBe(201)
      expect(answer.headers["x-ratelimit-remaining"]).toBe("2999")
      expect(answer.json).toMatchObject({
        type: "Apple Pay",
        validationResponse: { domainName: "www.example.com", displayName: "My Store" },
      })
      expect(answer.json).not.toHaveProperty("validationRequest")
      const google = yield* send("POST", "/digital-wallets/validation", {
        credential: "publishable",
        body: { type: "Google Pay", validationRequest },
      })
      expect(google.json.invalidFields.map((f: { field: string }) => f.field)).toEqual(["type"])
      const plain = yield* send("POST", "/digital-wallets/validation", {
        credential: "publishable",
        body: { type: "Apple Pay", validationRequest: { ...validationRequest, validationUrl: "http://x" } },
      })
      expect(plain.json.invalidFields.map((f: { field: string }) => f.field)).toEqual([
        "validationRequest.validationUrl",
      ])
    }).pipe(Effect.provide(simulator())),
  )
})

describe("Rebilly simulator: rate limits", () => {
  const budget = { rateLimit: { limit: 3, window: "1 minute" } } as const

  it.effect("a budget per window: 429 with the X-RateLimit headers once spent, open again in the next window", () =>
    Effect.gen(function* () {
      yield* atStart
      const remaining: Array<string | undefined> = []
      for (let i = 0; i < 3; i++) remaining.push((yield* createToken()).headers["x-ratelimit-remaining"])
      expect(remaining).toEqual(["2", "1", "0"])
      const limited = yield* createToken()
      expect(limited.status).toBe(429)
      expect(limited.headers["x-ratelimit-limit"]).toBe("3")
      expect(limited.headers["x-ratelimit-remaining"]).toBe("0")
      expect(limited.headers["x-ratelimit-retry-after"]).toBe(String(startedAt / 1000 + 60))
      expect(limited.headers["retry-after"]).toBeUndefined()
      expect(limited.json).toMatchObject({ type: "about:blank", title: "Rate Limit Exceeded", status: 429 })
      // GETs do not count by default, and are not refused.
      const list = yield* send("GET", "/tokens")
      expect(list.status).toBe(200)
      expect(list.headers["x-ratelimit-limit"]).toBeUndefined()
      expect(list.json).toHaveLength(3)
      // Refused credentials do not count either.
      yield* TestClock.adjust("1 minute")
      expect((yield* createToken("none")).status).toBe(401)
      expect((yield* createToken()).headers["x-ratelimit-remaining"]).toBe("2")
    }).pipe(Effect.provide(simulator(budget))),
  )

  it.effect("the older Rate-Limit-* names and Retry-After in seconds, as an option", () =>
    Effect.gen(function* () {
      yield* atStart
      yield* TestClock.adjust("15 seconds")
      const sim = yield* RebillySimulator
      const counted = yield* createToken()
      expect(counted.headers["rate-limit-limit"]).toBe("3")
      expect(counted.headers["rate-limit-remaining"]).toBe("2")
      expect(counted.headers["rate-limit-reset"]).toBe(new Date(startedAt + 60_000).toUTCString())
      expect(counted.headers["x-ratelimit-limit"]).toBeUndefined()
      yield* sim.exhaustRateLimit
      const limited = yield* createToken()
      expect(limited.status).toBe(429)
      expect(limited.headers["retry-after"]).toBe("45")
      expect(limited.headers["x-ratelimit-retry-after"]).toBeUndefined()
      yield* sim.configureRateLimit({ headers: "both", counts: "all", limit: 1 })
      const both = yield* send("GET", "/tokens")
      expect(both.headers["x-ratelimit-remaining"]).toBe("0")
      expect(both.headers["rate-limit-remaining"]).toBe("0")
      const over = yield* send("GET", "/tokens")
      expect(over.status).toBe(429)
      expect(over.headers["retry-after"]).toBe("45")
      expect(over.headers["x-ratelimit-retry-after"]).toBe(String(startedAt / 1000 + 60))
    }).pipe(Effect.provide(simulator({ rateLimit: { ...budget.rateLimit, headers: "legacy" } }))),
  )
})

describe("Rebilly simulator: faults", () => {
  it.effect("a server error is answered with a problem body and the request is not processed", () =>
    Effect.gen(function* () {
      const sim = yield* RebillySimulator
      yield* sim.injectFault(Faults.serverError(503), { endpoint: "createToken", times: 1 })
      const failed = yield* createToken()
      expect(failed.status).toBe(503)
      expect(failed.json).toMatchObject({ type: "about:blank", title: "Service Unavailable", status: 503 })
      expect(yield* sim.tokens).toHaveLength(0)
      expect((yield* createToken()).status).toBe(201)
      yield* sim.injectFault(Faults.serverError(502), { times: 1 })
      expect((yield* send("GET", "/tokens")).json).toMatchObject({ title: "Bad Gateway", status: 502 })
      expect((yield* sim.requests).map((r) => [r.status, r.fault])).toEqual([
        [503, "ServerError"],
        [201, undefined],
        [502, "ServerError"],
      ])
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("a dropped connection before or after processing: a transport error either way", () =>
    Effect.gen(function* () {
      const sim = yield* RebillySimulator
      yield* sim.injectFault(Faults.drop(), { endpoint: "createToken", times: 1 })
      yield* sim.injectFault(Faults.drop({ afterProcessing: true }), { endpoint: "createToken", times: 1 })
      const before = yield* Effect.either(createToken())
      expect(droppedConnection(before)).toBe(true)
      expect(yield* sim.tokens).toHaveLength(0)
      const after = yield* Effect.either(createToken())
      expect(droppedConnection(after)).toBe(true)
      expect(yield* sim.tokens).toHaveLength(1)
      expect((yield* sim.requests).map((r) => r.status)).toEqual(["dropped", "dropped"])
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("malformed answers: processed, then a body the client cannot read", () =>
    Effect.gen(function* () {
      const sim = yield* RebillySimulator
      yield* sim.injectFault(Faults.malformed("not-json"), { times: 1 })
      yield* sim.injectFault(Faults.malformed("truncated"), { times: 1 })
      yield* sim.injectFault(Faults.malformed("wrong-shape"), { times: 1 })
      const html = yield* createToken()
      expect(html.status).toBe(200)
      expect(html.headers["content-type"]).toBe("text/html")
      expect(html.json).toBeUndefined()
      const truncated = yield* createToken()
      expect(truncated.json).toBeUndefined()
      expectNoCardData(truncated.text)
      const wrong = yield* createToken()
      expect(wrong.json).toMatchObject({ id: 42, isUsed: "no" })
      expect(yield* sim.tokens).toHaveLength(3)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("a slow answer: processed at once, answered after the delay (TestClock)", () =>
    Effect.gen(function* () {
      const sim = yield* RebillySimulator
      yield* sim.injectFault(Faults.slow("10 seconds"), { endpoint: "createToken" })
      const fiber = yield* Effect.fork(createToken())
      yield* TestClock.adjust("9 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      expect(yield* sim.tokens).toHaveLength(1)
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).status).toBe(201)
      // Scoped to its endpoint: reads are not slowed.
      expect((yield* send("GET", "/tokens")).status).toBe(200)
      yield* sim.clearFaults
    }).pipe(Effect.provide(simulator())),
  )
})

describe("Rebilly simulator: organization and card data", () => {
  it.effect("a base URL without the organization: /organizations/{id} is read; another organization is 403", () =>
    Effect.gen(function* () {
      const base = "https://api-sandbox.rebilly.com"
      const own = yield* send("POST", "/organizations/simulated-organization/tokens", {
        base,
        credential: "publishable",
        body: cardBody(),
      })
      expect(own.status).toBe(201)
      const foreign = yield* send("GET", "/organizations/another-org/tokens", { base })
      expect(foreign.status).toBe(403)
      expect(foreign.json.detail).toContain("organization")
    }).pipe(
      Effect.provide(RebillyHttpClient.layerWithSimulator({ ...keys, baseUrl: "https://api-sandbox.rebilly.com" })),
    ),
  )

  it.effect("no answer, book or request record ever holds the card number or CVV", () =>
    Effect.gen(function* () {
      const texts: Array<string> = []
      const keep = (answer: Answer) => {
        texts.push(answer.text, JSON.stringify(answer.headers))
        return answer
      }
      const id = keep(yield* createToken()).json.id
      keep(yield* createToken("publishable", cardBody({}, { pan: declinedPan })))
      keep(yield* createToken("publishable", cardBody({}, { pan: `${pan}0` })))
      keep(yield* createToken("publishable", cardBody({}, { cvv: 918 })))
      keep(yield* createToken("publishable", cardBody({}, { pan: Number(pan) })))
      keep(yield* createToken("publishable", cardBody({ method: "paypal" })))
      keep(yield* send("GET", `/tokens/${id}`, { credential: "publishable" }))
      keep(yield* send("GET", "/tokens"))
      keep(yield* redeemAsInstrument(id))
      keep(yield* pay(keep(yield* createToken()).json.id))
      keep(yield* pay(id))
      const sim = yield* RebillySimulator
      texts.push(
        JSON.stringify(yield* sim.tokens),
        JSON.stringify(yield* sim.paymentInstruments),
        JSON.stringify(yield* sim.transactions),
        JSON.stringify(yield* sim.requests),
      )
      expect(texts.length).toBeGreaterThan(20)
      for (const text of texts) expectNoCardData(text)
    }).pipe(Effect.provide(simulator())),
  )
})
