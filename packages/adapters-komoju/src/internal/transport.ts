/**
 * How every KOMOJU call is sent, for every gateway of this adapter: through adapter-kit's
 * `ProviderHttp` (timeout, retries of transient failures, refusals mapped by `refusal.ts`),
 * with the `Authorization` the call takes (`auth.ts`) and `X-KOMOJU-API-VERSION`.
 *
 * A POST carries `X-KOMOJU-IDEMPOTENCY`: the request, key included, is built once per call, so
 * every retry sends the same key and body and KOMOJU answers a repeat with its first answer
 * instead of acting twice. GET and DELETE carry no key (KOMOJU reads it on POSTs only); they are
 * retried too, as repeating them changes nothing more at KOMOJU than sending them once.
 */
import type { HttpClient } from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as ProviderHttp from "@token-lifecycle/adapter-kit/ProviderHttp"
import type { GatewayError } from "@token-lifecycle/domain/GatewayError"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import { KomojuConfig, type KomojuOptions } from "../KomojuConfig.js"
import { type Authorization, type Authorizations, authorizations } from "./auth.js"
import { provider, refusal } from "./refusal.js"
import * as Wire from "./wire.js"

export interface KomojuTransport {
  readonly config: KomojuOptions
  /** The `Authorization` of each kind of call. */
  readonly keys: Authorizations
  /** POST `body` to `path` under `idempotencyKey`, and decode the answer. */
  readonly post: <A, I>(call: {
    readonly operation: string
    readonly path: string
    readonly authorization: Authorization
    readonly idempotencyKey: string
    readonly body: object
    readonly success: Schema.Schema<A, I>
  }) => Effect.Effect<A, GatewayError>
  /** GET `path` with the secret key, and decode the answer. */
  readonly get: <A, I>(operation: string, path: string, success: Schema.Schema<A, I>) => Effect.Effect<A, GatewayError>
  /** DELETE `path` with the secret key, and decode the answer. */
  readonly del: <A, I>(operation: string, path: string, success: Schema.Schema<A, I>) => Effect.Effect<A, GatewayError>
}

export const make: Effect.Effect<KomojuTransport, never, KomojuConfig | HttpClient> = Effect.gen(function* () {
  const config = yield* KomojuConfig
  const http = yield* ProviderHttp.make({ provider, baseUrl: config.baseUrl, timeout: config.timeout, refusal })
  const keys = authorizations(config)

  const send = <A, I>(
    operation: string,
    request: HttpClientRequest.HttpClientRequest,
    authorization: Authorization,
    headers: Readonly<Record<string, string>>,
    success: Schema.Schema<A, I>,
  ): Effect.Effect<A, GatewayError> =>
    Effect.gen(function* () {
      const header = yield* authorization
      const ready = HttpClientRequest.setHeaders(request, {
        authorization: Redacted.value(header),
        accept: "application/json",
        [Wire.requestHeaders.apiVersion]: config.apiVersion,
        ...headers,
      })
      const { value } = yield* http.call({ operation, request: ready, success, idempotent: true })
      return value
    })

  return {
    config,
    keys,
    post: (call) =>
      send(
        call.operation,
        HttpClientRequest.bodyUnsafeJson(HttpClientRequest.post(call.path), call.body),
        call.authorization,
        { [Wire.requestHeaders.idempotency]: call.idempotencyKey },
        call.success,
      ),
    get: (operation, path, success) => send(operation, HttpClientRequest.get(path), keys.secret, {}, success),
    del: (operation, path, success) => send(operation, HttpClientRequest.del(path), keys.secret, {}, success),
  }
})
