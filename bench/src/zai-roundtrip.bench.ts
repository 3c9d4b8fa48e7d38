/**
 * `npm run bench:zai-roundtrip`: one Zai token auth (`POST /token_auths`) over loopback HTTP,
 * through the adapter with its access token cached, and through plain undici, in one run.
 *
 * The adapter's call is `gateway.issue(request)` on a cached runtime: validation, the access token
 * from the shared cache, the request through `ProviderHttp` over `NodeHttpClient.layerUndici`, the
 * answer decoded and its echo checked. The baseline is `undici.request` of the very bytes the
 * adapter sends (method, path, headers with the bearer token, body), its body read to the end.
 * Informational rows time the layers in between: Effect's `HttpClient` executing the same bytes
 * (untraced, as `ProviderHttp` runs when no tracer is installed), and `ZaiCore.call` (bearer from the cache, `ProviderHttp`, decoding) without the gateway.
 *
 * Method (checks, warm-up, rotated turns, renewals, table, verdict): `roundtrip.ts`; the simulator
 * serves on the clients' thread unless `--simulator=worker` is given (see PERFORMANCE.md). Every
 * client must get a 200 with a token auth, and the simulator must have issued one for every
 * request.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as ZaiCore from "@token-lifecycle/adapters-zai/ZaiCore"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as undici from "undici"
import * as Loopback from "./loopback.js"
import * as Roundtrip from "./roundtrip.js"
import * as Setting from "./zai-roundtrip-loopback.js"

const loopback = await Setting.start(Loopback.placement("thread"))
const { run } = loopback

/** A 200 whose body is a token auth. */
const issued = (status: number, text: string, who: string): void => {
  if (status !== 200 || !text.startsWith('{"token_auth":')) throw new Error(`${who}: no token auth (HTTP ${status})`)
}

const urlOf = () => new URL(loopback.captured().path, loopback.baseUrl)
const bodyOf = () => {
  const body = loopback.captured().body
  if (body === undefined) throw new Error("the captured token auth request has no body")
  return body
}

const rawOnce = async () => {
  const captured = loopback.captured()
  const answer = await undici.request(urlOf(), { method: "POST", body: bodyOf(), headers: captured.headers })
  issued(answer.statusCode, await answer.body.text(), "plain undici")
}

const httpClient = await run(HttpClient.HttpClient)
const httpClientOnce = () => {
  const {
    "content-type": contentType = "application/json",
    "content-length": _,
    ...headers
  } = loopback.captured().headers
  return run(
    httpClient
      .execute(
        HttpClientRequest.post(urlOf()).pipe(
          HttpClientRequest.setHeaders(headers),
          HttpClientRequest.bodyUint8Array(bodyOf(), contentType),
        ),
      )
      .pipe(
        Effect.flatMap((response) => Effect.map(response.text, (text) => issued(response.status, text, "HttpClient"))),
        Effect.withTracerEnabled(false),
      ),
  )
}

const TokenAuth = Schema.Struct({ token_auth: Schema.Struct({ token: Schema.String }) })
const coreOnce = () =>
  run(
    Effect.flatMap(ZaiCore.ZaiCore, (zai) =>
      zai.call({
        operation: "generate token auth",
        resource: "user",
        request: HttpClientRequest.post("/token_auths").pipe(
          HttpClientRequest.bodyUint8Array(bodyOf(), "application/json"),
        ),
        success: TokenAuth,
        idempotent: true,
      }),
    ),
  )

const adapterOnce = async () => {
  const outcome = await run(loopback.gateway.issue(Setting.issueRequest))
  if (outcome._tag !== "Issued") throw new Error("the adapter's token auth was not issued")
}

const clients: ReadonlyArray<Roundtrip.Client> = [
  { name: "baseline: undici.request of the same bytes", role: "baseline", once: rawOnce },
  { name: "adapter: gateway.issue (ZaiGateway, cached access token, layerUndici)", role: "target", once: adapterOnce },
  { name: "part: Effect HttpClient.execute, same bytes, untraced", role: "informational", once: httpClientOnce },
  {
    name: "part: ZaiCore.call (bearer from the cache, ProviderHttp)",
    role: "informational",
    once: async () => void (await coreOnce()),
  },
]

await Roundtrip.answeredOnce(clients, loopback.verified)

const url = urlOf()
Roundtrip.introduce(
  "Zai round-trip benchmark",
  loopback.simulator.placement,
  `token auth ${url.pathname} on ${url.origin}: a ${bodyOf().length}-byte body with a bearer token; every client answered 200 with a token auth`,
)

await Roundtrip.latency({
  call: "one token-auth round trip on loopback, access token cached",
  clients,
  simulator: loopback.verified,
})
await loopback.dispose()
await undici.getGlobalDispatcher().close()
