import * as Headers from "@effect/platform/Headers"
import type { ProviderAnswer } from "@token-lifecycle/adapter-kit/ProviderHttp"
import { isTransient } from "@token-lifecycle/domain/GatewayError"
import { describe, expect, it } from "vitest"
import { refusal } from "../src/internal/refusal.js"

const receivedAt = Date.UTC(2026, 5, 1, 10)

const answer = (status: number, body: unknown, headers: Record<string, string> = {}): ProviderAnswer => ({
  status,
  headers: Headers.fromInput(headers),
  body,
  receivedAt,
})

const errorBody = (code: string, param: string | null = null, message = `${code} happened`) => ({
  error: { code, message, param },
})

describe("KOMOJU refusals", () => {
  it("missing and invalid parameters are validation errors naming the field", () => {
    expect(refusal(answer(422, errorBody("missing_parameter", "currency")))).toMatchObject({
      _tag: "ProviderValidationError",
      provider: "komoju",
      providerCode: "missing_parameter",
      fields: [{ field: "currency", message: "missing_parameter happened" }],
    })
    expect(refusal(answer(400, errorBody("invalid_currency", "currency")))).toMatchObject({
      _tag: "ProviderValidationError",
      providerCode: "invalid_currency",
      fields: [{ field: "currency" }],
    })
    expect(refusal(answer(422, errorBody("unprocessable_entity")))).toMatchObject({
      _tag: "ProviderValidationError",
      fields: [],
    })
  })

  it("card codes are declines keeping the code, whatever 4xx carries them", () => {
    for (const code of [
      "card_declined",
      "card_expired",
      "bad_verification_value",
      "insufficient_funds",
      "exceeds_limit",
      "fraudulent",
      "invalid_number",
    ]) {
      for (const status of [400, 402, 422, 502]) {
        expect(refusal(answer(status, errorBody(code, "payment_details")))).toMatchObject({
          _tag: "ProviderDeclined",
          code,
          message: `${code} happened`,
        })
      }
    }
    expect(refusal(answer(402, errorBody("request_failed")))).toMatchObject({
      _tag: "ProviderDeclined",
      code: "request_failed",
    })
  })

  it("the status decides before the code: credentials, missing resources, server failures", () => {
    expect(refusal(answer(401, errorBody("unauthorized")))).toMatchObject({ _tag: "ProviderUnauthorized" })
    expect(refusal(answer(403, errorBody("forbidden")))).toMatchObject({ _tag: "ProviderUnauthorized" })
    expect(refusal(answer(404, errorBody("not_found")))).toMatchObject({ _tag: "ProviderNotFound" })
    // A card code on a 5xx other than the processor's 502 is still KOMOJU failing, not the card.
    for (const status of [500, 503, 504]) {
      const error = refusal(answer(status, errorBody("card_declined")))
      expect(error).toMatchObject({ _tag: "ProviderUnavailable", status })
      expect(isTransient(error)).toBe(true)
    }
    // A 502 without a card code is the processor failing.
    for (const body of [errorBody("bad_gateway"), undefined]) {
      expect(refusal(answer(502, body))).toMatchObject({ _tag: "ProviderUnavailable", status: 502 })
    }
  })

  it("409 means the same idempotency key is still in flight: unavailable with status 409, to retry later", () => {
    for (const body of [errorBody("conflict"), undefined, "<html>busy</html>"]) {
      const error = refusal(answer(409, body))
      expect(error).toMatchObject({ _tag: "ProviderUnavailable", status: 409 })
      expect(isTransient(error)).toBe(true)
    }
  })

  it("429 is rate limited, waiting as long as Retry-After asks", () => {
    expect(refusal(answer(429, errorBody("too_many_requests"), { "Retry-After": "7" }))).toMatchObject({
      _tag: "ProviderRateLimited",
      retryAfterMillis: 7000,
    })
    const withoutWait = refusal(answer(429, undefined))
    expect(withoutWait).toMatchObject({ _tag: "ProviderRateLimited" })
    expect(withoutWait).not.toHaveProperty("retryAfterMillis")
  })

  it("Session: Pay's bare-string error is read as the message", () => {
    expect(refusal(answer(422, { error: "Payment details are not valid" }))).toMatchObject({
      _tag: "ProviderValidationError",
      message: "Payment details are not valid",
      fields: [],
    })
  })

  it("Session: Pay's refusal in bare text on a 502 is the processor declining; in another form it is read as usual", () => {
    expect(
      refusal(answer(502, { status: "error", redirect_url: null, error: "Your card has been declined." })),
    ).toMatchObject({ _tag: "ProviderDeclined", code: "error", message: "Your card has been declined." })
    expect(
      refusal(answer(502, { status: "error", error: { code: "card_declined", message: "declined", param: null } })),
    ).toMatchObject({ _tag: "ProviderDeclined", code: "card_declined" })
    expect(
      refusal(answer(502, { status: "error", error: { code: "bad_gateway", message: "upstream", param: null } })),
    ).toMatchObject({ _tag: "ProviderUnavailable", status: 502 })
    expect(refusal(answer(502, { error: "upstream failed" }))).toMatchObject({
      _tag: "ProviderUnavailable",
      status: 502,
    })
  })

  it("a 4xx without a readable body is a protocol error; a 5xx without one is still unavailable", () => {
    for (const body of [undefined, "<html>oops</html>", { error: { message: "no code" } }, { errors: [] }]) {
      expect(refusal(answer(422, body))).toMatchObject({ _tag: "ProviderProtocolError", status: 422 })
    }
    expect(refusal(answer(503, "<html>maintenance</html>"))).toMatchObject({
      _tag: "ProviderUnavailable",
      status: 503,
    })
  })

  it("card-number-like digits in the provider's message are scrubbed", () => {
    const error = refusal(answer(402, errorBody("card_declined", null, "card 4111111111111111 declined")))
    expect(error.message).not.toContain("4111111111111111")
  })
})
