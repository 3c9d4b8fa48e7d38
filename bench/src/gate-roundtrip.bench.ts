/**
 * `npm run bench:gate-roundtrip`: one Gate tokenize over loopback HTTP, through the adapter and
 * through plain undici, in one run.
 *
 * The testkit's Gate simulator serves on 127.0.0.1 (see `gate-roundtrip-loopback.ts`). The
 * adapter's call is `gateway.issue(request)` on a cached runtime (validation, signing, the
 * request through `NodeHttpClient.layerUndici`, the answer's decoding); the baseline is
 * `undici.request` of the very bytes the adapter sent (captured once: the body is identical, so
 * its signature stays valid), its body read to the end. Informational rows time the layers in
 * between (see `gate-roundtrip-clients.ts`).
 *
 * Method (checks, warm-up, rotated turns, renewals, table, verdict): `roundtrip.ts`; the simulator
 * serves on the clients' thread unless `--simulator=worker` is given (see PERFORMANCE.md). Every
 * client must get a 200 "accepted" answer, and the simulator must have answered every request and
 * queued one callback for each.
 */
import * as undici from "undici"
import * as Clients from "./gate-roundtrip-clients.js"
import * as Setting from "./gate-roundtrip-loopback.js"
import * as Loopback from "./loopback.js"
import * as Roundtrip from "./roundtrip.js"

const loopback = await Setting.start(Loopback.placement("thread"))
const clients = await Clients.make(loopback)
await Roundtrip.answeredOnce(clients, loopback.verified)

const url = new URL(loopback.captured.path, loopback.baseUrl)
Roundtrip.introduce(
  "Gate round-trip benchmark",
  loopback.simulator.placement,
  `tokenize ${url.pathname} on ${url.origin}: a ${loopback.captured.body?.length ?? 0}-byte signed body; every client answered 200 "accepted"`,
)

await Roundtrip.latency({ call: "one tokenize round trip on loopback", clients, simulator: loopback.verified })
await loopback.dispose()
await undici.getGlobalDispatcher().close()
