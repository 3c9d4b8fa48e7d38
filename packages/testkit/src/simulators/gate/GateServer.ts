/**
 * The simulator over real HTTP on 127.0.0.1, on a free port, for round trips and benchmarks
 * with a real client. It serves for as long as its layer's scope is open. A dropped connection
 * destroys the socket without an answer.
 */

import { createServer } from "node:http"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { GateSimulator, type GateSimulatorOptions, layer as simulatorLayer } from "./GateSimulator.js"

export interface GateServerService {
  /** `http://127.0.0.1:<port>`: the base URL to give a Gate client. */
  readonly baseUrl: string
  readonly port: number
}

export class GateServer extends Context.Tag("@token-lifecycle/testkit/GateServer")<GateServer, GateServerService>() {}

/** Every request goes to the simulator, which routes it as Gate would (unknown paths get Gate's 404 body). */
const answer = Effect.gen(function* () {
  const simulator = yield* GateSimulator
  const request = yield* HttpServerRequest.HttpServerRequest
  const body = yield* Effect.orElseSucceed(request.text, () => "")
  const answered = yield* simulator.handle({
    method: request.method,
    path: new URL(request.url, "http://127.0.0.1").pathname,
    contentType: request.headers["content-type"],
    body,
  })
  if (answered._tag === "Drop") {
    NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
    // Nothing reaches the client: the socket is gone.
    return HttpServerResponse.empty({ status: 500 })
  }
  return HttpServerResponse.text(answered.body, { status: answered.status, contentType: answered.contentType })
})

const router = HttpRouter.empty.pipe(HttpRouter.all("*", answer))

/** Serves the `GateSimulator` in context on 127.0.0.1 (a free port unless `port` is given). */
export const layer = (options?: {
  readonly port?: number
}): Layer.Layer<GateServer, HttpServerError.ServeError, GateSimulator> =>
  Layer.merge(
    HttpServer.serve(router),
    Layer.effect(
      GateServer,
      HttpServer.addressWith((address) =>
        address._tag === "TcpAddress"
          ? Effect.succeed({ baseUrl: `http://127.0.0.1:${address.port}`, port: address.port })
          : Effect.dieMessage("the Gate simulator server listens on TCP only"),
      ),
    ),
  ).pipe(Layer.provide(NodeHttpServer.layer(() => createServer(), { port: options?.port ?? 0, host: "127.0.0.1" })))

/** A fresh simulator served over HTTP, in one layer. */
export const layerWithSimulator = (
  options: GateSimulatorOptions & { readonly port?: number },
): Layer.Layer<GateServer | GateSimulator, HttpServerError.ServeError> =>
  layer(options).pipe(Layer.provideMerge(simulatorLayer(options)))
