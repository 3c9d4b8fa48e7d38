/**
 * The Gate round-trip benchmark's setting: the testkit's Gate simulator served on 127.0.0.1, the
 * real `GateGateway` over `NodeHttpClient.layerUndici` in one cached runtime, one fixed tokenize
 * request, and the bytes the adapter puts on the wire for it, captured once for plain undici to
 * send again.
 *
 * Inputs are fixed: one project and secret, one customer, one card (the networks' public test
 * number), the simulator seeded. Neither the secret nor the card number is ever printed.
 */
import type { HttpClient } from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as GateConfig from "@token-lifecycle/adapters-gate/GateConfig"
import * as GateGateway from "@token-lifecycle/adapters-gate/GateGateway"
import { parseCard } from "@token-lifecycle/domain/Card"
import { AccountRef, OwnerRef } from "@token-lifecycle/domain/Identifiers"
import { type IssueRequest, TokenGateway } from "@token-lifecycle/domain/TokenGateway"
import * as GateServer from "@token-lifecycle/testkit/simulators/gate/GateServer"
import * as GateSimulator from "@token-lifecycle/testkit/simulators/gate/GateSimulator"
import * as LoopbackServer from "@token-lifecycle/testkit/simulators/shared/LoopbackServer"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import type { Dispatcher } from "undici"
import * as Capture from "./capture.js"
import * as Renewable from "./renewable.js"

/** A project for the benchmark only; its secret keys nothing else and is never printed. */
const project = { id: 4242, secret: Redacted.make("bench-gate-roundtrip-secret-2b61d0c94e7a") }

const simulatorOptions: GateSimulator.GateSimulatorOptions = { projects: [project], seed: "gate-roundtrip-bench" }

const card = Either.getOrThrowWith(
  parseCard({ number: "4111111111111111", expiry: { month: 12, year: 2030 }, holderName: "JANE ROE" }),
  () => new Error("the benchmark's card does not parse"),
)

/** One tokenize of one card for one customer: Gate answers 200 "accepted" every time. */
export const issueRequest: IssueRequest = {
  account: AccountRef.make(String(project.id)),
  owner: OwnerRef.make("customer-1"),
  type: "card",
  card,
  customer: { ipAddress: "198.51.100.47" },
  idempotencyKey: "gate-roundtrip-bench-1",
}

/** The simulator behind the server, renewed between rounds after its pending callbacks are delivered. */
class Simulators extends Effect.Tag("bench/gate-roundtrip/Simulators")<
  Simulators,
  Renewable.Renewable<GateSimulator.GateSimulatorService>
>() {}

const simulators = Layer.scoped(
  Simulators,
  Renewable.make(
    GateSimulator.make(simulatorOptions),
    (simulator) => simulator.handle,
    (simulator) => simulator.deliverDue,
  ),
)
const server = LoopbackServer.layer(
  GateServer.GateServer,
  Effect.map(Simulators, (s) => s.handler),
).pipe(Layer.provideMerge(simulators))

const configFrom = Layer.effect(
  GateConfig.GateConfig,
  Effect.map(GateServer.GateServer, (s) => ({
    projectId: project.id,
    secretKey: project.secret,
    baseUrl: s.baseUrl,
    timeout: Duration.seconds(10),
  })),
)

/** What the cached runtime holds: the server, its simulator, the gateway and its `HttpClient`. */
export type Services = TokenGateway | HttpClient | GateServer.GateServer | Simulators

export interface Loopback {
  /** `http://127.0.0.1:<port>`, where the simulator serves. */
  readonly baseUrl: string
  /** The gateway over `NodeHttpClient.layerUndici`, resolved once from the cached runtime. */
  readonly gateway: TokenGateway["Type"]
  /** Runs an effect on the cached runtime. */
  readonly run: <A, E>(effect: Effect.Effect<A, E, Services>) => Promise<A>
  /** Replaces the simulator behind the server with a fresh one (callbacks delivered and dropped). */
  readonly renew: () => Promise<void>
  /** Requests the current simulator has answered, and callbacks it holds undelivered. */
  readonly simulatorState: () => Promise<{ readonly answered: number; readonly pendingCallbacks: number }>
  /** The request the adapter sent for `issueRequest`, captured on the way to undici. */
  readonly captured: Capture.WireRequest
  readonly dispose: () => Promise<void>
}

/** Serve the simulator, build the measured gateway, and capture one tokenize request's bytes. */
export const start = async (): Promise<Loopback> => {
  // The gateway and the `HttpClient` in context share one `layerUndici` (one undici `Agent`).
  const runtime = ManagedRuntime.make(
    GateGateway.layer.pipe(
      Layer.provide(configFrom),
      Layer.provideMerge(NodeHttpClient.layerUndici),
      Layer.provideMerge(server),
    ),
  )
  const run = <A, E>(effect: Effect.Effect<A, E, Services>) => runtime.runPromise(effect)
  const { baseUrl } = await run(GateServer.GateServer)
  const gateway = await run(TokenGateway)
  const renewable = await run(Simulators)
  const current = () => runtime.runPromise(renewable.current)

  // The capture goes through a gateway of its own over a recording dispatcher, to the same server.
  const capturing = new Capture.CapturingAgent()
  const captureLayer = GateGateway.layer.pipe(
    Layer.provide(
      Layer.merge(
        NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
          Layer.provide(Layer.succeed(NodeHttpClient.Dispatcher, capturing as Dispatcher)),
        ),
        configFrom,
      ),
    ),
    Layer.provide(Layer.succeed(GateServer.GateServer, await run(GateServer.GateServer))),
  )
  const captureRuntime = ManagedRuntime.make(captureLayer)
  try {
    const outcome = await captureRuntime.runPromise(Effect.flatMap(TokenGateway, (g) => g.issue(issueRequest)))
    if (outcome._tag !== "Accepted") throw new Error("the capturing gateway's tokenize was not accepted")
  } finally {
    await captureRuntime.dispose()
    await capturing.close()
  }
  const captured = capturing.last

  return {
    baseUrl,
    gateway,
    run,
    renew: () => runtime.runPromise(renewable.renew),
    simulatorState: async () => {
      const simulator = await current()
      return runtime.runPromise(
        Effect.all({
          answered: Effect.map(simulator.requests, (log) => log.length),
          pendingCallbacks: Effect.map(simulator.pendingCallbacks, (p) => p.length),
        }),
      )
    },
    captured,
    dispose: () => runtime.dispose(),
  }
}
