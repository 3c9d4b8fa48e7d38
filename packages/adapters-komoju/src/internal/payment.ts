/**
 * Payment: Create (§5a), made with a token (`KomojuGateway`) or with a customer
 * (`KomojuCustomerGateway`): the same call but for where the money comes from.
 *
 * The use's reference is KOMOJU's idempotency key and the payment's `external_order_num`: one
 * reference, one payment, however often it is sent. What the payment came to is the receipt's
 * status: captured is done, authorized or pending is on its way, the rest is a decline.
 */
import { type GatewayError, ProviderDeclined, ProviderProtocolError } from "@token-lifecycle/domain/GatewayError"
import type { UseReceipt, UseRequest } from "@token-lifecycle/domain/TokenGateway"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Checks from "./checks.js"
import { provider } from "./refusal.js"
import type { KomojuTransport } from "./transport.js"
import * as Wire from "./wire.js"

const receiptStatus = (payment: Wire.Payment): Either.Either<UseReceipt["status"], GatewayError> => {
  switch (payment.status) {
    case "captured":
    case "refunded":
      return Either.right("succeeded")
    case "authorized":
    case "pending":
      return Either.right("pending")
    case "failed":
    case "cancelled":
    case "expired":
      return Either.left(
        new ProviderDeclined({
          provider,
          code: `payment_${payment.status}`,
          message: `the payment is ${payment.status}`,
        }),
      )
  }
}

/**
 * Pay `request.amount` from `source`, with `metadata` telling a webhook what paid. The
 * reference must already be checked as an idempotency key.
 */
export const pay = (
  transport: KomojuTransport,
  request: UseRequest,
  source: Wire.PaymentSource,
  metadata: Readonly<Record<string, string>>,
): Effect.Effect<UseReceipt, GatewayError> =>
  Effect.gen(function* () {
    const money = yield* Checks.money(request.amount)
    const body: Wire.PaymentRequest = {
      amount: money.amount,
      currency: money.currency,
      ...source,
      external_order_num: request.reference,
      capture: transport.config.capture,
      metadata,
    }
    const payment = yield* transport.post({
      operation: "create payment",
      path: Wire.paths.payments,
      authorization: transport.keys.secret,
      idempotencyKey: request.reference,
      body,
      success: Wire.Payment,
    })
    if (payment.external_order_num != null && payment.external_order_num !== request.reference) {
      return yield* new ProviderProtocolError({ provider, message: "create payment: answered for another order" })
    }
    const status = yield* receiptStatus(payment)
    return { reference: request.reference, providerReference: payment.id, status } satisfies UseReceipt
  })
