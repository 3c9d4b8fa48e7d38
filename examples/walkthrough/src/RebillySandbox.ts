/**
 * Where the end-to-end Rebilly section runs: the real Rebilly adapter (`RebillyGateway`, and
 * `RebillyClient` for what the port does not cover) over an `HttpClient` that the testkit's
 * Rebilly simulator answers in process (no socket, no network), under the real lifecycle with
 * the Rebilly policy, an in-memory store and sequential keys.
 *
 * The merchant's server holds a secret key and a publishable key; the browser holds only the
 * publishable one. Rebilly's token ids are random, so the simulator is seeded with `Sandbox.seed`;
 * run by `Sandbox.runWith(layer)`, the clock at `Sandbox.startsAt`, every run prints the same ids
 * and times.
 */
import type { HttpClient } from "@effect/platform/HttpClient"
import * as RebillyClient from "@token-lifecycle/adapters-rebilly/RebillyClient"
import * as RebillyConfig from "@token-lifecycle/adapters-rebilly/RebillyConfig"
import * as RebillyGateway from "@token-lifecycle/adapters-rebilly/RebillyGateway"
import * as Policy from "@token-lifecycle/domain/Policy"
import type { TokenGateway } from "@token-lifecycle/domain/TokenGateway"
import * as TokenLifecycle from "@token-lifecycle/domain/TokenLifecycle"
import * as InMemoryTokenRepository from "@token-lifecycle/testkit/InMemoryTokenRepository"
import * as SequentialIdentity from "@token-lifecycle/testkit/SequentialIdentity"
import * as RebillyHttpClient from "@token-lifecycle/testkit/simulators/rebilly/RebillyHttpClient"
import * as RebillySimulator from "@token-lifecycle/testkit/simulators/rebilly/RebillySimulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Sandbox from "./Sandbox.js"

export const organizationId = "org-acme"

/** The organization's keys: the simulator knows them, the adapter is given them. Never printed. */
export const keys = {
  secretKey: Redacted.make("sk_sandbox_walkthrough_8f2d61c0b7"),
  publishableKey: Redacted.make("pk_sandbox_walkthrough_3a9e74d25c"),
}

const baseUrl = RebillySimulator.sandboxBaseUrl(organizationId)

/** What the section may ask for: the lifecycle, the port and the client, the simulator's controls and its HTTP. */
export type Services =
  | TokenLifecycle.TokenLifecycle
  | TokenGateway
  | RebillyClient.RebillyClient
  | RebillySimulator.RebillySimulator
  | HttpClient

const simulator = RebillySimulator.layer({
  organizationId,
  secretKeys: [keys.secretKey],
  publishableKeys: [keys.publishableKey],
  seed: Sandbox.seed,
})

/** The merchant's server: both keys, and the website its payments are for. */
const serverConfig = RebillyConfig.layer({ organizationId, baseUrl, ...keys, websiteId: "web-acme-shop" })

/** The adapter, its HTTP answered by the simulator. */
const adapter = Layer.mergeAll(RebillyGateway.layer, RebillyClient.layer).pipe(Layer.provide(serverConfig))

/** A fresh simulator, adapter and lifecycle: nothing carries over from one run to the next. */
export const layer: Layer.Layer<Services> = TokenLifecycle.layer({ policy: Policy.rebilly }).pipe(
  Layer.provideMerge(Layer.mergeAll(adapter, InMemoryTokenRepository.layer, SequentialIdentity.layer())),
  Layer.provideMerge(RebillyHttpClient.layer()),
  Layer.provideMerge(simulator),
)

/** A client as the browser's side holds it: the publishable key alone. */
export const browserClient: Effect.Effect<RebillyClient.RebillyClientService, never, HttpClient> =
  RebillyClient.make.pipe(
    Effect.provide(RebillyConfig.layer({ organizationId, baseUrl, publishableKey: keys.publishableKey })),
  )
