/**
 * `npm run bench:gate-roundtrip`: one Gate tokenize over loopback HTTP, through the adapter and
 * through plain undici, in one run.
 *
 * The testkit's Gate simulator serves on 127.0.0.1 in this process. The adapter's call is
 * `gateway.issue(request)` on a cached runtime (validation, signing, the request through
 * `NodeHttpClient.layerUndici`, the answer's decoding); the baseline is `undici.request` of the
 * very bytes the adapter sent (captured once: the body is identical, so its signature stays
 * valid), its body read to the end. Informational rows time the layers in between (see
 * `gate-roundtrip-clients.ts`).
 *
 * Method (warm-up, rotated turns, renewals, table, verdict): `roundtrip.ts`. Before measuring,
 * every client must get a 200 "accepted" answer; every timed answer is checked too.
 */
import * as undici from "undici"
import * as Clients from "./gate-roundtrip-clients.js"
import * as Loopback from "./gate-roundtrip-loopback.js"
import * as Roundtrip from "./roundtrip.js"

const loopback = await Loopback.start()
const clients = await Clients.make(loopback)

// Every client must be answered 200 "accepted" (each throws otherwise) before anything is measured.
await loopback.renew()
for (const client of clients) await client.once()
const checked = await loopback.simulatorState()
Roundtrip.check(checked.answered === clients.length, "the simulator answered one request per client")
Roundtrip.check(checked.pendingCallbacks === clients.length, "each accepted tokenize queued its callback")

const url = new URL(loopback.captured.path, loopback.baseUrl)
console.log(`token-lifecycle Gate round-trip benchmark · ${Roundtrip.machine()}`)
console.log(
  `tokenize ${url.pathname} on ${url.origin}: a ${loopback.captured.body?.length ?? 0}-byte signed body; every client answered 200 "accepted"`,
)
console.log("")

await loopback.renew()
await Roundtrip.latency({
  call: "one tokenize round trip on loopback",
  clients,
  warmupTurns: 500,
  turns: 2_000,
  // The simulator is replaced by a fresh one, seeded alike, every 100 turns.
  renewal: {
    every: 100,
    run: async (requests) => {
      const state = await loopback.simulatorState()
      Roundtrip.check(state.answered === requests, "the simulator answered every request")
      await loopback.renew()
    },
  },
  targetRatioAtP50: 1.25,
})
await loopback.dispose()
await undici.getGlobalDispatcher().close()
