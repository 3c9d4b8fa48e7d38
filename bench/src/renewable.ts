/**
 * A provider simulator served on 127.0.0.1 for a round-trip benchmark, renewable between rounds,
 * on the benchmark's own thread or in a worker thread of its own.
 *
 * Renewal: simulators keep a log of every request in arrays copied on each append, so one
 * simulator serving a whole run answers more slowly as the run goes on; renewing it between
 * rounds, outside the timed calls, keeps every round's server work alike. Every request goes to
 * the simulator serving at that moment.
 *
 * Placement: in a worker, the server has its own event loop (on the other core of a two-core
 * machine), so the clients on the main thread do not share their thread with the server's work.
 * The simulator is the same either way: the same module, built from the same definition, seeded
 * alike; the worker is driven by messages (prime, renew, state, close).
 */
import type { EventLoopUtilization } from "node:perf_hooks"
import { Worker } from "node:worker_threads"
import * as LoopbackServer from "@token-lifecycle/testkit/simulators/shared/LoopbackServer"
import type * as SimulatedHttp from "@token-lifecycle/testkit/simulators/shared/SimulatedHttp"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Scope from "effect/Scope"
import type * as Capture from "./capture.js"

/** Numbers read off the current simulator, for a benchmark's self-checks. */
export type State = Readonly<Record<string, number>>

/** One provider's simulator, as a benchmark serves it. */
export interface Definition<S> {
  /** The module that exports this definition as `simulator`: what a worker imports. */
  readonly module: string
  /** A fresh simulator, seeded. */
  readonly open: Effect.Effect<S, never, Scope.Scope>
  readonly handler: (simulator: S) => SimulatedHttp.Handler
  /** Runs on a simulator before it is replaced (to deliver its callbacks, say). */
  readonly retire?: (simulator: S) => Effect.Effect<unknown>
  readonly state: (simulator: S) => Effect.Effect<State>
}

export type Placement = "thread" | "worker"

/** A simulator serving on loopback, wherever it runs. */
export interface Served {
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string
  readonly placement: Placement
  /**
   * From now on, every fresh simulator is sent these requests (each must be answered 2xx) before
   * it serves; then renews.
   */
  readonly prime: (requests: ReadonlyArray<Capture.WireRequest>) => Promise<void>
  /** Replaces the simulator with a fresh one, after `retire` has run on the old one. */
  readonly renew: () => Promise<void>
  readonly state: () => Promise<State>
  /** The worker's event loop utilization (since `since`, when given): in a worker only. */
  readonly serverLoop?: (since?: EventLoopUtilization) => EventLoopUtilization
  readonly close: () => Promise<void>
}

class Server extends Context.Tag("bench/renewable/Server")<Server, LoopbackServer.LoopbackServerService>() {}

/** A captured request as a simulator's handler takes it. */
const asHandled = (request: Capture.WireRequest): SimulatedHttp.WireRequest => {
  const url = new URL(request.path, "http://127.0.0.1")
  return {
    method: request.method,
    path: url.pathname,
    query: url.searchParams,
    headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value])),
    body: new TextDecoder().decode(request.body),
  }
}

/** The simulator serving now, behind a handler that forwards to it, with what the benchmark asks of it. */
class Simulators extends Context.Tag("bench/renewable/Simulators")<
  Simulators,
  {
    readonly handler: SimulatedHttp.Handler
    readonly renew: Effect.Effect<void>
    readonly state: Effect.Effect<State>
  }
>() {}

