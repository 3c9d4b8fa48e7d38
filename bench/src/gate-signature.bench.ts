/**
 * `npm run bench:gate-signature`: signing one Gate tokenize body, ours against Node's HMAC and
 * against the official `ecommpay` package's signer, in one run.
 *
 * The floor is `createHmac("sha512", secret)` over the canonical string computed beforehand;
 * every other signer starts from the body object. Inputs are fixed (see `gate-signing.ts`);
 * before measuring, every signer must give the same signature. Each sample signs a whole batch,
 * so the timer's own cost is negligible, and figures come from the median sample. Ratios to the
 * floor, measured in the same run, are what to compare between machines.
 */
import { Bench } from "tinybench"
import * as Signers from "./gate-signing.js"
import * as Report from "./report.js"

const targets = { oursOverFloor: 1.15 } as const
/** What the issue measured for the official signer, for comparison; not a target of ours. */
const ecommpayMeasured = { from: 1.5, to: 1.9 } as const

type Role = "floor" | "target" | "ecommpay" | "informational"

interface Measured {
  readonly name: string
  readonly run: (count: number) => string
  readonly role: Role
}

const { medianMillis, relativeMargin, samples } = Report

const batch = 1_000

const measured: ReadonlyArray<Measured> = [
  { name: "floor: createHmac over the canonical string", run: Signers.floor, role: "floor" },
  { name: "ours: signature(body), as GateGateway signs", run: Signers.oursAsGateway, role: "target" },
  { name: `ecommpay ${Signers.ecommpayVersion}: signer(body, secret)`, run: Signers.ecommpaySigner, role: "ecommpay" },
  { name: "ours, part: our HMAC of the string", run: Signers.oursHmacOfString, role: "informational" },
  { name: "ours: signed(body), the copy carrying it", run: Signers.oursSignedBody, role: "informational" },
  { name: "ours: signBody(body) through Signing", run: Signers.oursThroughPort, role: "informational" },
  { name: "ours: Effect.runSync(signBody) each", run: Signers.oursRunSyncEach, role: "informational" },
]

// Refuse to measure signers that disagree: each must give the floor's signature for the body.
const expected = Signers.floor(1)
if (!/^[A-Za-z0-9+/]{86}==$/.test(expected)) throw new Error("benchmark self-check failed: the floor is not base64")
for (const m of measured) {
  if (m.run(2) !== expected) throw new Error(`benchmark self-check failed: "${m.name}" signs the body differently`)
}

console.log(`token-lifecycle Gate signature benchmark · ${Report.machine()} · one thread`)
console.log(
  `tokenize body: ${Signers.canonicalTokenize.split(";").length} fields, canonical string of ${Signers.canonicalTokenize.length} characters; every signer gives the same signature`,
)
console.log("")

const bench = new Bench({ time: 1_500, warmupTime: 300, iterations: 32 })
for (const m of measured) bench.add(m.name, () => m.run(batch))
bench.runSync()

const results = measured.map((m, i) => {
  const task = bench.tasks[i]
  if (task === undefined) throw new Error(`benchmark "${m.name}" did not run`)
  const perSignature = (medianMillis(task) * 1e6) / batch
  return {
    ...m,
    nanos: perSignature,
    perSecond: 1e9 / perSignature,
    margin: relativeMargin(task),
    samples: samples(task),
  }
})
const floor = results.find((r) => r.role === "floor")
if (floor === undefined) throw new Error("no floor")
const overFloor = (r: { readonly nanos: number }) => r.nanos / floor.nanos

console.log(`Gate request signature, ${Report.count(batch)} signatures per sample (median sample)`)
console.log(
  Report.table(
    ["signer", "signatures per second", "per signature", "margin", "samples", "time vs floor"],
    results.map((r) => [
      r.name,
      Report.count(r.perSecond),
      Report.nanos(r.nanos),
      Report.percent(r.margin),
      Report.count(r.samples),
      r === floor ? "" : Report.ratio(overFloor(r)),
    ]),
  ),
)
for (const r of results.filter((r) => r.role === "target")) {
  const verdict = overFloor(r) <= targets.oursOverFloor ? "meets" : "MISSES"
  console.log(
    `  ${verdict} the target of ${Report.ratio(targets.oursOverFloor)} the floor at ${Report.ratio(overFloor(r))}: ${r.name}`,
  )
}
for (const r of results.filter((r) => r.role === "ecommpay")) {
  console.log(
    `  ${r.name} at ${Report.ratio(overFloor(r))} the floor (the issue measured ${Report.ratio(ecommpayMeasured.from)}–${Report.ratio(ecommpayMeasured.to)})`,
  )
}
