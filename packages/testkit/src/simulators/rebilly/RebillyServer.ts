/**
 * The simulator over real HTTP on 127.0.0.1, on a free port, for round trips and benchmarks with
 * a real client (the adapter over undici, the official SDK over axios). It serves for as long as
 * its layer's scope is open. Give a client `${baseUrl}/organizations/${organizationId}` as its
 * base URL, or the bare `baseUrl` (then paths are `/tokens…`, as on a mock server).
 */
import * as Context from "effect/Context"
import type * as LoopbackServer from "../shared/LoopbackServer.js"
import * as SimulatorLayers from "../shared/SimulatorLayers.js"
import { RebillySimulator, layer as simulatorLayer } from "./RebillySimulator.js"

export class RebillyServer extends Context.Tag("@token-lifecycle/testkit/RebillyServer")<
  RebillyServer,
  LoopbackServer.LoopbackServerService
>() {}

const layers = SimulatorLayers.loopback(RebillyServer, RebillySimulator, simulatorLayer)

/** Serves the `RebillySimulator` in context on 127.0.0.1 (a free port unless `port` is given). */
export const layer = layers.layer

/** A fresh simulator served over HTTP, in one layer (the default organization when no options are given). */
export const layerWithSimulator = layers.layerWithSimulator
