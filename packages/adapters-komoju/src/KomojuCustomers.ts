/**
 * Converting a single-use KOMOJU token into a long-term customer (provider notes §5c), as one
 * step of the library: the token is spent (`POST /customers` with it, the `instrument` use of the
 * tokens' lifecycle) and the customer KOMOJU made is registered as a new, reusable token of the
 * same owner and account in the customers' lifecycle (`Policy.komojuCustomer`, over
 * `KomojuCustomerGateway`), where it pays, is revoked, and keeps its own history.
 *
 * Failure, step by step. The lifecycle records the token's use before KOMOJU hears of it, so the
 * token is spent exactly once whatever happens next. The conversion's reference is the use's
 * reference and KOMOJU's idempotency key: converting again with the same reference finds the
 * token spent by this very conversion and asks KOMOJU again under the same key, and KOMOJU
 * answers with the customer it made the first time (or the refusal it gave) instead of making
 * another. So when KOMOJU made the customer but its answer was lost, or registering it failed,
 * converting again recovers the same customer and registers it; registering one already held is
 * answered with the token that holds it. A resumed conversion asks KOMOJU whether the customer
 * still exists before registering it, so a customer deleted in the meantime does not come back.
 *
 * KOMOJU keeps an idempotency key for 24 hours (§6): a conversion resumed later than that cannot
 * learn the customer's id again (the token, spent, is refused).
 */

import type { HttpClient } from "@effect/platform/HttpClient"
import { type GatewayError, ProviderProtocolError } from "@token-lifecycle/domain/GatewayError"
import { TokenId, type TokenKey } from "@token-lifecycle/domain/Identifiers"
import type { Identity } from "@token-lifecycle/domain/Identity"
import { InvalidInput } from "@token-lifecycle/domain/InvalidInput"
import type { LifecycleError, TokenAlreadyUsed } from "@token-lifecycle/domain/LifecycleError"
import * as Policy from "@token-lifecycle/domain/Policy"
import type { Token, UseRecord } from "@token-lifecycle/domain/Token"
import { type CustomerDetails, TokenGateway, type UseRequest } from "@token-lifecycle/domain/TokenGateway"
import {
  make as makeLifecycle,
  type StoreError,
  TokenLifecycle,
  type TokenLifecycleService,
} from "@token-lifecycle/domain/TokenLifecycle"
import type { TokenRepository } from "@token-lifecycle/domain/TokenRepository"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import { provider } from "./internal/refusal.js"
import * as Wire from "./internal/wire.js"
import type { KomojuConfig } from "./KomojuConfig.js"
import {
  KomojuCustomerGateway,
  type KomojuCustomerGatewayService,
  make as makeCustomerGateway,
} from "./KomojuCustomerGateway.js"
import { KomojuGateway } from "./KomojuGateway.js"

export interface ConvertInput {
  /** Who converts the token: its owner. */
  readonly by: string
  /**
   * The conversion's reference: the token's use, and KOMOJU's idempotency key (1 to 100 visible
   * ASCII characters). Keep it: converting again with it resumes this conversion.
   */
  readonly reference: string
  /** Details KOMOJU keeps with the customer (its email). */
  readonly customer?: CustomerDetails
}

export interface Conversion {
  /** The single-use token, spent. */
  readonly token: Token
  /** The customer: a token of its own in the customers' lifecycle. */
  readonly customer: Token
}

export type ConvertError = InvalidInput | LifecycleError | GatewayError | StoreError

/** The two lifecycles a conversion joins. */
export interface Lifecycles {
  /** KOMOJU's single-use tokens (`Policy.komoju`, over `KomojuGateway`). */
  readonly tokens: TokenLifecycleService
  /** KOMOJU's customers (`Policy.komojuCustomer`, over `KomojuCustomerGateway`; see `customerLifecycle`). */
  readonly customers: TokenLifecycleService
}

export interface KomojuCustomersService {
  /** The customers' lifecycle: pay with a customer (`use`, operation `payment`), revoke it, read its history. */
  readonly customers: TokenLifecycleService
  /** Spend the token `key` on a customer and register the customer; resumes a conversion that failed. */
  readonly convert: (key: TokenKey, input: ConvertInput) => Effect.Effect<Conversion, ConvertError>
}

export class KomojuCustomers extends Context.Tag("@token-lifecycle/adapters-komoju/KomojuCustomers")<
  KomojuCustomers,
  KomojuCustomersService
>() {}

const lifecycleOver = (gateway: KomojuCustomerGatewayService) =>
  makeLifecycle({ policy: Policy.komojuCustomer }).pipe(Effect.provideService(TokenGateway, gateway))

