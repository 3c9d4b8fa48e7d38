import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as ZaiAccessToken from "../src/ZaiAccessToken.js"
import * as ZaiConfig from "../src/ZaiConfig.js"

const clientSecret = "zai-client-secret-do-not-show"

const configLayer = ZaiConfig.layer({
  clientId: "10ajtntet1ccghuo8mv9ojglma",
  clientSecret: Redacted.make(clientSecret),
  scope: "im-au-04/cdbf9590-1db6-0139-ac4d-0a58a9feac03",
  webhookSecret: Redacted.make("webhook-secret"),
})

interface Reply {
  readonly status: number
  readonly body: string
  /** How long the issuer takes to answer, on the test clock: lets concurrent callers pile up. */
  readonly delay?: Duration.DurationInput
}

const issued = (token: string, expiresIn = 3600): Reply => ({
  status: 200,
  body: JSON.stringify({ access_token: token, expires_in: expiresIn, token_type: "Bearer" }),
  delay: "1 second",
})

interface Seen {
  readonly url: string
  readonly method: string
  readonly body: unknown
}

const bodyOf = (request: HttpClientRequest.HttpClientRequest): unknown =>
  request.body._tag === "Uint8Array" ? JSON.parse(new TextDecoder().decode(request.body.body)) : undefined

/** A token issuer answering from a script, one reply per request, recording what it was sent. */
const setup = (replies: ReadonlyArray<Reply>) =>
  Effect.gen(function* () {
    const seen = yield* Ref.make<ReadonlyArray<Seen>>([])
    const client = HttpClient.make((request) =>
      Effect.gen(function* () {
        const entry = { url: request.url, method: request.method, body: bodyOf(request) }
        const index = (yield* Ref.getAndUpdate(seen, (all) => [...all, entry])).length
        const reply = replies[Math.min(index, replies.length - 1)] as Reply
        if (reply.delay !== undefined) yield* Effect.sleep(reply.delay)
        return HttpClientResponse.fromWeb(
          request,
          new Response(reply.body, { status: reply.status, headers: { "content-type": "application/json" } }),
        )
      }),
    )
    const service = yield* ZaiAccessToken.make.pipe(
      Effect.provide(Layer.merge(configLayer, Layer.succeed(HttpClient.HttpClient, client))),
    )
    const requests = Effect.map(Ref.get(seen), (all) => all.length)
    return { service, seen, requests }
  })

const many = <A, E>(count: number, effect: Effect.Effect<A, E>) =>
  Effect.all(
    Array.from({ length: count }, () => effect),
    { concurrency: "unbounded" },
  )

/** Runs `effect` in a fiber and moves the clock far enough for every scripted delay and retry. */
const settle = <A, E>(effect: Effect.Effect<A, E>, by: Duration.DurationInput = "1 minute") =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust(by)
    return yield* Fiber.join(fiber)
  })

const texts = (tokens: ReadonlyArray<Redacted.Redacted<string>>) => tokens.map(Redacted.value)

