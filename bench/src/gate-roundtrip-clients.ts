/**
 * The calls the Gate round-trip benchmark times, one tokenize each, from plain undici up to the
 * whole adapter. Each returns once the answer's body is read, and throws unless the answer is a
 * 200 "accepted". Between neighbours, one layer is added:
 *
 * 1. plain undici: `undici.request` of the captured bytes (method, path, headers, body);
 * 2. Effect's `HttpClient` (`NodeHttpClient.layerUndici`) executing the same body;
 * 3. adapter-kit's `ProviderHttp.call` with it, as `GateGateway` calls it (base URL, timeout,
 *    retry policy, Schema decoding of the answer), the body already signed;
 * 4. the adapter: `gateway.issue(request)` (validation, the body, signing, then 3).
 *
 * No tracer is installed, so `ProviderHttp` (3, 4) makes no span; 2 runs untraced too, alike.
 *
 * Every Effect call is run with `runPromise` on the one cached runtime, as a caller outside
 * Effect would.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as ProviderHttp from "@token-lifecycle/adapter-kit/ProviderHttp"
import { ProviderProtocolError } from "@token-lifecycle/domain/GatewayError"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as undici from "undici"
import { issueRequest, type Setting } from "./gate-roundtrip-loopback.js"
import type { Client } from "./roundtrip.js"

/** Gate's "registered" answer, as the adapter's wire module reads it. */
const Accepted = Schema.Struct({
  status: Schema.String,
  request_id: Schema.String,
  project_id: Schema.optional(Schema.Union(Schema.Number, Schema.NumberFromString)),
  payment_id: Schema.optional(Schema.String),
})

/** The answer's text, checked to be a 200 "accepted" from the simulator. */
const accepted = (status: number, text: string, who: string): void => {
  if (status !== 200 || !text.startsWith('{"status":"success"')) {
    throw new Error(`${who}: the tokenize was not accepted (HTTP ${status})`)
  }
}

/** Headers that carry the adapter's trace context: sent again verbatim by undici, left to Effect otherwise. */
const traceHeaders = new Set(["traceparent", "b3", "tracestate"])

export const make = async (loopback: Setting): Promise<ReadonlyArray<Client>> => {
  const { captured, run } = loopback
  const url = new URL(captured.path, loopback.baseUrl)
  const body = captured.body
  if (body === undefined) throw new Error("the captured tokenize has no body")
  if (url.hostname !== "127.0.0.1") throw new Error("the simulator must serve on 127.0.0.1")

  const rawOnce = async () => {
    const answer = await undici.request(url, { method: "POST", body, headers: captured.headers })
    accepted(answer.statusCode, await answer.body.text(), "plain undici")
  }

  const effectRequest = HttpClientRequest.post(url).pipe(
    HttpClientRequest.setHeaders(
      Object.fromEntries(
        Object.entries(captured.headers).filter(
          ([name]) => !traceHeaders.has(name) && name !== "content-type" && name !== "content-length",
        ),
      ),
    ),
    HttpClientRequest.bodyUint8Array(body, captured.headers["content-type"] ?? "application/json"),
  )
  const client = await run(HttpClient.HttpClient)
  const httpClientCall = client.execute(effectRequest).pipe(
    Effect.flatMap((response) => Effect.map(response.text, (text) => accepted(response.status, text, "HttpClient"))),
    Effect.withTracerEnabled(false),
  )

  const providerHttp = await run(
    ProviderHttp.make({
      provider: "gate",
      baseUrl: loopback.baseUrl,
      timeout: "10 seconds",
      refusal: (answer) => new ProviderProtocolError({ provider: "gate", message: `refused: ${answer.status}` }),
    }),
  )
  const signedRequest = HttpClientRequest.post(captured.path).pipe(
    HttpClientRequest.bodyUint8Array(body, captured.headers["content-type"] ?? "application/json"),
  )
  const providerHttpOnce = async () => {
    const { value } = await run(
      providerHttp.call({ operation: "tokenize", request: signedRequest, success: Accepted, idempotent: true }),
    )
    if (value.status !== "success") throw new Error("ProviderHttp: the tokenize was not accepted")
  }

  const adapterOnce = async () => {
    const outcome = await run(loopback.gateway.issue(issueRequest))
    if (outcome._tag !== "Accepted") throw new Error("the adapter's tokenize was not accepted")
  }
  return [
    { name: "baseline: undici.request of the same bytes", role: "baseline", once: rawOnce },
    { name: "adapter: gateway.issue (GateGateway, layerUndici)", role: "target", once: adapterOnce },
    {
      name: "part: Effect HttpClient.execute, untraced",
      role: "informational",
      once: () => run(httpClientCall),
    },
    { name: "part: ProviderHttp.call, body signed beforehand", role: "informational", once: providerHttpOnce },
  ]
}
