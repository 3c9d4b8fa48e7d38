/**
 * The simulator as an in-process `HttpClient`: requests under its base URL are answered from
 * the simulator's state, without a socket. A dropped connection is a `RequestError` with reason
 * `Transport`, as a real client reports a reset; a request to any other host fails the same way.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { defaultBaseUrl, GateSimulator, type GateSimulatorOptions, layer as simulatorLayer } from "./GateSimulator.js"

export interface GateHttpClientOptions {
  /** The base URL the client answers for. Default `https://api.ecommpay.com`. */
  readonly baseUrl?: string
}

const decoder = new TextDecoder()

const transport = (request: HttpClientRequest.HttpClientRequest, description: string) =>
  new HttpClientError.RequestError({ request, reason: "Transport", description })

/** The request body as text, and its content type when the body or the headers name one. */
const readBody = (
  request: HttpClientRequest.HttpClientRequest,
): Effect.Effect<{ readonly text: string; readonly contentType: string | undefined }, HttpClientError.RequestError> => {
  const header = request.headers["content-type"]
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed({ text: "", contentType: header })
    case "Uint8Array":
      return Effect.succeed({ text: decoder.decode(body.body), contentType: header ?? body.contentType })
    case "Raw":
      return typeof body.body === "string"
        ? Effect.succeed({ text: body.body, contentType: header ?? body.contentType })
        : body.body instanceof Uint8Array
          ? Effect.succeed({ text: decoder.decode(body.body), contentType: header ?? body.contentType })
          : Effect.fail(new HttpClientError.RequestError({ request, reason: "Encode", description: "unreadable body" }))
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map((chunks) => ({
          text: Chunk.toReadonlyArray(chunks)
            .map((part) => decoder.decode(part, { stream: true }))
            .join(""),
          contentType: header ?? body.contentType,
        })),
        Effect.mapError(
          (cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause, description: "body stream" }),
        ),
      )
    case "FormData":
      return Effect.succeed({ text: "", contentType: header ?? "multipart/form-data" })
  }
}

/** An `HttpClient` backed by the `GateSimulator` in context. */
export const make = (options?: GateHttpClientOptions): Effect.Effect<HttpClient.HttpClient, never, GateSimulator> =>
  Effect.map(GateSimulator, (simulator) => {
    const base = new URL(options?.baseUrl ?? defaultBaseUrl)
    const basePath = base.pathname.replace(/\/+$/, "")
    return HttpClient.make((request, url) =>
      Effect.gen(function* () {
        if (url.origin !== base.origin || !url.pathname.startsWith(basePath)) {
          return yield* transport(request, `no route to ${url.origin}`)
        }
        const { text, contentType } = yield* readBody(request)
        const answer = yield* simulator.handle({
          method: request.method,
          path: url.pathname.slice(basePath.length) || "/",
          contentType,
          body: text,
        })
        if (answer._tag === "Drop") return yield* transport(request, "connection reset by peer")
        return HttpClientResponse.fromWeb(
          request,
          new Response(answer.body, { status: answer.status, headers: { "content-type": answer.contentType } }),
        )
      }),
    )
  })

/** `HttpClient.HttpClient` answered by the `GateSimulator` in context. */
export const layer = (options?: GateHttpClientOptions): Layer.Layer<HttpClient.HttpClient, never, GateSimulator> =>
  Layer.effect(HttpClient.HttpClient, make(options))

/** A fresh simulator and an `HttpClient` in front of it, in one layer. */
export const layerWithSimulator = (
  options: GateSimulatorOptions & GateHttpClientOptions,
): Layer.Layer<HttpClient.HttpClient | GateSimulator> =>
  layer(options).pipe(Layer.provideMerge(simulatorLayer(options)))
