/**
 * The Rebilly adapter against the testkit's Rebilly simulator, through the conformance suite
 * every adapter passes: the real gateway, each call signed with the credential its operation
 * accepts, answered by the simulator in process and over real HTTP on 127.0.0.1.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Policy from "@token-lifecycle/domain/Policy"
import * as Conformance from "@token-lifecycle/testkit/Conformance"
import * as RebillyHttpClient from "@token-lifecycle/testkit/simulators/rebilly/RebillyHttpClient"
import * as RebillyServer from "@token-lifecycle/testkit/simulators/rebilly/RebillyServer"
import * as RebillySimulator from "@token-lifecycle/testkit/simulators/rebilly/RebillySimulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as RebillyConfig from "../src/RebillyConfig.js"
import * as RebillyGateway from "../src/RebillyGateway.js"

const organizationId = "org-conformance"
const keys = {
  secretKey: Redacted.make("sk_sandbox_conformance_secret"),
  publishableKey: Redacted.make("pk_sandbox_conformance_publishable"),
}
const simulatorOptions: RebillySimulator.RebillySimulatorOptions = {
  organizationId,
  secretKeys: [keys.secretKey],
  publishableKeys: [keys.publishableKey],
  seed: "conformance",
}
const adapterOptions = { organizationId, ...keys, websiteId: "web-conformance", timeout: "10 seconds" } as const

const gateway = RebillyGateway.layer.pipe(
  Layer.provide(
    Layer.mergeAll(
      RebillyHttpClient.layer(),
      RebillyConfig.layer({ ...adapterOptions, baseUrl: RebillySimulator.sandboxBaseUrl(organizationId) }),
    ),
  ),
  Layer.provideMerge(RebillySimulator.layer(simulatorOptions)),
)

/** The same gateway over real HTTP: undici to the simulator served on 127.0.0.1. */
const overLoopback = RebillyGateway.layer.pipe(
  Layer.provide(
    Layer.mergeAll(
      NodeHttpClient.layerUndici,
      Layer.unwrapEffect(
        Effect.map(RebillyServer.RebillyServer, (server) =>
          RebillyConfig.layer({ ...adapterOptions, baseUrl: `${server.baseUrl}/organizations/${organizationId}` }),
        ),
      ),
    ),
  ),
  Layer.provideMerge(RebillyServer.layerWithSimulator(simulatorOptions)),
  Layer.orDie,
)

export const fixture: Conformance.Fixture = {
  account: organizationId,
  owner: "cus-1",
  otherOwner: "cus-2",
  type: "card",
  cards: [
    { number: "4111111111111111", cvv: "123", expiry: { month: 12, year: 2030 }, holderName: "JANE ROE" },
    { number: "5555555555554444", cvv: "321", expiry: { month: 6, year: 2031 }, holderName: "JOHN ROE" },
  ],
  // A token without a billing address cannot pay: the customer's names and address go with it.
  customer: { firstName: "Jane", lastName: "Roe", country: "US", postalCode: "10001", ipAddress: "198.51.100.47" },
  operation: "payment",
  amount: { amount: 1000, currency: "USD" },
}

/** Rebilly binds a token to the organization, not to a customer: the lifecycle guards the owner. */
const ownerBound = false

Conformance.suite("RebillyGateway over the Rebilly simulator, in process", {
  gateway,
  policy: Policy.rebilly,
  fixture,
  ownerBound,
})

Conformance.suite("RebillyGateway over the Rebilly simulator, on loopback HTTP", {
  gateway: overLoopback,
  policy: Policy.rebilly,
  fixture,
  ownerBound,
  timeout: 20_000,
})
