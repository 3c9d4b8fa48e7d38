/**
 * The round-trip benchmarks' common method: the same call made by several clients against one
 * loopback simulator, in one run, each compared with a baseline measured beside it (plain
 * undici sending the very bytes the adapter sends).
 *
 * Latency: requests go one at a time, after a warm-up. Each turn sends one request per client,
 * the order rotated by one every turn, and times each request on its own; every `every` turns
 * the setting may renew its simulator (outside the timed calls) so growing logs do not slow
 * the later turns. Throughput: each client in turn keeps `concurrency` requests in flight for a
 * fixed number of requests. Ratios to the baseline, measured in the same run, are what to compare
 * between machines.
 */
import { availableParallelism, cpus, loadavg } from "node:os"
import { performance } from "node:perf_hooks"
import * as Report from "./report.js"

export type Role = "baseline" | "target" | "informational"

export interface Client {
  readonly name: string
  readonly role: Role
  /** One call, resolved once the answer's body is read; throws unless the answer is the expected one. */
  readonly once: () => Promise<void>
}

export interface Renewal {
  /** Turns between renewals. */
  readonly every: number
  /** Checks the simulator answered everything, then replaces it; `requests` is what it should have answered. */
  readonly run: (requests: number) => Promise<void>
}

export const check = (holds: boolean, what: string): void => {
  if (!holds) throw new Error(`benchmark self-check failed: ${what}`)
}

/** The machine, for the first line of a report. */
export const machine = (): string =>
  `node ${process.version} · ${availableParallelism()} CPUs (${cpus()[0]?.model ?? "unknown CPU"}) · load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")}`

const roles = (clients: ReadonlyArray<Client>) => {
  const baseline = clients.find((c) => c.role === "baseline")
  const target = clients.find((c) => c.role === "target")
  if (baseline === undefined || target === undefined) throw new Error("no baseline or no target")
  return { baseline, target }
}

export interface Summary {
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

const micros = (ms: number): string => `${Report.count(ms * 1_000)} µs`

export interface LatencyOptions {
  /** What one call is, for the report ("one tokenize round trip on loopback"). */
  readonly call: string
  readonly clients: ReadonlyArray<Client>
  readonly warmupTurns: number
  readonly turns: number
  readonly renewal?: Renewal
  /** The most the target's p50 may be, as a multiple of the baseline's. */
  readonly targetRatioAtP50: number
}

/** Times every client, prints the table and the verdict, and returns the target's p50 ratio to the baseline. */
export const latency = async (options: LatencyOptions): Promise<number> => {
  const { clients, renewal } = options
  const { baseline, target } = roles(clients)
  const samples = clients.map(() => [] as Array<number>)

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
      if (renewal !== undefined && (turn + 1) % renewal.every === 0) await renewal.run(renewal.every * clients.length)
    }
  }

  const started = performance.now()
  await runTurns(options.warmupTurns, false)
  await runTurns(options.turns, true)
  const elapsed = performance.now() - started
  check(
    samples.every((s) => s.length === options.turns),
    "every client was timed once per turn",
  )

  const results = clients.map((client, i) => ({ client, ...summarise(samples[i] ?? []) }))
  const base = results.find((r) => r.client === baseline)
  const measured = results.find((r) => r.client === target)
  if (base === undefined || measured === undefined) throw new Error("no baseline or no target")
  console.log(
    `${options.call}, ${Report.count(options.turns)} timed requests per client, one at a time (after ${Report.count(options.warmupTurns)} each to warm up), ${Report.millis(elapsed)} in all`,
  )
  console.log(
    Report.table(
      ["client", "p50", "p90", "p99", "mean", "min", "p50 vs baseline", "p50 − baseline"],
      results.map((r) => [
        r.client.name,
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
    `  ${atP50 <= options.targetRatioAtP50 ? "meets" : "MISSES"} the target of ${Report.ratio(options.targetRatioAtP50)} the baseline at p50 at ${Report.ratio(atP50)}: ${target.name}`,
  )
  return atP50
}

export interface ThroughputOptions {
  readonly call: string
  readonly clients: ReadonlyArray<Client>
  /** Requests in flight at once, for every client alike. */
  readonly concurrency: number
  /** Requests per client per round, after one round of warm-up. */
  readonly requests: number
  /** Rounds per client, the clients taking turns round by round. */
  readonly rounds: number
  /** Called after every client's round (outside the timing), with the requests it should have answered. */
  readonly afterRound?: (requests: number) => Promise<void>
}

/** `requests` calls with `concurrency` in flight; the elapsed milliseconds. */
const burst = async (client: Client, requests: number, concurrency: number): Promise<number> => {
  let next = 0
  const start = performance.now()
  const worker = async () => {
    while (next < requests) {
      next++
      await client.once()
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker))
  return performance.now() - start
}

/** Requests per second of every client at the same concurrency; prints the table; returns each client's median rate. */
export const throughput = async (options: ThroughputOptions): Promise<ReadonlyMap<Client, number>> => {
  const { clients } = options
  const { baseline } = roles(clients)
  const rates = clients.map(() => [] as Array<number>)
  for (let round = -1; round < options.rounds; round++) {
    for (let k = 0; k < clients.length; k++) {
      const i = (Math.max(round, 0) + k) % clients.length
      const client = clients[i]
      if (client === undefined) continue
      const elapsed = await burst(client, options.requests, options.concurrency)
      if (round >= 0) rates[i]?.push((options.requests / elapsed) * 1000)
      await options.afterRound?.(options.requests)
    }
  }
  const medians = new Map(clients.map((client, i) => [client, summarise(rates[i] ?? []).p50] as const))
  const base = medians.get(baseline) ?? Number.NaN
  console.log(
    `${options.call}, ${options.concurrency} in flight, ${Report.count(options.requests)} requests per client per round, ${options.rounds} rounds (after one to warm up)`,
  )
  console.log(
    Report.table(
      ["client", "requests/s (median round)", "vs baseline"],
      clients.map((client) => {
        const rate = medians.get(client) ?? Number.NaN
        return [client.name, Report.count(rate), client === baseline ? "" : Report.ratio(rate / base)]
      }),
    ),
  )
  return medians
}
