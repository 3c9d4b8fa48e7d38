/**
 * The simulator over real HTTP on 127.0.0.1, on a free port, for round trips and benchmarks with
 * a real client (the adapter over undici, the official SDK over axios). It serves for as long as
 * its layer's scope is open. Give a client `${baseUrl}/organizations/${organizationId}` as its
 * base URL, or the bare `baseUrl` (then paths are `/tokens…`, as on a mock server).
 */
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as LoopbackServer from "../shared/LoopbackServer.js"
import { RebillySimulator, type RebillySimulatorOptions, layer as simulatorLayer } from "./RebillySimulator.js"

export class RebillyServer extends Context.Tag("@token-lifecycle/testkit/RebillyServer")<
  RebillyServer,
  LoopbackServer.LoopbackServerService
>() {}

/** Serves the `RebillySimulator` in context on 127.0.0.1 (a free port unless `port` is given). */
export const layer = (options?: {
  readonly port?: number
}): Layer.Layer<RebillyServer, HttpServerError.ServeError, RebillySimulator> =>
  LoopbackServer.layer(
    RebillyServer,
    Effect.map(RebillySimulator, (simulator) => simulator.handle),
    options,
  )

/** A fresh simulator served over HTTP, in one layer. */
export const layerWithSimulator = (
  options: RebillySimulatorOptions & { readonly port?: number } = {},
): Layer.Layer<RebillyServer | RebillySimulator, HttpServerError.ServeError> =>
  layer(options.port === undefined ? {} : { port: options.port }).pipe(Layer.provideMerge(simulatorLayer(options)))
