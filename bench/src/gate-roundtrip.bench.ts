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
 * Requests go one at a time, after a warm-up. Each turn sends one request per client, the
 * order rotated by one every turn, and times each request on its own. The simulator is
 * replaced by a fresh one, seeded alike, every 100 turns (outside the timed calls), so its
 * growing logs do not slow the later turns. Before measuring, every client must get a 200
 * "accepted" answer; every timed answer is checked too. Ratios to the baseline, measured in the
 * same run, are what to compare between machines.
 */
import { availableParallelism, cpus, loadavg } from "node:os"
import { performance } from "node:perf_hooks"
import * as undici from "undici"
import * as Clients from "./gate-roundtrip-clients.js"
import * as Loopback from "./gate-roundtrip-loopback.js"
import * as Report from "./report.js"

const targets = { adapterOverBaselineAtP50: 1.25 } as const

const warmupTurns = 500
const turns = 2_000
/** Turns per simulator: after each such run of turns the simulator behind the server is renewed. */
const turnsPerSimulator = 100

const check = (holds: boolean, what: string) => {
  if (!holds) throw new Error(`benchmark self-check failed: ${what}`)
}

const loopback = await Loopback.start()
const clients = await Clients.make(loopback)
const baseline = clients.find((c) => c.role === "baseline")
const target = clients.find((c) => c.role === "target")
if (baseline === undefined || target === undefined) throw new Error("no baseline or no target")

// Every client must be answered 200 "accepted" (each throws otherwise) before anything is measured.
await loopback.renew()
for (const client of clients) await client.once()
const checked = await loopback.simulatorState()
check(checked.answered === clients.length, "the simulator answered one request per client")
check(checked.pendingCallbacks === clients.length, "each accepted tokenize queued its callback")

const samples = clients.map(() => [] as Array<number>)

/** `count` turns, each client once per turn, the order rotated every turn. */
const runTurns = async (count: number, record: boolean) => {
  for (let turn = 0; turn < count; turn++) {
    for (let k = 0; k < clients.length; k++) {
      const i = (turn + k) % clients.length
      const client = clients[i]
      if (client === undefined) continue
      const start = performance.now()
      await client.once()
      const elapsed = performance.now() - start
      if (record) samples[i]?.push(elapsed)
    }
    if ((turn + 1) % turnsPerSimulator === 0) {
      const state = await loopback.simulatorState()
      check(state.answered === turnsPerSimulator * clients.length, "the simulator answered every request")
      await loopback.renew()
    }
  }
}

const cpu = cpus()[0]?.model ?? "unknown CPU"
const url = new URL(loopback.captured.path, loopback.baseUrl)
console.log(
  `token-lifecycle Gate round-trip benchmark · node ${process.version} · ${availableParallelism()} CPUs (${cpu}) · one thread, one request at a time`,
)
console.log(
  `tokenize ${url.pathname} on ${url.origin}: a ${loopback.captured.body.length}-byte signed body; every client answered 200 "accepted" · load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")}`,
)
console.log("")

const started = performance.now()
await loopback.renew()
await runTurns(warmupTurns, false)
await runTurns(turns, true)
const elapsed = performance.now() - started
await loopback.dispose()
await undici.getGlobalDispatcher().close()

check(
  samples.every((s) => s.length === turns),
  "every client was timed once per turn",
)

interface Summary {
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly mean: number
  readonly min: number
}

/** Quantile `q` of sorted samples, linearly interpolated between the two nearest ranks. */
const quantile = (sorted: ReadonlyArray<number>, q: number): number => {
  const at = (sorted.length - 1) * q
  const low = sorted[Math.floor(at)] ?? Number.NaN
  const high = sorted[Math.ceil(at)] ?? Number.NaN
  return low + (high - low) * (at - Math.floor(at))
}

const summarise = (taken: ReadonlyArray<number>): Summary => {
  const sorted = [...taken].sort((a, b) => a - b)
  return {
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    mean: taken.reduce((sum, s) => sum + s, 0) / taken.length,
    min: sorted[0] ?? Number.NaN,
  }
}

const results = clients.map((client, i) => ({ ...client, ...summarise(samples[i] ?? []) }))
const base = results.find((r) => r.role === "baseline")
const measured = results.find((r) => r.role === "target")
if (base === undefined || measured === undefined) throw new Error("no baseline or no target")

const micros = (ms: number): string => `${Report.count(ms * 1_000)} µs`
console.log(
  `one tokenize round trip on loopback, ${Report.count(turns)} timed requests per client (after ${Report.count(warmupTurns)} each to warm up), ${Report.millis(elapsed)} in all`,
)
console.log(
  Report.table(
    ["client", "p50", "p90", "p99", "mean", "min", "p50 vs baseline", "p50 − baseline"],
    results.map((r) => [
      r.name,
      micros(r.p50),
      micros(r.p90),
      micros(r.p99),
      micros(r.mean),
      micros(r.min),
      r === base ? "" : Report.ratio(r.p50 / base.p50),
      r === base ? "" : micros(r.p50 - base.p50),
    ]),
  ),
)
const atP50 = measured.p50 / base.p50
console.log(
  `  ${atP50 <= targets.adapterOverBaselineAtP50 ? "meets" : "MISSES"} the target of ${Report.ratio(targets.adapterOverBaselineAtP50)} plain undici at p50 at ${Report.ratio(atP50)}: ${measured.name}`,
)
