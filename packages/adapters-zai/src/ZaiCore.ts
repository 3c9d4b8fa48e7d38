/**
 * Zai's core API (users, card and bank accounts, token auths) as every module of this adapter
 * calls it: the shared `ProviderHttp` transport over the core host, the shared access token as
 * `Authorization: Bearer`, refusals mapped into `GatewayError`, and one re-authentication.
 *
 * Zai answers a refused bearer token with a 401, and the token can lapse before our clock says
 * so (a clock apart, a token revoked). A request refused for its token was not processed, so it
 * is sent once more with a fresh token; a second refusal is the caller's `ProviderUnauthorized`.
 * A 401 that says the record is unknown or not yours is a `ProviderNotFound` and is not retried:
 * another token would get the same answer.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as ProviderHttp from "@token-lifecycle/adapter-kit/ProviderHttp"
import { type GatewayError, ProviderNotFound } from "@token-lifecycle/domain/GatewayError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import { coreRefusal, provider } from "./internal/refusal.js"
import * as ZaiAccessToken from "./ZaiAccessToken.js"
import { ZaiConfig } from "./ZaiConfig.js"

export interface CoreCall<A, I> extends ProviderHttp.Call<A, I> {
  /** What the call reads or writes (`user`, `card account`): named by a not-found refusal. */
  readonly resource: string
}

export interface ZaiCoreService {
  /** Sends one core API request with the current access token, and decodes the answer. */
  readonly call: <A, I>(call: CoreCall<A, I>) => Effect.Effect<A, GatewayError>
}

export class ZaiCore extends Context.Tag("@token-lifecycle/adapters-zai/ZaiCore")<ZaiCore, ZaiCoreService>() {}

export const make: Effect.Effect<
  ZaiCoreService,
  never,
  ZaiConfig | ZaiAccessToken.ZaiAccessToken | HttpClient.HttpClient
> = Effect.gen(function* () {
  const config = yield* ZaiConfig
  const accessToken = yield* ZaiAccessToken.ZaiAccessToken
  const http = yield* ProviderHttp.make({
    provider,
    baseUrl: config.coreBaseUrl,
    timeout: config.timeout,
    refusal: coreRefusal,
  })

  const call = <A, I>(request: CoreCall<A, I>): Effect.Effect<A, GatewayError> => {
    const attempt = (token: Redacted.Redacted<string>) =>
      http.call({
        ...request,
        request: request.request.pipe(HttpClientRequest.acceptJson, HttpClientRequest.bearerToken(token)),
      })
    return accessToken.get.pipe(
      Effect.flatMap((token) =>
        attempt(token).pipe(
          Effect.catchTag("ProviderUnauthorized", () =>
            accessToken.invalidate(token).pipe(Effect.zipRight(accessToken.get), Effect.flatMap(attempt)),
          ),
        ),
      ),
      Effect.map(({ value }) => value),
      Effect.mapError((error) =>
        error._tag === "ProviderNotFound"
          ? new ProviderNotFound({ provider, resource: request.resource, message: error.message })
          : error,
      ),
    )
  }

  return { call }
})

/** The core API client, with its own shared access token, for the `ZaiConfig` and `HttpClient` in context. */
export const layer: Layer.Layer<ZaiCore, never, ZaiConfig | HttpClient.HttpClient> = Layer.effect(ZaiCore, make).pipe(
  Layer.provide(ZaiAccessToken.layer),
)
