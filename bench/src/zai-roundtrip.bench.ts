/**
 * `npm run bench:zai-roundtrip`: one Zai token auth (`POST /token_auths`) over loopback HTTP,
 * through the adapter with its access token cached, and through plain undici, in one run.
 *
 * The adapter's call is `gateway.issue(request)` on a cached runtime: validation, the access token
 * from the shared cache, the request through `ProviderHttp` over `NodeHttpClient.layerUndici`, the
 * answer decoded and its echo checked. The baseline is `undici.request` of the very bytes the
 * adapter sends (method, path, headers with the bearer token, body), its body read to the end.
 * Informational rows time the layers in between: Effect's `HttpClient` executing the same bytes,
 * and `ZaiCore.call` (bearer from the cache, `ProviderHttp`, decoding) without the gateway.
 *
 * Method (warm-up, rotated turns, renewals, table, verdict): `roundtrip.ts`. Before measuring,
 * every client must get a 200 with a token auth; every timed answer is checked too.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as ZaiCore from "@token-lifecycle/adapters-zai/ZaiCore"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as undici from "undici"
import * as Roundtrip from "./roundtrip.js"
import * as Loopback from "./zai-roundtrip-loopback.js"

const loopback = await Loopback.start()
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
  const outcome = await run(loopback.gateway.issue(Loopback.issueRequest))
  if (outcome._tag !== "Issued") throw new Error("the adapter's token auth was not issued")
}

const clients: ReadonlyArray<Roundtrip.Client> = [
  { name: "baseline: undici.request of the same bytes", role: "baseline", once: rawOnce },
  { name: "adapter: gateway.issue (ZaiGateway, cached access token, layerUndici)", role: "target", once: adapterOnce },
  { name: "part: Effect HttpClient.execute, same bytes", role: "informational", once: httpClientOnce },
  {
    name: "part: ZaiCore.call (bearer from the cache, ProviderHttp)",
    role: "informational",
    once: async () => void (await coreOnce()),
  },
]

// Every client must be answered 200 with a token auth (each throws otherwise) before anything is measured.
await loopback.renew()
for (const client of clients) await client.once()
Roundtrip.check((await loopback.answered()) === clients.length + 1, "the simulator issued one token auth per client")

const url = urlOf()
console.log(`token-lifecycle Zai round-trip benchmark · ${Roundtrip.machine()}`)
console.log(
  `token auth ${url.pathname} on ${url.origin}: a ${bodyOf().length}-byte body with a bearer token; every client answered 200 with a token auth`,
)
console.log("")

await loopback.renew()
await Roundtrip.latency({
  call: "one token-auth round trip on loopback, access token cached",
  clients,
  warmupTurns: 500,
  turns: 2_000,
  // A fresh simulator, seeded alike, every 100 turns; the user and the capture are made again outside the timing.
  renewal: {
    every: 100,
    run: async (requests) => {
      // One more: the capture made at the previous renewal.
      Roundtrip.check((await loopback.answered()) === requests + 1, "the simulator issued every token auth")
      await loopback.renew()
    },
  },
  targetRatioAtP50: 1.25,
})
await loopback.dispose()
await undici.getGlobalDispatcher().close()
