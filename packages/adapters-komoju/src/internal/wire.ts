/**
 * KOMOJU's wire format, in one place: schemas for every answer and webhook we read (provider
 * notes §3, §5, §7, §8). Every object is decoded with unknown keys allowed: KOMOJU adds fields
 * over time and older fixtures carry fields newer ones dropped. Where the notes leave a shape
 * open (marked [UNCONFIRMED] there), the most tolerant reading is taken here.
 */
import type { TokenType } from "@token-lifecycle/domain/Identifiers"
import * as Schema from "effect/Schema"

/** Fields KOMOJU leaves `null` when unset, and sometimes leaves out. */
const optionalNullable = <A, I, R>(schema: Schema.Schema<A, I, R>) => Schema.optional(Schema.NullOr(schema))

/** A masked `payment_details` echo: its `type`, and whatever else that type shows (never the PAN or CVV). */
export const PaymentDetails = Schema.Struct(
  { type: Schema.String },
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
)
export type PaymentDetails = typeof PaymentDetails.Type

/**
 * The Token object (§3). The id's length has changed over the years (`tok_` + 25, or + 89–90),
 * so only its being a non-empty string is checked. There is no `status`: a token is single use.
 */
export const Token = Schema.Struct({
  id: Schema.NonEmptyString,
  resource: Schema.Literal("token"),
  created_at: Schema.String,
  payment_details: PaymentDetails,
})
export type Token = typeof Token.Type

export const PaymentStatus = Schema.Literal(
  "pending",
  "authorized",
  "captured",
  "cancelled",
  "expired",
  "refunded",
  "failed",
)
export type PaymentStatus = typeof PaymentStatus.Type

/** Merchant metadata: string to string (§5a). */
const Metadata = Schema.Record({ key: Schema.String, value: Schema.String })

/**
 * The Payment object (§5a). Required: what every source shows and what a payment means without
 * (`id`, `resource`, `status`, `amount`, `currency`); the rest is optional and may be `null`.
 */
export const Payment = Schema.Struct({
  id: Schema.NonEmptyString,
  resource: Schema.Literal("payment"),
  status: PaymentStatus,
  amount: Schema.Number,
  currency: Schema.String,
  tax: optionalNullable(Schema.Number),
  customer: optionalNullable(Schema.String),
  payment_deadline: optionalNullable(Schema.String),
  payment_details: optionalNullable(PaymentDetails),
  payment_method_fee: optionalNullable(Schema.Number),
  total: optionalNullable(Schema.Number),
  description: optionalNullable(Schema.String),
  captured_at: optionalNullable(Schema.String),
  external_order_num: optionalNullable(Schema.String),
  metadata: optionalNullable(Metadata),
  created_at: optionalNullable(Schema.String),
  amount_refunded: optionalNullable(Schema.Number),
  locale: optionalNullable(Schema.String),
  session: optionalNullable(Schema.String),
  customer_family_name: optionalNullable(Schema.String),
  customer_given_name: optionalNullable(Schema.String),
  mcc: optionalNullable(Schema.String),
  statement_descriptor: optionalNullable(Schema.String),
  platform_details: optionalNullable(Schema.Unknown),
  refunds: optionalNullable(Schema.Array(Schema.Unknown)),
  refund_requests: optionalNullable(Schema.Array(Schema.Unknown)),
})
export type Payment = typeof Payment.Type

/** The Customer object (§5c): the long-term form a token can be converted into. */
export const Customer = Schema.Struct({
  id: Schema.NonEmptyString,
  resource: Schema.Literal("customer"),
  email: optionalNullable(Schema.String),
  source: optionalNullable(Schema.Unknown),
  metadata: optionalNullable(Metadata),
  created_at: Schema.String,
  locale: optionalNullable(Schema.String),
  payment_details: optionalNullable(PaymentDetails),
})
export type Customer = typeof Customer.Type

/** What is inside the standard error body (§7). `param` names the refused field, or is `null`. */
export const ErrorObject = Schema.Struct({
  code: Schema.String,
  message: Schema.String,
  param: optionalNullable(Schema.String),
  details: optionalNullable(Schema.Unknown),
})
export type ErrorObject = typeof ErrorObject.Type

/** The standard error body: `{"error": {"code", "message", "param", "details"?}}`. */
export const ErrorBody = Schema.Struct({ error: ErrorObject })
export type ErrorBody = typeof ErrorBody.Type

/**
 * The answer to Session: Pay (§5b). `error` is an error object or a bare string, depending on the
 * source; both are kept as they came. `status` is left open: only Hosted Fields types it.
 */
export const SessionPayAnswer = Schema.Struct({
  status: Schema.String,
  redirect_url: optionalNullable(Schema.String),
  payment: optionalNullable(Payment),
  app_url: optionalNullable(Schema.String),
  customer: optionalNullable(Schema.Unknown),
  error: optionalNullable(Schema.Union(Schema.String, ErrorObject)),
})
export type SessionPayAnswer = typeof SessionPayAnswer.Type

/**
 * A webhook's body (§8). `data` is the resource the event is about: a Payment for `payment.*`,
 * something else for other types (not confirmed), so it is decoded only where it is read.
 */
