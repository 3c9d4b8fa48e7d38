/**
 * The Zai round-trip benchmark's setting: the testkit's Zai simulator served on 127.0.0.1 (both
 * of Zai's hosts at one base URL), the real Zai adapter over `NodeHttpClient.layerUndici` in one
 * cached runtime, one fixed token-auth request, and the bytes the adapter puts on the wire for it
 * (bearer token included), captured for plain undici to send again.
 *
 * The simulator is renewed between rounds (its books and request log grow with every call). A
 * fresh simulator knows neither the user nor any access token, so each renewal, outside the timed
 * calls, creates the user through the adapter (whose first call meets a 401 and re-authenticates
 * once) and captures the request again through a second adapter (with an access token of its
 * own, which the fresh simulator issued). Inputs are fixed; the client secret is never printed.
 */
import type { HttpClient } from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as ZaiAccounts from "@token-lifecycle/adapters-zai/ZaiAccounts"
import * as ZaiConfig from "@token-lifecycle/adapters-zai/ZaiConfig"
import * as ZaiCore from "@token-lifecycle/adapters-zai/ZaiCore"
import * as ZaiGateway from "@token-lifecycle/adapters-zai/ZaiGateway"
import * as ZaiUsers from "@token-lifecycle/adapters-zai/ZaiUsers"
import { AccountRef, OwnerRef } from "@token-lifecycle/domain/Identifiers"
import { type IssueRequest, TokenGateway } from "@token-lifecycle/domain/TokenGateway"
import * as LoopbackServer from "@token-lifecycle/testkit/simulators/shared/LoopbackServer"
import * as ZaiServer from "@token-lifecycle/testkit/simulators/zai/ZaiServer"
import * as ZaiSimulator from "@token-lifecycle/testkit/simulators/zai/ZaiSimulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import type { Dispatcher } from "undici"
import * as Capture from "./capture.js"
import * as Renewable from "./renewable.js"

/** An OAuth2 client for the benchmark only; its secret opens nothing else and is never printed. */
const client = {
  clientId: "bench-zai-roundtrip-client",
  clientSecret: Redacted.make("bench-zai-roundtrip-secret-7c1e9a40d2b3"),
  scope: "im-au-04/bench-zai-roundtrip",
}
const userId = "bench-buyer-1"

/** No webhooks: token auths send none, and an outbox would only grow. */
const simulatorOptions: ZaiSimulator.ZaiSimulatorOptions = {
  clients: [client],
  seed: "zai-roundtrip-bench",
  webhookObjectTypes: [],
}

/** One card token auth for one user: Zai answers 200 with a new token every time. */
export const issueRequest: IssueRequest = {
  account: AccountRef.make("bench-marketplace"),
  owner: OwnerRef.make(userId),
  type: "card",
  idempotencyKey: "unused-by-zai",
}

class Simulators extends Effect.Tag("bench/zai-roundtrip/Simulators")<
  Simulators,
  Renewable.Renewable<ZaiSimulator.ZaiSimulatorService>
>() {}

const server = LoopbackServer.layer(
  ZaiServer.ZaiServer,
  Effect.map(Simulators, (s) => s.handler),
).pipe(
  Layer.provideMerge(
    Layer.scoped(
      Simulators,
      Renewable.make(ZaiSimulator.make(simulatorOptions), (s) => s.handle),
    ),
  ),
)

/** Both hosts at the server's one base URL. */
const configFrom = Layer.unwrapEffect(
  Effect.map(ZaiServer.ZaiServer, (s) =>
    ZaiConfig.layer({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      scope: client.scope,
      webhookSecret: Redacted.make("unused-by-token-auths"),
      authBaseUrl: s.baseUrl,
      coreBaseUrl: s.baseUrl,
      timeout: "10 seconds",
    }),
  ),
)

/** The adapter's services over the `ZaiConfig` and `HttpClient` in context, sharing one access token. */
const adapter = Layer.mergeAll(ZaiGateway.layer, ZaiUsers.layer, ZaiAccounts.layer).pipe(
  Layer.provideMerge(ZaiCore.layer),
  Layer.provide(configFrom),
)

export type Services =
  | TokenGateway
  | ZaiCore.ZaiCore
  | ZaiUsers.ZaiUsers
  | HttpClient
  | ZaiServer.ZaiServer
  | Simulators

export interface Loopback {
  readonly baseUrl: string
  /** The gateway over `NodeHttpClient.layerUndici`, resolved once from the cached runtime. */
  readonly gateway: TokenGateway["Type"]
  readonly run: <A, E>(effect: Effect.Effect<A, E, Services>) => Promise<A>
  /** A fresh simulator, the user created at it, and the request captured again with a token it issued. */
  readonly renew: () => Promise<void>
  /** Core API requests the current simulator answered 200 to. */
  readonly answered: () => Promise<number>
  /** The last token-auth request the capturing adapter sent. */
  readonly captured: () => Capture.WireRequest
  readonly dispose: () => Promise<void>
}

export const start = async (): Promise<Loopback> => {
  const runtime = ManagedRuntime.make(
    adapter.pipe(Layer.provideMerge(NodeHttpClient.layerUndici), Layer.provideMerge(server)),
  )
  const run = <A, E>(effect: Effect.Effect<A, E, Services>) => runtime.runPromise(effect)
  const { baseUrl } = await run(ZaiServer.ZaiServer)
  const gateway = await run(TokenGateway)
  const renewable = await run(Simulators)

  // A second adapter, to the same server, records what it dispatches.
  const capturing = new Capture.CapturingAgent()
  const captureRuntime = ManagedRuntime.make(
    ZaiGateway.layer.pipe(
      Layer.provide(ZaiCore.layer),
      Layer.provide(configFrom),
      Layer.provide(
        NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
          Layer.provide(Layer.succeed(NodeHttpClient.Dispatcher, capturing as Dispatcher)),
        ),
      ),
      Layer.provide(Layer.succeed(ZaiServer.ZaiServer, await run(ZaiServer.ZaiServer))),
    ),
  )

  const prepare = async () => {
    await run(
      Effect.flatMap(ZaiUsers.ZaiUsers, (users) =>
        users.createPayin({
          id: userId,
          firstName: "Bench",
          lastName: "Buyer",
          email: "bench-buyer-1@example.com",
          country: "AUS",
        }),
      ),
    )
    const outcome = await captureRuntime.runPromise(Effect.flatMap(TokenGateway, (g) => g.issue(issueRequest)))
    if (outcome._tag !== "Issued") throw new Error("the capturing adapter's token auth was not issued")
  }
  await prepare()

  return {
    baseUrl,
    gateway,
    run,
    renew: async () => {
      await runtime.runPromise(renewable.renew)
      await prepare()
    },
    answered: async () => {
      const simulator = await runtime.runPromise(renewable.current)
      const log = await runtime.runPromise(simulator.requests)
      return log.filter((request) => request.endpoint === "generateToken" && request.status === 200).length
    },
    captured: () => capturing.last,
    dispose: async () => {
      await captureRuntime.dispose()
      await capturing.close()
      await runtime.dispose()
    },
  }
}
