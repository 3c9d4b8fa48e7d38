/**
 * `npm run bench`: the lifecycle's pure core against plain baselines, in one run.
 *
 * (a) `decide` + `evolve` throughput on two realistic streams, beside a plain reducer.
 * (b) `Lifecycle.replay` of a 1,000,000-event history, beside a plain fold of the same array.
 *
 * Inputs are fixed (see `streams.ts`); only the machine's timing varies. Each sample runs a
 * whole batch, so the timer's own cost is negligible, and figures come from the median
 * sample, which a noisy neighbour disturbs least. Ratios to the baseline, measured in the
 * same run, are what to compare between machines.
 */
import { replay } from "@token-lifecycle/domain/Lifecycle"
import { Bench } from "tinybench"
import * as Report from "./report.js"
import * as Streams from "./streams.js"

const targets = { transitionsPerSecond: 5_000_000, replayMillis: 500 } as const

interface Measured {
  readonly name: string
  readonly run: () => unknown
  /** Steps (transitions, decisions, events) one sample performs. */
  readonly steps: number
  /** Whether the throughput target applies to it. */
  readonly target: boolean
}

const { medianMillis, relativeMargin, samples } = Report

/** Refuse to report a benchmark whose work is not what it claims. */
const check = (holds: boolean, what: string) => {
  if (!holds) throw new Error(`benchmark self-check failed: ${what}`)
}

/** Run `measured` in one bench, in order, the baseline first; each task's median sample. */
const measure = (options: ConstructorParameters<typeof Bench>[0], measured: ReadonlyArray<Measured>) => {
  const bench = new Bench(options)
  for (const m of measured) bench.add(m.name, m.run)
  bench.runSync()
  return measured.map((m, i) => {
    const task = bench.tasks[i]
    if (task === undefined) throw new Error(`benchmark "${m.name}" did not run`)
    const millis = medianMillis(task)
    return { ...m, millis, perSecond: m.steps / (millis / 1_000), margin: relativeMargin(task), samples: samples(task) }
  })
}

console.log(`token-lifecycle benchmark · ${Report.machine()} · one thread`)
console.log("")

// ---------------------------------------------------------------------------
// (a) transitions
// ---------------------------------------------------------------------------

const batch = 10_000
const cycles = Math.floor(batch / Streams.transitionsPerCycle)
const usedToken = Streams.singleUseCycles(1)

const gateFinal = Streams.gateUses(batch)
check(gateFinal._tag === "Active" && gateFinal.uses === batch, "the Gate stream records one use per command")
check(Streams.singleUseCycles(cycles)._tag === "Used", "the single-use stream ends used")
check(Streams.refusedUses(batch, usedToken) === batch, "every second use is refused")
check(Streams.baselineUses(batch).uses === batch, "the baseline counts every step")
check(Streams.baselineUsesByField(batch).uses === batch, "the field-by-field baseline counts every step")

const transitions = measure({ time: 1_500, warmupTime: 300, iterations: 32 }, [
  {
    name: "baseline: plain reducer (spread + branch)",
    run: () => Streams.baselineUses(batch),
    steps: batch,
    target: false,
  },
  {
    name: "baseline: plain reducer (field-by-field copy)",
    run: () => Streams.baselineUsesByField(batch),
    steps: batch,
    target: false,
  },
  { name: "decide+evolve: Gate token used repeatedly", run: () => Streams.gateUses(batch), steps: batch, target: true },
  {
    name: "decide+evolve: single-use request→issue→use",
    run: () => Streams.singleUseCycles(cycles),
    steps: cycles * Streams.transitionsPerCycle,
    target: true,
  },
  {
    name: "decide only: refused second use",
    run: () => Streams.refusedUses(batch, usedToken),
    steps: batch,
    target: false,
  },
])
const [reducer] = transitions
if (reducer === undefined) throw new Error("no baseline")

console.log(`(a) decide + evolve, about ${Report.count(batch)} steps per sample (median sample)`)
console.log(
  Report.table(
    ["stream", "steps per second", "per step", "margin", "samples", "time vs baseline"],
    transitions.map((m) => [
      m.name,
      Report.count(m.perSecond),
      Report.nanos(1e9 / m.perSecond),
      Report.percent(m.margin),
      Report.count(m.samples),
      m === reducer ? "" : Report.ratio(reducer.perSecond / m.perSecond),
    ]),
  ),
)
for (const m of transitions.filter((m) => m.target)) {
  const verdict = m.perSecond >= targets.transitionsPerSecond ? "meets" : "MISSES"
  console.log(
    `  ${verdict} the target of ${Report.count(targets.transitionsPerSecond)} transitions/s at ${Report.count(m.perSecond)}/s: ${m.name}`,
  )
}
console.log("")

// ---------------------------------------------------------------------------
// (b) replay
// ---------------------------------------------------------------------------

const historyLength = 1_000_000
const history = Streams.gateHistory(historyLength)
const replayed = replay(history)
check(history.length === historyLength, "the history has a million events")
check(
  replayed._tag === "Active" && replayed.uses === Streams.baselineFold(history).uses,
  "replay and the baseline fold agree on the uses",
)

const replays = measure({ time: 3_000, warmupTime: 500, iterations: 10, warmupIterations: 3 }, [
  {
    name: "baseline: plain fold (spread + branch)",
    run: () => Streams.baselineFold(history),
    steps: historyLength,
    target: false,
  },
  { name: "Lifecycle.replay", run: () => replay(history), steps: historyLength, target: true },
])
const [fold, lifecycleReplay] = replays
if (fold === undefined || lifecycleReplay === undefined) throw new Error("missing replay measurements")

console.log(`(b) replay of a ${Report.count(historyLength)}-event history (median sample)`)
console.log(
  Report.table(
    ["fold", "time", "events per second", "margin", "samples", "time vs baseline"],
    replays.map((m) => [
      m.name,
      Report.millis(m.millis),
      Report.count(m.perSecond),
      Report.percent(m.margin),
      Report.count(m.samples),
      m === fold ? "" : Report.ratio(m.millis / fold.millis),
    ]),
  ),
)
console.log(
  `  ${lifecycleReplay.millis < targets.replayMillis ? "meets" : "MISSES"} the target of replaying ${Report.count(historyLength)} events in under ${Report.millis(targets.replayMillis)} at ${Report.millis(lifecycleReplay.millis)}`,
)
