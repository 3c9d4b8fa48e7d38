/**
 * The layers every provider's simulator is reached through, made from its tag and its layer:
 * an in-process `HttpClient` (`inProcess`, over `InProcessHttpClient`) and a server on
 * 127.0.0.1 (`loopback`, over `LoopbackServer`). Each comes alone, for the simulator in context,
 * or with a fresh simulator made from the same options, in one layer.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as LoopbackServer from "./LoopbackServer.js"
import type { Handler } from "./SimulatedHttp.js"

/** A simulator's service: whatever else it offers, it answers requests. */
export interface Answering {
  readonly handle: Handler
}

/** The options, optional when every one of them is. */
export type OptionsArgument<Options> = Partial<Options> extends Options ? [options?: Options] : [options: Options]

export interface ClientLayers<Simulator, SimulatorOptions, ClientOptions> {
  /** An `HttpClient` backed by the simulator in context. */
  readonly make: (options?: ClientOptions) => Effect.Effect<HttpClient.HttpClient, never, Simulator>
  /** `HttpClient.HttpClient` answered by the simulator in context. */
  readonly layer: (options?: ClientOptions) => Layer.Layer<HttpClient.HttpClient, never, Simulator>
  /** A fresh simulator and an `HttpClient` in front of it, in one layer. */
  readonly layerWithSimulator: (
    ...options: OptionsArgument<SimulatorOptions & ClientOptions>
  ) => Layer.Layer<HttpClient.HttpClient | Simulator>
}

/** The in-process layers of the simulator behind `tag`, whose client `client` makes. */
export const inProcess = <Simulator, Service extends Answering, SimulatorOptions, ClientOptions>(
  tag: Context.Tag<Simulator, Service>,
  simulatorLayer: (options: SimulatorOptions) => Layer.Layer<Simulator>,
  client: (simulator: Service, options: ClientOptions | undefined) => HttpClient.HttpClient,
): ClientLayers<Simulator, SimulatorOptions, ClientOptions> => {
  const make = (options?: ClientOptions) => Effect.map(tag, (simulator) => client(simulator, options))
  const layer = (options?: ClientOptions) => Layer.effect(HttpClient.HttpClient, make(options))
  return {
    make,
    layer,
    layerWithSimulator: (...[options]) =>
      layer(options).pipe(Layer.provideMerge(simulatorLayer(options as SimulatorOptions))),
  }
}

export interface Port {
  /** The port to listen on; a free one when absent. */
  readonly port?: number
}

export interface ServerLayers<Server, Simulator, SimulatorOptions> {
  /** Serves the simulator in context on 127.0.0.1 (a free port unless `port` is given). */
  readonly layer: (options?: Port) => Layer.Layer<Server, HttpServerError.ServeError, Simulator>
  /** A fresh simulator served over HTTP, in one layer. */
  readonly layerWithSimulator: (
    ...options: OptionsArgument<SimulatorOptions & Port>
  ) => Layer.Layer<Server | Simulator, HttpServerError.ServeError>
}

/** The loopback layers that serve the simulator behind `tag` as `server`. */
export const loopback = <Server, Simulator, Service extends Answering, SimulatorOptions>(
  server: Context.Tag<Server, LoopbackServer.LoopbackServerService>,
  tag: Context.Tag<Simulator, Service>,
  simulatorLayer: (options: SimulatorOptions) => Layer.Layer<Simulator>,
): ServerLayers<Server, Simulator, SimulatorOptions> => {
  const layer = (options?: Port) =>
    LoopbackServer.layer(
      server,
      Effect.map(tag, (simulator) => simulator.handle),
      options,
    )
  return {
    layer,
    layerWithSimulator: (...[options]) =>
      layer(options).pipe(Layer.provideMerge(simulatorLayer(options as SimulatorOptions))),
  }
}
