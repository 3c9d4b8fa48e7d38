/**
 * The OAuth2 client-credentials access token every core API call presents (provider notes §2):
 * `POST {auth}/tokens` with the client id, secret and scope, answered with a bearer token and
 * its lifetime in seconds (60 minutes today). One token is shared by every caller of the
 * service and replaced `tokenRefreshMargin` before it expires, or when the core API refuses it.
 *
 * The cache is a `Ref` holding one of three states: no token, a token with the instant it is
 * to be replaced, or a refresh in flight as a `Deferred`. Deciding what to do is one atomic
 * `Ref.modify`, so of many callers finding no usable token exactly one starts a refresh and the
 * rest wait on its `Deferred`, sharing its token or its failure: a refused secret costs one
 * request, not one per waiting caller. The refresh runs in a fiber of the service's scope, so a
 * caller that gives up (interrupted, timed out) never strands the others. A failed refresh
 * leaves no token behind, and the next caller tries again.
 * (`Effect.cachedInvalidateWithTTL` would not do: its lifetime is fixed up front, where this
 * one comes from each answer's `expires_in`.)
 *
 * The client secret and the token stay `Redacted`; neither is ever logged or put in an error.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as ProviderHttp from "@token-lifecycle/adapter-kit/ProviderHttp"
import type { GatewayError } from "@token-lifecycle/domain/GatewayError"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Equivalence from "effect/Equivalence"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { provider, tokenRefusal } from "./internal/refusal.js"
import { ZaiConfig } from "./ZaiConfig.js"

/** The issuer's answer (SPEC `tokens_response`). `token_type` is the constant `Bearer`; another scheme is refused. */
export const TokenAnswer = Schema.Struct({
  access_token: Schema.NonEmptyString,
  expires_in: Schema.Number.pipe(Schema.finite(), Schema.positive()),
  token_type: Schema.String.pipe(Schema.filter((type) => type.toLowerCase() === "bearer")),
})

export interface ZaiAccessTokenService {
  /** A token usable now: the cached one, or a fresh one when it is missing or near its expiry. */
  readonly get: Effect.Effect<Redacted.Redacted<string>, GatewayError>
  /**
   * Drops `rejected` after the core API refused it (a 401 that is not about the record), so the
   * next `get` fetches a new one. A token already replaced is left alone: a caller late with
   * its 401 must not throw away the token another caller just fetched.
   */
  readonly invalidate: (rejected: Redacted.Redacted<string>) => Effect.Effect<void>
}

export class ZaiAccessToken extends Context.Tag("@token-lifecycle/adapters-zai/ZaiAccessToken")<
  ZaiAccessToken,
  ZaiAccessTokenService
>() {}

interface Issued {
  readonly token: Redacted.Redacted<string>
  /** When to stop handing the token out, in `Clock` milliseconds. */
  readonly replaceAt: number
}

type State =
  | { readonly _tag: "Empty" }
  | { readonly _tag: "Ready"; readonly issued: Issued }
  | { readonly _tag: "Refreshing"; readonly pending: Deferred.Deferred<Issued, GatewayError> }

type Step =
  | { readonly _tag: "Use"; readonly issued: Issued }
  | { readonly _tag: "Await"; readonly pending: Deferred.Deferred<Issued, GatewayError> }
  | { readonly _tag: "Start"; readonly pending: Deferred.Deferred<Issued, GatewayError> }

const empty: State = { _tag: "Empty" }
const sameToken = Redacted.getEquivalence(Equivalence.string)

/**
 * How long a token is handed out: its lifetime less the margin, or half its lifetime when the
 * margin would leave less than that (a token issued for a few minutes is still worth reusing).
 */
export const usableFor = (expiresInSeconds: number, margin: Duration.Duration): number => {
  const lifetime = expiresInSeconds * 1000
  return Math.max(lifetime - Duration.toMillis(margin), lifetime / 2)
}

export const make: Effect.Effect<ZaiAccessTokenService, never, ZaiConfig | HttpClient.HttpClient | Scope.Scope> =
  Effect.gen(function* () {
    const config = yield* ZaiConfig
    const scope = yield* Effect.scope
    // Should the issuer ever echo the secret in its `error` text, it is cut out before the text reaches an error.
    const hide = (text: string) => {
      const secret = Redacted.value(config.clientSecret)
      return secret === "" ? text : text.split(secret).join("<redacted>")
    }
    const http = yield* ProviderHttp.make({
      provider,
      baseUrl: config.authBaseUrl,
      timeout: config.tokenTimeout,
      refusal: tokenRefusal(hide),
    })
    const state = yield* Ref.make<State>(empty)

    const fetchToken: Effect.Effect<Issued, GatewayError> = Effect.gen(function* () {
      const { value } = yield* http.call({
        operation: "create access token",
        request: HttpClientRequest.post("/tokens").pipe(
          HttpClientRequest.acceptJson,
          // The body leaves the secret's wrapper here only; the transport never logs bodies.
          HttpClientRequest.bodyUnsafeJson({
            grant_type: "client_credentials",
            client_id: config.clientId,
            client_secret: Redacted.value(config.clientSecret),
            scope: config.scope,
          }),
        ),
        success: TokenAnswer,
        // Repeating it only mints another token; the unused one lapses on its own.
        idempotent: true,
      })
      const now = yield* Clock.currentTimeMillis
      return {
        token: Redacted.make(value.access_token),
        replaceAt: now + usableFor(value.expires_in, config.tokenRefreshMargin),
      }
    })

    /** Runs one refresh to its end, whoever waits for it, and records its outcome before releasing the waiters. */
    const refresh = (pending: Deferred.Deferred<Issued, GatewayError>) =>
      fetchToken.pipe(
        Effect.onExit((exit) =>
          Ref.set(state, Exit.isSuccess(exit) ? { _tag: "Ready", issued: exit.value } : empty).pipe(
            Effect.zipRight(Deferred.done(pending, exit)),
          ),
        ),
        Effect.forkIn(scope),
      )

    const get: Effect.Effect<Redacted.Redacted<string>, GatewayError> = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const candidate = yield* Deferred.make<Issued, GatewayError>()
      // Deciding and starting the refresh happen together: an interruption between them would
      // leave a `Refreshing` state that nothing completes.
      const step = yield* Effect.uninterruptible(
        Effect.gen(function* () {
          const decided = yield* Ref.modify(state, (current): [Step, State] => {
            if (current._tag === "Ready" && now < current.issued.replaceAt) {
              return [{ _tag: "Use", issued: current.issued }, current]
            }
            if (current._tag === "Refreshing") return [{ _tag: "Await", pending: current.pending }, current]
            return [
              { _tag: "Start", pending: candidate },
              { _tag: "Refreshing", pending: candidate },
            ]
          })
          if (decided._tag === "Start") yield* refresh(decided.pending)
          return decided
        }),
      )
      const issued = step._tag === "Use" ? step.issued : yield* Deferred.await(step.pending)
      return issued.token
    })

    const invalidate = (rejected: Redacted.Redacted<string>): Effect.Effect<void> =>
      Ref.update(state, (current) =>
        current._tag === "Ready" && sameToken(current.issued.token, rejected) ? empty : current,
      )

    return { get, invalidate } satisfies ZaiAccessTokenService
  })

/** The shared token for the Zai client in `ZaiConfig`. */
export const layer: Layer.Layer<ZaiAccessToken, never, ZaiConfig | HttpClient.HttpClient> = Layer.scoped(
  ZaiAccessToken,
  make,
)
