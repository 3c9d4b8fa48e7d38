/**
 * The KOMOJU simulator as an in-process `HttpClient`: requests under its base URL are answered
 * from the simulator's state, without a socket (see `InProcessHttpClient`). The simulator keeps
 * KOMOJU's paths, so a client's base URL is `<baseUrl>/api/v1`, KOMOJU's own layout.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as InProcessHttpClient from "../shared/InProcessHttpClient.js"
import {
  defaultBaseUrl,
  KomojuSimulator,
  type KomojuSimulatorOptions,
  layer as simulatorLayer,
} from "./KomojuSimulator.js"

export interface KomojuHttpClientOptions {
  /** The origin the client answers for. Default `https://komoju.com`. */
  readonly baseUrl?: string
}

/** An `HttpClient` backed by the `KomojuSimulator` in context. */
export const make = (options?: KomojuHttpClientOptions): Effect.Effect<HttpClient.HttpClient, never, KomojuSimulator> =>
  Effect.map(KomojuSimulator, (simulator) =>
    InProcessHttpClient.make(simulator.handle, options?.baseUrl ?? defaultBaseUrl),
  )

/** `HttpClient.HttpClient` answered by the `KomojuSimulator` in context. */
export const layer = (options?: KomojuHttpClientOptions): Layer.Layer<HttpClient.HttpClient, never, KomojuSimulator> =>
  Layer.effect(HttpClient.HttpClient, make(options))

/** A fresh simulator and an `HttpClient` in front of it, in one layer. */
export const layerWithSimulator = (
  options: KomojuSimulatorOptions & KomojuHttpClientOptions,
): Layer.Layer<HttpClient.HttpClient | KomojuSimulator> =>
  layer(options).pipe(Layer.provideMerge(simulatorLayer(options)))
