/**
 * What every round-trip benchmark sets up: the provider's simulator served on 127.0.0.1 (see
 * `renewable.ts`), the adapter under measure pointed at it over `NodeHttpClient.layerUndici` in
 * one cached runtime, and the capture of the bytes the adapter sends (see `capture.ts`). Each
 * provider gives its simulator's definition and its adapter's layers for a base URL; the request,
 * the config and the checks of answers stay with the provider.
 */
import type { HttpClient } from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Capture from "./capture.js"
import * as Renewable from "./renewable.js"
import type { Simulator } from "./roundtrip.js"

export interface Loopback<R> {
  /** `http://127.0.0.1:<port>`, where the simulator serves. */
  readonly baseUrl: string
  readonly simulator: Renewable.Served
  /** Runs an effect on the cached runtime: the adapter and the `HttpClient` it uses (one undici `Agent`). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, R | HttpClient>) => Promise<A>
  /** Runs `effect` on a second adapter, alike but over a recording dispatcher, against the same server. */
  readonly capture: <A, E>(
    effect: Effect.Effect<A, E, R>,
  ) => Promise<{ readonly value: A; readonly requests: ReadonlyArray<Capture.WireRequest> }>
  readonly dispose: () => Promise<void>
}

export interface Options<S, R, E> {
  readonly simulator: Renewable.Definition<S>
  readonly placement: Renewable.Placement
  /** The adapter's services over the `HttpClient` in context, for the simulator's base URL. */
  readonly adapter: (baseUrl: string) => Layer.Layer<R, E, HttpClient>
}

export const start = async <S, R, E>(options: Options<S, R, E>): Promise<Loopback<R>> => {
  const simulator = await Renewable.serve(options.simulator, options.placement)
  const adapter = options.adapter(simulator.baseUrl)
  const runtime = ManagedRuntime.make(adapter.pipe(Layer.provideMerge(NodeHttpClient.layerUndici)))
  return {
    baseUrl: simulator.baseUrl,
    simulator,
    run: (effect) => runtime.runPromise(effect),
    capture: (effect) => Capture.capture(adapter, effect),
    dispose: async () => {
      await runtime.dispose()
      await simulator.close()
    },
  }
}

/** The simulator as the method drives it: renewed as served, its answers verified by `expect` on its state. */
export const verifiedBy = (
  served: Renewable.Served,
  expect: (state: Renewable.State, requests: number) => void,
): Simulator => ({
  renew: served.renew,
  verify: async (requests) => expect(await served.state(), requests),
  serverLoop: served.serverLoop,
})

/** Where the simulator serves: `--simulator=thread` or `--simulator=worker` on the command line, else `fallback`. */
export const placement = (fallback: Renewable.Placement): Renewable.Placement => {
  const given = process.argv.find((a) => a.startsWith("--simulator="))?.slice("--simulator=".length)
  if (given === undefined) return fallback
  if (given !== "thread" && given !== "worker") throw new Error(`--simulator= takes thread or worker, not ${given}`)
  return given
}