/** Serves `definition` on this thread; `primer()` is what every fresh simulator is sent first. */
const simulators = <S>(definition: Definition<S>, primer: () => ReadonlyArray<SimulatedHttp.WireRequest>) =>
  Layer.scoped(
    Simulators,
    Effect.gen(function* () {
      const open = Effect.gen(function* () {
        const scope = yield* Scope.make()
        const simulator = yield* definition.open.pipe(Scope.extend(scope))
        const handle = definition.handler(simulator)
        for (const request of primer()) {
          const answer = yield* handle(request)
          if (answer._tag !== "Respond" || answer.status < 200 || answer.status > 299) {
            return yield* Effect.dieMessage(`a fresh simulator refused the primer's ${request.method} ${request.path}`)
          }
        }
        return { scope, simulator, handle }
      })
      const retire = definition.retire ?? (() => Effect.void)
      let current = yield* open
      yield* Effect.addFinalizer(() => Scope.close(current.scope, Exit.void))
      return {
        handler: (request) => Effect.suspend(() => current.handle(request)),
        renew: Effect.gen(function* () {
          yield* retire(current.simulator)
          const previous = current
          current = yield* open
          yield* Scope.close(previous.scope, Exit.void)
        }),
        state: Effect.suspend(() => definition.state(current.simulator)),
      }
    }),
  )

/** Serves `definition` on this thread. */
export const serveHere = async <S>(definition: Definition<S>): Promise<Served> => {
  let primer: ReadonlyArray<SimulatedHttp.WireRequest> = []
  const runtime = ManagedRuntime.make(
    LoopbackServer.layer(
      Server,
      Effect.map(Simulators, (s) => s.handler),
    ).pipe(Layer.provideMerge(simulators(definition, () => primer))),
  )
  const { baseUrl } = await runtime.runPromise(Server)
  const renew = () => runtime.runPromise(Effect.flatMap(Simulators, (s) => s.renew))
  return {
    baseUrl,
    placement: "thread",
    prime: async (requests) => {
      primer = requests.map(asHandled)
      await renew()
    },
    renew,
    state: () => runtime.runPromise(Effect.flatMap(Simulators, (s) => s.state)),
    close: () => runtime.dispose(),
  }
}

/** What the main thread asks a simulator's worker, and what it answers. */
export type Command =
  | { readonly op: "prime"; readonly requests: ReadonlyArray<Capture.WireRequest> }
  | { readonly op: "renew" }
  | { readonly op: "state" }
  | { readonly op: "close" }
export type Message =
  | { readonly ready: string }
  | { readonly id: number; readonly ok: true; readonly value?: State | undefined }
  | { readonly id: number; readonly ok: false; readonly error: string }

/** Serves `definition` in a worker thread of its own (see `simulator-worker.ts`). */
const serveInWorker = (module: string): Promise<Served> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./simulator-worker.js", import.meta.url), { workerData: { module } })
    const waiting = new Map<
      number,
      { readonly resolve: (state?: State) => void; readonly reject: (e: Error) => void }
    >()
    let next = 0
    const ask = (command: Command) =>
      new Promise<State | undefined>((resolve, reject) => {
        const id = next++
        waiting.set(id, { resolve, reject })
        worker.postMessage({ id, ...command })
      })
    const failAll = (error: Error) => {
      reject(error)
      for (const w of waiting.values()) w.reject(error)
      waiting.clear()
    }
    worker.on("error", failAll)
    worker.on("exit", (code) => failAll(new Error(`the simulator's worker exited (code ${code})`)))
    worker.on("message", (message: Message) => {
      if ("ready" in message) {
        resolve({
          baseUrl: message.ready,
          placement: "worker",
          prime: async (requests) => void (await ask({ op: "prime", requests })),
          renew: async () => void (await ask({ op: "renew" })),
          state: async () => {
            const state = await ask({ op: "state" })
            if (state === undefined) throw new Error("the simulator's worker sent no state")
            return state
          },
          serverLoop: (since) => worker.performance.eventLoopUtilization(since),
          close: async () => {
            await ask({ op: "close" })
            worker.removeAllListeners("exit")
            await worker.terminate()
          },
        })
        return
      }
      const w = waiting.get(message.id)
      waiting.delete(message.id)
      if (message.ok) w?.resolve(message.value)
      else w?.reject(new Error(message.error))
    })
  })

export const serve = <S>(definition: Definition<S>, placement: Placement): Promise<Served> =>
  placement === "thread" ? serveHere(definition) : serveInWorker(definition.module)
