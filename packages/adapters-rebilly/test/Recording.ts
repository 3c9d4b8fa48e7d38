/**
 * An `HttpClient` that records every request the adapter sends, as the wire carries it, and
 * answers from a script: the stub transport of the unit tests and of the spec test.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as InProcessHttpClient from "@token-lifecycle/testkit/simulators/shared/InProcessHttpClient"
import * as SimulatedHttp from "@token-lifecycle/testkit/simulators/shared/SimulatedHttp"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as RebillyConfig from "../src/RebillyConfig.js"

type WireRequest = SimulatedHttp.WireRequest
export type WireAnswer = SimulatedHttp.WireAnswer

export const organizationId = "org-test"
export const baseUrl = `https://api-sandbox.rebilly.com/organizations/${organizationId}`

export const keys = {
  secretKey: Redacted.make("sk_sandbox_secret0123456789"),
  publishableKey: Redacted.make("pk_sandbox_publishable0123456789"),
  jwt: Redacted.make("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl"),
} as const

/** A request as the wire carried it, and when (by Effect's clock) it arrived. */
export interface Recorded extends WireRequest {
  readonly at: number
}

export interface Recorder {
  readonly requests: Array<Recorded>
  readonly layer: Layer.Layer<HttpClient.HttpClient>
}

/** A client answering each request with `answer(request)`, and the list of what it received. */
export const recorder = (answer: (request: WireRequest) => WireAnswer | Effect.Effect<WireAnswer>): Recorder => {
  const requests: Array<Recorded> = []
  const handler: SimulatedHttp.Handler = (request) =>
    Effect.flatMap(Clock.currentTimeMillis, (at) => {
      requests.push({ ...request, at })
      const answered = answer(request)
      return Effect.isEffect(answered) ? answered : Effect.succeed(answered)
    })
  return { requests, layer: Layer.succeed(HttpClient.HttpClient, InProcessHttpClient.make(handler, baseUrl)) }
}

export type Key = keyof typeof keys

/** The adapter's configuration for these tests: the credentials named (all three by default), and any override. */
export const config = (
  overrides: Partial<Parameters<typeof RebillyConfig.layer>[0]> = {},
  credentials: ReadonlyArray<Key> = ["secretKey", "publishableKey", "jwt"],
) =>
  RebillyConfig.layer({
    organizationId,
    baseUrl,
    ...Object.fromEntries(credentials.map((key) => [key, keys[key]])),
    websiteId: "web-test",
    timeout: "2 seconds",
    ...overrides,
  })

export const { json, respond } = SimulatedHttp

/** A fresh card token as the sandbox answers one (the shape of rebilly.md §5.6, with its extra fields). */
export const cardToken = (fields: Record<string, unknown> = {}) => ({
  id: "AYW7VCAFAKFEWK6SZ7Z5",
  isUsed: false,
  method: "payment-card",
  billingAddress: {
    firstName: "Jane",
    lastName: "Roe",
    country: "US",
    phoneNumbers: [],
    emails: [],
    hash: "810625cfaa860d11eb6d3215e911a34d",
  },
  createdTime: "2026-01-01T00:00:00+00:00",
  updatedTime: "2026-01-01T00:00:00+00:00",
  expirationTime: null,
  usageTime: null,
  riskMetadata: null,
  paymentInstrument: { bin: "411111", last4: "1111", brand: "Visa", expMonth: 12, expYear: 2030 },
  browserData: null,
  fingerprint: "d08017affcb9a46d2a23976edafe8f84",
  used: false,
  expiredTime: null,
  usedTime: null,
  last4: "1111",
  brand: "Visa",
  _links: [{ rel: "self", href: `${baseUrl}/tokens/AYW7VCAFAKFEWK6SZ7Z5` }],
  ...fields,
})
