/**
 * The Gate round-trip benchmark's setting: the testkit's Gate simulator served on 127.0.0.1, the
 * real `GateGateway` over `NodeHttpClient.layerUndici` in one cached runtime, one fixed tokenize
 * request, and the bytes the adapter puts on the wire for it, captured once for plain undici to
 * send again.
 *
 * Inputs are fixed: one project and secret, one customer, one card (the networks' public test
 * number), the simulator seeded. Neither the secret nor the card number is ever printed.
 */
import type { HttpClient } from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as GateConfig from "@token-lifecycle/adapters-gate/GateConfig"
import * as GateGateway from "@token-lifecycle/adapters-gate/GateGateway"
import { parseCard } from "@token-lifecycle/domain/Card"
import { AccountRef, OwnerRef } from "@token-lifecycle/domain/Identifiers"
import { type IssueRequest, TokenGateway } from "@token-lifecycle/domain/TokenGateway"
import * as GateServer from "@token-lifecycle/testkit/simulators/gate/GateServer"
import * as GateSimulator from "@token-lifecycle/testkit/simulators/gate/GateSimulator"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { Agent, type Dispatcher } from "undici"

/** A project for the benchmark only; its secret keys nothing else and is never printed. */
const project = { id: 4242, secret: Redacted.make("bench-gate-roundtrip-secret-2b61d0c94e7a") }

const simulatorOptions: GateSimulator.GateSimulatorOptions = { projects: [project], seed: "gate-roundtrip-bench" }

const card = Either.getOrThrowWith(
  parseCard({ number: "4111111111111111", expiry: { month: 12, year: 2030 }, holderName: "JANE ROE" }),
  () => new Error("the benchmark's card does not parse"),
)

/** One tokenize of one card for one customer: Gate answers 200 "accepted" every time. */
export const issueRequest: IssueRequest = {
  account: AccountRef.make(String(project.id)),
  owner: OwnerRef.make("customer-1"),
  type: "card",
  card,
  customer: { ipAddress: "198.51.100.47" },
  idempotencyKey: "gate-roundtrip-bench-1",
}

/**
 * A `GateSimulator` whose state can be thrown away: every request goes to the current simulator,
 * and `renew` replaces it with a fresh one, seeded alike, after delivering (and discarding) the
 * callbacks it still holds. The simulator keeps a log of every request and every callback in
 * arrays it copies on each append, so one simulator serving a whole run answers more slowly as
 * the run goes on (see docs/PERFORMANCE.md); renewing it between rounds, outside the timed
 * calls, keeps every round's server work alike.
 */
interface Renewable {
  readonly service: GateSimulator.GateSimulatorService
  readonly renew: Effect.Effect<void>
  /** Requests the current simulator has answered. */
  readonly answered: Effect.Effect<number>
}

const makeRenewable: Effect.Effect<Renewable, never, Scope.Scope> = Effect.gen(function* () {
  const open = Effect.gen(function* () {
    const scope = yield* Scope.make()
    const service = yield* GateSimulator.make(simulatorOptions).pipe(Scope.extend(scope))
    return { scope, service }
  })
  let current = yield* open
  yield* Effect.addFinalizer(() => Scope.close(current.scope, Exit.void))
  const onCurrent = <A>(pick: (simulator: GateSimulator.GateSimulatorService) => Effect.Effect<A>) =>
    Effect.suspend(() => pick(current.service))
  const service: GateSimulator.GateSimulatorService = {
    handle: (request) => onCurrent((s) => s.handle(request)),
    now: onCurrent((s) => s.now),
    advanceClock: (duration) => onCurrent((s) => s.advanceClock(duration)),
    setTime: (epochMillis) => onCurrent((s) => s.setTime(epochMillis)),
    injectFault: (fault, scope) => onCurrent((s) => s.injectFault(fault, scope)),
    clearFaults: onCurrent((s) => s.clearFaults),
    configureCallbacks: (options) => onCurrent((s) => s.configureCallbacks(options)),
    deliverDue: onCurrent((s) => s.deliverDue),
    pendingCallbacks: onCurrent((s) => s.pendingCallbacks),
    deliveredCallbacks: onCurrent((s) => s.deliveredCallbacks),
    abandonedCallbacks: onCurrent((s) => s.abandonedCallbacks),
    tokens: onCurrent((s) => s.tokens),
    payments: onCurrent((s) => s.payments),
    requests: onCurrent((s) => s.requests),
  }
  const renew = Effect.gen(function* () {
    yield* current.service.deliverDue
    const previous = current
    current = yield* open
    yield* Scope.close(previous.scope, Exit.void)
  })
  return { service, renew, answered: Effect.map(service.requests, (log) => log.length) }
})

