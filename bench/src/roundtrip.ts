/**
 * The round-trip benchmarks' common method: the same call made by several clients against one
 * loopback simulator, in one run, each compared with a baseline measured beside it (plain
 * undici sending the very bytes the adapter sends).
 *
 * Before anything is measured, every client must be answered as expected once, and the
 * simulator must have answered exactly those requests. Latency: requests go one at a time, after
 * a warm-up. Each turn sends one request per client, the order rotated by one every turn, and
 * times each request on its own; every `renewEvery` turns the simulator's answers are checked and
 * it is renewed (outside the timed calls) so growing logs do not slow the later turns.
 * Throughput: each client in turn keeps `concurrency` requests in flight for a fixed number of
 * requests, the simulator checked and renewed after each round. Ratios to the baseline, measured
 * in the same run, are what to compare between machines.
 */
import { type EventLoopUtilization, performance } from "node:perf_hooks"
import type { Placement } from "./renewable.js"
import * as Report from "./report.js"

export type Role = "baseline" | "target" | "informational"

export interface Client {
  readonly name: string
  readonly role: Role
  /** One call, resolved once the answer's body is read; throws unless the answer is the expected one. */
  readonly once: () => Promise<void>
}

/** The simulator the clients call, as the method drives it. */
export interface Simulator {
  /** Throws unless the current simulator answered exactly `requests` requests, each as expected. */
  readonly verify: (requests: number) => Promise<void>
  /** Replaces the simulator with a fresh one. */
  readonly renew: () => Promise<void>
  /** The server's own event loop utilization, when it has a thread of its own (see `Renewable.Served`). */
  readonly serverLoop?: ((since?: EventLoopUtilization) => EventLoopUtilization) | undefined
}

export const check = (holds: boolean, what: string): void => {
  if (!holds) throw new Error(`benchmark self-check failed: ${what}`)
}

/** The report's first lines: the benchmark, the machine, where the simulator serves; then what one request is. */
export const introduce = (benchmark: string, placement: Placement, request: string): void => {
  const where = placement === "worker" ? "a worker thread" : "the clients' thread"
  console.log(`token-lifecycle ${benchmark} · ${Report.machine()} · simulator in ${where}`)
  console.log(request)
  console.log("")
}

/** Every client once, against a fresh simulator: each must be answered, and the simulator must have answered them all. */
export const answeredOnce = async (clients: ReadonlyArray<Client>, simulator: Simulator): Promise<void> => {
  await simulator.renew()
  for (const client of clients) await client.once()
  await simulator.verify(clients.length)
}

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
  readonly simulator: Simulator
  /** 500 unless given. */
  readonly warmupTurns?: number
  /** 2,000 unless given. */
  readonly turns?: number
  /** Turns between renewals of the simulator: 100 unless given. */
  readonly renewEvery?: number
  /** The most the target's p50 may be, as a multiple of the baseline's: 1.25 unless given. */
  readonly targetRatioAtP50?: number
}

/** Times every client, prints the table and the verdict, and returns the target's p50 ratio to the baseline. */
export const latency = async (options: LatencyOptions): Promise<number> => {
  const { clients, simulator } = options
  const { warmupTurns = 500, turns = 2_000, renewEvery = 100, targetRatioAtP50 = 1.25 } = options
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
      if ((turn + 1) % renewEvery === 0) {
        await simulator.verify(renewEvery * clients.length)
        await simulator.renew()
      }
    }
  }

  await simulator.renew()
  const started = performance.now()
  await runTurns(warmupTurns, false)
  await runTurns(turns, true)
  const elapsed = performance.now() - started
  check(
    samples.every((s) => s.length === turns),
    "every client was timed once per turn",
  )

  const results = clients.map((client, i) => ({ client, ...summarise(samples[i] ?? []) }))
  const base = results.find((r) => r.client === baseline)
  const measured = results.find((r) => r.client === target)
  if (base === undefined || measured === undefined) throw new Error("no baseline or no target")
  console.log(
    `${options.call}, ${Report.count(turns)} timed requests per client, one at a time (after ${Report.count(warmupTurns)} each to warm up), ${Report.millis(elapsed)} in all`,
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
    `  ${atP50 <= targetRatioAtP50 ? "meets" : "MISSES"} the target of ${Report.ratio(targetRatioAtP50)} the baseline at p50 at ${Report.ratio(atP50)}: ${target.name}`,
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
  /** Checked and renewed after every client's round, outside the timing. */
  readonly simulator: Simulator
}

