/**
 * The simulator as an in-process `HttpClient`: requests under its base URL (the organization's
 * sandbox URL unless told otherwise) are answered from the simulator's state, without a socket
 * (see `InProcessHttpClient`).
 */
import * as InProcessHttpClient from "../shared/InProcessHttpClient.js"
import * as SimulatorLayers from "../shared/SimulatorLayers.js"
import { RebillySimulator, layer as simulatorLayer } from "./RebillySimulator.js"

export interface RebillyHttpClientOptions {
  /** The base URL the client answers for. Default the simulator's own (`RebillySimulator.baseUrl`). */
  readonly baseUrl?: string
}

const layers = SimulatorLayers.inProcess(
  RebillySimulator,
  simulatorLayer,
  (simulator, options?: RebillyHttpClientOptions) =>
    InProcessHttpClient.make(simulator.handle, options?.baseUrl ?? simulator.baseUrl),
)

/** An `HttpClient` backed by the `RebillySimulator` in context. */
export const make = layers.make

/** `HttpClient.HttpClient` answered by the `RebillySimulator` in context. */
export const layer = layers.layer

/**
 * A fresh simulator and an `HttpClient` in front of it, in one layer (the default organization
 * when no options are given). A `baseUrl` is both the client's and the one the simulator's
 * links name.
 */
export const layerWithSimulator = layers.layerWithSimulator
