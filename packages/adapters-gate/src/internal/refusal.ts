/**
 * How Gate says no, mapped into the domain's provider errors: on Gate's own code first
 * (provider notes §8), then on the HTTP status when the body carries no code we know.
 */
import { type ProviderAnswer, refusalByStatus } from "@token-lifecycle/adapter-kit/ProviderHttp"
import {
  type GatewayError,
  ProviderDeclined,
  ProviderNotFound,
  ProviderProtocolError,
  ProviderUnauthorized,
  ProviderUnavailable,
  ProviderValidationError,
} from "@token-lifecycle/domain/GatewayError"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { Refusal } from "./wire.js"

export const provider = "gate"

/** Gate codes by what they mean for the caller. */
const unauthorized = new Set([3261, 3262, 303, 310])
const invalid = new Set([2004, 2124, 2154, 3020, 3022, 3027, 3141, 3161, 3162, 3221, 502])
const notFound = new Set([3101, 3241])
const unavailable = new Set([501, 601, 602])

/** The code Gate uses for a `general.payment_id` it has seen: the payment is already registered. */
export const duplicatePaymentId = 3041

export const refusal = (answer: ProviderAnswer): GatewayError => {
  const decoded = Schema.decodeUnknownEither(Refusal)(answer.body)
  if (Either.isLeft(decoded)) {
    return answer.status >= 500
      ? new ProviderUnavailable({ provider, status: answer.status, message: `HTTP ${answer.status}` })
      : new ProviderProtocolError({ provider, status: answer.status, message: "refusal without a readable body" })
  }
  const body = decoded.right
  const code = body.code
  const message = body.message ?? `HTTP ${answer.status}`
  const fields = (body.errors ?? []).flatMap((e) =>
    e.field === undefined ? [] : [{ field: e.field, message: e.message ?? e.description ?? "is not valid" }],
  )
  if (code !== undefined) {
    if (unauthorized.has(code)) return new ProviderUnauthorized({ provider, message })
    if (invalid.has(code)) return new ProviderValidationError({ provider, message, fields, providerCode: String(code) })
    if (notFound.has(code)) return new ProviderNotFound({ provider, resource: "card token", message })
    if (unavailable.has(code)) return new ProviderUnavailable({ provider, status: answer.status, message })
    if (answer.status < 500) return new ProviderDeclined({ provider, code: String(code), message })
  }
  return refusalByStatus(provider, answer, message) ?? new ProviderValidationError({ provider, message, fields })
}
