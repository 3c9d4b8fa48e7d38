/**
 * The Gate simulator over real HTTP on 127.0.0.1 (see `LoopbackServer`). Unknown paths get
 * Gate's 404 body from the simulator itself.
 */
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as LoopbackServer from "../shared/LoopbackServer.js"
import { GateSimulator, type GateSimulatorOptions, layer as simulatorLayer } from "./GateSimulator.js"

export class GateServer extends Context.Tag("@token-lifecycle/testkit/GateServer")<
  GateServer,
  LoopbackServer.LoopbackServerService
>() {}

/** Serves the `GateSimulator` in context on 127.0.0.1 (a free port unless `port` is given). */
export const layer = (options?: {
  readonly port?: number
}): Layer.Layer<GateServer, HttpServerError.ServeError, GateSimulator> =>
  LoopbackServer.layer(
    GateServer,
    Effect.map(GateSimulator, (simulator) => simulator.handle),
    options,
  )

/** A fresh simulator served over HTTP, in one layer. */
export const layerWithSimulator = (
  options: GateSimulatorOptions & { readonly port?: number },
): Layer.Layer<GateServer | GateSimulator, HttpServerError.ServeError> =>
  layer(options).pipe(Layer.provideMerge(simulatorLayer(options)))
