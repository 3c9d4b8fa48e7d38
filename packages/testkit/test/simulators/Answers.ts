/**
 * Plain HTTP as the simulator tests speak it, whatever the provider: a request sent through the
 * `HttpClient` in context and its answer read whole, and the failure a dropped connection is.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"

export interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  /** The text as JSON; `undefined` when it is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field in assertions
  readonly json: any
}

/** `text` as JSON, `undefined` when it is not JSON (a malformed answer, an empty body). */
export const jsonOf = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Sends `request` and reads its answer whole. */
export const exchange = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function* () {
    const response = yield* Effect.flatMap(HttpClient.HttpClient, (client) => client.execute(request))
    const text = yield* response.text
    const answer: Answer = { status: response.status, headers: response.headers, text, json: jsonOf(text) }
    return answer
  }).pipe(Effect.scoped)

/** Whether `result` is what a client gets from a connection broken without an answer. */
export const droppedConnection = (result: Either.Either<unknown, unknown>): boolean =>
  Either.isLeft(result) && result.left instanceof HttpClientError.RequestError && result.left.reason === "Transport"
