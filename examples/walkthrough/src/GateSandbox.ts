/**
 * Where the end-to-end Gate section runs: the real Gate adapter (`GateGateway`), signing every
 * request with the project's secret, over an `HttpClient` that the testkit's Gate simulator
 * answers in process (no socket, no network), under the real lifecycle with the Gate policy, an
 * in-memory store and sequential keys.
 *
 * Gate's tokens and request ids are random, so the simulator is seeded with `Sandbox.seed`; run
 * by `Sandbox.runWith(layer)`, the clock at `Sandbox.startsAt`, every run prints the same tokens,
 * ids and times.
 */
import * as GateConfig from "@token-lifecycle/adapters-gate/GateConfig"
import * as GateGateway from "@token-lifecycle/adapters-gate/GateGateway"
import * as Policy from "@token-lifecycle/domain/Policy"
import * as TokenLifecycle from "@token-lifecycle/domain/TokenLifecycle"
import * as InMemoryTokenRepository from "@token-lifecycle/testkit/InMemoryTokenRepository"
import * as SequentialIdentity from "@token-lifecycle/testkit/SequentialIdentity"
import * as GateHttpClient from "@token-lifecycle/testkit/simulators/gate/GateHttpClient"
import * as GateSimulator from "@token-lifecycle/testkit/simulators/gate/GateSimulator"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Sandbox from "./Sandbox.js"

/** The Gate project the adapter is configured for; the simulator knows the same secret. */
export const project = { id: 17, secret: Redacted.make("walkthrough-gate-project-secret") }

/** What the section may ask for: the lifecycle, the adapter's configuration (for its callback handler), the simulator's controls. */
export type Services = TokenLifecycle.TokenLifecycle | GateConfig.GateConfig | GateSimulator.GateSimulator

const simulator = GateSimulator.layer({ projects: [project], seed: Sandbox.seed })

const config = GateConfig.layer({ projectId: project.id, secretKey: project.secret })

/** The adapter, its HTTP answered by the simulator. */
const gateway = GateGateway.layer.pipe(Layer.provide(GateHttpClient.layer()))

/** A fresh simulator, adapter and lifecycle: nothing carries over from one run to the next. */
export const layer: Layer.Layer<Services> = TokenLifecycle.layer({ policy: Policy.gate }).pipe(
  Layer.provide(Layer.mergeAll(gateway, InMemoryTokenRepository.layer, SequentialIdentity.layer())),
  Layer.provideMerge(Layer.merge(config, simulator)),
)
