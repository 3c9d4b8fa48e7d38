/**
 * The Rebilly round-trip benchmark's simulator: the testkit's Rebilly simulator, seeded, for one
 * organization (see `renewable.ts`). Its rate limit is set out of reach: the benchmark measures
 * round trips, not the sandbox's 3,000 writes per 10 minutes. Inputs are fixed; the key is never
 * printed.
 */
import * as RebillySimulator from "@token-lifecycle/testkit/simulators/rebilly/RebillySimulator"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Renewable from "./renewable.js"

export const organizationId = "org-bench"
/** A key for the benchmark only: it opens nothing else and is never printed. */
export const secretKey = Redacted.make("sk_sandbox_bench_roundtrip_5d20c7e1a4")

export const simulator: Renewable.Definition<RebillySimulator.RebillySimulatorService> = {
  module: import.meta.url,
  open: RebillySimulator.make({
    organizationId,
    secretKeys: [secretKey],
    seed: "rebilly-roundtrip-bench",
    rateLimit: { limit: Number.MAX_SAFE_INTEGER },
  }),
  handler: (simulator) => simulator.handle,
  /** Tokens held. */
  state: (simulator) => Effect.map(simulator.tokens, (tokens) => ({ tokens: tokens.length })),
}
