/**
 * How the simulated KOMOJU says no: its error body `{"error": {"code", "message", "param",
 * "details"}}` (komoju.md §7) and the HTTP status each refusal is sent with.
 *
 * What the docs settle: 400 `bad_request`, 401 `unauthorized`, 403 `forbidden`, 404
 * `not_found`, 422 for missing or invalid parameters (`missing_parameter` with `param`), 500,
 * 502 "the upstream payment processor returned an error", 503, 409 for an idempotency key still
 * in flight.
 *
 * Choices where KOMOJU's behaviour is not documented (komoju.md §11), each the most likely form:
 * - a card the processor refuses is 502 with the card's code (`card_declined`,
 *   `insufficient_funds`, `exceeds_limit`, `bad_verification_value`, `card_expired`,
 *   `invalid_number`); `fraudulent` is 422. This is what integrators' recorded KOMOJU answers show;
 * - an unknown, used or expired token is 422 `invalid_token` naming `payment_details`;
 * - an invalid value is 422 `invalid_parameter` naming the field (`payment_details[number]` style);
 * - a payment that cannot be captured or cancelled is 422 `not_capturable` / `not_cancellable`,
 *   after KOMOJU's `not_refundable`;
 * - the 409 body is `conflict`; an idempotency key reused for another request is 422
 *   `idempotency_key_reused`; a key over 100 ASCII characters is 400 `bad_request`;
 * - a rate-limited request is 429 `too_many_requests` with `Retry-After` in seconds (KOMOJU
 *   publishes no rate limit).
 */

export interface KomojuRefusal {
  readonly status: number
  readonly code: string
  readonly message: string
  readonly param: string | null
}

const refusal =
  (status: number, code: string, defaultMessage: string) =>
  (options?: { readonly param?: string; readonly message?: string }): KomojuRefusal => ({
    status,
    code,
    message: options?.message ?? defaultMessage,
    param: options?.param ?? null,
  })

export const Refusals = {
  badRequest: refusal(400, "bad_request", "The request could not be understood."),
  unauthorized: refusal(401, "unauthorized", "User authorization failed."),
  forbidden: refusal(403, "forbidden", "You are not authorized to perform that action."),
  notFound: refusal(404, "not_found", "The requested resource could not be found."),
  conflict: refusal(409, "conflict", "A request with this idempotency key is still being processed."),
  missingParameter: (param: string): KomojuRefusal => ({
    status: 422,
    code: "missing_parameter",
    message: `A required parameter (${param}) is missing`,
    param,
  }),
  invalidParameter: (param: string, message: string): KomojuRefusal => ({
    status: 422,
    code: "invalid_parameter",
    message,
    param,
  }),
  invalidToken: (message: string): KomojuRefusal => ({
    status: 422,
    code: "invalid_token",
    message,
    param: "payment_details",
  }),
  idempotencyKeyReused: refusal(
    422,
    "idempotency_key_reused",
    "This idempotency key was already used for a different request.",
  ),
  notCapturable: refusal(422, "not_capturable", "The payment cannot be captured."),
  notCancellable: refusal(422, "not_cancellable", "The payment cannot be cancelled."),
  alreadyCompleted: refusal(422, "unprocessable_entity", "The session has already been completed."),
  tooManyRequests: refusal(429, "too_many_requests", "Too many requests. Please try again later."),
  internalServerError: refusal(
    500,
    "internal_server_error",
    "Something went wrong on our side. We're automatically notified of these and try to fix them ASAP.",
  ),
  serviceUnavailable: refusal(503, "service_unavailable", "The server is under maintenance. Please try again later."),
  badGateway: refusal(502, "bad_gateway", "We are unable to process your request due to an invalid upstream response."),
} as const

/** The standard error body. */
export const errorBody = (refused: KomojuRefusal) => ({
  error: { code: refused.code, message: refused.message, param: refused.param, details: {} },
})

/** The refusal for an injected server error of `status`. */
export const serverError = (status: number): KomojuRefusal => {
  if (status === 503) return Refusals.serviceUnavailable()
  if (status === 502) return Refusals.badGateway()
  if (status === 504) {
    return {
      status,
      code: "gateway_timeout",
      message: "The request timed out. The payment was not processed; please try again.",
      param: null,
    }
  }
  return { ...Refusals.internalServerError(), status }
}
