/**
 * Gate's wire format, in one place: paths, the bodies we send, and schemas for every answer and
 * callback we read. Where Gate's documentation is silent (see the package README's open points)
 * the most likely form is taken here, so the day the sandbox answers otherwise one module changes.
 */
import { brandOf, type CardExpiry, type MaskedCard } from "@token-lifecycle/domain/Card"
import * as Schema from "effect/Schema"
import { type Json, JsonNumber } from "./json.js"

export const paths = {
  tokenize: "/v2/customer/card/tokenize",
  cardByToken: "/v2/customer/card/bytoken",
  revoke: "/v2/customer/card/token/revoke",
  sale: "/v2/payment/card/sale/token",
  payout: "/v2/payment/card/payout/token",
  verification: "/v2/payment/card/account_verification/token",
} as const

/** A Gate token: 64 characters. */
export const tokenPattern = /^[A-Za-z0-9]{64}$/

/** Gate's instants carry an offset without a colon (`2020-08-24T14:14:23+0000`). */
export const parseInstant = (text: string): number | undefined => {
  const millis = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"))
  return Number.isNaN(millis) ? undefined : millis
}

/** A number or its text: Gate sends expiry months both as `5` and as `"05"`. */
const NumberOrText = Schema.Union(Schema.Number, Schema.NumberFromString)

/** The synchronous answer that means "registered": the outcome follows by callback. */
export const Accepted = Schema.Struct({
  status: Schema.String,
  request_id: Schema.String,
  project_id: Schema.optional(NumberOrText),
  payment_id: Schema.optional(Schema.String),
})
export type Accepted = typeof Accepted.Type

/** A refusal's body. Everything is optional: refusals are decoded leniently and mapped on what is there. */
export const Refusal = Schema.Struct({
  status: Schema.optional(Schema.String),
  code: Schema.optional(NumberOrText),
  message: Schema.optional(Schema.String),
  request_id: Schema.optional(Schema.String),
  errors: Schema.optional(
    Schema.Array(
      Schema.Struct({
        code: Schema.optional(NumberOrText),
        message: Schema.optional(Schema.String),
        field: Schema.optional(Schema.String),
        description: Schema.optional(Schema.String),
      }),
    ),
  ),
})
export type Refusal = typeof Refusal.Type

const CardOnToken = Schema.Struct({
  number: Schema.optional(Schema.String),
  exp_month: Schema.optional(NumberOrText),
  exp_year: Schema.optional(NumberOrText),
  holder: Schema.optional(Schema.String),
})

const TokenFields = {
  token: Schema.String,
  token_status: Schema.Literal("active", "revoke", "expiry"),
  token_created_at: Schema.optional(Schema.String),
  customer: Schema.optional(Schema.Struct({ id: Schema.String })),
  card: Schema.optional(CardOnToken),
}

/** The answer to card by token: the token callback's fields without `general` and `request`. */
export const CardByToken = Schema.Struct(TokenFields)
export type CardByToken = typeof CardByToken.Type

/** A token callback: a token issued, revoked or expired. */
export const TokenCallback = Schema.Struct({
  ...TokenFields,
  general: Schema.Struct({ project_id: NumberOrText, customer_id: Schema.optional(Schema.String) }),
  request: Schema.Struct({
    id: Schema.String,
    action: Schema.optional(Schema.String),
    status: Schema.String,
    errors: Schema.optional(Schema.Unknown),
  }),
})
export type TokenCallback = typeof TokenCallback.Type

/** A payment (or payout, or verification) callback. `account.token` is there when Gate tokenized the card. */
export const PaymentCallback = Schema.Struct({
  project_id: Schema.optional(NumberOrText),
  general: Schema.optional(Schema.Struct({ project_id: Schema.optional(NumberOrText) })),
  payment: Schema.Struct({ id: Schema.String, status: Schema.String }),
  customer: Schema.optional(Schema.Struct({ id: Schema.String })),
  account: Schema.optional(
    Schema.Struct({
      token: Schema.optional(Schema.String),
      number: Schema.optional(Schema.String),
      expiry_month: Schema.optional(NumberOrText),
      expiry_year: Schema.optional(NumberOrText),
    }),
  ),
  operation: Schema.optional(
    Schema.Struct({
      id: Schema.optional(NumberOrText),
      status: Schema.optional(Schema.String),
      code: Schema.optional(NumberOrText),
    }),
  ),
})
export type PaymentCallback = typeof PaymentCallback.Type

/** The masked number Gate shows (`400002******1488`), as the domain keeps it. */
export const maskedCard = (number: string | undefined): MaskedCard | undefined => {
  const match = number === undefined ? null : /^(\d{6})[*Xx]+(\d{4})$/.exec(number)
  if (match === null || number === undefined) return undefined
  const bin = match[1] as string
  return { bin, last4: match[2] as string, length: number.length, brand: brandOf(bin) }
}

export const cardExpiry = (month: number | undefined, year: number | undefined): CardExpiry | undefined =>
  month !== undefined && year !== undefined && Number.isInteger(month) && month >= 1 && month <= 12
    ? { month, year: year < 100 ? 2000 + year : year }
    : undefined

/** A verified callback with its numbers as plain numbers, ready for the schemas above. */
export const plain = (json: Json): unknown => {
  if (json instanceof JsonNumber) return Number(json.text)
  if (Array.isArray(json)) return json.map(plain)
  if (json !== null && typeof json === "object") {
    return Object.fromEntries(Object.entries(json as Record<string, Json>).map(([key, value]) => [key, plain(value)]))
  }
  return json
}
