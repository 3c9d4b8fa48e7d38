/**
 * Where the end-to-end Zai section runs: the real Zai adapter (its core API client with the
 * OAuth2 access token, users, accounts, the token-auth gateway and the per-session token-auth
 * manager) over an `HttpClient` that the testkit's Zai simulator answers in process (no socket,
 * no network), under the real lifecycle with the Zai policy, an in-memory store and sequential
 * keys.
 *
 * Zai's tokens and account ids are random, so the simulator is seeded with `Sandbox.seed`; run by
 * `Sandbox.runWith(layer)`, the clock at `Sandbox.startsAt`, every run prints the same tokens, ids
 * and times.
 */
import * as ZaiAccounts from "@token-lifecycle/adapters-zai/ZaiAccounts"
import * as ZaiConfig from "@token-lifecycle/adapters-zai/ZaiConfig"
import * as ZaiCore from "@token-lifecycle/adapters-zai/ZaiCore"
import * as ZaiGateway from "@token-lifecycle/adapters-zai/ZaiGateway"
import * as ZaiTokenAuths from "@token-lifecycle/adapters-zai/ZaiTokenAuths"
import * as ZaiUsers from "@token-lifecycle/adapters-zai/ZaiUsers"
import * as Policy from "@token-lifecycle/domain/Policy"
import * as TokenLifecycle from "@token-lifecycle/domain/TokenLifecycle"
import * as InMemoryTokenRepository from "@token-lifecycle/testkit/InMemoryTokenRepository"
import * as SequentialIdentity from "@token-lifecycle/testkit/SequentialIdentity"
import * as ZaiHttpClient from "@token-lifecycle/testkit/simulators/zai/ZaiHttpClient"
import * as ZaiSimulator from "@token-lifecycle/testkit/simulators/zai/ZaiSimulator"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Sandbox from "./Sandbox.js"

/** The platform's OAuth2 client; the simulator knows the same one. */
export const client = {
  clientId: "walkthrough-platform",
  clientSecret: Redacted.make("walkthrough-zai-client-secret"),
  scope: "im-au-04/walkthrough-marketplace",
}

/** The secret Zai signs webhooks with: 32 ASCII bytes, as Zai asks. */
export const webhookSecret = Redacted.make("walkthrough-zai-webhook-secret-32")

/** Zai does not document how long a card token auth lives, so a conservative hour is set here. */
export const policy = Policy.zai({ cardTimeToLive: "1 hour" })

export type Services =
  | TokenLifecycle.TokenLifecycle
  | ZaiConfig.ZaiConfig
  | ZaiUsers.ZaiUsers
  | ZaiAccounts.ZaiAccounts
  | ZaiTokenAuths.ZaiTokenAuths
  | ZaiSimulator.ZaiSimulator

const simulator = ZaiSimulator.layer({ clients: [client], seed: Sandbox.seed, webhookSecret })

const config = ZaiConfig.layer({ ...client, webhookSecret })

/** The adapter's services, sharing one access token, their HTTP answered by the simulator. */
const adapter = Layer.mergeAll(ZaiGateway.layer, ZaiUsers.layer, ZaiAccounts.layer).pipe(
  Layer.provideMerge(ZaiCore.layer),
  Layer.provide(ZaiHttpClient.layer()),
)

/** A fresh simulator, adapter and lifecycle: nothing carries over from one run to the next. */
export const layer: Layer.Layer<Services> = ZaiTokenAuths.layer.pipe(
  Layer.provideMerge(
    TokenLifecycle.layer({ policy }).pipe(
      Layer.provideMerge(Layer.mergeAll(InMemoryTokenRepository.layer, SequentialIdentity.layer())),
    ),
  ),
  Layer.provideMerge(adapter),
  Layer.provideMerge(Layer.merge(config, simulator)),
)
