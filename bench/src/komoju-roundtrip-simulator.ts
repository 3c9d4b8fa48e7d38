/**
 * The KOMOJU round-trip benchmark's simulator: the testkit's KOMOJU simulator, seeded, for one
 * merchant (see `renewable.ts`). Webhooks are delivered (and dropped) before a simulator is
 * replaced. Inputs are fixed; no key is ever printed.
 */
import * as KomojuSimulator from "@token-lifecycle/testkit/simulators/komoju/KomojuSimulator"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Renewable from "./renewable.js"

/** A merchant for the benchmark only; its keys open nothing else and are never printed. */
export const merchant = {
  id: "merchant-bench",
  secretKey: Redacted.make("sk_test_bench_roundtrip_7c41e0a9d2"),
  publishableKey: Redacted.make("pk_test_bench_roundtrip_18f3b6c5e4"),
  webhookSecret: Redacted.make("bench-roundtrip-webhook-secret"),
}

export const simulator: Renewable.Definition<KomojuSimulator.KomojuSimulatorService> = {
  module: import.meta.url,
  open: KomojuSimulator.make({ merchants: [merchant], seed: "komoju-roundtrip-bench" }),
  handler: (simulator) => simulator.handle,
  retire: (simulator) => simulator.deliverDue,
  /** Requests answered (the primer's among them), and how many were answered by replaying a first answer. */
  state: (simulator) =>
    Effect.map(simulator.requests, (log) => ({
      answered: log.length,
      replayed: log.filter((r) => r.idempotency === "replayed").length,
    })),
}
