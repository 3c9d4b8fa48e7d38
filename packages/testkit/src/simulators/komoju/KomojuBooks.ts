/**
 * The simulator's books: every merchant's tokens, payments, customers and sessions, as KOMOJU
 * keeps them, and the objects its answers and webhooks show of them (komoju.md §3, §5).
 *
 * A token is single use and lives 24 hours (§4): `used` once a payment, a customer or a session
 * payment has taken it, `expired` from 24 h after `created_at` while unused, `usable` before.
 * No card number or security code is ever kept: card details are brand, last four, expiry,
 * holder and the test outcome.
 */
import * as Duration from "effect/Duration"
import type { CardOutcome } from "./KomojuCards.js"
import { masked, type PaymentDetails } from "./KomojuPaymentDetails.js"

/** How long an unused token lives. */
export const tokenLifetime = Duration.hours(24)
const tokenLifetimeMillis = Duration.toMillis(tokenLifetime)

export type TokenStatus = "usable" | "used" | "expired"

/** What took a token. */
export interface TokenUse {
  readonly resource: "payment" | "customer"
  readonly id: string
  readonly at: number
}

export interface TokenRecord {
  readonly id: string
  readonly merchantId: string
  readonly createdAt: number
  readonly details: PaymentDetails
  /** The currency a payment with this token must use, when the token named one. */
  readonly currency: string | undefined
  readonly idempotencyKey: string | undefined
  readonly use: TokenUse | undefined
}

export type PaymentStatus = "pending" | "authorized" | "captured" | "cancelled" | "expired" | "refunded" | "failed"

export interface PaymentRecord {
  readonly id: string
  readonly merchantId: string
  readonly status: PaymentStatus
  readonly amount: number
  readonly currency: string
  readonly details: PaymentDetails
  /** The token it was paid with, if any. */
  readonly token: string | undefined
  readonly customer: string | undefined
  readonly session: string | undefined
  readonly externalOrderNum: string | undefined
  readonly description: string | undefined
  readonly metadata: Readonly<Record<string, string>>
  readonly createdAt: number
  readonly capturedAt: number | undefined
  readonly cancelledAt: number | undefined
  /** Konbini: until when the customer may pay at the store. */
  readonly paymentDeadline: number | undefined
  readonly failure: { readonly code: string; readonly message: string } | undefined
  readonly idempotencyKey: string | undefined
}

export interface CustomerRecord {
  readonly id: string
  readonly merchantId: string
  readonly email: string | undefined
  readonly currency: string | undefined
  readonly details: PaymentDetails
  readonly metadata: Readonly<Record<string, string>>
  /** The token converted into this customer, if any. */
  readonly token: string | undefined
  /** `Komoju-Scenario` at creation: every payment with this customer fails so. */
  readonly scenario: CardOutcome | undefined
  readonly createdAt: number
  readonly deletedAt: number | undefined
  readonly idempotencyKey: string | undefined
}

export type SessionStatus = "pending" | "completed" | "cancelled"

export interface SessionRecord {
  readonly id: string
  readonly merchantId: string
  readonly amount: number
  readonly currency: string
  readonly returnUrl: string | undefined
  readonly paymentTypes: ReadonlyArray<string>
  readonly externalOrderNum: string | undefined
  readonly metadata: Readonly<Record<string, string>>
  /** `Komoju-Scenario` at creation: every payment attempt fails so. */
  readonly scenario: CardOutcome | undefined
  readonly status: SessionStatus
  readonly payment: string | undefined
  readonly createdAt: number
  readonly completedAt: number | undefined
  readonly idempotencyKey: string | undefined
}

export interface Books {
  readonly tokens: ReadonlyMap<string, TokenRecord>
  readonly payments: ReadonlyMap<string, PaymentRecord>
  readonly customers: ReadonlyMap<string, CustomerRecord>
  readonly sessions: ReadonlyMap<string, SessionRecord>
}

