/**
 * The simulator as an in-process `HttpClient`: requests under its base URL (the organization's
 * sandbox URL unless told otherwise) are answered from the simulator's state, without a socket.
 * A dropped connection is a `RequestError` with reason `Transport`, as a real client reports a
 * reset; a request to any other URL fails the same way.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as InProcessHttpClient from "../shared/InProcessHttpClient.js"
import { RebillySimulator, type RebillySimulatorOptions, layer as simulatorLayer } from "./RebillySimulator.js"

export interface RebillyHttpClientOptions {
  /** The base URL the client answers for. Default the simulator's own (`RebillySimulator.baseUrl`). */
  readonly baseUrl?: string
}

/** An `HttpClient` backed by the `RebillySimulator` in context. */
export const make = (
  options?: RebillyHttpClientOptions,
): Effect.Effect<HttpClient.HttpClient, never, RebillySimulator> =>
  Effect.map(RebillySimulator, (simulator) =>
    InProcessHttpClient.make(simulator.handle, options?.baseUrl ?? simulator.baseUrl),
  )

/** `HttpClient.HttpClient` answered by the `RebillySimulator` in context. */
export const layer = (
  options?: RebillyHttpClientOptions,
): Layer.Layer<HttpClient.HttpClient, never, RebillySimulator> => Layer.effect(HttpClient.HttpClient, make(options))

/** A fresh simulator and an `HttpClient` in front of it, in one layer. */
export const layerWithSimulator = (
  options: RebillySimulatorOptions & RebillyHttpClientOptions = {},
): Layer.Layer<HttpClient.HttpClient | RebillySimulator> =>
  layer(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }).pipe(
    Layer.provideMerge(simulatorLayer(options)),
  )