export const WebhookEvent = Schema.Struct({
  id: Schema.NonEmptyString,
  type: Schema.String,
  resource: Schema.Literal("event"),
  // An object, whatever resource it is: `Schema.Unknown` would let a missing `data` through.
  data: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  created_at: Schema.String,
  reason: Schema.NullOr(Schema.String),
})
export type WebhookEvent = typeof WebhookEvent.Type

/** Webhook headers (§8), lower-cased as HTTP frameworks present them. */
export const headers = {
  deliveryId: "x-komoju-id",
  signature: "x-komoju-signature",
  event: "x-komoju-event",
} as const

/**
 * A KOMOJU payment does not name the token it was made with: `payment_details` in answers and
 * webhooks is the masked card, and the token is deleted on use. So the adapter records the token
 * and its owner in the payment's `metadata` when it pays with one (keys ≤ 30 characters), and a
 * webhook can name the token only through these keys.
 */
export const useMetadata = {
  tokenId: "token_lifecycle_token",
  owner: "token_lifecycle_owner",
  /**
   * A payment by a customer names the customer under its own key, never as a token: the
   * customers' lifecycle records each such use itself, before paying, and a webhook read as a
   * token's use would count it twice.
   */
  customer: "token_lifecycle_customer",
} as const

// ---------------------------------------------------------------------------------------------
// Requests

/** Paths under the base URL (`…/api/v1`). */
export const paths = {
  tokens: "/tokens",
  payments: "/payments",
  customers: "/customers",
  customer: (customerId: string) => `/customers/${encodeURIComponent(customerId)}`,
  sessionPay: (sessionId: string) => `/sessions/${encodeURIComponent(sessionId)}/pay`,
} as const

/** Request headers besides `Authorization` (§1, §6), lower-cased. */
export const requestHeaders = {
  apiVersion: "x-komoju-api-version",
  idempotency: "x-komoju-idempotency",
} as const

/**
 * An idempotency key (§6): non-empty, at most 100 ASCII characters. Visible characters only, so
 * that no space is trimmed away by a proxy and the key KOMOJU sees is the one sent.
 */
export const idempotencyKeyPattern = /^[\x21-\x7e]{1,100}$/

/**
 * A token id is an opaque string of changing length (§3), sent inside the JSON body. Visible
 * ASCII only: anything else cannot be one of KOMOJU's ids.
 */
export const tokenIdPattern = /^[\x21-\x7e]{1,255}$/

/**
 * An id that goes into a path (a session's, a customer's): letters, digits, `_` and `-` only, so
 * it cannot leave its segment [UNCONFIRMED: KOMOJU's ids are alphanumeric].
 */
export const pathIdPattern = /^[A-Za-z0-9_-]{1,255}$/

/** ISO 4217 (§5a). */
export const currencyPattern = /^[A-Z]{3}$/

/** A card's `payment_details` for Token: Create (§3). The number and CVV leave their `Redacted` here only. */
export interface CardDetails {
  readonly type: "credit_card"
  readonly number: string
  readonly month: number
  readonly year: number
  readonly verification_value?: string
  readonly name?: string
  readonly given_name?: string
  readonly family_name?: string
  readonly email?: string
}

/** The stores a konbini payment can be made at (§3). */
export const konbiniStores = [
  "seven-eleven",
  "lawson",
  "family-mart",
  "ministop",
  "daily-yamazaki",
  "seicomart",
] as const
export type KonbiniStore = (typeof konbiniStores)[number]

/** Konbini `payment_details` (§3): `store` and `email` are required. */
export interface KonbiniDetails {
  readonly type: "konbini"
  readonly store: KonbiniStore
  readonly email: string
  readonly name?: string
  readonly phone?: string
}

/**
 * What a payment is made with (§5a, §5c): a token id as `payment_details` (never a details
 * object), or a customer id as `customer`; exactly one of the two.
 */
export type PaymentSource = { readonly payment_details: string } | { readonly customer: string }

/** Payment: Create with a token or a customer (§5a). */
export type PaymentRequest = PaymentSource & {
  readonly amount: number
  readonly currency: string
  readonly external_order_num: string
  readonly capture: boolean
  readonly metadata: Readonly<Record<string, string>>
}

/** Customer: Create from a token (§5c). */
export interface CustomerRequest {
  readonly payment_details: string
  readonly currency?: string
  readonly email?: string
  readonly metadata: Readonly<Record<string, string>>
}

/** Session: Pay with a token (§5b). */
export interface SessionPayRequest {
  readonly payment_details: string
  readonly capture?: "auto" | "manual"
}

/** KOMOJU's instants are ISO 8601 (`2025-06-01T09:30:00Z`); `undefined` when not one. */
export const parseInstant = (text: string): number | undefined => {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) return undefined
  const millis = Date.parse(text)
  return Number.isNaN(millis) ? undefined : millis
}

/**
 * What a token of this payment type stands for: KOMOJU's card types all start with
 * `credit_card`; bank transfer and Pay-easy pay from a bank; every other method (konbini, the
 * wallets) is `other`. A payment whose details name no type was made with a card token.
 */
export const tokenTypeOf = (paymentType: string | undefined): TokenType => {
  if (paymentType === undefined || paymentType.startsWith("credit_card")) return "card"
  if (paymentType === "bank_transfer" || paymentType === "pay_easy") return "bank"
  return "other"
}
