/**
 * The simulator over real HTTP on 127.0.0.1, on a free port, for round trips and benchmarks
 * with a real client. Both of Zai's hosts are served from the one base URL: `POST /tokens` is
 * the issuer's, every other path the core API's, so a client is given `baseUrl` as both its
 * auth and its core base URL.
 */
import * as Context from "effect/Context"
import type * as LoopbackServer from "../shared/LoopbackServer.js"
import * as SimulatorLayers from "../shared/SimulatorLayers.js"
import { layer as simulatorLayer, ZaiSimulator } from "./ZaiSimulator.js"

export class ZaiServer extends Context.Tag("@token-lifecycle/testkit/ZaiServer")<
  ZaiServer,
  LoopbackServer.LoopbackServerService
>() {}

const layers = SimulatorLayers.loopback(ZaiServer, ZaiSimulator, simulatorLayer)

/** Serves the `ZaiSimulator` in context on 127.0.0.1 (a free port unless `port` is given). */
export const layer = layers.layer

/** A fresh simulator served over HTTP, in one layer. */
export const layerWithSimulator = layers.layerWithSimulator
