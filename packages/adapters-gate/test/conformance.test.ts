/**
 * The Gate adapter against the testkit's Gate simulator, through the conformance suite every
 * adapter passes: the real gateway, signed requests over the simulator's HTTP client, and the
 * simulator's signed callbacks read back through the adapter's own callback decoding.
 */

import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Policy from "@token-lifecycle/domain/Policy"
import * as Conformance from "@token-lifecycle/testkit/Conformance"
import * as GateHttpClient from "@token-lifecycle/testkit/simulators/gate/GateHttpClient"
import * as GateServer from "@token-lifecycle/testkit/simulators/gate/GateServer"
import * as GateSimulator from "@token-lifecycle/testkit/simulators/gate/GateSimulator"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as GateCallbacks from "../src/GateCallbacks.js"
import * as GateConfig from "../src/GateConfig.js"
import * as GateGateway from "../src/GateGateway.js"
import * as Signature from "../src/Signature.js"

const project = { id: 4242, secret: Redacted.make("conformance-project-secret") }

const simulator = GateSimulator.layer({ projects: [project], seed: "conformance" })
const gateway = GateGateway.layer.pipe(
  Layer.provide(
    Layer.mergeAll(GateHttpClient.layer(), GateConfig.layer({ projectId: project.id, secretKey: project.secret })),
  ),
  Layer.provideMerge(simulator),
)

/** The same gateway over real HTTP: undici to the simulator served on 127.0.0.1. */
const overLoopback = GateGateway.layer.pipe(
  Layer.provide(
    Layer.mergeAll(
      NodeHttpClient.layerUndici,
      Layer.effect(
        GateConfig.GateConfig,
        Effect.map(GateServer.GateServer, (server) => ({
          projectId: project.id,
          secretKey: project.secret,
          baseUrl: server.baseUrl,
          timeout: Duration.seconds(10),
        })),
      ),
    ),
  ),
  Layer.provideMerge(GateServer.layerWithSimulator({ projects: [project], seed: "conformance" })),
  Layer.orDie,
)

/** What Gate sent since the last call, verified and decoded by the adapter, in the order sent. */
const providerEvents = Effect.gen(function* () {
  const gate = yield* GateSimulator.GateSimulator
  const delivered = yield* gate.deliverDue
  const events = yield* Effect.forEach(delivered, (callback) => GateCallbacks.decode(callback.body))
  return events.flat()
}).pipe(Effect.provide(Signature.layer(project.secret)), Effect.orDie)

const fixture: Conformance.Fixture = {
  account: String(project.id),
  owner: "customer-1",
  otherOwner: "customer-2",
  type: "card",
  cards: [
    { number: "4111111111111111", expiry: { month: 12, year: 2030 }, holderName: "JANE ROE" },
    { number: "5555555555554444", expiry: { month: 6, year: 2031 }, holderName: "JOHN ROE" },
  ],
  customer: { ipAddress: "198.51.100.47" },
  operation: "payment",
  amount: { amount: 1000, currency: "EUR" },
}

Conformance.suite("GateGateway over the Gate simulator, in process", {
  gateway,
  policy: Policy.gate,
  providerEvents,
  fixture,
})

Conformance.suite("GateGateway over the Gate simulator, on loopback HTTP", {
  gateway: overLoopback,
  policy: Policy.gate,
  providerEvents,
  fixture,
  timeout: 20_000,
})
