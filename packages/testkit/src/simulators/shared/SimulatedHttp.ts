/**
 * What a provider simulator sees of a request and how it answers, whatever carries them: the
 * in-process client (`InProcessHttpClient`) or a real socket (`LoopbackServer`). A simulator is
 * one `Handler`; both transports call it the same way, so a test that passes in process and the
 * same test over loopback exercise the same rules.
 */
import type * as Effect from "effect/Effect"

export interface WireRequest {
  readonly method: string
  /** Relative to the simulator's base URL path, starting with `/`. */
  readonly path: string
  readonly query: URLSearchParams
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  /** The raw body; empty when there is none. */
  readonly body: string
}

export type WireAnswer =
  | {
      readonly _tag: "Respond"
      readonly status: number
      /** Header names in lower case, `content-type` among them. */
      readonly headers: Readonly<Record<string, string>>
      readonly body: string
    }
  /** The connection breaks without an answer. */
  | { readonly _tag: "Drop" }

export type Handler = (request: WireRequest) => Effect.Effect<WireAnswer>

const lowerCase = (headers: Readonly<Record<string, string>> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]))

/** An answer with this body; `text/plain` unless the headers name a content type. */
export const respond = (status: number, body: string, headers?: Readonly<Record<string, string>>): WireAnswer => ({
  _tag: "Respond",
  status,
  headers: { "content-type": "text/plain; charset=utf-8", ...lowerCase(headers) },
  body,
})

/** An `application/json` answer. */
export const json = (status: number, value: unknown, headers?: Readonly<Record<string, string>>): WireAnswer =>
  respond(status, JSON.stringify(value), { "content-type": "application/json", ...lowerCase(headers) })

export const dropped: WireAnswer = { _tag: "Drop" }

/** The answer with these headers added (or replaced). */
export const withHeaders = (answer: WireAnswer, headers: Readonly<Record<string, string>>): WireAnswer =>
  answer._tag === "Drop" ? answer : { ...answer, headers: { ...answer.headers, ...lowerCase(headers) } }
