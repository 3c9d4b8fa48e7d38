/**
 * How KOMOJU says no, mapped into the domain's provider errors: on the HTTP status first, then
 * refined by the body's `code` (provider notes §7). Codes seen in official code and fixtures are
 * named here; any other code falls back to what its status means.
 */
import { type ProviderAnswer, rateLimited, refusalByStatus } from "@token-lifecycle/adapter-kit/ProviderHttp"
import {
  type GatewayError,
  ProviderDeclined,
  ProviderProtocolError,
  ProviderUnavailable,
  ProviderValidationError,
} from "@token-lifecycle/domain/GatewayError"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { ErrorObject } from "./wire.js"

export const provider = "komoju"

/** The card was refused: the request was fine, repeating it will not help. Checked before `invalid_*`. */
export const cardCodes: ReadonlySet<string> = new Set([
  "card_declined",
  "card_expired",
  "bad_verification_value",
  "insufficient_funds",
  "exceeds_limit",
  "fraudulent",
  "invalid_number",
])

/**
 * 502: "the upstream payment processor returned an error" (§7). With a card code, the processor
 * answered and refused the card: a decline, not an outage; so is Session: Pay's own refusal
 * (`status: "error"`) in bare text, which names no code. Any other 5xx is KOMOJU failing.
 */
const upstream = 502

/** Session: Pay's refusal body (§5b): `{"status": "error", "error": …}`. */
const isSessionPayError = (body: unknown): boolean =>
  typeof body === "object" && body !== null && "status" in body && body.status === "error"

const isValidationCode = (code: string): boolean =>
  code === "missing_parameter" ||
  code === "bad_request" ||
  code === "unprocessable_entity" ||
  code.startsWith("invalid_")

/**
 * HTTP 409: a request with the same `X-KOMOJU-IDEMPOTENCY` key is still in flight (§6). There is
 * no dedicated error for it, so it is a `ProviderUnavailable` with status 409: transient, so a
 * caller retries later, and the retry must reuse the same key and body to stay one operation.
 */
export const idempotencyKeyInFlight = 409

/** Every refusal body is `{"error": {...}}`, except Session: Pay's, whose `error` may be a bare string (§5b). */
const RefusalBody = Schema.Struct({ error: Schema.Union(Schema.String, ErrorObject) })

interface Refusal {
  readonly code: string | undefined
  readonly message: string
  readonly param: string | undefined
}

const refusalOf = (error: string | ErrorObject): Refusal =>
  typeof error === "string"
    ? { code: undefined, message: error, param: undefined }
    : { code: error.code, message: error.message, param: error.param ?? undefined }

const readRefusal = (answer: ProviderAnswer): Refusal | undefined => {
  const decoded = Schema.decodeUnknownEither(RefusalBody)(answer.body)
  return Either.isLeft(decoded) ? undefined : refusalOf(decoded.right.error)
}

/** What a refusal's code says, once its HTTP status has said all it can. */
const byCode = (body: Refusal, status: number | undefined): GatewayError => {
  const { code, message } = body
  if (code !== undefined && cardCodes.has(code)) return new ProviderDeclined({ provider, code, message })
  const fields = body.param === undefined ? [] : [{ field: body.param, message }]
  if (code === undefined || isValidationCode(code) || status === 400 || status === 422) {
    return new ProviderValidationError({
      provider,
      message,
      fields,
      ...(code === undefined ? {} : { providerCode: code }),
    })
  }
  // Another 4xx with a code of its own (402 `request_failed`, say): KOMOJU understood and said no.
  return new ProviderDeclined({ provider, code, message })
}

export const refusal = (answer: ProviderAnswer): GatewayError => {
  const status = answer.status
  // These statuses say all the caller needs, body or not: a maintenance page is still maintenance.
  if (status === 429) return rateLimited(provider, answer)
  const body = readRefusal(answer)
  const message = body?.message ?? `HTTP ${status}`
  if (status === idempotencyKeyInFlight) {
    return new ProviderUnavailable({
      provider,
      status,
      message: body === undefined ? "a request with this idempotency key is still in flight" : message,
    })
  }
  if (status === upstream && body !== undefined) {
    if (body.code !== undefined && cardCodes.has(body.code)) return byCode(body, status)
    if (body.code === undefined && isSessionPayError(answer.body)) return sessionPayRefusal(body.message)
  }
  const byStatus = refusalByStatus(provider, answer, message, body?.param ?? undefined)
  if (byStatus !== undefined) return byStatus
  if (body === undefined) {
    return new ProviderProtocolError({ provider, status, message: "refusal without a readable body" })
  }
  return byCode(body, status)
}

/**
 * Session: Pay answered 2xx with `status: "error"` (§5b): the attempt to pay failed. Its `error`
 * is an error object, read like any refusal's, or bare text, which names no code: a decline.
 */
export const sessionPayRefusal = (error: string | ErrorObject | null | undefined): GatewayError =>
  error === undefined || error === null
    ? new ProviderDeclined({ provider, code: "error", message: "the session payment failed without saying why" })
    : typeof error === "string"
      ? new ProviderDeclined({ provider, code: "error", message: error })
      : byCode(refusalOf(error), undefined)
