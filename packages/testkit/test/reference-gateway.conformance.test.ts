/**
 * The reference gateway against the conformance suite, under each provider's policy: the
 * suite is proved on it before any adapter runs it against a simulator.
 */
import * as Policy from "@token-lifecycle/domain/Policy"
import * as Effect from "effect/Effect"
import * as Conformance from "../src/Conformance.js"
import * as ReferenceGateway from "../src/ReferenceGateway.js"

/** Well-known test card numbers (Visa, Mastercard), valid for years after the suite's start. */
const cards = [
  { number: "4111111111111111", cvv: "123", expiry: { month: 12, year: 2030 } },
  { number: "5555555555554444", cvv: "321", expiry: { month: 6, year: 2031 } },
] as const

const parties = { account: "acct-conformance", owner: "owner-1", otherOwner: "owner-2" }

const cases: ReadonlyArray<readonly [string, Policy.LifecyclePolicy, Conformance.Fixture]> = [
  ["zai, bank token auth", Policy.zai(), { ...parties, type: "bank", operation: "instrument" }],
  [
    "zai, card token auth",
    Policy.zai({ cardTimeToLive: "30 minutes" }),
    { ...parties, type: "card", operation: "instrument" },
  ],
  [
    "gate",
    Policy.gate,
    { ...parties, type: "card", cards, operation: "payment", amount: { amount: 1000, currency: "EUR" } },
  ],
  ["rebilly", Policy.rebilly, { ...parties, type: "card", cards, operation: "instrument" }],
  [
    "komoju",
    Policy.komoju,
    { ...parties, type: "card", cards, operation: "payment", amount: { amount: 500, currency: "JPY" } },
  ],
]

for (const [name, policy, fixture] of cases) {
  Conformance.suite(`ReferenceGateway (${name})`, {
    gateway: ReferenceGateway.layer(policy),
    policy,
    fixture,
    providerEvents: Effect.flatMap(ReferenceGateway.ReferenceGatewayControl, (control) => control.drain),
  })
}
