/**
 * The KOMOJU round-trip benchmark's setting: the testkit's KOMOJU simulator served on 127.0.0.1,
 * the real `KomojuGateway` over `NodeHttpClient.layerUndici` in one cached runtime, one fixed
 * payment by token, and the bytes the adapter puts on the wire for it, captured once for plain
 * undici to send again.
 *
 * A token pays once, so the timed call is the payment's retry: the same request under the same
 * `X-KOMOJU-IDEMPOTENCY` key, which KOMOJU answers with the first answer without paying again.
 * Every client's request is therefore the same server work (a key looked up, an answer replayed),
 * and the adapter's call is exactly what it sends when a payment's answer was lost.
 *
 * The simulator keeps a log of every request, so it is renewed between rounds; a renewed one is
 * seeded alike and primed with the captured token creation and first payment, sent straight to
 * its handler, so it makes the same token and payment under the same ids and keys.
 *
 * Inputs are fixed: one merchant and its keys, one customer, one card (the networks' public test
 * number), the simulator seeded. Neither a key nor the card number is ever printed.
 */
import type { HttpClient } from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as KomojuConfig from "@token-lifecycle/adapters-komoju/KomojuConfig"
import * as KomojuGateway from "@token-lifecycle/adapters-komoju/KomojuGateway"
import { parseCard } from "@token-lifecycle/domain/Card"
import { AccountRef, OwnerRef, type TokenId, UseReference } from "@token-lifecycle/domain/Identifiers"
import type { IssueRequest, UseRequest } from "@token-lifecycle/domain/TokenGateway"
import * as KomojuServer from "@token-lifecycle/testkit/simulators/komoju/KomojuServer"
import * as KomojuSimulator from "@token-lifecycle/testkit/simulators/komoju/KomojuSimulator"
import * as LoopbackServer from "@token-lifecycle/testkit/simulators/shared/LoopbackServer"
import type * as SimulatedHttp from "@token-lifecycle/testkit/simulators/shared/SimulatedHttp"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import type { Dispatcher } from "undici"
import * as Capture from "./capture.js"
import * as Renewable from "./renewable.js"

/** A merchant for the benchmark only; its keys open nothing else and are never printed. */
const merchant = {
  id: "merchant-bench",
  secretKey: Redacted.make("sk_test_bench_roundtrip_7c41e0a9d2"),
  publishableKey: Redacted.make("pk_test_bench_roundtrip_18f3b6c5e4"),
  webhookSecret: Redacted.make("bench-roundtrip-webhook-secret"),
}

const simulatorOptions: KomojuSimulator.KomojuSimulatorOptions = {
  merchants: [merchant],
  seed: "komoju-roundtrip-bench",
}

const card = Either.getOrThrowWith(
  parseCard({ number: "4111111111111111", expiry: { month: 12, year: 2030 }, holderName: "TARO YAMADA" }),
  () => new Error("the benchmark's card does not parse"),
)

const issueRequest: IssueRequest = {
  account: AccountRef.make(merchant.id),
  owner: OwnerRef.make("customer-1"),
  type: "card",
  card,
  idempotencyKey: "komoju-roundtrip-bench-token",
}

/** The payment every client makes: 2,500 yen with the token, under one reference (the idempotency key). */
const paymentWith = (tokenId: TokenId): UseRequest => ({
  tokenId,
  owner: issueRequest.owner,
  type: "card",
  operation: "payment",
  reference: UseReference.make("komoju-roundtrip-bench-order"),
  amount: { amount: 2500, currency: "JPY" },
})

/** The requests that make a fresh simulator hold the token and its first payment, captured from the adapter. */
let primer: ReadonlyArray<SimulatedHttp.WireRequest> = []

const asHandled = (request: Capture.WireRequest): SimulatedHttp.WireRequest => ({
  method: request.method,
  path: request.path,
  query: new URLSearchParams(),
  headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value])),
  body: new TextDecoder().decode(request.body),
})

/** A fresh simulator, seeded alike, sent the primer: the token and its payment under the captured ids. */
const primed = Effect.tap(KomojuSimulator.make(simulatorOptions), (simulator) =>
  Effect.forEach(primer, (request) =>
    Effect.flatMap(simulator.handle(request), (answer) =>
      answer._tag === "Respond" && answer.status === 200
        ? Effect.void
        : Effect.dieMessage("a renewed simulator refused the primer"),
    ),
  ),
)

class Simulators extends Effect.Tag("bench/komoju-roundtrip/Simulators")<
  Simulators,
  Renewable.Renewable<KomojuSimulator.KomojuSimulatorService>
>() {}

