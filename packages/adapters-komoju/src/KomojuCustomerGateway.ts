/**
 * The `TokenGateway` port over KOMOJU's customers (provider notes §5c): the long-term, reusable
 * form of a card, made from a single-use token (`KomojuGateway`'s use for an `instrument`, or
 * `KomojuCustomers.convert`, which also records it).
 *
 * - issue: no. A customer comes only from a token: the port's issue request would carry the card
 *   itself, which the server never sends KOMOJU for a customer.
 * - retrieve: `GET /customers/{id}`; a customer KOMOJU holds is active.
 * - list: no.
 * - revoke: `DELETE /customers/{id}`: KOMOJU erases the stored card.
 * - use: a payment with `customer: "<id>"` instead of `payment_details` (`POST /payments`), the
 *   use's reference as idempotency key and order number, as for a token's payment.
 *
 * KOMOJU binds a customer to the merchant account, not to an owner: the lifecycle's owner check
 * is what keeps one owner's customer from another. Requests go out as `KomojuGateway`'s do
 * (`internal/transport.ts`), and are refused alike.
 */
import type { HttpClient } from "@effect/platform/HttpClient"
import { type GatewayError, Unsupported } from "@token-lifecycle/domain/GatewayError"
import { ProviderId, type TokenId } from "@token-lifecycle/domain/Identifiers"
import {
  TokenGateway,
  type TokenGatewayService,
  type TokenSnapshot,
  type UseReceipt,
  type UseRequest,
} from "@token-lifecycle/domain/TokenGateway"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Checks from "./internal/checks.js"
import { pay } from "./internal/payment.js"
import { provider } from "./internal/refusal.js"
import * as Transport from "./internal/transport.js"
import * as Wire from "./internal/wire.js"
import type { KomojuConfig } from "./KomojuConfig.js"

/** What KOMOJU offers for customers, as literal types. */
export const capabilities = {
  issue: false,
  retrieve: true,
  list: false,
  revoke: true,
  use: true,
  reusable: true,
  asynchronous: false,
} as const

export type KomojuCustomerCapabilities = typeof capabilities

export interface KomojuCustomerGatewayService extends TokenGatewayService<KomojuCustomerCapabilities> {}

export class KomojuCustomerGateway extends Context.Tag("@token-lifecycle/adapters-komoju/KomojuCustomerGateway")<
  KomojuCustomerGateway,
  KomojuCustomerGatewayService
>() {}

const checkCustomer = (customerId: TokenId) => Checks.pathId(customerId, "customer", "customer")

/** What DELETE answers is not documented (the customer, or nothing): it is not read. */
const Deleted = Schema.Unknown

export const make: Effect.Effect<KomojuCustomerGatewayService, never, KomojuConfig | HttpClient> = Effect.gen(
  function* () {
    const transport = yield* Transport.make

    const retrieve = (customerId: TokenId): Effect.Effect<TokenSnapshot, GatewayError> =>
      Effect.gen(function* () {
        yield* checkCustomer(customerId)
        const customer = yield* transport.get("show customer", Wire.paths.customer(customerId), Wire.Customer)
        const issuedAt = yield* Checks.createdAt("show customer", customer.created_at)
        return { tokenId: customerId, status: "active", issuedAt } satisfies TokenSnapshot
      })

    const revoke = (customerId: TokenId): Effect.Effect<void, GatewayError> =>
      Effect.gen(function* () {
        yield* checkCustomer(customerId)
        yield* transport.del("delete customer", Wire.paths.customer(customerId), Deleted)
      })

    const use = (request: UseRequest): Effect.Effect<UseReceipt, GatewayError> =>
      Effect.gen(function* () {
        if (request.operation !== "payment") {
          return yield* new Unsupported({ provider, operation: `use for a ${request.operation}` })
        }
        yield* checkCustomer(request.tokenId)
        // The reference is the idempotency key: one reference, one payment, however often it is sent.
        yield* Checks.idempotencyKey(request.reference, "reference")
        return yield* pay(
          transport,
          request,
          { customer: request.tokenId },
          { [Wire.useMetadata.customer]: request.tokenId, [Wire.useMetadata.owner]: request.owner },
        )
      })

    return {
      provider: ProviderId.make(provider),
      capabilities,
      issue: () => Effect.fail(new Unsupported({ provider, operation: "issue" })),
      retrieve,
      list: () => Effect.fail(new Unsupported({ provider, operation: "list" })),
      revoke,
      use,
    }
  },
)

/** KOMOJU's customers as the port and under their own tag, over the `HttpClient` and `KomojuConfig` in context. */
export const layer: Layer.Layer<TokenGateway | KomojuCustomerGateway, never, KomojuConfig | HttpClient> =
  Layer.effectContext(
    Effect.map(make, (service) =>
      Context.make(KomojuCustomerGateway, service).pipe(Context.add(TokenGateway, service)),
    ),
  )
