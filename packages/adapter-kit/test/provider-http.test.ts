import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import { ProviderRateLimited, ProviderUnavailable, ProviderValidationError } from "@token-lifecycle/domain/GatewayError"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import * as ProviderHttp from "../src/ProviderHttp.js"

type Reply =
  | { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }
  | "drop"
  | "hang"

/** A provider that answers from a script, one reply per request, recording the URLs it saw. */
const scripted = (replies: ReadonlyArray<Reply>) =>
  Effect.gen(function* () {
    const seen = yield* Ref.make<ReadonlyArray<string>>([])
    const client = HttpClient.make((request) =>
      Effect.gen(function* () {
        const index = (yield* Ref.getAndUpdate(seen, (all) => [...all, request.url])).length
        const reply = replies[Math.min(index, replies.length - 1)] as Reply
        if (reply === "hang") return yield* Effect.never
        if (reply === "drop") {
          return yield* new HttpClientError.RequestError({
            request,
            reason: "Transport",
            description: "socket hang up",
          })
        }
        return HttpClientResponse.fromWeb(
          request,
          new Response(reply.body ?? null, { status: reply.status, headers: reply.headers ?? {} }),
        )
      }),
    )
    return { seen, layer: Layer.succeed(HttpClient.HttpClient, client) }
  })

const Token = Schema.Struct({ id: Schema.String, isUsed: Schema.Boolean })

const options: ProviderHttp.ProviderHttpOptions = {
  provider: "acme",
  baseUrl: "https://api.acme.test/v1",
  timeout: "2 seconds",
  refusal: (answer) =>
    answer.status === 429
      ? new ProviderRateLimited(
          ProviderHttp.retryAfterFrom(answer, ["Retry-After"]) === undefined
            ? { provider: "acme" }
            : { provider: "acme", retryAfterMillis: ProviderHttp.retryAfterFrom(answer, ["Retry-After"]) as number },
        )
      : answer.status >= 500
        ? new ProviderUnavailable({ provider: "acme", status: answer.status, message: "unavailable" })
        : new ProviderValidationError({ provider: "acme", message: `refused: ${JSON.stringify(answer.body)}` }),
}

const call = (idempotent: boolean): ProviderHttp.Call<typeof Token.Type, typeof Token.Encoded> => ({
  operation: "get token",
  request: HttpClientRequest.get("/tokens/t1"),
  success: Token,
  idempotent,
})

const run = (replies: ReadonlyArray<Reply>, idempotent = true) =>
  Effect.gen(function* () {
    const provider = yield* scripted(replies)
    const http = yield* ProviderHttp.make(options).pipe(Effect.provide(provider.layer))
    const outcome = yield* Effect.either(http.call(call(idempotent)))
    return { outcome, seen: yield* Ref.get(provider.seen) }
  })

