/**
 * The OAuth2 client-credentials access token every core API call presents (provider notes §2):
 * `POST {auth}/tokens` with the client id, secret and scope, answered with a bearer token and
 * its lifetime in seconds (60 minutes today). One token is shared by every caller of the
 * service and replaced `tokenRefreshMargin` before it expires, or when the core API refuses it.
 *
 * The token is kept in a single-flight table (`internal/singleFlight.ts`): of many callers
 * finding no usable token exactly one asks the issuer and the rest share its token or its
 * failure, so a refused secret costs one request, not one per waiting caller; a caller that
 * gives up never strands the others; a failed refresh leaves no token behind.
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
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Equivalence from "effect/Equivalence"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { provider, tokenRefusal } from "./internal/refusal.js"
import * as SingleFlight from "./internal/singleFlight.js"
import * as Wire from "./internal/wire.js"
import { ZaiConfig } from "./ZaiConfig.js"

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

const sameToken = Redacted.getEquivalence(Equivalence.string)
/** The one key of the table: one token per configured client. */
const key = "access-token"

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
    const tokens = yield* SingleFlight.make<Redacted.Redacted<string>, GatewayError>()

    const fetchToken: Effect.Effect<SingleFlight.Fresh<Redacted.Redacted<string>>, GatewayError> = Effect.gen(
      function* () {
        const body: typeof Wire.AccessTokenRequest.Encoded = {
          grant_type: "client_credentials",
          client_id: config.clientId,
          // The secret leaves its wrapper here only; the transport never logs bodies.
          client_secret: Redacted.value(config.clientSecret),
          scope: config.scope,
        }
        const { value } = yield* http.call({
          operation: "create access token",
          request: HttpClientRequest.post(Wire.paths.accessToken).pipe(
            HttpClientRequest.acceptJson,
            HttpClientRequest.bodyUnsafeJson(body),
          ),
          success: Wire.AccessTokenAnswer,
          // Repeating it only mints another token; the unused one lapses on its own.
          idempotent: true,
        })
        const now = yield* Clock.currentTimeMillis
        return {
          value: Redacted.make(value.access_token),
          usableUntil: now + usableFor(value.expires_in, config.tokenRefreshMargin),
        }
      },
    )

    return {
      get: tokens.get(key, fetchToken),
      invalidate: (rejected) => tokens.invalidate(key, (current) => sameToken(current, rejected)),
    } satisfies ZaiAccessTokenService
  })

/** The shared token for the Zai client in `ZaiConfig`. */
export const layer: Layer.Layer<ZaiAccessToken, never, ZaiConfig | HttpClient.HttpClient> = Layer.scoped(
  ZaiAccessToken,
  make,
)