class Simulators extends Effect.Tag("bench/gate-roundtrip/Simulators")<Simulators, Renewable>() {}

const simulators = Layer.scoped(Simulators, makeRenewable)
const server = GateServer.layer().pipe(
  Layer.provideMerge(
    Layer.effect(
      GateSimulator.GateSimulator,
      Effect.map(Simulators, (s) => s.service),
    ),
  ),
  Layer.provideMerge(simulators),
)

const configFrom = Layer.effect(
  GateConfig.GateConfig,
  Effect.map(GateServer.GateServer, (s) => ({
    projectId: project.id,
    secretKey: project.secret,
    baseUrl: s.baseUrl,
    timeout: Duration.seconds(10),
  })),
)

/** What undici was asked to send: method, path, headers and body, as the adapter gave them. */
export interface WireRequest {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

/** An undici `Agent` that records the last request it dispatches. */
class CapturingAgent extends Agent {
  captured: WireRequest | undefined
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const headers: Record<string, string> = {}
    const raw = options.headers
    if (raw !== undefined && raw !== null && !Array.isArray(raw) && typeof raw === "object") {
      for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof value === "string") headers[name] = value
      }
    }
    const body = options.body
    if (body instanceof Uint8Array) {
      this.captured = { method: options.method, path: options.path, headers, body: new Uint8Array(body) }
    }
    return super.dispatch(options, handler)
  }
}

/** What the cached runtime holds: the server, its simulator, the gateway and its `HttpClient`. */
export type Services = TokenGateway | HttpClient | GateServer.GateServer | GateSimulator.GateSimulator

export interface Loopback {
  /** `http://127.0.0.1:<port>`, where the simulator serves. */
  readonly baseUrl: string
  /** The gateway over `NodeHttpClient.layerUndici`, resolved once from the cached runtime. */
  readonly gateway: TokenGateway["Type"]
  /** Runs an effect on the cached runtime. */
  readonly run: <A, E>(effect: Effect.Effect<A, E, Services>) => Promise<A>
  /** Replaces the simulator behind the server with a fresh one (callbacks delivered and dropped). */
  readonly renew: () => Promise<void>
  /** Requests the current simulator has answered, and callbacks it holds undelivered. */
  readonly simulatorState: () => Promise<{ readonly answered: number; readonly pendingCallbacks: number }>
  /** The request the adapter sent for `issueRequest`, captured on the way to undici. */
  readonly captured: WireRequest
  readonly dispose: () => Promise<void>
}

/** Serve the simulator, build the measured gateway, and capture one tokenize request's bytes. */
export const start = async (): Promise<Loopback> => {
  // The gateway and the `HttpClient` in context share one `layerUndici` (one undici `Agent`).
  const runtime = ManagedRuntime.make(
    GateGateway.layer.pipe(
      Layer.provide(configFrom),
      Layer.provideMerge(NodeHttpClient.layerUndici),
      Layer.provideMerge(server),
    ),
  )
  const run = <A, E>(effect: Effect.Effect<A, E, Services>) => runtime.runPromise(effect)
  const { baseUrl } = await run(GateServer.GateServer)
  const gateway = await run(TokenGateway)
  const renewable = await runtime.runPromise(Simulators)

  // The capture goes through a gateway of its own over a recording dispatcher, to the same server.
  const capturing = new CapturingAgent()
  const captureLayer = GateGateway.layer.pipe(
    Layer.provide(
      Layer.merge(
        NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
          Layer.provide(Layer.succeed(NodeHttpClient.Dispatcher, capturing as Dispatcher)),
        ),
        configFrom,
      ),
    ),
    Layer.provide(Layer.succeed(GateServer.GateServer, await run(GateServer.GateServer))),
  )
  const captureRuntime = ManagedRuntime.make(captureLayer)
  try {
    const outcome = await captureRuntime.runPromise(Effect.flatMap(TokenGateway, (g) => g.issue(issueRequest)))
    if (outcome._tag !== "Accepted") throw new Error("the capturing gateway's tokenize was not accepted")
  } finally {
    await captureRuntime.dispose()
    await capturing.close()
  }
  const captured = capturing.captured
  if (captured === undefined) throw new Error("no request was captured")

  return {
    baseUrl,
    gateway,
    run,
    renew: () => runtime.runPromise(renewable.renew),
    simulatorState: () =>
      runtime.runPromise(
        Effect.all({
          answered: renewable.answered,
          pendingCallbacks: Effect.map(renewable.service.pendingCallbacks, (p) => p.length),
        }),
      ),
    captured,
    dispose: () => runtime.dispose(),
  }
}
