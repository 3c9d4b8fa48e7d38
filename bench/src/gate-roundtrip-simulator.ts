/**
 * The Gate round-trip benchmark's simulator: the testkit's Gate simulator, seeded, for one
 * project (see `renewable.ts`). Callbacks are delivered (and dropped) before a simulator is
 * replaced. Inputs are fixed; the project's secret is never printed.
 */
import * as GateSimulator from "@token-lifecycle/testkit/simulators/gate/GateSimulator"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Renewable from "./renewable.js"

/** A project for the benchmark only; its secret keys nothing else and is never printed. */
export const project = { id: 4242, secret: Redacted.make("bench-gate-roundtrip-secret-2b61d0c94e7a") }

export const simulator: Renewable.Definition<GateSimulator.GateSimulatorService> = {
  module: import.meta.url,
  open: GateSimulator.make({ projects: [project], seed: "gate-roundtrip-bench" }),
  handler: (simulator) => simulator.handle,
  retire: (simulator) => simulator.deliverDue,
  /** Requests answered, and callbacks held undelivered. */
  state: (simulator) =>
    Effect.all({
      answered: Effect.map(simulator.requests, (log) => log.length),
      pendingCallbacks: Effect.map(simulator.pendingCallbacks, (pending) => pending.length),
    }),
}
