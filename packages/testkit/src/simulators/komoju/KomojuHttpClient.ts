/**
 * The KOMOJU simulator as an in-process `HttpClient`: requests under its base URL are answered
 * from the simulator's state, without a socket (see `InProcessHttpClient`). The simulator keeps
 * KOMOJU's paths, so a client's base URL is `<baseUrl>/api/v1`, KOMOJU's own layout.
 */
import * as InProcessHttpClient from "../shared/InProcessHttpClient.js"
import * as SimulatorLayers from "../shared/SimulatorLayers.js"
import { defaultBaseUrl, KomojuSimulator, layer as simulatorLayer } from "./KomojuSimulator.js"

export interface KomojuHttpClientOptions {
  /** The origin the client answers for. Default `https://komoju.com`. */
  readonly baseUrl?: string
}

const layers = SimulatorLayers.inProcess(
  KomojuSimulator,
  simulatorLayer,
  (simulator, options?: KomojuHttpClientOptions) =>
    InProcessHttpClient.make(simulator.handle, options?.baseUrl ?? defaultBaseUrl),
)

/** An `HttpClient` backed by the `KomojuSimulator` in context. */
export const make = layers.make

/** `HttpClient.HttpClient` answered by the `KomojuSimulator` in context. */
export const layer = layers.layer

/** A fresh simulator and an `HttpClient` in front of it, in one layer. */
export const layerWithSimulator = layers.layerWithSimulator
