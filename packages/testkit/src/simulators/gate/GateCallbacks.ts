/**
 * The callbacks Gate sends, as bodies before signing (the adapter's wire contract, README):
 *
 * - token callback: `general.{project_id, signature}`, `request.{id, action, status}`,
 *   `customer.id`, `token`, `token_status`, `token_created_at` (`2020-08-24T14:14:23+0000`) and,
 *   where the project sends it, `card.{number (masked), exp_month, exp_year, holder}`;
 * - payment callback: top-level `signature` and `project_id`, `payment`, `customer.id`,
 *   `account.{number (masked), token, type, card_holder, expiry_month, expiry_year}` and
 *   `operation.{id, type, status, code: "0", message, …}`.
 *
 * The signature is added by whoever knows the project's secret (the simulator).
 */
import type { PaymentRecord, TokenRecord, TokenStatus } from "./GateBooks.js"
import type { PaymentEndpoint } from "./GateEndpoints.js"

export type CallbackKind = "token" | "payment"

/** An unsigned callback and where its signature goes. */
export interface CallbackDraft {
  readonly kind: CallbackKind
  readonly projectId: number
  readonly requestId: string
  readonly body: Record<string, unknown>
  readonly signatureAt: "general" | "top"
}

/** Gate's timestamps: ISO 8601 in UTC, seconds, offset without a colon. */
export const gateTime = (millis: number): string => `${new Date(millis).toISOString().slice(0, 19)}+0000`

const cardOf = (record: TokenRecord) => ({
  number: record.masked,
  exp_month: record.expMonth,
  exp_year: record.expYear,
  holder: record.holder,
})

/** The token's fields as both the token callback and the card-by-token answer carry them. */
export const tokenFields = (record: TokenRecord, status: TokenStatus, withCard: boolean) => ({
  customer: { id: record.customerId },
  token: record.token,
  token_status: status,
  token_created_at: gateTime(record.createdAt),
  ...(withCard ? { card: cardOf(record) } : {}),
})

export const tokenCallback = (options: {
  readonly record: TokenRecord
  readonly status: TokenStatus
  readonly action: "tokenize" | "revoke"
  readonly requestId: string
  readonly withCard: boolean
}): CallbackDraft => ({
  kind: "token",
  projectId: options.record.projectId,
  requestId: options.requestId,
  signatureAt: "general",
  body: {
    general: { project_id: options.record.projectId },
    request: { id: options.requestId, action: options.action, status: "success" },
    ...tokenFields(options.record, options.status, options.withCard),
  },
})

const paymentType: Readonly<Record<PaymentEndpoint, string>> = {
  sale: "purchase",
  payout: "payout",
  account_verification: "account_verification",
}

const twoDigits = (n: number): string => String(n).padStart(2, "0")

export const paymentCallback = (payment: PaymentRecord, token: TokenRecord): CallbackDraft => {
  const sum = payment.amount === undefined ? undefined : { amount: payment.amount, currency: payment.currency }
  const date = gateTime(payment.acceptedAt)
  return {
    kind: "payment",
    projectId: payment.projectId,
    requestId: payment.requestId,
    signatureAt: "top",
    body: {
      project_id: payment.projectId,
      payment: {
        id: payment.paymentId,
        type: paymentType[payment.endpoint],
        status: "success",
        date,
        method: "card",
        ...(sum === undefined ? {} : { sum }),
      },
      account: {
        number: token.masked,
        token: token.token,
        type: token.brand,
        card_holder: token.holder,
        expiry_month: twoDigits(token.expMonth),
        expiry_year: String(token.expYear),
      },
      customer: { id: payment.customerId },
      operation: {
        id: payment.operationId,
        type: payment.endpoint,
        status: "success",
        date,
        created_date: date,
        request_id: payment.requestId,
        ...(sum === undefined ? {} : { sum_initial: sum, sum_converted: sum }),
        code: "0",
        message: "Success",
      },
    },
  }
}
