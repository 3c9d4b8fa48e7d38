/**
 * How Zai says no, mapped into `GatewayError`. Its two hosts say it differently:
 *
 * - the token issuer (provider notes §2): `{"error": "<string>"}` with 400, 401, 422 or 500.
 *   Credentials or client details refused (401, 422) cannot succeed on a retry with the same
 *   configuration, so both read as unauthorized; a 400 means the request we built was refused.
 * - the core API (§8): `{"errors": {field: [messages]}}` with 422 (fields kept), and a 401 for
 *   two different things: a bearer token refused (unauthorized: the caller fetches a new one and
 *   tries once more) and, with `{"code": 405, …}` or `errors.not_authorized`, a record that is
 *   unknown or not yours (not found: another token would not change the answer).
 */
import * as Headers from "@effect/platform/Headers"
import { type ProviderAnswer, refusalByStatus } from "@token-lifecycle/adapter-kit/ProviderHttp"
import {
  type FieldProblem,
  type GatewayError,
  ProviderNotFound,
  ProviderProtocolError,
  ProviderUnauthorized,
  ProviderValidationError,
} from "@token-lifecycle/domain/GatewayError"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Wire from "./wire.js"

export const provider = "zai"

/** Provider text is kept short: it goes into errors and logs. */
const maximumMessageLength = 200
const clip = (text: string) => text.slice(0, maximumMessageLength)

/**
 * The typed error for a non-2xx answer from `POST /tokens`. `hide` removes text that must not
 * reach an error (the client secret, should the issuer ever echo it).
 */
export const tokenRefusal =
  (hide: (text: string) => string) =>
  (answer: ProviderAnswer): GatewayError => {
    const decoded = Schema.decodeUnknownEither(Wire.AccessTokenRefusal)(answer.body)
    const said = Either.isRight(decoded) ? clip(hide(decoded.right.error)) : undefined
    const message = `tokens: ${said ?? `HTTP ${answer.status}`}`
    // An issuer refusing the client's details (422) is a configuration problem, like refused credentials.
    if (answer.status === 422) return new ProviderUnauthorized({ provider, message })
    const byStatus = refusalByStatus(provider, answer, message)
    if (byStatus !== undefined) return byStatus
    if (answer.status === 400) return new ProviderValidationError({ provider, message })
    return new ProviderProtocolError({ provider, status: answer.status, message })
  }

/** Each field's messages, one problem per message, in the order Zai gave them. */
const fieldProblems = (errors: Wire.CoreRefusal["errors"]): ReadonlyArray<FieldProblem> =>
  Object.entries(errors ?? {}).flatMap(([field, messages]) =>
    (typeof messages === "string" ? [messages] : messages).map((message) => ({ field, message: clip(message) })),
  )

const isRecordNotAccessible = (body: Wire.CoreRefusal): boolean =>
  body.code === Wire.recordNotAccessibleCode || body.errors?.[Wire.recordNotAccessibleField] !== undefined

/** The typed error for a non-2xx answer from the core API. Zai's request id, when sent, ends the message. */
export const coreRefusal = (answer: ProviderAnswer): GatewayError => {
  const status = answer.status
  const body = Either.getOrUndefined(Schema.decodeUnknownEither(Wire.CoreRefusal)(answer.body))
  const requestId = Option.getOrUndefined(Headers.get(answer.headers, Wire.requestIdHeader))
  const suffix = requestId === undefined ? "" : ` (request ${clip(requestId)})`
  if (status === 401 && body !== undefined && isRecordNotAccessible(body)) {
    return new ProviderNotFound({
      provider,
      resource: "record",
      message: `${clip(body.message ?? "not authorized to access that record")}${suffix}`,
    })
  }
  const fields = fieldProblems(body?.errors)
  const said =
    body?.message === undefined
      ? fields.map((problem) => `${problem.field} ${problem.message}`).join("; ")
      : clip(body.message)
  const message = `${said === "" ? `HTTP ${status}` : said}${suffix}`
  if (status === 422 || status === 400) return new ProviderValidationError({ provider, message, fields })
  return refusalByStatus(provider, answer, message) ?? new ProviderProtocolError({ provider, status, message })
}
