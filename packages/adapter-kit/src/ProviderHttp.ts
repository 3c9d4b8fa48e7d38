/**
 * One provider's HTTP transport, as every adapter needs it: requests go out through
 * `@effect/platform`'s `HttpClient` under the provider's base URL; each attempt has a
 * timeout; every answer is decoded with a Schema (an answer that does not decode is a
 * `ProviderProtocolError`, never a crash); a refusal becomes the provider's typed
 * `GatewayError` through the adapter's own mapping; and calls that are safe to repeat are
 * retried on transient failures, waiting at least as long as the provider asked.
 *
 * What stays in each adapter: its paths, bodies, auth headers, and how its error bodies read.
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import {
  type GatewayError,
  isTransient,
  ProviderNotFound,
  ProviderProtocolError,
  ProviderRateLimited,
  ProviderTimeout,
  ProviderUnauthorized,
  ProviderUnavailable,
} from "@token-lifecycle/domain/GatewayError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as ParseResult from "effect/ParseResult"
import * as Random from "effect/Random"
import type * as Schema from "effect/Schema"
import type { ParseOptions } from "effect/SchemaAST"
import * as DecodeIssues from "./DecodeIssues.js"
import * as Deadline from "./internal/deadline.js"
import * as Untraced from "./internal/untraced.js"

/** A provider's answer, read once: status, headers and the body as JSON when it is JSON, else as text. */
export interface ProviderAnswer {
  readonly status: number
  readonly headers: Headers.Headers
  readonly body: unknown
  /** When the answer was read: to turn a provider's "retry at" into "retry after". */
  readonly receivedAt: number
}

export interface RetryPolicy {
  /** Attempts after the first. */
  readonly times: number
  /** First backoff; doubled on each retry, with jitter. */
  readonly baseDelay: Duration.DurationInput
  readonly maxDelay: Duration.DurationInput
  /** A provider asking to wait longer than this is not waited for: the rate-limited error is returned at once. */
  readonly maxRetryAfter: Duration.DurationInput
}

export const defaultRetry: RetryPolicy = {
  times: 3,
  baseDelay: "200 millis",
  maxDelay: "5 seconds",
  maxRetryAfter: "10 seconds",
}

export interface ProviderHttpOptions {
  readonly provider: string
  /** A full base URL; operation paths are appended to it. */
  readonly baseUrl: string
  /** How long one attempt may take. */
  readonly timeout: Duration.DurationInput
  readonly retry?: RetryPolicy
  /** Headers carrying secrets besides `Authorization` (kept out of logs and traces). */
  readonly secretHeaders?: ReadonlyArray<string>
  /** How this provider says no: the typed error for a non-2xx answer. */
  readonly refusal: (answer: ProviderAnswer) => GatewayError
}

export interface Call<A, I> {
  /** A short name for errors and logs (`tokenize`, `create token`). */
  readonly operation: string
  /** The request, with a path relative to the base URL. */
  readonly request: HttpClientRequest.HttpClientRequest
  /** The schema of a successful answer's body. Unknown extra fields are tolerated. */
  readonly success: Schema.Schema<A, I>
  /** Whether repeating the call cannot do anything twice: a read, or a write carrying an idempotency key. */
  readonly idempotent: boolean
  /**
   * Statuses besides 2xx that answer the call rather than refuse it, their body decoded with
   * `success` like a 2xx's (Rebilly's 303 "updated", which carries the resource).
   */
  readonly alsoSuccess?: ReadonlyArray<number>
}

export interface Success<A> {
  readonly value: A
  readonly answer: ProviderAnswer
}

export interface ProviderHttpService {
  readonly provider: string
  readonly call: <A, I>(call: Call<A, I>) => Effect.Effect<Success<A>, GatewayError>
}

const decodeOptions: ParseOptions = { onExcessProperty: "ignore", errors: "all" }

const readBody = (text: string): unknown => {
  if (text.length === 0) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * How long a `Retry-After`-style value asks to wait, in milliseconds: delay-seconds, an HTTP
 * date, or a Unix time in seconds (some providers send the instant rather than the delay).
 */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) {
    const seconds = Number(text)
    // A number this large is an instant, not a delay: a billion seconds is over 31 years.
    return seconds >= 1_000_000_000 ? Math.max(seconds * 1000 - now, 0) : seconds * 1000
  }
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(date - now, 0)
}

/** The first of these headers that gives a usable wait. */
export const retryAfterFrom = (answer: ProviderAnswer, names: ReadonlyArray<string>): number | undefined => {
  for (const name of names) {
    const header = Headers.get(answer.headers, name)
    if (header._tag === "Some") {
      const wait = parseRetryAfter(header.value, answer.receivedAt)
      if (wait !== undefined) return wait
    }
  }
  return undefined
}

/** A 429 as the provider's typed error, with the wait it asked for when one of `headers` gives it. */
export const rateLimited = (
  provider: string,
  answer: ProviderAnswer,
  headers: ReadonlyArray<string> = ["Retry-After"],
): ProviderRateLimited => {
  const wait = retryAfterFrom(answer, headers)
  return new ProviderRateLimited(wait === undefined ? { provider } : { provider, retryAfterMillis: wait })
}

