import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { describe, expect, it } from "vitest"
import * as Wire from "../src/internal/wire.js"

const decode =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (value: unknown) =>
    Schema.decodeUnknownEither(schema)(value)

const accepts = <A, I>(schema: Schema.Schema<A, I>, value: unknown): A => {
  const result = decode(schema)(value)
  if (Either.isLeft(result)) throw new Error(`expected to decode: ${result.left.message}`)
  return result.right
}

const refuses = <A, I>(schema: Schema.Schema<A, I>, value: unknown) =>
  expect(Either.isLeft(decode(schema)(value))).toBe(true)

const without = (value: Record<string, unknown>, key: string) => {
  const { [key]: _removed, ...rest } = value
  return rest
}

const token = {
  id: "tok_donqjgn5pzgaeepqztogwdjdu",
  resource: "token",
  created_at: "2025-06-01T09:30:00Z",
  payment_details: { type: "credit_card", brand: "visa", last_four_digits: "1111", month: 12, year: 2030 },
}

const payment = {
  id: "pay_1",
  resource: "payment",
  status: "captured",
  amount: 1000,
  tax: 0,
  customer: null,
  payment_deadline: null,
  payment_details: { type: "credit_card", brand: "visa", last_four_digits: "1111", verification_value: "Approved" },
  payment_method_fee: 0,
  total: 1000,
  currency: "JPY",
  description: null,
  captured_at: "2025-06-01T09:31:00Z",
  external_order_num: "order-123",
  metadata: { order: "order-123" },
  created_at: "2025-06-01T09:30:30Z",
  amount_refunded: 0,
  locale: "ja",
  session: null,
  customer_family_name: null,
  customer_given_name: null,
  mcc: null,
  statement_descriptor: null,
  refunds: [],
  refund_requests: [],
}

describe("KOMOJU wire schemas", () => {
  it("a Token keeps its masked details open and tolerates fields added later", () => {
    const decoded = accepts(Wire.Token, { ...token, livemode: false })
    expect(decoded.payment_details).toMatchObject({ type: "credit_card", last_four_digits: "1111" })
    // Ids have been `tok_` + 25 and `tok_` + 90 characters: the length is not checked.
    accepts(Wire.Token, { ...token, id: `tok_${"a".repeat(90)}` })
  })

  it("a Token without a required field, or with another resource, is refused", () => {
    for (const key of ["id", "resource", "created_at", "payment_details"]) refuses(Wire.Token, without(token, key))
    refuses(Wire.Token, { ...token, resource: "payment" })
    refuses(Wire.Token, { ...token, payment_details: { brand: "visa" } })
    refuses(Wire.Token, { ...token, id: "" })
  })

  it("a Payment decodes in full, in its minimal form, and with fields of older fixtures", () => {
    expect(accepts(Wire.Payment, payment).status).toBe("captured")
    accepts(Wire.Payment, { id: "pay_1", resource: "payment", status: "authorized", amount: 2500, currency: "JPY" })
    accepts(Wire.Payment, { ...payment, subscription: null, succeeded: true })
  })

  it("a Payment without a required field, or with a status KOMOJU does not send, is refused", () => {
    for (const key of ["id", "resource", "status", "amount", "currency"]) refuses(Wire.Payment, without(payment, key))
    refuses(Wire.Payment, { ...payment, status: "settled" })
    refuses(Wire.Payment, { ...payment, metadata: { order: 123 } })
  })

  it("a Customer decodes with its nullable fields and refuses one without id or created_at", () => {
    const customer = {
      id: "cus_1",
      resource: "customer",
      email: null,
      source: null,
      metadata: {},
      created_at: "2025-06-01T09:30:00Z",
      payment_details: { type: "credit_card", last_four_digits: "1111" },
      extra: 1,
    }
    expect(accepts(Wire.Customer, customer).email).toBeNull()
    refuses(Wire.Customer, without(customer, "id"))
    refuses(Wire.Customer, without(customer, "created_at"))
    refuses(Wire.Customer, { ...customer, resource: "token" })
  })

  it("the error body needs code and message; param may be null and details absent", () => {
    const body = { error: { code: "missing_parameter", message: "A required parameter is missing", param: "currency" } }
    expect(accepts(Wire.ErrorBody, body).error.param).toBe("currency")
    accepts(Wire.ErrorBody, { error: { ...body.error, param: null, details: { more: true } } })
    refuses(Wire.ErrorBody, { error: without(body.error, "code") })
    refuses(Wire.ErrorBody, { error: without(body.error, "message") })
    refuses(Wire.ErrorBody, { code: "missing_parameter", message: "flat" })
  })

  it("Session: Pay's error is either a bare string or an error object", () => {
    const asText = accepts(Wire.SessionPayAnswer, { status: "error", redirect_url: null, error: "card declined" })
    expect(asText.error).toBe("card declined")
    const asObject = accepts(Wire.SessionPayAnswer, {
      status: "error",
      redirect_url: null,
      error: { code: "card_declined", message: "declined", param: null },
    })
    expect(asObject.error).toMatchObject({ code: "card_declined" })
    const completed = accepts(Wire.SessionPayAnswer, {
      status: "completed",
      redirect_url: "https://example.test/return",
      payment,
      app_url: null,
    })
    expect(completed.payment?.id).toBe("pay_1")
    refuses(Wire.SessionPayAnswer, { status: "error", error: 42 })
    refuses(Wire.SessionPayAnswer, { redirect_url: null })
  })

  it("a webhook event needs every envelope field; its data is read later", () => {
    const envelope = {
      id: "evt_1",
      type: "customer.created",
      resource: "event",
      data: { id: "cus_1", resource: "customer" },
      created_at: "2025-06-01T09:30:00Z",
      reason: null,
      api_version: "2025-01-28",
    }
    accepts(Wire.WebhookEvent, envelope)
    accepts(Wire.WebhookEvent, { ...envelope, reason: "manual capture" })
    for (const key of ["id", "type", "resource", "data", "created_at", "reason"]) {
      refuses(Wire.WebhookEvent, without(envelope, key))
    }
    refuses(Wire.WebhookEvent, { ...envelope, resource: "payment" })
  })
})

describe("KOMOJU instants and payment types", () => {
  it("an instant is ISO 8601 with a zone; anything else is not one", () => {
    expect(Wire.parseInstant("2025-06-01T09:30:00Z")).toBe(Date.UTC(2025, 5, 1, 9, 30))
    expect(Wire.parseInstant("2025-06-01T18:30:00.250+09:00")).toBe(Date.UTC(2025, 5, 1, 9, 30, 0, 250))
    for (const text of ["2025-06-01", "2025-06-01T09:30:00", "June 1st", "", "2025-13-45T99:99:99Z"]) {
      expect(Wire.parseInstant(text)).toBeUndefined()
    }
  })

  it("card types are cards, bank transfer and Pay-easy are banks, the rest is other", () => {
    expect(["credit_card", "credit_card_korea", undefined].map(Wire.tokenTypeOf)).toEqual(["card", "card", "card"])
    expect(["bank_transfer", "pay_easy"].map(Wire.tokenTypeOf)).toEqual(["bank", "bank"])
    expect(["konbini", "paypay", "web_money"].map(Wire.tokenTypeOf)).toEqual(["other", "other", "other"])
  })
})
