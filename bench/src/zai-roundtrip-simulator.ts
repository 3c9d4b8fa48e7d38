/**
 * The Zai round-trip benchmark's simulator: the testkit's Zai simulator, seeded, for one OAuth2
 * client, both of Zai's hosts at one base URL (see `renewable.ts`). No webhooks: token auths send
 * none, and an outbox would only grow. Inputs are fixed; the client secret is never printed.
 */
import * as ZaiSimulator from "@token-lifecycle/testkit/simulators/zai/ZaiSimulator"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Renewable from "./renewable.js"

/** An OAuth2 client for the benchmark only; its secret opens nothing else and is never printed. */
export const client = {
  clientId: "bench-zai-roundtrip-client",
  clientSecret: Redacted.make("bench-zai-roundtrip-secret-7c1e9a40d2b3"),
  scope: "im-au-04/bench-zai-roundtrip",
}

export const simulator: Renewable.Definition<ZaiSimulator.ZaiSimulatorService> = {
  module: import.meta.url,
  open: ZaiSimulator.make({ clients: [client], seed: "zai-roundtrip-bench", webhookObjectTypes: [] }),
  handler: (simulator) => simulator.handle,
  /** Token auths answered 200. */
  state: (simulator) =>
    Effect.map(simulator.requests, (log) => ({
      tokenAuths: log.filter((request) => request.endpoint === "generateToken" && request.status === 200).length,
    })),
}