/**
 * What the HTTP status alone says, for the statuses every provider here uses alike: 429 rate
 * limited, 5xx unavailable, 401/403 unauthorized, 404 not found. `undefined` for the others,
 * whose meaning is the provider's to read from its body.
 */
export const refusalByStatus = (
  provider: string,
  answer: ProviderAnswer,
  message: string,
  /** What a 404 did not find, when the answer says. */
  resource = "resource",
): GatewayError | undefined => {
  const status = answer.status
  if (status === 429) return rateLimited(provider, answer)
  if (status >= 500) return new ProviderUnavailable({ provider, status, message })
  if (status === 401 || status === 403) return new ProviderUnauthorized({ provider, message })
  if (status === 404) return new ProviderNotFound({ provider, resource, message })
  return undefined
}

export const make = (options: ProviderHttpOptions) =>
  Effect.gen(function* () {
    const { provider } = options
    const retry = options.retry ?? defaultRetry
    const timeout = Duration.decode(options.timeout)
    const client = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest(HttpClientRequest.prependUrl(options.baseUrl)),
    )
    const redacted = [...(options.secretHeaders ?? [])]

    const transportFailure = (operation: string, error: HttpClientError.HttpClientError): GatewayError =>
      error._tag === "RequestError" && error.reason === "Transport"
        ? // The connection failed or broke: whether the provider acted on the request is unknown.
          new ProviderTimeout({ provider, operation })
        : new ProviderProtocolError({ provider, message: `${operation}: ${error.reason}` })

    // Wire schemas are synchronous: decoding to an `Either` skips the Effect a decode would run.
    const decode = <A, I>(call: Call<A, I>, answer: ProviderAnswer): Effect.Effect<Success<A>, GatewayError> => {
      const decoded = ParseResult.decodeUnknownEither(call.success, decodeOptions)(answer.body)
      return Either.isRight(decoded)
        ? Effect.succeed({ value: decoded.right, answer })
        : Effect.fail(
            new ProviderProtocolError({
              provider,
              status: answer.status,
              message: `${call.operation}: unexpected answer: ${DecodeIssues.describe(DecodeIssues.fieldProblems(decoded.left))}`,
            }),
          )
    }

    const readAnswer = (response: HttpClientResponse.HttpClientResponse) =>
      Effect.clockWith((clock) =>
        Effect.map(
          response.text,
          (text): ProviderAnswer => ({
            status: response.status,
            headers: response.headers,
            body: readBody(text),
            receivedAt: clock.unsafeCurrentTimeMillis(),
          }),
        ),
      )

    /**
     * What each attempt's own fiber sets up first (see `internal/deadline.ts`): spans only under
     * an application's tracer, and the provider's secret headers redacted. The fiber ends with
     * the attempt, so nothing needs restoring.
     */
    const attemptSettings =
      redacted.length === 0
        ? Untraced.forThisFiber
        : Effect.zipRight(
            Untraced.forThisFiber,
            FiberRef.update(Headers.currentRedactedNames, (names) => [...names, ...redacted]),
          )

    const attempt = <A, I>(call: Call<A, I>): Effect.Effect<Success<A>, GatewayError> =>
      Effect.zipRight(attemptSettings, client.execute(call.request)).pipe(
        Effect.flatMap(readAnswer),
        Effect.mapError((error) => transportFailure(call.operation, error)),
        (request) =>
          Deadline.failAfter(
            request,
            timeout,
            () => new ProviderTimeout({ provider, operation: call.operation, afterMillis: Duration.toMillis(timeout) }),
          ),
        Effect.flatMap((answer) =>
          (answer.status >= 200 && answer.status < 300) || call.alsoSuccess?.includes(answer.status)
            ? decode(call, answer)
            : Effect.fail(options.refusal(answer)),
        ),
        Effect.tap(({ answer }) => Effect.logDebug(`${provider} ${call.operation}: ${answer.status}`)),
      )

    const backoff = (retryNumber: number) =>
      Effect.map(
        Random.nextRange(0.5, 1),
        (jitter) =>
          Math.min(Duration.toMillis(retry.maxDelay), Duration.toMillis(retry.baseDelay) * 2 ** retryNumber) * jitter,
      )

    const withRetries = <A, I>(call: Call<A, I>, retryNumber: number): Effect.Effect<Success<A>, GatewayError> =>
      attempt(call).pipe(
        Effect.catchIf(
          (error) => call.idempotent && retryNumber < retry.times && isTransient(error),
          (error) =>
            Effect.gen(function* () {
              const asked = error._tag === "ProviderRateLimited" ? error.retryAfterMillis : undefined
              if (asked !== undefined && asked > Duration.toMillis(retry.maxRetryAfter))
                return yield* Effect.fail(error)
              const wait = Math.max(asked ?? 0, yield* backoff(retryNumber))
              yield* Effect.logDebug(`${provider} ${call.operation}: ${error._tag}, retrying in ${Math.round(wait)} ms`)
              yield* Effect.sleep(Duration.millis(wait))
              return yield* withRetries(call, retryNumber + 1)
            }),
        ),
      )

    return {
      provider,
      call: (call) => withRetries(call, 0),
    } satisfies ProviderHttpService
  })