interface Burst {
  readonly perSecond: number
  /** Milliseconds the main thread's event loop was busy, per request. */
  readonly mainBusy: number
  /** The share of the time the server's thread was busy, when it has one. */
  readonly serverBusy: number | undefined
}

/** `requests` calls with `concurrency` in flight: the rate, and how busy each thread was. */
const burst = async (
  client: Client,
  requests: number,
  concurrency: number,
  serverLoop: Simulator["serverLoop"],
): Promise<Burst> => {
  let next = 0
  const server = serverLoop?.()
  const main = performance.eventLoopUtilization()
  const start = performance.now()
  const worker = async () => {
    while (next < requests) {
      next++
      await client.once()
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker))
  const elapsed = performance.now() - start
  return {
    perSecond: (requests / elapsed) * 1000,
    mainBusy: performance.eventLoopUtilization(main).active / requests,
    serverBusy: server === undefined ? undefined : serverLoop?.(server).utilization,
  }
}

const median = (values: ReadonlyArray<number>) => summarise(values).p50

/**
 * Requests per second of every client at the same concurrency; prints the table (with how busy
 * the main thread was per request, and the server's thread when it has one); returns each
 * client's median rate.
 */
export const throughput = async (options: ThroughputOptions): Promise<ReadonlyMap<Client, number>> => {
  const { clients, simulator } = options
  const { baseline } = roles(clients)
  const bursts = clients.map(() => [] as Array<Burst>)
  await simulator.renew()
  for (let round = -1; round < options.rounds; round++) {
    for (let k = 0; k < clients.length; k++) {
      const i = (Math.max(round, 0) + k) % clients.length
      const client = clients[i]
      if (client === undefined) continue
      const measured = await burst(client, options.requests, options.concurrency, simulator.serverLoop)
      if (round >= 0) bursts[i]?.push(measured)
      await simulator.verify(options.requests)
      await simulator.renew()
    }
  }
  const results = clients.map((client, i) => {
    const taken = bursts[i] ?? []
    const serverBusy = taken.flatMap((b) => (b.serverBusy === undefined ? [] : [b.serverBusy]))
    return {
      client,
      perSecond: median(taken.map((b) => b.perSecond)),
      mainBusy: median(taken.map((b) => b.mainBusy)),
      serverBusy: serverBusy.length === 0 ? undefined : median(serverBusy),
    }
  })
  const base = results.find((r) => r.client === baseline)?.perSecond ?? Number.NaN
  console.log(
    `${options.call}, ${options.concurrency} in flight, ${Report.count(options.requests)} requests per client per round, ${options.rounds} rounds (after one to warm up); medians of the rounds`,
  )
  console.log(
    Report.table(
      ["client", "requests/s", "vs baseline", "main thread busy per request", "server thread busy"],
      results.map((r) => [
        r.client.name,
        Report.count(r.perSecond),
        r.client === baseline ? "" : Report.ratio(r.perSecond / base),
        micros(r.mainBusy),
        r.serverBusy === undefined ? "(same thread)" : `${Math.round(r.serverBusy * 100)} %`,
      ]),
    ),
  )
  const leastServerBusy = Math.min(...results.map((r) => r.serverBusy ?? 0))
  if (leastServerBusy >= 0.9) {
    console.log(
      `  the server's thread was busy at least ${Math.round(leastServerBusy * 100)} % of every client's rounds: the rates are bounded by the server; the main thread's busy time per request is each client's own cost`,
    )
  }
  return new Map(results.map((r) => [r.client, r.perSecond] as const))
}
