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
import * as RebillyHttpClient from "../../src/simulators/rebilly/RebillyHttpClient.js"
import { defaultBaseUrl, RebillySimulator } from "../../src/simulators/rebilly/RebillySimulator.js"

const secretKey = "sk_sandbox_0f1e2d3c4b5a69788796a5b4"
const publishableKey = "pk_sandbox_a1b2c3d4e5f60718293a4b5c"
const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzaW0ifQ.c2lnbmF0dXJl"
const keys = { secretKeys: [secretKey], publishableKeys: [publishableKey], jwts: [jwt] }

/** Card numbers with distinctive middle digits (Luhn-valid), so a leak cannot hide in a masked form. */
const pan = "4539578123456789"
const declinedPan = "4000000000000002"
const cvv = "918"

/** Replaces the test card data, so a failing assertion never prints it. */
const scrub = (text: string): string => text.replaceAll(pan, "<pan>").replaceAll(declinedPan, "<pan>")

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

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field in assertions
  readonly json: any
}

const send = (
  method: "GET" | "POST",
  path: string,
  options: { readonly credential?: Credential; readonly body?: unknown; readonly base?: string } = {},
) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const url = `${options.base ?? defaultBaseUrl}${path}`
    const base = method === "GET" ? HttpClientRequest.get(url) : HttpClientRequest.post(url)
    const withHeaders = HttpClientRequest.setHeaders(base, headersFor(options.credential ?? "secret"))
    const request =
      options.body === undefined ? withHeaders : HttpClientRequest.bodyUnsafeJson(withHeaders, options.body)
    const response = yield* client.execute(request)
    const text = yield* response.text
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json } as Answer
  })

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
      expect(token.paymentInstrument).not.toHaveProperty("pan")
      expect(token.paymentInstrument).not.toHaveProperty("cvv")
      expect(answer.text).not.toContain(pan)
      expect(answer.text).not.toContain(cvv)
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
      expect(read.text).not.toContain(pan)
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
      expect(misplaced.text).not.toContain(secretKey)
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
      expect(scrub(created.text)).toBe(created.text)

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
      expect(scrub(declined.text)).toBe(declined.text)
      expect((yield* pay(declinedToken)).status).toBe(422)
    }).pipe(Effect.provide(simulator())),
  )
})