describe("the Zai access token", () => {
  it.scoped("asks the issuer once for many concurrent callers, with the client credentials as JSON", () =>
    Effect.gen(function* () {
      const { service, seen } = yield* setup([issued("token-1")])
      const tokens = yield* settle(many(50, service.get))
      expect(new Set(texts(tokens))).toEqual(new Set(["token-1"]))
      expect(yield* Ref.get(seen)).toEqual([
        {
          url: "https://au-0000.sandbox.auth.assemblypay.com/tokens",
          method: "POST",
          body: {
            grant_type: "client_credentials",
            client_id: "10ajtntet1ccghuo8mv9ojglma",
            client_secret: clientSecret,
            scope: "im-au-04/cdbf9590-1db6-0139-ac4d-0a58a9feac03",
          },
        },
      ])
    }),
  )

  it.scoped("reuses the token until the margin before its expiry, then refreshes it once for everyone", () =>
    Effect.gen(function* () {
      const { service, requests } = yield* setup([issued("token-1"), issued("token-2")])
      expect(Redacted.value(yield* settle(service.get, "1 second"))).toBe("token-1")
      // Issued at 1 s for 3600 s with the default 5-minute margin: handed out until 3301 s.
      yield* TestClock.adjust(Duration.seconds(3299))
      expect(texts(yield* many(10, service.get))).toEqual(Array(10).fill("token-1"))
      expect(yield* requests).toBe(1)
      yield* TestClock.adjust(Duration.seconds(1))
      expect(new Set(texts(yield* settle(many(30, service.get))))).toEqual(new Set(["token-2"]))
      expect(yield* requests).toBe(2)
    }),
  )

  it.scoped("refreshes once after the core API refused the token, and only for the token refused", () =>
    Effect.gen(function* () {
      const { service, requests } = yield* setup([issued("token-1"), issued("token-2"), issued("token-3")])
      const first = yield* settle(service.get)
      yield* service.invalidate(first)
      expect(new Set(texts(yield* settle(many(20, service.get))))).toEqual(new Set(["token-2"]))
      expect(yield* requests).toBe(2)
      // A caller late with its 401 for the old token does not throw the new one away.
      yield* service.invalidate(first)
      expect(Redacted.value(yield* service.get)).toBe("token-2")
      expect(yield* requests).toBe(2)
      // The token is told by its value, not by its wrapper.
      yield* service.invalidate(Redacted.make("token-2"))
      expect(Redacted.value(yield* settle(service.get))).toBe("token-3")
      expect(yield* requests).toBe(3)
    }),
  )

  it.scoped("shares one refused refresh among the callers waiting for it, and tries again on the next call", () =>
    Effect.gen(function* () {
      const { service, requests } = yield* setup([
        { status: 401, body: '{"error":"invalid credentials"}', delay: "1 second" },
        issued("token-1"),
      ])
      const outcomes = yield* settle(many(20, Effect.either(service.get)))
      for (const outcome of outcomes) {
        expect(outcome).toMatchObject({
          _tag: "Left",
          left: { _tag: "ProviderUnauthorized", provider: "zai", message: "tokens: invalid credentials" },
        })
      }
      expect(yield* requests).toBe(1)
      expect(Redacted.value(yield* settle(service.get))).toBe("token-1")
      expect(yield* requests).toBe(2)
    }),
  )

  it.scoped("finishes a refresh whose first caller gave up, for the callers still waiting", () =>
    Effect.gen(function* () {
      const { service, requests } = yield* setup([issued("token-1")])
      const starter = yield* Effect.fork(service.get)
      yield* Effect.yieldNow()
      const waiter = yield* Effect.fork(service.get)
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(starter)
      yield* TestClock.adjust("1 second")
      expect(Redacted.value(yield* Fiber.join(waiter))).toBe("token-1")
      expect(yield* requests).toBe(1)
    }),
  )

  it.scoped("maps the issuer's refusals (provider notes §2)", () =>
    Effect.gen(function* () {
      const cases = [
        [400, '{"error":"bad request"}', "ProviderValidationError"],
        [401, '{"error":"invalid credentials"}', "ProviderUnauthorized"],
        [422, '{"error":"invalid client details"}', "ProviderUnauthorized"],
        [500, '{"error":"something went wrong"}', "ProviderUnavailable"],
        [404, "", "ProviderNotFound"],
        [418, "teapot", "ProviderProtocolError"],
        [200, '{"access_token":"token-1","token_type":"Bearer"}', "ProviderProtocolError"],
        [200, '{"access_token":"token-1","expires_in":3600,"token_type":"MAC"}', "ProviderProtocolError"],
      ] as const
      for (const [status, body, tag] of cases) {
        const { service } = yield* setup([{ status, body }])
        const outcome = yield* settle(Effect.either(service.get))
        expect([status, body, Either.isLeft(outcome) ? outcome.left._tag : "Right"]).toEqual([status, body, tag])
      }
    }),
  )

  it.scoped("keeps the client secret and the token out of errors and logs", () =>
    Effect.gen(function* () {
      const logged: Array<string> = []
      const capture = Logger.make(({ message, annotations }) => {
        logged.push(`${JSON.stringify(message)} ${JSON.stringify([...annotations])}`)
      })
      const run = <A, E>(effect: Effect.Effect<A, E>) =>
        effect.pipe(Effect.provide(Logger.add(capture)), Logger.withMinimumLogLevel(LogLevel.All))

      const { service } = yield* setup([
        { status: 401, body: JSON.stringify({ error: `unknown secret ${clientSecret}` }) },
        { status: 503, body: "{}" },
        issued("token-secret-value"),
      ])
      const refused = yield* run(settle(Effect.either(service.get)))
      const unavailable = yield* run(settle(Effect.either(service.get)))
      const token = yield* run(settle(service.get))

      expect(logged.length).toBeGreaterThan(0)
      expect(Redacted.value(token)).toBe("token-secret-value")
      const shown = [
        ...logged,
        ...[refused, unavailable].flatMap((outcome) => {
          const error = Either.isLeft(outcome) ? outcome.left : undefined
          return [String(error), JSON.stringify(error), error?.message ?? ""]
        }),
        String(token),
        JSON.stringify(token),
      ].join("\n")
      expect(refused).toMatchObject({
        left: { _tag: "ProviderUnauthorized", message: "tokens: unknown secret <redacted>" },
      })
      expect(shown).not.toContain(clientSecret)
      expect(shown).not.toContain("token-secret-value")
    }),
  )

  it("hands a token out for its lifetime less the margin, or half its lifetime when that is longer", () => {
    expect(ZaiAccessToken.usableFor(3600, Duration.minutes(5))).toBe(3_300_000)
    expect(ZaiAccessToken.usableFor(3600, Duration.seconds(60))).toBe(3_540_000)
    expect(ZaiAccessToken.usableFor(120, Duration.minutes(5))).toBe(60_000)
  })
})
