/**
 * The Gate simulator over real HTTP on 127.0.0.1 (see `LoopbackServer`). Unknown paths get
 * Gate's 404 body from the simulator itself.
 */
import * as Context from "effect/Context"
import type * as LoopbackServer from "../shared/LoopbackServer.js"
import * as SimulatorLayers from "../shared/SimulatorLayers.js"
import { GateSimulator, layer as simulatorLayer } from "./GateSimulator.js"

export class GateServer extends Context.Tag("@token-lifecycle/testkit/GateServer")<
  GateServer,
  LoopbackServer.LoopbackServerService
>() {}

const layers = SimulatorLayers.loopback(GateServer, GateSimulator, simulatorLayer)

/** Serves the `GateSimulator` in context on 127.0.0.1 (a free port unless `port` is given). */
export const layer = layers.layer

/** A fresh simulator served over HTTP, in one layer. */
export const layerWithSimulator = layers.layerWithSimulator