describe("a provider call", () => {
  it.effect("goes to the base URL and decodes the answer, tolerating fields it does not know", () =>
    Effect.gen(function* () {
      const { outcome, seen } = yield* run([{ status: 200, body: '{"id":"t1","isUsed":false,"brandNew":1}' }])
      expect(seen).toEqual(["https://api.acme.test/v1/tokens/t1"])
      expect(outcome).toMatchObject({ _tag: "Right", right: { value: { id: "t1", isUsed: false } } })
    }),
  )

  it.effect("turns an answer missing a required field into a protocol error naming the field", () =>
    Effect.gen(function* () {
      const { outcome } = yield* run([{ status: 200, body: '{"id":"t1"}' }])
      expect(outcome._tag).toBe("Left")
      const error = (outcome as { left: { _tag: string; message: string } }).left
      expect(error._tag).toBe("ProviderProtocolError")
      expect(error.message).toContain("isUsed")
    }),
  )

  it.effect("names a wrongly typed field of an answer, never the value it held", () =>
    Effect.gen(function* () {
      const { outcome } = yield* run([{ status: 200, body: '{"id":"t1","isUsed":"held-value-7f3c"}' }])
      expect(outcome).toMatchObject({
        left: { _tag: "ProviderProtocolError", message: "get token: unexpected answer: isUsed is not valid" },
      })
    }),
  )

  it.effect("maps a refusal through the adapter's own reading of the body", () =>
    Effect.gen(function* () {
      const { outcome, seen } = yield* run([{ status: 422, body: '{"detail":"bad"}' }])
      expect(outcome).toMatchObject({ left: { _tag: "ProviderValidationError", message: 'refused: {"detail":"bad"}' } })
      expect(seen).toHaveLength(1)
    }),
  )

  it.effect("decodes an answer with a status the call names besides 2xx, and refuses it otherwise", () =>
    Effect.gen(function* () {
      const updated: Reply = { status: 303, body: '{"id":"t1","isUsed":false}', headers: { location: "/tokens/t1" } }
      const provider = yield* scripted([updated])
      const http = yield* ProviderHttp.make(options).pipe(Effect.provide(provider.layer))
      const accepted = yield* Effect.either(http.call({ ...call(false), alsoSuccess: [303] }))
      const refused = yield* Effect.either(http.call(call(false)))
      expect(accepted).toMatchObject({ right: { value: { id: "t1", isUsed: false }, answer: { status: 303 } } })
      expect(refused).toMatchObject({ left: { _tag: "ProviderValidationError" } })
    }),
  )

  it.effect("retries a call that is safe to repeat through transient failures", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(
        run(["drop", { status: 503 }, { status: 200, body: '{"id":"t1","isUsed":true}' }]),
      )
      yield* TestClock.adjust("1 minute")
      const { outcome, seen } = yield* Fiber.join(fiber)
      expect(outcome._tag).toBe("Right")
      expect(seen).toHaveLength(3)
    }),
  )

  it.effect("never repeats a call that is not safe to repeat", () =>
    Effect.gen(function* () {
      const { outcome, seen } = yield* run(["drop", { status: 200, body: '{"id":"t1","isUsed":true}' }], false)
      expect(outcome).toMatchObject({ left: { _tag: "ProviderTimeout", operation: "get token" } })
      expect(seen).toHaveLength(1)
    }),
  )

  it.effect("times out an attempt that gets no answer", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(run(["hang"], false))
      yield* TestClock.adjust("2 seconds")
      const { outcome } = yield* Fiber.join(fiber)
      expect(outcome).toMatchObject({ left: { _tag: "ProviderTimeout", afterMillis: 2000 } })
    }),
  )

  it.effect("answers, and times out, where interruption is off (a layer being built)", () =>
    Effect.gen(function* () {
      const answered = yield* Effect.uninterruptible(run([{ status: 200, body: '{"id":"t1","isUsed":false}' }]))
      expect(answered.outcome).toMatchObject({ right: { value: { id: "t1", isUsed: false } } })
      const fiber = yield* Effect.fork(Effect.uninterruptible(run(["hang"], false)))
      yield* TestClock.adjust("2 seconds")
      const { outcome } = yield* Fiber.join(fiber)
      expect(outcome).toMatchObject({ left: { _tag: "ProviderTimeout", afterMillis: 2000 } })
    }),
  )

  it.live("times out on the live clock too, abandoning the request, and answers in time otherwise", () =>
    Effect.gen(function* () {
      const abandoned = yield* Ref.make(false)
      const hanging = HttpClient.make(() => Effect.onInterrupt(Effect.never, () => Ref.set(abandoned, true)))
      const http = yield* ProviderHttp.make({ ...options, timeout: "30 millis" }).pipe(
        Effect.provide(Layer.succeed(HttpClient.HttpClient, hanging)),
      )
      const started = Date.now()
      const outcome = yield* Effect.either(http.call(call(false)))
      expect(outcome).toMatchObject({ left: { _tag: "ProviderTimeout", afterMillis: 30 } })
      expect(Date.now() - started).toBeLessThan(2_000)
      yield* Effect.sleep("20 millis")
      expect(yield* Ref.get(abandoned)).toBe(true)

      const answered = yield* run([{ status: 200, body: '{"id":"t1","isUsed":false}' }])
      expect(answered.outcome).toMatchObject({ right: { value: { id: "t1", isUsed: false } } })
    }),
  )

  it.effect("waits at least as long as a rate-limited answer asks before trying again", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(
        run([
          { status: 429, headers: { "Retry-After": "7" } },
          { status: 200, body: '{"id":"t1","isUsed":false}' },
        ]),
      )
      yield* TestClock.adjust("6999 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      const { outcome, seen } = yield* Fiber.join(fiber)
      expect(outcome._tag).toBe("Right")
      expect(seen).toHaveLength(2)
    }),
  )

  it.effect("returns a rate limit at once when the wait asked for is too long to hold the caller", () =>
    Effect.gen(function* () {
      const { outcome, seen } = yield* run([{ status: 429, headers: { "Retry-After": "120" } }])
      expect(outcome).toMatchObject({ left: { _tag: "ProviderRateLimited", retryAfterMillis: 120_000 } })
      expect(seen).toHaveLength(1)
    }),
  )
})

