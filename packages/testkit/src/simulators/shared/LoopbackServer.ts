/**
 * A simulator over real HTTP on 127.0.0.1, on a free port, for round trips and benchmarks with
 * a real client. It serves for as long as its layer's scope is open. A dropped connection
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
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Handler } from "./SimulatedHttp.js"

export interface LoopbackServerService {
  /** `http://127.0.0.1:<port>`: the base URL to give a client. */
  readonly baseUrl: string
  readonly port: number
}

/** Every request goes to `handler`, which routes it as its provider would. */
const answerWith = (handler: Handler) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = yield* Effect.orElseSucceed(request.text, () => "")
    const url = new URL(request.url, "http://127.0.0.1")
    const answered = yield* handler({
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body,
    })
    if (answered._tag === "Drop") {
      NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
      // Nothing reaches the client: the socket is gone.
      return HttpServerResponse.empty({ status: 500 })
    }
    const { "content-type": contentType, ...headers } = answered.headers
    return HttpServerResponse.text(answered.body, {
      status: answered.status,
      headers,
      ...(contentType === undefined ? {} : { contentType }),
    })
  })

/** Serves the simulator `handler` gives on 127.0.0.1 (a free port unless `port` is given), as `tag`. */
export const layer = <Id, R>(
  tag: Context.Tag<Id, LoopbackServerService>,
  handler: Effect.Effect<Handler, never, R>,
  options?: { readonly port?: number },
): Layer.Layer<Id, HttpServerError.ServeError, R> =>
  Layer.unwrapEffect(
    Effect.map(handler, (handle) =>
      Layer.merge(
        HttpServer.serve(HttpRouter.empty.pipe(HttpRouter.all("*", answerWith(handle)))),
        Layer.effect(
          tag,
          HttpServer.addressWith((address) =>
            address._tag === "TcpAddress"
              ? Effect.succeed({ baseUrl: `http://127.0.0.1:${address.port}`, port: address.port })
              : Effect.dieMessage("a simulator's loopback server listens on TCP only"),
          ),
        ),
      ).pipe(
        Layer.provide(NodeHttpServer.layer(() => createServer(), { port: options?.port ?? 0, host: "127.0.0.1" })),
      ),
    ),
  )