const simulators = Layer.scoped(
  Simulators,
  Renewable.make(
    primed,
    (simulator) => simulator.handle,
    (simulator) => simulator.deliverDue,
  ),
)
const server = LoopbackServer.layer(
  KomojuServer.KomojuServer,
  Effect.map(Simulators, (s) => s.handler),
).pipe(Layer.provideMerge(simulators))

const configFrom = Layer.unwrapEffect(
  Effect.map(KomojuServer.KomojuServer, (s) =>
    KomojuConfig.layer({
      secretKey: merchant.secretKey,
      publishableKey: merchant.publishableKey,
      baseUrl: KomojuServer.apiBaseUrl(s),
      timeout: "10 seconds",
    }),
  ),
)

/** What the cached runtime holds: the server, its simulators, the gateway and its `HttpClient`. */
export type Services = KomojuGateway.KomojuGateway | HttpClient | KomojuServer.KomojuServer | Simulators

export interface Loopback {
  /** `http://127.0.0.1:<port>`, where the simulator serves. */
  readonly baseUrl: string
  /** The gateway over `NodeHttpClient.layerUndici`, resolved once from the cached runtime. */
  readonly gateway: KomojuGateway.KomojuGatewayService
  /** Runs an effect on the cached runtime. */
  readonly run: <A, E>(effect: Effect.Effect<A, E, Services>) => Promise<A>
  /** The payment every client makes. */
  readonly payment: UseRequest
  /** KOMOJU's id of the payment: every answer names it. */
  readonly paymentId: string
  /** The request the adapter sent for `payment`, captured on the way to undici. */
  readonly captured: Capture.WireRequest
  /** Replaces the simulator behind the server with a fresh, primed one. */
  readonly renew: () => Promise<void>
  /** The current simulator's requests since it was primed: how many, and how many were answered by replay. */
  readonly simulatorState: () => Promise<{ readonly answered: number; readonly replayed: number }>
  readonly dispose: () => Promise<void>
}

/** Serve the simulator, build the measured gateway, capture the token's creation and the payment's bytes. */
export const start = async (): Promise<Loopback> => {
  // The gateway and the `HttpClient` in context share one `layerUndici` (one undici `Agent`).
  const runtime = ManagedRuntime.make(
    KomojuGateway.layer.pipe(
      Layer.provide(configFrom),
      Layer.provideMerge(NodeHttpClient.layerUndici),
      Layer.provideMerge(server),
    ),
  )
  const run = <A, E>(effect: Effect.Effect<A, E, Services>) => runtime.runPromise(effect)
  const loopback = await run(KomojuServer.KomojuServer)
  const gateway = await run(KomojuGateway.KomojuGateway)
  const renewable = await run(Simulators)

  // The capture goes through a gateway of its own over a recording dispatcher, to the same server.
  const capturing = new Capture.CapturingAgent()
  const captureRuntime = ManagedRuntime.make(
    KomojuGateway.layer.pipe(
      Layer.provide(configFrom),
      Layer.provide(
        NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
          Layer.provide(Layer.succeed(NodeHttpClient.Dispatcher, capturing as Dispatcher)),
        ),
      ),
      Layer.provide(Layer.succeed(KomojuServer.KomojuServer, loopback)),
    ),
  )
  let payment: UseRequest
  let paymentId: string
  try {
    const made = await captureRuntime.runPromise(
      Effect.gen(function* () {
        const komoju = yield* KomojuGateway.KomojuGateway
        const issued = yield* komoju.issue(issueRequest)
        if (issued._tag !== "Issued") return yield* Effect.dieMessage("the token was not issued")
        const request = paymentWith(issued.tokenId)
        const receipt = yield* komoju.use(request)
        return { request, receipt }
      }),
    )
    if (made.receipt.status !== "succeeded" || made.receipt.providerReference === undefined) {
      throw new Error("the capturing gateway's payment was not captured")
    }
    payment = made.request
    paymentId = made.receipt.providerReference
  } finally {
    await captureRuntime.dispose()
    await capturing.close()
  }
  const [tokenRequest, paymentRequest] = capturing.captured
  if (capturing.captured.length !== 2 || tokenRequest === undefined || paymentRequest === undefined) {
    throw new Error("the token's creation and the payment were not captured, once each")
  }
  primer = [tokenRequest, paymentRequest].map(asHandled)

  const current = () => runtime.runPromise(renewable.current)
  return {
    baseUrl: loopback.baseUrl,
    gateway,
    run,
    payment,
    paymentId,
    captured: paymentRequest,
    renew: () => runtime.runPromise(renewable.renew),
    simulatorState: async () => {
      const simulator = await current()
      const log = (await runtime.runPromise(simulator.requests)).slice(primer.length)
      return { answered: log.length, replayed: log.filter((r) => r.idempotency === "replayed").length }
    },
    dispose: () => runtime.dispose(),
  }
}
