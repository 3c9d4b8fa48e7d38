/**
 * `npm run bench:komoju-roundtrip`: one KOMOJU payment by token over loopback HTTP, through the
 * adapter and through plain undici, in one run.
 *
 * The testkit's KOMOJU simulator serves on 127.0.0.1. The adapter's call is
 * `gateway.use(payment)` on a cached runtime (the checks made before sending, the body, the
 * headers with Basic auth and the idempotency key, the request through
 * `NodeHttpClient.layerUndici`, the answer's decoding into a receipt); the baseline is
 * `undici.request` of the very bytes the adapter sent (captured once), its body read to the end.
 * Both are the same payment under the same idempotency key, answered by KOMOJU's replay of the
 * first answer (see `komoju-roundtrip-loopback.ts`). An informational row times adapter-kit's
 * transport alone with the same bytes.
 *
 * Method (checks, warm-up, rotated turns, renewals, table, verdict): `roundtrip.ts`; the simulator
 * serves on the clients' thread unless `--simulator=worker` is given (see PERFORMANCE.md). Every
 * client must be answered with the payment, and every request must have been answered by replay:
 * no client ever pays twice.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as ProviderHttp from "@token-lifecycle/adapter-kit/ProviderHttp"
import { ProviderProtocolError } from "@token-lifecycle/domain/GatewayError"
import * as Schema from "effect/Schema"
import * as undici from "undici"
import * as Setting from "./komoju-roundtrip-loopback.js"
import * as Loopback from "./loopback.js"
import * as Roundtrip from "./roundtrip.js"

const loopback = await Setting.start(Loopback.placement("thread"))
const { captured, paymentId } = loopback
const url = new URL(captured.path, loopback.baseUrl)
Roundtrip.check(url.hostname === "127.0.0.1", "the simulator serves on 127.0.0.1")
const body = captured.body
if (body === undefined) throw new Error("the payment was captured without its body")

const rawOnce = async () => {
  const answer = await undici.request(url, { method: captured.method, body, headers: captured.headers })
  const text = await answer.body.text()
  if (answer.statusCode !== 200 || !text.includes(`"id":"${paymentId}"`)) {
    throw new Error(`plain undici: the payment was not answered (HTTP ${answer.statusCode})`)
  }
}

/**
 * adapter-kit's transport alone, as the gateway calls it (base URL, per-attempt timeout, retry
 * policy), sending the captured headers and body and reading the answer without decoding it:
 * the adapter's row less this one is the gateway's own work.
 */
const transport = await loopback.run(
  ProviderHttp.make({
    provider: "komoju",
    baseUrl: loopback.baseUrl,
    timeout: "10 seconds",
    refusal: (answer) => new ProviderProtocolError({ provider: "komoju", message: `refused: ${answer.status}` }),
  }),
)
const { "content-type": contentType, "content-length": _length, ...sentHeaders } = captured.headers
const transportCall = transport.call({
  operation: "create payment",
  request: HttpClientRequest.post(captured.path).pipe(
    HttpClientRequest.setHeaders(sentHeaders),
    HttpClientRequest.bodyUint8Array(body, contentType ?? "application/json"),
  ),
  success: Schema.Unknown,
  idempotent: true,
})
const transportOnce = async () => {
  const { value } = await loopback.run(transportCall)
  if (typeof value !== "object" || value === null || !("id" in value) || value.id !== paymentId) {
    throw new Error("ProviderHttp: the payment was not answered")
  }
}

const paid = (receipt: { readonly status: string; readonly providerReference?: string | undefined }, who: string) => {
  if (receipt.status !== "succeeded" || receipt.providerReference !== paymentId) {
    throw new Error(`${who}: the payment was not answered`)
  }
}

const clients: ReadonlyArray<Roundtrip.Client> = [
  { name: "baseline: undici.request of the same bytes", role: "baseline", once: rawOnce },
  {
    name: "adapter: gateway.use (KomojuGateway, layerUndici)",
    role: "target",
    once: async () => paid(await loopback.run(loopback.gateway.use(loopback.payment)), "the adapter"),
  },
  { name: "part: ProviderHttp.call of the same bytes, not decoded", role: "informational", once: transportOnce },
]

await Roundtrip.answeredOnce(clients, loopback.verified)

Roundtrip.introduce(
  "KOMOJU round-trip benchmark",
  loopback.simulator.placement,
  `payment by token ${url.pathname} on ${url.origin}: a ${body.length}-byte body under one idempotency key; every client answered with the payment, replayed`,
)

await Roundtrip.latency({
  call: "one payment-by-token round trip on loopback",
  clients,
  simulator: loopback.verified,
})
await loopback.dispose()
await undici.getGlobalDispatcher().close()
