/**
 * Where the end-to-end KOMOJU section runs: the real KOMOJU adapter (`KomojuGateway`), with its
 * keys, idempotency keys and API version, over an `HttpClient` that the testkit's KOMOJU
 * simulator answers in process (no socket, no network), under the real lifecycle with the
 * KOMOJU policy, an in-memory store and sequential keys.
 *
 * KOMOJU's ids are random, so the simulator is seeded with `Sandbox.seed`; run by
 * `Sandbox.runWith(layer)`, the clock at `Sandbox.startsAt`, every run prints the same ids and times.
 */
import * as KomojuConfig from "@token-lifecycle/adapters-komoju/KomojuConfig"
import * as KomojuGateway from "@token-lifecycle/adapters-komoju/KomojuGateway"
import * as Policy from "@token-lifecycle/domain/Policy"
import * as TokenLifecycle from "@token-lifecycle/domain/TokenLifecycle"
import * as InMemoryTokenRepository from "@token-lifecycle/testkit/InMemoryTokenRepository"
import * as SequentialIdentity from "@token-lifecycle/testkit/SequentialIdentity"
import * as KomojuHttpClient from "@token-lifecycle/testkit/simulators/komoju/KomojuHttpClient"
import * as KomojuSimulator from "@token-lifecycle/testkit/simulators/komoju/KomojuSimulator"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Sandbox from "./Sandbox.js"

/** The merchant the adapter is configured for; the simulator knows the same keys and webhook secret. */
export const merchant = {
  id: "merchant-tokyo",
  secretKey: Redacted.make("sk_test_walkthrough_0c5e18a2"),
  publishableKey: Redacted.make("pk_test_walkthrough_7b94d3f1"),
  webhookSecret: Redacted.make("walkthrough-komoju-webhook-secret"),
}

/** What the section may ask for: the lifecycle and the simulator's controls. */
export type Services = TokenLifecycle.TokenLifecycle | KomojuSimulator.KomojuSimulator

const simulator = KomojuSimulator.layer({ merchants: [merchant], seed: Sandbox.seed })

/** The adapter, its HTTP answered by the simulator. */
const gateway = KomojuGateway.layer.pipe(
  Layer.provide(
    Layer.merge(
      KomojuHttpClient.layer(),
      KomojuConfig.layer({ secretKey: merchant.secretKey, publishableKey: merchant.publishableKey }),
    ),
  ),
)

/** A fresh simulator, adapter and lifecycle: nothing carries over from one run to the next. */
export const layer: Layer.Layer<Services> = TokenLifecycle.layer({ policy: Policy.komoju }).pipe(
  Layer.provide(Layer.mergeAll(gateway, InMemoryTokenRepository.layer, SequentialIdentity.layer())),
  Layer.provideMerge(simulator),
)
