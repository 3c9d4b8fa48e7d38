/**
 * `npm run bench:rebilly-roundtrip`: creating one Rebilly card token over loopback HTTP, through
 * the adapter, through the official `rebilly-js-sdk`, and through plain undici, in one run.
 *
 * The testkit's Rebilly simulator serves on 127.0.0.1 (see `rebilly-roundtrip-loopback.ts`); the
 * calls are in `rebilly-roundtrip-clients.ts`. The adapter's call is `gateway.issue` on a cached
 * runtime: the checks made before sending, the body with its spec limits, the credential the
 * operation accepts, the request through `NodeHttpClient.layerUndici`, the answer decoded and
 * checked to be a fresh token for the card sent.
 *
 * Method (checks, warm-up, rotated turns, renewals, latency table, throughput at one
 * concurrency): `roundtrip.ts`. Latency is measured with the simulator on the clients' thread,
 * throughput with it in a worker thread, each against a setting of its own (`--simulator=` puts
 * both in one place). Targets: the adapter's throughput at least 1.5 times the SDK's and within
 * 1.25 times plain undici's, and its p50 latency within 1.25 times plain undici's. Every client
 * must be answered with a new token, and every round the simulator must have minted exactly one
 * token per request.
 */
import * as undici from "undici"
import * as Loopback from "./loopback.js"
import * as Clients from "./rebilly-roundtrip-clients.js"
import * as Setting from "./rebilly-roundtrip-loopback.js"
import type { Placement } from "./renewable.js"
import * as Report from "./report.js"
import * as Roundtrip from "./roundtrip.js"

/** A setting of its own for one measurement: every client answered once, then `measure`. */
const measured = async (
  placement: Placement,
  measure: (clients: ReadonlyArray<Roundtrip.Client>, simulator: Roundtrip.Simulator) => Promise<void>,
) => {
  const loopback = await Setting.start(placement)
  const clients = Clients.make(loopback)
  await Roundtrip.answeredOnce(clients, loopback.verified)
  const { captured } = loopback
  const url = new URL(captured.path, loopback.baseUrl)
  Roundtrip.introduce(
    "Rebilly round-trip benchmark",
    placement,
    `card token creation ${captured.method} ${url.pathname} on ${url.origin}: a ${captured.body?.length ?? 0}-byte body with the secret key; every client answered with a new token`,
  )
  await measure(clients, loopback.verified)
  await loopback.dispose()
}

// Latency with the simulator on the clients' thread, throughput with it in a worker (see PERFORMANCE.md).
await measured(Loopback.placement("thread"), async (clients, simulator) => {
  await Roundtrip.latency({ call: "one token-creation round trip on loopback", clients, simulator })
})
console.log("")

await measured(Loopback.placement("worker"), async (clients, simulator) => {
  const concurrency = 16
  const rates = await Roundtrip.throughput({
    call: "token creations per second on loopback",
    clients,
    concurrency,
    requests: 2_000,
    rounds: 5,
    simulator,
  })
  const rateOf = (role: Roundtrip.Role, name = "") => {
    const client = clients.find((c) => c.role === role && c.name.includes(name))
    return client === undefined ? Number.NaN : (rates.get(client) ?? Number.NaN)
  }
  const adapterRate = rateOf("target")
  const versusSdk = adapterRate / rateOf("informational", "rebilly-js-sdk")
  const versusRaw = rateOf("baseline") / adapterRate
  console.log(
    `  ${versusSdk >= 1.5 ? "meets" : "MISSES"} the target of at least ${Report.ratio(1.5)} the SDK's rate at ${concurrency} in flight: ${Report.ratio(versusSdk)}`,
  )
  console.log(
    `  ${versusRaw <= 1.25 ? "meets" : "MISSES"} the target of plain undici's rate within ${Report.ratio(1.25)}: undici is ${Report.ratio(versusRaw)} the adapter's`,
  )
})
await undici.getGlobalDispatcher().close()
