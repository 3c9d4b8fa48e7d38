/**
 * `npm run bench:transport-floor`: what the pinned HTTP stack costs by itself, with no provider
 * and no adapter. A plain `node:http` server in a worker thread answers every POST at once with
 * the same small JSON body, so nearly all the time measured is the client's. Three clients send
 * the same request: plain undici (the baseline every round-trip target is set against),
 * `@effect/platform`'s `HttpClient` over `NodeHttpClient.layerUndici` (the transport every
 * adapter must use; untraced, as `ProviderHttp` runs it without a tracer), and adapter-kit's
 * `ProviderHttp.call` over it (timeout, decoding, retry policy) — the floor under every adapter.
 *
 * The round-trip targets ("within 1.25× of raw undici") leave the adapter 25 % over undici; this
 * shows how much of that the mandated transport uses before any adapter code runs.
 */
import { Worker } from "node:worker_threads"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as ProviderHttp from "@token-lifecycle/adapter-kit/ProviderHttp"
import { ProviderProtocolError } from "@token-lifecycle/domain/GatewayError"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schema from "effect/Schema"
import * as undici from "undici"
import * as Report from "./report.js"
import * as Roundtrip from "./roundtrip.js"

/** The server: answers every request 201 with `answer`, and counts what it answered. */
const serverSource = `
const { createServer } = require("node:http")
const { parentPort } = require("node:worker_threads")
const answer = JSON.stringify({ id: "tok_4YW7VCAFAKFEWK6SZ7Z5", isUsed: false, createdTime: "2026-01-01T00:00:00Z" })
let answered = 0
const server = createServer((request, response) => {
  request.resume()
  request.on("end", () => {
    answered++
    response.writeHead(201, { "content-type": "application/json" })
    response.end(answer)
  })
})
parentPort.on("message", (command) => {
  if (command === "count") parentPort.postMessage(answered)
  if (command === "reset") { answered = 0; parentPort.postMessage(0) }
})
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port))
`

const worker = new Worker(serverSource, { eval: true })
const ask = (command: "count" | "reset") =>
  new Promise<number>((resolve) => {
    worker.once("message", resolve)
    worker.postMessage(command)
  })
const port = await new Promise<number>((resolve) => worker.once("message", resolve))
const origin = `http://127.0.0.1:${port}`
const path = "/tokens"
const body = JSON.stringify({ method: "payment-card", paymentInstrument: { expMonth: 12, expYear: 2030 } })

const Token = Schema.Struct({ id: Schema.String, isUsed: Schema.Boolean, createdTime: Schema.String })
const created = (status: number, who: string) => {
  if (status !== 201) throw new Error(`${who}: answered ${status}`)
}

const runtime = ManagedRuntime.make(NodeHttpClient.layerUndici)
const client = await runtime.runPromise(HttpClient.HttpClient)
const http = await runtime.runPromise(
  ProviderHttp.make({
    provider: "floor",
    baseUrl: origin,
    timeout: "10 seconds",
    refusal: (answer) => new ProviderProtocolError({ provider: "floor", message: `refused: ${answer.status}` }),
  }),
)
const absolute = HttpClientRequest.post(`${origin}${path}`).pipe(HttpClientRequest.bodyText(body, "application/json"))
const relative = HttpClientRequest.post(path).pipe(HttpClientRequest.bodyText(body, "application/json"))
const agent = new undici.Agent()

const clients: ReadonlyArray<Roundtrip.Client> = [
  {
    name: "baseline: undici (Agent.request)",
    role: "baseline",
    once: async () => {
      const answer = await agent.request({
        origin,
        path,
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      })
      await answer.body.text()
      created(answer.statusCode, "undici")
    },
  },
  {
    name: "transport: Effect HttpClient (layerUndici), untraced",
    role: "informational",
    once: () =>
      runtime.runPromise(
        client.execute(absolute).pipe(
          Effect.flatMap((response) => Effect.map(response.text, () => created(response.status, "HttpClient"))),
          Effect.withTracerEnabled(false),
        ),
      ),
  },
  {
    name: "floor: ProviderHttp.call (timeout, decoding)",
    role: "target",
    once: async () => {
      const { answer } = await runtime.runPromise(
        http.call({ operation: "create", request: relative, success: Token, idempotent: false }),
      )
      created(answer.status, "ProviderHttp")
    },
  },
]

const simulator: Roundtrip.Simulator = {
  verify: async (requests) => {
    const answered = await ask("count")
    Roundtrip.check(answered === requests, `the server answered ${requests} requests (it answered ${answered})`)
  },
  renew: async () => {
    await ask("reset")
  },
  serverLoop: (since) => worker.performance.eventLoopUtilization(since),
}

console.log(`token-lifecycle transport floor · ${Report.machine()} · server: plain node:http in a worker thread`)
console.log(`POST ${path} with a ${body.length}-byte JSON body, answered 201 with a fixed JSON body`)
console.log("")
await Roundtrip.answeredOnce(clients, simulator)
await Roundtrip.latency({ call: "one round trip, one at a time", clients, simulator })
console.log("")
await Roundtrip.throughput({ call: "round trips", clients, concurrency: 16, requests: 3_000, rounds: 5, simulator })

await runtime.dispose()
await agent.close()
await worker.terminate()
