/**
 * The Rebilly simulator behind a real HTTP server on 127.0.0.1, reached with a real client
 * (undici): the same answers, statuses and headers as in process, under a base URL with or
 * without the organization, its clock moved by `advanceClock`, and connections broken for real.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RebillyHttpClient from "../../src/simulators/rebilly/RebillyHttpClient.js"
import * as RebillyServer from "../../src/simulators/rebilly/RebillyServer.js"
import { defaultBaseUrl, RebillySimulator } from "../../src/simulators/rebilly/RebillySimulator.js"
import * as Faults from "../../src/simulators/shared/Faults.js"
import { droppedConnection, exchange as send } from "./Answers.js"

const secretKey = "sk_sandbox_loopback"
const publishableKey = "pk_sandbox_loopback"
const options = {
  secretKeys: [secretKey],
  publishableKeys: [publishableKey],
  seed: "loopback",
  rateLimit: { limit: 4, window: "10 minutes" },
} as const
/** A window's start, so both runs stay in one rate-limit window. */
const startedAt = Date.UTC(2026, 5, 1, 12, 0, 0)

const card = {
  method: "payment-card",
  paymentInstrument: { pan: "5555555555554444", cvv: "321", expMonth: 1, expYear: 2032 },
  billingAddress: { firstName: "Ada", lastName: "Lovelace", country: "GB" },
}

interface Step {
  readonly method: "GET" | "POST"
  readonly path: string
  readonly key?: "secret" | "publishable"
  readonly body?: unknown
}

const exchange = (base: string, step: Step) => {
  const url = `${base}${step.path}`
  const request = (step.method === "GET" ? HttpClientRequest.get(url) : HttpClientRequest.post(url)).pipe(
    HttpClientRequest.setHeaders(
      step.key === "secret"
        ? { "REB-APIKEY": secretKey }
        : step.key === "publishable"
          ? { Authorization: publishableKey }
          : {},
    ),
  )
  return send(step.body === undefined ? request : HttpClientRequest.bodyUnsafeJson(request, step.body))
}

/** A token's life, step by step, as `[status, headers that matter, body without its times]`. */
const script = (base: string) =>
  Effect.gen(function* () {
    yield* Effect.flatMap(RebillySimulator, (sim) => sim.setTime(startedAt))
    const seen: Array<unknown> = []
    // Links name the base URL the client used; times depend on when each run happens.
    const normalize = (text: string) =>
      text.replaceAll(base, "<base>").replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00/g, "<time>")
    const step = (s: Step) =>
      Effect.tap(exchange(base, s), (answer) =>
        seen.push([
          answer.status,
          Object.fromEntries(
            Object.entries(answer.headers)
              .filter(([name]) => /^(location|pagination-|x-ratelimit-|content-type)/.test(name))
              .map(([name, value]) => [name, normalize(value)]),
          ),
          normalize(answer.text),
        ]),
      )
    const id = JSON.parse((yield* step({ method: "POST", path: "/tokens", key: "publishable", body: card })).text).id
    yield* step({ method: "GET", path: `/tokens/${id}`, key: "publishable" })
    yield* step({ method: "GET", path: "/tokens?limit=1&offset=0", key: "secret" })
    yield* step({ method: "POST", path: "/payment-instruments", key: "secret", body: { customerId: "c1", token: id } })
    yield* step({ method: "GET", path: `/tokens/${id}`, key: "publishable" })
    yield* step({ method: "POST", path: "/payment-instruments", key: "secret", body: { customerId: "c1", token: id } })
    yield* step({ method: "GET", path: "/tokens" })
    return seen
  })

const served = RebillyServer.layerWithSimulator(options).pipe(Layer.provideMerge(NodeHttpClient.layerUndici))

describe("Rebilly simulator over loopback HTTP", () => {
  it.scopedLive("answers a token's life exactly as the in-process simulator does", () =>
    Effect.gen(function* () {
      const overHttp = yield* Effect.flatMap(RebillyServer.RebillyServer, (server) =>
        script(`${server.baseUrl}/organizations/simulated-organization`),
      ).pipe(Effect.provide(served))
      const inProcess = yield* script(defaultBaseUrl).pipe(
        Effect.provide(RebillyHttpClient.layerWithSimulator(options)),
      )
      expect(overHttp.map((s) => (s as Array<unknown>)[0])).toEqual([201, 200, 200, 201, 200, 422, 401])
      expect(overHttp).toEqual(inProcess)
      for (const s of overHttp) expect(JSON.stringify(s).includes("5555555555554444")).toBe(false)
    }),
  )

  it.scopedLive("links lead back to the server: a 303's Location can be followed", () =>
    Effect.gen(function* () {
      const { baseUrl } = yield* RebillyServer.RebillyServer
      const base = `${baseUrl}/organizations/simulated-organization`
      const redeem = Effect.gen(function* () {
        const minted = yield* exchange(baseUrl, { method: "POST", path: "/tokens", key: "publishable", body: card })
        expect(JSON.parse(minted.text)._links).toEqual([
          { rel: "self", href: `${base}/tokens/${JSON.parse(minted.text).id}` },
        ])
        const token = JSON.parse(minted.text).id
        return yield* exchange(baseUrl, {
          method: "POST",
          path: "/payment-instruments",
          key: "secret",
          body: { customerId: "c1", token },
        })
      })
      const first = yield* redeem
      const second = yield* redeem
      expect([first.status, second.status]).toEqual([201, 303])
      const location = second.headers.location ?? ""
      expect(location).toBe(`${base}/payment-instruments/${JSON.parse(first.text).id}`)
      const followed = yield* exchange(location, { method: "GET", path: "", key: "secret" })
      expect(followed.status).toBe(200)
      expect(JSON.parse(followed.text)).toMatchObject({ id: JSON.parse(first.text).id, revision: 2 })
    }).pipe(Effect.provide(served)),
  )

  it.scopedLive("serves a bare base URL too, expires tokens by advanceClock, and breaks connections for real", () =>
    Effect.gen(function* () {
      const { baseUrl } = yield* RebillyServer.RebillyServer
      const sim = yield* RebillySimulator
      const mint = Effect.map(
        exchange(baseUrl, { method: "POST", path: "/tokens", key: "publishable", body: card }),
        (answer) => JSON.parse(answer.text).id as string,
      )
      const id = yield* mint
      yield* sim.advanceClock("30 minutes")
      const expired = yield* exchange(baseUrl, {
        method: "POST",
        path: "/transactions",
        key: "secret",
        body: {
          type: "sale",
          websiteId: "w1",
          customerId: "c1",
          currency: "EUR",
          amount: 3,
          paymentInstruction: { token: id },
        },
      })
      expect(expired.status).toBe(422)
      expect(JSON.parse(expired.text).invalidFields).toEqual([
        { field: "paymentInstruction.token", message: "Token has expired." },
      ])

      yield* sim.injectFault(Faults.drop({ afterProcessing: true }), { endpoint: "createToken", times: 1 })
      const dropped = yield* Effect.either(mint)
      expect(droppedConnection(dropped)).toBe(true)
      expect(yield* sim.tokens).toHaveLength(2)

      yield* sim.exhaustRateLimit
      const limited = yield* exchange(baseUrl, { method: "POST", path: "/tokens", key: "publishable", body: card })
      expect(limited.status).toBe(429)
      const retryAt = Number(limited.headers["x-ratelimit-retry-after"])
      expect(retryAt * 1000).toBeGreaterThan(yield* sim.now)
      expect(JSON.parse(limited.text)).toMatchObject({ title: "Rate Limit Exceeded", status: 429 })
    }).pipe(Effect.provide(served)),
  )
})