describe("tracing", () => {
  /** One call to a provider that records the headers it received and answers 200. */
  const headersSent = <E, R>(wrap: (effect: Effect.Effect<unknown, unknown>) => Effect.Effect<unknown, E, R>) =>
    Effect.gen(function* () {
      const received = yield* Ref.make<Readonly<Record<string, string>>>({})
      const client = HttpClient.make((request) =>
        Effect.as(
          Ref.set(received, request.headers),
          HttpClientResponse.fromWeb(request, new Response('{"id":"t1","isUsed":false}', { status: 200 })),
        ),
      )
      const http = yield* ProviderHttp.make(options).pipe(Effect.provide(Layer.succeed(HttpClient.HttpClient, client)))
      yield* wrap(http.call(call(true)))
      return yield* Ref.get(received)
    })

  it.effect("sends no trace context to the provider when the application has no tracer", () =>
    Effect.gen(function* () {
      const headers = yield* headersSent((effect) => effect)
      expect(Object.keys(headers)).not.toContain("traceparent")
      expect(Object.keys(headers)).not.toContain("b3")
    }),
  )

  it.effect("makes a client span and propagates it when the application has installed a tracer", () =>
    Effect.gen(function* () {
      const spans: Array<string> = []
      const builtIn = yield* Effect.tracer
      const recording = Tracer.make({
        span: (name, parent, context, links, startTime, kind, options) => {
          spans.push(name)
          return builtIn.span(name, parent, context, links, startTime, kind, options)
        },
        context: (f) => f(),
      })
      const headers = yield* headersSent((effect) => Effect.withTracer(effect, recording))
      expect(spans).toContain("http.client GET")
      expect(Object.keys(headers)).toContain("traceparent")
    }),
  )
})

describe("retry-after values", () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0)
  it("read delay-seconds, HTTP dates and Unix instants", () => {
    expect(ProviderHttp.parseRetryAfter("30", now)).toBe(30_000)
    expect(ProviderHttp.parseRetryAfter("Thu, 01 Jan 2026 12:00:05 GMT", now)).toBe(5_000)
    expect(ProviderHttp.parseRetryAfter(String(now / 1000 + 9), now)).toBe(9_000)
    expect(ProviderHttp.parseRetryAfter("soon", now)).toBeUndefined()
  })
})

describe("what a status alone says", () => {
  const answer = (status: number, headers: Record<string, string> = {}): ProviderHttp.ProviderAnswer => ({
    status,
    headers: Headers.fromInput(headers),
    body: undefined,
    receivedAt: Date.UTC(2026, 0, 1),
  })

  it("is shared by every provider for 429, 5xx, 401/403 and 404, and left to the provider otherwise", () => {
    expect(ProviderHttp.refusalByStatus("acme", answer(429, { "Retry-After": "3" }), "m")).toMatchObject({
      _tag: "ProviderRateLimited",
      retryAfterMillis: 3000,
    })
    expect(ProviderHttp.refusalByStatus("acme", answer(503), "m")).toMatchObject({
      _tag: "ProviderUnavailable",
      status: 503,
    })
    expect(ProviderHttp.refusalByStatus("acme", answer(403), "m")?._tag).toBe("ProviderUnauthorized")
    expect(ProviderHttp.refusalByStatus("acme", answer(404), "m")?._tag).toBe("ProviderNotFound")
    expect(ProviderHttp.refusalByStatus("acme", answer(422), "m")).toBeUndefined()
  })
})
