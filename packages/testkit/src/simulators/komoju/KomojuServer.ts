/**
 * The KOMOJU simulator over real HTTP on 127.0.0.1 (see `LoopbackServer`). It serves KOMOJU's
 * paths from the root, so a client's base URL is `apiBaseUrl(server)`: `<baseUrl>/api/v1`.
 */
import * as Context from "effect/Context"
import type * as LoopbackServer from "../shared/LoopbackServer.js"
import * as SimulatorLayers from "../shared/SimulatorLayers.js"
import { apiPath, KomojuSimulator, layer as simulatorLayer } from "./KomojuSimulator.js"

export class KomojuServer extends Context.Tag("@token-lifecycle/testkit/KomojuServer")<
  KomojuServer,
  LoopbackServer.LoopbackServerService
>() {}

/** The base URL a KOMOJU client is given: the server's `/api/v1`. */
export const apiBaseUrl = (server: LoopbackServer.LoopbackServerService): string => `${server.baseUrl}${apiPath}`

const layers = SimulatorLayers.loopback(KomojuServer, KomojuSimulator, simulatorLayer)

/** Serves the `KomojuSimulator` in context on 127.0.0.1 (a free port unless `port` is given). */
export const layer = layers.layer

/** A fresh simulator served over HTTP, in one layer. */
export const layerWithSimulator = layers.layerWithSimulator
