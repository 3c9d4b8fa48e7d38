/**
 * The KOMOJU simulator over real HTTP on 127.0.0.1 (see `LoopbackServer`). It serves KOMOJU's
 * paths from the root, so a client's base URL is `apiBaseUrl(server)`: `<baseUrl>/api/v1`.
 */
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as LoopbackServer from "../shared/LoopbackServer.js"
import { apiPath, KomojuSimulator, type KomojuSimulatorOptions, layer as simulatorLayer } from "./KomojuSimulator.js"

export class KomojuServer extends Context.Tag("@token-lifecycle/testkit/KomojuServer")<
  KomojuServer,
  LoopbackServer.LoopbackServerService
>() {}

/** The base URL a KOMOJU client is given: the server's `/api/v1`. */
export const apiBaseUrl = (server: LoopbackServer.LoopbackServerService): string => `${server.baseUrl}${apiPath}`

/** Serves the `KomojuSimulator` in context on 127.0.0.1 (a free port unless `port` is given). */
export const layer = (options?: {
  readonly port?: number
}): Layer.Layer<KomojuServer, HttpServerError.ServeError, KomojuSimulator> =>
  LoopbackServer.layer(
    KomojuServer,
    Effect.map(KomojuSimulator, (simulator) => simulator.handle),
    options,
  )

/** A fresh simulator served over HTTP, in one layer. */
export const layerWithSimulator = (
  options: KomojuSimulatorOptions & { readonly port?: number },
): Layer.Layer<KomojuServer | KomojuSimulator, HttpServerError.ServeError> =>
  layer(options).pipe(Layer.provideMerge(simulatorLayer(options)))
