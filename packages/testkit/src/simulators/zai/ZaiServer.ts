/**
 * The simulator over real HTTP on 127.0.0.1, on a free port, for round trips and benchmarks
 * with a real client. Both of Zai's hosts are served from the one base URL: `POST /tokens` is
 * the issuer's, every other path the core API's, so a client is given `baseUrl` as both its
 * auth and its core base URL.
 */
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as LoopbackServer from "../shared/LoopbackServer.js"
import { layer as simulatorLayer, ZaiSimulator, type ZaiSimulatorOptions } from "./ZaiSimulator.js"

export class ZaiServer extends Context.Tag("@token-lifecycle/testkit/ZaiServer")<
  ZaiServer,
  LoopbackServer.LoopbackServerService
>() {}

/** Serves the `ZaiSimulator` in context on 127.0.0.1 (a free port unless `port` is given). */
export const layer = (options?: {
  readonly port?: number
}): Layer.Layer<ZaiServer, HttpServerError.ServeError, ZaiSimulator> =>
  LoopbackServer.layer(
    ZaiServer,
    Effect.map(ZaiSimulator, (simulator) => simulator.handle),
    options,
  )

/** A fresh simulator served over HTTP, in one layer. */
export const layerWithSimulator = (
  options: ZaiSimulatorOptions & { readonly port?: number },
): Layer.Layer<ZaiServer | ZaiSimulator, HttpServerError.ServeError> =>
  layer(options).pipe(Layer.provideMerge(simulatorLayer(options)))
