/**
 * The Gate simulator as an in-process `HttpClient`: requests under its base URL are answered
 * from the simulator's state, without a socket (see `InProcessHttpClient`).
 */
import * as InProcessHttpClient from "../shared/InProcessHttpClient.js"
import * as SimulatorLayers from "../shared/SimulatorLayers.js"
import { defaultBaseUrl, GateSimulator, layer as simulatorLayer } from "./GateSimulator.js"

export interface GateHttpClientOptions {
  /** The base URL the client answers for. Default `https://api.ecommpay.com`. */
  readonly baseUrl?: string
}

const layers = SimulatorLayers.inProcess(GateSimulator, simulatorLayer, (simulator, options?: GateHttpClientOptions) =>
  InProcessHttpClient.make(simulator.handle, options?.baseUrl ?? defaultBaseUrl),
)

/** An `HttpClient` backed by the `GateSimulator` in context. */
export const make = layers.make

/** `HttpClient.HttpClient` answered by the `GateSimulator` in context. */
export const layer = layers.layer

/** A fresh simulator and an `HttpClient` in front of it, in one layer. */
export const layerWithSimulator = layers.layerWithSimulator