export const empty: Books = { tokens: new Map(), payments: new Map(), customers: new Map(), sessions: new Map() }

export const tokenStatus = (token: TokenRecord, now: number): TokenStatus => {
  if (token.use !== undefined) return "used"
  return now >= token.createdAt + tokenLifetimeMillis ? "expired" : "usable"
}

/** A token as the simulator's control service shows it. */
export interface TokenView {
  readonly id: string
  readonly merchantId: string
  readonly status: TokenStatus
  readonly type: PaymentDetails["type"]
  readonly createdAt: number
  readonly expiresAt: number
  readonly use: TokenUse | undefined
  readonly idempotencyKey: string | undefined
}

export const tokenView = (token: TokenRecord, now: number): TokenView => ({
  id: token.id,
  merchantId: token.merchantId,
  status: tokenStatus(token, now),
  type: token.details.type,
  createdAt: token.createdAt,
  expiresAt: token.createdAt + tokenLifetimeMillis,
  use: token.use,
  idempotencyKey: token.idempotencyKey,
})

/** KOMOJU's timestamps: ISO 8601 in UTC to the second. */
export const komojuTime = (millis: number): string => `${new Date(millis).toISOString().slice(0, 19)}Z`

const timeOrNull = (millis: number | undefined): string | null => (millis === undefined ? null : komojuTime(millis))

export const tokenObject = (token: TokenRecord) => ({
  id: token.id,
  resource: "token",
  created_at: komojuTime(token.createdAt),
  payment_details: masked(token.details),
})

/** Where a konbini customer reads how to pay at the store. */
export const instructionsUrl = (paymentId: string): string => `https://komoju.com/payments/${paymentId}/instructions`

/** Konbini payments show where and how the customer pays. */
const paymentDetailsOf = (payment: PaymentRecord): Record<string, unknown> =>
  payment.details.type === "konbini"
    ? {
        ...masked(payment.details),
        confirmation_code: payment.id.slice(0, 7).toUpperCase(),
        receipt: payment.id.slice(-10).toUpperCase(),
        instructions_url: instructionsUrl(payment.id),
      }
    : masked(payment.details)

export const paymentObject = (payment: PaymentRecord) => ({
  id: payment.id,
  resource: "payment",
  status: payment.status,
  amount: payment.amount,
  tax: 0,
  customer: payment.customer ?? null,
  payment_deadline: timeOrNull(payment.paymentDeadline),
  payment_details: paymentDetailsOf(payment),
  payment_method_fee: 0,
  total: payment.amount,
  currency: payment.currency,
  description: payment.description ?? null,
  captured_at: timeOrNull(payment.capturedAt),
  external_order_num: payment.externalOrderNum ?? null,
  metadata: payment.metadata,
  created_at: komojuTime(payment.createdAt),
  amount_refunded: 0,
  locale: "ja",
  session: payment.session ?? null,
  customer_family_name: null,
  customer_given_name: null,
  mcc: null,
  statement_descriptor: null,
  refunds: [],
  refund_requests: [],
})

export const customerObject = (customer: CustomerRecord) => ({
  id: customer.id,
  resource: "customer",
  email: customer.email ?? null,
  source: null,
  metadata: customer.metadata,
  created_at: komojuTime(customer.createdAt),
  payment_details: masked(customer.details),
})

/** A session, with its payment once paid. */
export const sessionObject = (session: SessionRecord, payment: PaymentRecord | undefined) => ({
  id: session.id,
  resource: "session",
  mode: "payment",
  amount: session.amount,
  currency: session.currency,
  session_url: `https://komoju.com/sessions/${session.id}`,
  return_url: session.returnUrl ?? null,
  default_locale: "ja",
  payment_methods: session.paymentTypes.map((type) => ({ type })),
  created_at: komojuTime(session.createdAt),
  cancelled_at: null,
  completed_at: timeOrNull(session.completedAt),
  status: session.status,
  payment: payment === undefined ? null : paymentObject(payment),
})
