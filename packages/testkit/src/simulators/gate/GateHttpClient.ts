/**
 * The Gate simulator as an in-process `HttpClient`: requests under its base URL are answered
 * from the simulator's state, without a socket (see `InProcessHttpClient`).
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as InProcessHttpClient from "../shared/InProcessHttpClient.js"
import { defaultBaseUrl, GateSimulator, type GateSimulatorOptions, layer as simulatorLayer } from "./GateSimulator.js"

export interface GateHttpClientOptions {
  /** The base URL the client answers for. Default `https://api.ecommpay.com`. */
  readonly baseUrl?: string
}

/** An `HttpClient` backed by the `GateSimulator` in context. */
export const make = (options?: GateHttpClientOptions): Effect.Effect<HttpClient.HttpClient, never, GateSimulator> =>
  Effect.map(GateSimulator, (simulator) =>
    InProcessHttpClient.make(simulator.handle, options?.baseUrl ?? defaultBaseUrl),
  )

/** `HttpClient.HttpClient` answered by the `GateSimulator` in context. */
export const layer = (options?: GateHttpClientOptions): Layer.Layer<HttpClient.HttpClient, never, GateSimulator> =>
  Layer.effect(HttpClient.HttpClient, make(options))

/** A fresh simulator and an `HttpClient` in front of it, in one layer. */
export const layerWithSimulator = (
  options: GateSimulatorOptions & GateHttpClientOptions,
): Layer.Layer<HttpClient.HttpClient | GateSimulator> =>
  layer(options).pipe(Layer.provideMerge(simulatorLayer(options)))
