/**
 * The KOMOJU adapter against the testkit's KOMOJU simulator, through the conformance suite every
 * adapter passes: the real gateway, its requests answered in process by the simulator's HTTP
 * client, then the same over real HTTP (undici to the simulator served on 127.0.0.1).
 *
 * KOMOJU tokens belong to the merchant account, not to a customer: the provider does not refuse a
 * token to another owner, so the suite checks only the lifecycle's own owner check (`ownerBound`).
 */
import * as Policy from "@token-lifecycle/domain/Policy"
import * as Conformance from "@token-lifecycle/testkit/Conformance"
import type * as KomojuSimulator from "@token-lifecycle/testkit/simulators/komoju/KomojuSimulator"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as KomojuGateway from "../src/KomojuGateway.js"
import * as KomojuTransports from "./KomojuTransports.js"

const merchant = {
  id: "merchant-conformance",
  secretKey: Redacted.make("sk_test_conformance_3f9a0c"),
  publishableKey: Redacted.make("pk_test_conformance_81be27"),
  webhookSecret: Redacted.make("conformance-webhook-secret"),
}

const simulatorOptions: KomojuSimulator.KomojuSimulatorOptions = { merchants: [merchant], seed: "conformance" }

const keys = { secretKey: merchant.secretKey, publishableKey: merchant.publishableKey }

const inProcess = KomojuGateway.layer.pipe(Layer.provideMerge(KomojuTransports.inProcess(keys, simulatorOptions)))

const overLoopback = KomojuGateway.layer.pipe(Layer.provideMerge(KomojuTransports.overLoopback(keys, simulatorOptions)))

const fixture: Conformance.Fixture = {
  account: merchant.id,
  owner: "customer-1",
  otherOwner: "customer-2",
  type: "card",
  // KOMOJU's test cards that pay: Visa and MasterCard.
  cards: [
    { number: "4111111111111111", cvv: "123", expiry: { month: 12, year: 2030 }, holderName: "TARO YAMADA" },
    { number: "5555555555554444", cvv: "456", expiry: { month: 6, year: 2031 }, holderName: "HANAKO SUZUKI" },
  ],
  operation: "payment",
  // JPY has no minor unit.
  amount: { amount: 2500, currency: "JPY" },
}

Conformance.suite("KomojuGateway over the KOMOJU simulator, in process", {
  gateway: inProcess,
  policy: Policy.komoju,
  fixture,
  ownerBound: false,
})

Conformance.suite("KomojuGateway over the KOMOJU simulator, on loopback HTTP", {
  gateway: overLoopback,
  policy: Policy.komoju,
  fixture,
  ownerBound: false,
  timeout: 20_000,
})
