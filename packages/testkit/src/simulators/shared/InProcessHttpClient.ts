/**
 * A simulator as an in-process `HttpClient`: requests under its base URL are answered by its
 * `Handler`, without a socket. A dropped connection is a `RequestError` with reason `Transport`,
 * as a real client reports a reset; a request to any other host fails the same way.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { Handler } from "./SimulatedHttp.js"

const decoder = new TextDecoder()

const transport = (request: HttpClientRequest.HttpClientRequest, description: string) =>
  new HttpClientError.RequestError({ request, reason: "Transport", description })

const encodeError = (request: HttpClientRequest.HttpClientRequest, description: string, cause?: unknown) =>
  new HttpClientError.RequestError({ request, reason: "Encode", description, cause })

/** The request body as text, and the content type its body names (the header wins when set). */
const readBody = (
  request: HttpClientRequest.HttpClientRequest,
): Effect.Effect<{ readonly text: string; readonly contentType: string | undefined }, HttpClientError.RequestError> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed({ text: "", contentType: undefined })
    case "Uint8Array":
      return Effect.succeed({ text: decoder.decode(body.body), contentType: body.contentType })
    case "Raw":
      return typeof body.body === "string"
        ? Effect.succeed({ text: body.body, contentType: body.contentType })
        : body.body instanceof Uint8Array
          ? Effect.succeed({ text: decoder.decode(body.body), contentType: body.contentType })
          : Effect.fail(encodeError(request, "unreadable body"))
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map((chunks) => ({
          text: Chunk.toReadonlyArray(chunks)
            .map((part) => decoder.decode(part, { stream: true }))
            .join(""),
          contentType: body.contentType,
        })),
        Effect.mapError((cause) => encodeError(request, "body stream", cause)),
      )
    case "FormData":
      return Effect.succeed({ text: "", contentType: "multipart/form-data" })
  }
}

/** An `HttpClient` whose requests under `baseUrl` are answered by `handler`. */
export const make = (handler: Handler, baseUrl: string): HttpClient.HttpClient => {
  const base = new URL(baseUrl)
  const basePath = base.pathname.replace(/\/+$/, "")
  return HttpClient.make((request, url) =>
    Effect.gen(function* () {
      if (url.origin !== base.origin || !(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`))) {
        return yield* transport(request, `no route to ${url.origin}${url.pathname}`)
      }
      const { text, contentType } = yield* readBody(request)
      const headers: Record<string, string> = { ...request.headers }
      if (contentType !== undefined && headers["content-type"] === undefined) headers["content-type"] = contentType
      const answer = yield* handler({
        method: request.method,
        path: url.pathname.slice(basePath.length) || "/",
        query: new URLSearchParams(url.search),
        headers,
        body: text,
      })
      if (answer._tag === "Drop") return yield* transport(request, "connection reset by peer")
      return HttpClientResponse.fromWeb(
        request,
        new Response(answer.body, { status: answer.status, headers: answer.headers }),
      )
    }),
  )
}
