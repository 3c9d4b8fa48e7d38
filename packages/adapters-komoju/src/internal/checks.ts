/**
 * What KOMOJU would refuse, refused here first: a typed `ProviderValidationError` naming the
 * field, and no request sent. Also the one check made of an answer that every call reads: its
 * `created_at`.
 */
import { type GatewayError, ProviderProtocolError, ProviderValidationError } from "@token-lifecycle/domain/GatewayError"
import type { EpochMillis } from "@token-lifecycle/domain/Identifiers"
import type { Money } from "@token-lifecycle/domain/TokenGateway"
import * as Effect from "effect/Effect"
import { provider } from "./refusal.js"
import * as Wire from "./wire.js"

export const invalid = (field: string, message: string) =>
  new ProviderValidationError({ provider, message: `${field} ${message}`, fields: [{ field, message }] })

export const check = (holds: boolean, field: string, message: string): Effect.Effect<void, ProviderValidationError> =>
  holds ? Effect.void : Effect.fail(invalid(field, message))

export const idempotencyKey = (key: string, field: string) =>
  check(
    Wire.idempotencyKeyPattern.test(key),
    field,
    "must be 1 to 100 visible ASCII characters: KOMOJU's idempotency key",
  )

export const tokenId = (id: string) =>
  check(Wire.tokenIdPattern.test(id), "payment_details", "must be a KOMOJU token id: visible ASCII characters")

/** An id that goes into a path (a session's, a customer's). */
export const pathId = (id: string, field: string, what: string) =>
  check(Wire.pathIdPattern.test(id), field, `must be a KOMOJU ${what} id: letters, digits, _ and -`)

export const currency = (code: string) =>
  check(Wire.currencyPattern.test(code), "currency", "must be an ISO 4217 code such as JPY")

/** A payment's amount: required, whole, not negative, in a currency KOMOJU names. */
export const money = (amount: Money | undefined): Effect.Effect<Money, ProviderValidationError> =>
  Effect.gen(function* () {
    if (amount === undefined) return yield* invalid("amount", "is required for a payment")
    yield* check(Number.isSafeInteger(amount.amount) && amount.amount >= 0, "amount", "must be a whole number ≥ 0")
    yield* currency(amount.currency)
    return amount
  })

/** KOMOJU's `created_at` of what `operation` made or read: lifetimes count from it. */
export const createdAt = (operation: string, text: string): Effect.Effect<EpochMillis, GatewayError> => {
  const instant = Wire.parseInstant(text)
  return instant === undefined
    ? Effect.fail(
        new ProviderProtocolError({ provider, message: `${operation}: created_at is not an ISO 8601 instant` }),
      )
    : Effect.succeed(instant)
}