/** The customers' lifecycle: `Policy.komojuCustomer` over the customer gateway, the repository and identity in context. */
export const customerLifecycle: Effect.Effect<
  TokenLifecycleService,
  never,
  KomojuCustomerGateway | TokenRepository | Identity
> = Effect.flatMap(KomojuCustomerGateway, lifecycleOver)

const noCustomerId = new ProviderProtocolError({ provider, message: "create customer: answered without a customer id" })

export const make = (
  lifecycles: Lifecycles,
): Effect.Effect<KomojuCustomersService, never, KomojuGateway | KomojuCustomerGateway> =>
  Effect.gen(function* () {
    const komoju = yield* KomojuGateway
    const customerGateway = yield* KomojuCustomerGateway
    const { tokens, customers } = lifecycles

    /** The use KOMOJU is asked for: the same, field for field, on every attempt of one conversion. */
    const useOf = (token: Token, use: UseRecord, input: ConvertInput): UseRequest | undefined =>
      token.tokenId === undefined
        ? undefined
        : {
            tokenId: token.tokenId,
            owner: use.by,
            type: use.for,
            operation: "instrument",
            reference: use.reference,
            ...(input.customer === undefined ? {} : { customer: input.customer }),
          }

    /**
     * The token was spent before: by this conversion (same owner, same reference), whose outcome
     * at KOMOJU is asked for again under the same key; by anything else, the refusal stands.
     */
    const resume = (key: TokenKey, input: ConvertInput, refusal: TokenAlreadyUsed) =>
      Effect.gen(function* () {
        const spent = yield* tokens.get(key)
        const last = spent.lastUse
        if (last === undefined || last.by !== input.by || last.reference !== input.reference) {
          return yield* Effect.fail(refusal)
        }
        const request = useOf(spent, last, input)
        if (request === undefined) return yield* Effect.fail(refusal)
        const receipt = yield* komoju.use(request)
        const customerId = receipt.providerReference
        if (customerId === undefined) return yield* noCustomerId
        // Deleted since it was made (and registered, and revoked): not to be registered again.
        yield* customerGateway.retrieve(TokenId.make(customerId), spent.owner)
        return { token: spent, customerId }
      })

    /** The customer as a token of the same owner and account; the one already held when it was registered before. */
    const register = (token: Token, customerId: string) =>
      customers
        .register({
          tokenId: customerId,
          account: token.account,
          owner: token.owner,
          type: token.type,
          ...(token.card === undefined ? {} : { card: token.card }),
        })
        .pipe(
          Effect.catchTag("LiveTokenConflict", (conflict) =>
            Effect.flatMap(customers.get(conflict.existing), (held) =>
              held.owner === token.owner && held.account === token.account
                ? Effect.succeed(held)
                : Effect.fail(conflict),
            ),
          ),
        )

    const convert = (key: TokenKey, input: ConvertInput): Effect.Effect<Conversion, ConvertError> =>
      Effect.gen(function* () {
        // Checked before the token is spent: KOMOJU would refuse the key, and the token would be gone for nothing.
        if (!Wire.idempotencyKeyPattern.test(input.reference)) {
          return yield* new InvalidInput({
            field: "reference",
            reason: "must be 1 to 100 visible ASCII characters: KOMOJU's idempotency key",
          })
        }
        const token = yield* tokens.get(key)
        const used = yield* Effect.either(
          tokens.use(key, {
            by: input.by,
            for: token.type,
            reference: input.reference,
            operation: "instrument",
            ...(input.customer === undefined ? {} : { customer: input.customer }),
          }),
        )
        const made = Either.isRight(used)
          ? { token: used.right.token, customerId: used.right.receipt?.providerReference }
          : used.left._tag === "TokenAlreadyUsed"
            ? yield* resume(key, input, used.left)
            : yield* Effect.fail(used.left)
        if (made.customerId === undefined) return yield* noCustomerId
        return { token: made.token, customer: yield* register(made.token, made.customerId) }
      })

    return { customers, convert }
  })

/**
 * The conversion over the tokens' lifecycle in context (`TokenLifecycle`, under `Policy.komoju`),
 * with the customer gateway and the customers' lifecycle built here, over the same KOMOJU
 * settings, HTTP client, repository and identity. The customer gateway stays inside: the
 * `TokenGateway` in context remains the tokens' one.
 */
export const layer: Layer.Layer<
  KomojuCustomers,
  never,
  TokenLifecycle | KomojuGateway | TokenRepository | Identity | KomojuConfig | HttpClient
> = Layer.effect(
  KomojuCustomers,
  Effect.gen(function* () {
    const tokens = yield* TokenLifecycle
    const gateway = yield* makeCustomerGateway
    const customers = yield* lifecycleOver(gateway)
    return yield* make({ tokens, customers }).pipe(Effect.provideService(KomojuCustomerGateway, gateway))
  }),
)
