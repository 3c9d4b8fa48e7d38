/**
 * `npm run bench:komoju-roundtrip`: one KOMOJU payment by token over loopback HTTP, through the
 * adapter and through plain undici, in one run.
 *
 * The testkit's KOMOJU simulator serves on 127.0.0.1 in this process. The adapter's call is
 * `gateway.use(payment)` on a cached runtime (the checks made before sending, the body, the
 * headers with Basic auth and the idempotency key, the request through
 * `NodeHttpClient.layerUndici`, the answer's decoding into a receipt); the baseline is
 * `undici.request` of the very bytes the adapter sent (captured once), its body read to the end.
 * Both are the same payment under the same idempotency key, answered by KOMOJU's replay of the
 * first answer (see `komoju-roundtrip-loopback.ts`). Informational rows time adapter-kit's transport
 * alone with the same bytes, and the adapter with Effect's tracer disabled for the call.
 *
 * Method (warm-up, rotated turns, renewals, table, verdict): `roundtrip.ts`. Before measuring,
 * every client must be answered with the payment; every timed answer is checked too, and every
 * timed request must have been answered by replay: no client ever pays twice.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as ProviderHttp from "@token-lifecycle/adapter-kit/ProviderHttp"
import { ProviderProtocolError } from "@token-lifecycle/domain/GatewayError"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as undici from "undici"
import * as Loopback from "./komoju-roundtrip-loopback.js"
import * as Roundtrip from "./roundtrip.js"

const loopback = await Loopback.start()
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
const {
  "content-type": contentType,
  "content-length": _length,
  traceparent: _t,
  b3: _b,
  ...sentHeaders
} = captured.headers
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
  {
    name: "adapter, tracer disabled for the call",
    role: "informational",
    once: async () =>
      paid(
        await loopback.run(loopback.gateway.use(loopback.payment).pipe(Effect.withTracerEnabled(false))),
        "the adapter without tracing",
      ),
  },
]

/** The current simulator answered `requests` since it was primed, every one by replaying the first payment. */
const checkReplayed = async (requests: number) => {
  const state = await loopback.simulatorState()
  Roundtrip.check(state.answered === requests, "the simulator answered every request")
  Roundtrip.check(state.replayed === requests, "every request was answered by replay: nothing was paid twice")
}

// Every client must be answered with the payment (each throws otherwise) before anything is measured.
await loopback.renew()
for (const client of clients) await client.once()
await checkReplayed(clients.length)

console.log(`token-lifecycle KOMOJU round-trip benchmark · ${Roundtrip.machine()}`)
console.log(
  `payment by token ${url.pathname} on ${url.origin}: a ${body.length}-byte body under one idempotency key; every client answered with the payment, replayed`,
)
console.log("")

await loopback.renew()
await Roundtrip.latency({
  call: "one payment-by-token round trip on loopback",
  clients,
  warmupTurns: 500,
  turns: 2_000,
  // The simulator is replaced by a fresh one, primed alike, every 100 turns.
  renewal: {
    every: 100,
    run: async (requests) => {
      await checkReplayed(requests)
      await loopback.renew()
    },
  },
  targetRatioAtP50: 1.25,
})
await loopback.dispose()
await undici.getGlobalDispatcher().close()
