/**
 * The Rebilly round-trip benchmark's setting: the testkit's Rebilly simulator served on
 * 127.0.0.1, the real `RebillyGateway` over `NodeHttpClient.layerUndici` in one cached runtime,
 * one fixed card token request, and the bytes the adapter puts on the wire for it, captured once
 * for plain undici and the official SDK to send again.
 *
 * Every call creates a new token (`POST /tokens`), so every client's request is the same server
 * work. The simulator logs every request and keeps every token, so it is renewed between rounds
 * (outside the timed calls), after checking it minted one token per request. Its rate limit is
 * set out of reach: the benchmark measures round trips, not the sandbox's 3,000 writes per 10
 * minutes.
 *
 * Inputs are fixed: one organization and its secret key, one card (the networks' public test
 * number), the simulator seeded. Neither the key nor the card number is ever printed.
 */
import type { HttpClient } from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as RebillyClient from "@token-lifecycle/adapters-rebilly/RebillyClient"
import * as RebillyConfig from "@token-lifecycle/adapters-rebilly/RebillyConfig"
import * as RebillyGateway from "@token-lifecycle/adapters-rebilly/RebillyGateway"
import { parseCard } from "@token-lifecycle/domain/Card"
import { AccountRef, OwnerRef } from "@token-lifecycle/domain/Identifiers"
import { type IssueRequest, TokenGateway, type TokenGatewayService } from "@token-lifecycle/domain/TokenGateway"
import * as RebillyServer from "@token-lifecycle/testkit/simulators/rebilly/RebillyServer"
import * as RebillySimulator from "@token-lifecycle/testkit/simulators/rebilly/RebillySimulator"
import * as LoopbackServer from "@token-lifecycle/testkit/simulators/shared/LoopbackServer"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import type { Dispatcher } from "undici"
import * as Capture from "./capture.js"
import * as Renewable from "./renewable.js"

export const organizationId = "org-bench"
/** A key for the benchmark only: it opens nothing else and is never printed. */
export const secretKey = Redacted.make("sk_sandbox_bench_roundtrip_5d20c7e1a4")

const simulatorOptions: RebillySimulator.RebillySimulatorOptions = {
  organizationId,
  secretKeys: [secretKey],
  seed: "rebilly-roundtrip-bench",
  rateLimit: { limit: Number.MAX_SAFE_INTEGER },
}

const card = Either.getOrThrowWith(
  parseCard({ number: "4111111111111111", cvv: "123", expiry: { month: 12, year: 2030 }, holderName: "JANE ROE" }),
  () => new Error("the benchmark's card does not parse"),
)

/** The token every client asks for: the card with the billing address it needs to pay, and the payer's IP. */
export const issueRequest: IssueRequest = {
  account: AccountRef.make(organizationId),
  owner: OwnerRef.make("customer-1"),
  type: "card",
  card,
  idempotencyKey: "rebilly-roundtrip-bench",
  customer: { firstName: "Jane", lastName: "Roe", country: "US", postalCode: "10001", ipAddress: "198.51.100.47" },
}

class Simulators extends Effect.Tag("bench/rebilly-roundtrip/Simulators")<
  Simulators,
  Renewable.Renewable<RebillySimulator.RebillySimulatorService>
>() {}

const simulators = Layer.scoped(
  Simulators,
  Renewable.make(RebillySimulator.make(simulatorOptions), (simulator) => simulator.handle),
)
const server = LoopbackServer.layer(
  RebillyServer.RebillyServer,
  Effect.map(Simulators, (s) => s.handler),
).pipe(Layer.provideMerge(simulators))

/** The organization's base URL on the loopback server. */
const baseUrlOf = (server: LoopbackServer.LoopbackServerService) => `${server.baseUrl}/organizations/${organizationId}`

const configFrom = Layer.unwrapEffect(
  Effect.map(RebillyServer.RebillyServer, (s) =>
    RebillyConfig.layer({ organizationId, baseUrl: baseUrlOf(s), secretKey, timeout: "10 seconds" }),
  ),
)

const adapter = Layer.mergeAll(RebillyGateway.layer, RebillyClient.layer).pipe(Layer.provide(configFrom))

export type Services =
  | TokenGateway
  | RebillyClient.RebillyClient
  | HttpClient
  | RebillyServer.RebillyServer
  | Simulators

export interface Loopback {
  /** `http://127.0.0.1:<port>`, where the simulator serves. */
  readonly origin: string
  /** The organization's base URL there: what every client is pointed at. */
  readonly baseUrl: string
  readonly gateway: TokenGatewayService
  readonly client: RebillyClient.RebillyClientService
  readonly run: <A, E>(effect: Effect.Effect<A, E, Services>) => Promise<A>
  /** The adapter's `POST /tokens` for `issueRequest`, captured on the way to undici. */
  readonly captured: Capture.WireRequest
  /** Tokens the current simulator holds. */
  readonly minted: () => Promise<number>
  /** Replaces the simulator behind the server with a fresh one. */
  readonly renew: () => Promise<void>
  readonly dispose: () => Promise<void>
}

/** Serve the simulator, build the measured adapter, capture the bytes of one token creation. */
export const start = async (): Promise<Loopback> => {
  // The gateway, the client and the `HttpClient` in context share one `layerUndici` (one undici `Agent`).
  const runtime = ManagedRuntime.make(
    adapter.pipe(Layer.provideMerge(NodeHttpClient.layerUndici), Layer.provideMerge(server)),
  )
  const run = <A, E>(effect: Effect.Effect<A, E, Services>) => runtime.runPromise(effect)
  const loopback = await run(RebillyServer.RebillyServer)
  const gateway = await run(TokenGateway)
  const client = await run(RebillyClient.RebillyClient)
  const renewable = await run(Simulators)

  // The capture goes through a gateway of its own over a recording dispatcher, to the same server.
  const capturing = new Capture.CapturingAgent()
  const captureRuntime = ManagedRuntime.make(
    RebillyGateway.layer.pipe(
      Layer.provide(configFrom),
      Layer.provide(
        NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
          Layer.provide(Layer.succeed(NodeHttpClient.Dispatcher, capturing as Dispatcher)),
        ),
      ),
      Layer.provide(Layer.succeed(RebillyServer.RebillyServer, loopback)),
    ),
  )
  try {
    const issued = await captureRuntime.runPromise(Effect.flatMap(TokenGateway, (g) => g.issue(issueRequest)))
    if (issued._tag !== "Issued") throw new Error("the capturing gateway's token was not issued")
  } finally {
    await captureRuntime.dispose()
    await capturing.close()
  }
  if (capturing.captured.length !== 1) throw new Error("the token's creation was not captured, once")

  return {
    origin: loopback.baseUrl,
    baseUrl: baseUrlOf(loopback),
    gateway,
    client,
    run,
    captured: capturing.last,
    minted: () => runtime.runPromise(Effect.flatMap(renewable.current, (s) => Effect.map(s.tokens, (t) => t.length))),
    renew: () => runtime.runPromise(renewable.renew),
    dispose: () => runtime.dispose(),
  }
}
