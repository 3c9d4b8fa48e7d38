/**
 * How Zai's refusals map into the domain's typed errors, on the bodies recorded from the real API
 * (provider notes §8.1) and on the shapes nobody has confirmed (429, 5xx, unreadable bodies).
 */
import * as Headers from "@effect/platform/Headers"
import { describe, expect, it } from "@effect/vitest"
import type { ProviderAnswer } from "@token-lifecycle/adapter-kit/ProviderHttp"
import { coreRefusal, tokenRefusal } from "../src/internal/refusal.js"

const answer = (status: number, body: unknown, headers: Record<string, string> = {}): ProviderAnswer => ({
  status,
  body,
  headers: Headers.fromInput(headers),
  receivedAt: Date.UTC(2026, 0, 1),
})

describe("core API refusals", () => {
  it("keeps every field of a 422, record-level `base` included, with Zai's request id", () => {
    const error = coreRefusal(
      answer(
        422,
        { errors: { "address.country": ["can't be blank"], firstname: ["can't be blank"], email: ["is invalid"] } },
        { "X-Request-Id": "req-42" },
      ),
    )
    expect(error).toMatchObject({
      _tag: "ProviderValidationError",
      message: "address.country can't be blank; firstname can't be blank; email is invalid (request req-42)",
      fields: [
        { field: "address.country", message: "can't be blank" },
        { field: "firstname", message: "can't be blank" },
        { field: "email", message: "is invalid" },
      ],
    })
    expect(coreRefusal(answer(422, { errors: { base: ["item with this id already exists"] } }))).toMatchObject({
      _tag: "ProviderValidationError",
      fields: [{ field: "base", message: "item with this id already exists" }],
    })
  })

  it("reads the historical 401 code 405, and its older form, as a record not found", () => {
    for (const body of [
      { code: 405, message: "Not authorized to access that record." },
      { errors: { not_authorized: ["to access that record"] } },
    ]) {
      expect(coreRefusal(answer(401, body))).toMatchObject({ _tag: "ProviderNotFound", resource: "record" })
    }
  })

  it("reads any other 401 as a refused token, and a 404 as not found", () => {
    expect(coreRefusal(answer(401, { errors: { token: "is not authorized" } }))._tag).toBe("ProviderUnauthorized")
    expect(coreRefusal(answer(401, undefined))._tag).toBe("ProviderUnauthorized")
    expect(coreRefusal(answer(404, null))._tag).toBe("ProviderNotFound")
  })

  it("keeps the wait a 429 asks for, and reads a 5xx as unavailable", () => {
    expect(coreRefusal(answer(429, undefined, { "Retry-After": "30" }))).toMatchObject({
      _tag: "ProviderRateLimited",
      retryAfterMillis: 30_000,
    })
    expect(coreRefusal(answer(429, "slow down"))).toMatchObject({ _tag: "ProviderRateLimited" })
    expect(coreRefusal(answer(503, "<html>maintenance</html>"))).toMatchObject({
      _tag: "ProviderUnavailable",
      status: 503,
    })
  })

  it("reads any other refusal as a protocol error carrying its status", () => {
    expect(coreRefusal(answer(409, "conflict", { "x-request-id": "r-1" }))).toMatchObject({
      _tag: "ProviderProtocolError",
      status: 409,
      message: "HTTP 409 (request r-1)",
    })
  })

  it("scrubs a card number Zai might echo, and cuts long text short", () => {
    const error = coreRefusal(answer(422, { errors: { number: ["4111111111111111 is invalid"] } }))
    expect(JSON.stringify(error)).not.toContain("4111111111111111")
    const long = coreRefusal(answer(422, { message: "x".repeat(5_000) }))
    expect(long.message.length).toBeLessThanOrEqual(200)
  })
})

describe("token issuer refusals", () => {
  const hide = (text: string) => text.split("the-secret").join("<redacted>")

  it("reads refused credentials or client details as unauthorized, a 400 as invalid, a 500 as unavailable", () => {
    expect(tokenRefusal(hide)(answer(401, { error: "invalid credentials" }))).toMatchObject({
      _tag: "ProviderUnauthorized",
      message: "tokens: invalid credentials",
    })
    expect(tokenRefusal(hide)(answer(422, { error: "invalid client details" }))._tag).toBe("ProviderUnauthorized")
    expect(tokenRefusal(hide)(answer(400, { error: "bad request" }))._tag).toBe("ProviderValidationError")
    expect(tokenRefusal(hide)(answer(500, { error: "something went wrong" }))._tag).toBe("ProviderUnavailable")
  })

  it("never repeats the client secret, should the issuer echo it", () => {
    const error = tokenRefusal(hide)(answer(401, { error: "secret the-secret is wrong" }))
    expect(error.message).toBe("tokens: secret <redacted> is wrong")
  })
})
