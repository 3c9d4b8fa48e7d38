/**
 * KOMOJU customers against the testkit's KOMOJU simulator: a single-use token converted into a
 * customer (`KomojuCustomers.convert`), the customer paying through its own lifecycle, revoked,
 * refused to strangers; conversions retried under faults at KOMOJU and in the store, which never
 * make a second customer; and the customer gateway through the conformance suite, in process and
 * over loopback HTTP.
 */

import { describe, expect, it } from "@effect/vitest"
import { parseCard } from "@token-lifecycle/domain/Card"
import type { GatewayError } from "@token-lifecycle/domain/GatewayError"
import { ProviderProtocolError } from "@token-lifecycle/domain/GatewayError"
import { AccountRef, OwnerRef, TokenId, type TokenKey, UseReference } from "@token-lifecycle/domain/Identifiers"
import * as Policy from "@token-lifecycle/domain/Policy"
import type { IssueRequest } from "@token-lifecycle/domain/TokenGateway"
import * as TokenLifecycle from "@token-lifecycle/domain/TokenLifecycle"
import { TokenRepository, VersionConflict } from "@token-lifecycle/domain/TokenRepository"
import * as Conformance from "@token-lifecycle/testkit/Conformance"
import * as InMemoryTokenRepository from "@token-lifecycle/testkit/InMemoryTokenRepository"
import * as Runs from "@token-lifecycle/testkit/Runs"
import * as SequentialIdentity from "@token-lifecycle/testkit/SequentialIdentity"
import * as KomojuSimulator from "@token-lifecycle/testkit/simulators/komoju/KomojuSimulator"
import * as Faults from "@token-lifecycle/testkit/simulators/shared/Faults"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import * as fc from "fast-check"
import * as KomojuCustomerGateway from "../src/KomojuCustomerGateway.js"
import * as KomojuCustomers from "../src/KomojuCustomers.js"
import * as KomojuGateway from "../src/KomojuGateway.js"
import * as KomojuTransports from "./KomojuTransports.js"

const merchant = {
  id: "merchant-customers",
  secretKey: Redacted.make("sk_test_customers_5d81f0"),
  publishableKey: Redacted.make("pk_test_customers_0c3e92"),
  webhookSecret: Redacted.make("customers-webhook-secret"),
}
const keys = { secretKey: merchant.secretKey, publishableKey: merchant.publishableKey }
const simulatorOptions: KomojuSimulator.KomojuSimulatorOptions = { merchants: [merchant], seed: "customers" }

const start = Date.UTC(2026, 2, 1, 9)
const owner = "customer-1"
const stranger = "customer-2"
const pan = "4111111111111111"
const cvv = "123"
const card = { number: pan, cvv, expiry: { month: 12, year: 2030 }, holderName: "TARO YAMADA" }
const jpy = (amount: number) => ({ amount, currency: "JPY" })

// ---------------------------------------------------------------------------
// Wiring: the tokens' lifecycle over KomojuGateway, the conversion and the customers' lifecycle
// over KomojuCustomers.layer, one repository and identity, KOMOJU simulated.
// ---------------------------------------------------------------------------

/** How many more writes of a customer token lose the race, to make registering a customer fail. */
class StoreFailures extends Context.Tag("test/StoreFailures")<StoreFailures, Ref.Ref<number>>() {}

/** A store whose writes of customer tokens lose the race `failures` times: registering a customer fails until then. */
const flakyRepository = (failures: Ref.Ref<number>) =>
  Layer.effect(
    TokenRepository,
    Effect.map(InMemoryTokenRepository.make, (store) => ({
      ...store,
      append: (request) =>
        Effect.flatMap(
          Ref.modify(failures, (left) =>
            request.state.policy.name === Policy.komojuCustomer.name && left > 0
              ? ([true, left - 1] as const)
              : ([false, left] as const),
          ),
          (fail) =>
            fail
              ? Effect.fail(
                  new VersionConflict({
                    key: request.key,
                    expectedVersion: request.expectedVersion,
                    actualVersion: request.expectedVersion + 1,
                  }),
                )
              : store.append(request),
        ),
    })),
  )

const conversion = <Out, E, R>(transport: Layer.Layer<Out, E, R>) =>
  Layer.unwrapEffect(
    Effect.map(Ref.make(0), (storeFailures) =>
      KomojuCustomers.layer.pipe(
        Layer.provideMerge(TokenLifecycle.layer({ policy: Policy.komoju })),
        Layer.provideMerge(KomojuGateway.layer),
        Layer.provideMerge(
          Layer.mergeAll(
            flakyRepository(storeFailures),
            SequentialIdentity.layer(),
            Layer.succeed(StoreFailures, storeFailures),
          ),
        ),
        Layer.provideMerge(transport),
      ),
    ),
  )

const inProcess = conversion(KomojuTransports.inProcess({ ...keys, timeout: "2 seconds" }, simulatorOptions))
const overLoopback = conversion(KomojuTransports.overLoopback(keys, simulatorOptions))

// ---------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------

const services = Effect.all({
  tokens: TokenLifecycle.TokenLifecycle,
  conversions: KomojuCustomers.KomojuCustomers,
  komoju: KomojuSimulator.KomojuSimulator,
  repository: TokenRepository,
})

/** At `start`: the services, and a fresh KOMOJU token for `owner` issued through the tokens' lifecycle. */
const withToken = Effect.gen(function* () {
  yield* TestClock.setTime(start)
  const found = yield* services
  const token = yield* found.tokens.issue({ account: merchant.id, owner, type: "card", card })
  return { ...found, token }
})

/** Run `effect` while moving the test clock, so retries' pauses and slow answers pass. */
const withClockRunning = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    for (let step = 0; step < 600 && Option.isNone(yield* Fiber.poll(fiber)); step++) {
      yield* TestClock.adjust("1 second")
    }
    return yield* Fiber.join(fiber)
  })

const tagsOf = (lifecycle: TokenLifecycle.TokenLifecycleService, key: TokenKey) =>
  Effect.map(lifecycle.history(key), (history) => history.map(({ event }) => event._tag))

/** KOMOJU's requests to `endpoint` so far. */
const requestsTo = (endpoint: string) =>
  Effect.flatMap(KomojuSimulator.KomojuSimulator, (komoju) =>
    Effect.map(komoju.requests, (requests) => requests.filter((request) => request.endpoint === endpoint)),
  )

const showsCardData = (value: unknown) => {
  const text = JSON.stringify(value) ?? ""
  return text.includes(pan) || text.includes(`"${cvv}"`)
}

// ---------------------------------------------------------------------------
// The conversion
// ---------------------------------------------------------------------------

describe("KomojuCustomers.convert against the KOMOJU simulator", () => {
  it.effect(
    "spends the token once and registers the customer for its owner and account, which then pays again and again",
    () =>
      Effect.gen(function* () {
        const { tokens, conversions, komoju, token } = yield* withToken
        const converted = yield* conversions.convert(token.key, {
          by: owner,
          reference: "convert-1",
          customer: { email: "taro@example.com" },
        })

        expect(converted.token).toMatchObject({ key: token.key, _tag: "Used", uses: 1 })
        expect(yield* tagsOf(tokens, token.key)).toEqual(["TokenRequested", "TokenIssued", "TokenUsed"])
        const [made, ...others] = yield* komoju.customers
        expect(others).toEqual([])
        expect(made).toMatchObject({ token: token.tokenId, email: "taro@example.com", idempotencyKey: "convert-1" })
        expect(converted.customer).toMatchObject({
          _tag: "Active",
          tokenId: made?.id,
          owner,
          account: merchant.id,
          type: "card",
          policy: Policy.komojuCustomer,
          card: token.card,
          uses: 0,
        })
        expect(converted.customer).not.toHaveProperty("expiresAt")
        expect(converted.customer.key).not.toBe(token.key)

        for (const [i, amount] of [1200, 800, 4500].entries()) {
          const paid = yield* conversions.customers.use(converted.customer.key, {
            by: owner,
            for: "card",
            operation: "payment",
            reference: `order-${i + 1}`,
            amount: jpy(amount),
          })
          expect(paid.receipt).toMatchObject({ reference: `order-${i + 1}`, status: "succeeded" })
        }
        const payments = yield* komoju.payments
        expect(payments.map((payment) => [payment.customer, payment.token, payment.amount, payment.status])).toEqual([
          [made?.id, undefined, 1200, "captured"],
          [made?.id, undefined, 800, "captured"],
          [made?.id, undefined, 4500, "captured"],
        ])
        // Named as a customer, never as a token: a webhook of these payments is no token's use.
        for (const payment of payments) {
          expect(payment.metadata).toEqual({ token_lifecycle_customer: made?.id, token_lifecycle_owner: owner })
        }
        const customer = yield* conversions.customers.get(converted.customer.key)
        expect(customer).toMatchObject({ _tag: "Active", uses: 3, lastUse: { reference: "order-3" } })
        expect(yield* tagsOf(conversions.customers, customer.key)).toEqual([
          "TokenIssued",
          "TokenUsed",
          "TokenUsed",
          "TokenUsed",
        ])
        const histories = [yield* tokens.history(token.key), yield* conversions.customers.history(customer.key)]
        expect(showsCardData([converted, customer, histories, yield* komoju.customers])).toBe(false)
      }).pipe(Effect.provide(inProcess)),
  )

  it.effect("converting again after it succeeded answers the same customer, and KOMOJU makes no other", () =>
    Effect.gen(function* () {
      const { conversions, komoju, token } = yield* withToken
      const first = yield* conversions.convert(token.key, { by: owner, reference: "convert-2" })
      const again = yield* conversions.convert(token.key, { by: owner, reference: "convert-2" })
      expect(again.customer).toEqual(first.customer)
      expect(again.token).toEqual(first.token)
      expect(yield* komoju.customers).toHaveLength(1)
      expect(yield* tagsOf(conversions.customers, first.customer.key)).toEqual(["TokenIssued"])
      // The repeat was KOMOJU's replay of the first answer, not a second customer.
      expect((yield* requestsTo("createCustomer")).map((request) => request.idempotency)).toEqual(["fresh", "replayed"])
    }).pipe(Effect.provide(inProcess)),
  )

  it.effect("the same conversion run several times at once makes one customer, registered once, for all of them", () =>
    Effect.gen(function* () {
      const { conversions, komoju, token } = yield* withToken
      const runs = yield* withClockRunning(
        Effect.all(
          Array.from({ length: 4 }, () => conversions.convert(token.key, { by: owner, reference: "convert-race" })),
          { concurrency: "unbounded" },
        ),
      )
      const [made, ...others] = yield* komoju.customers
      expect(others).toEqual([])
      expect(new Set(runs.map((run) => run.customer.key)).size).toBe(1)
      expect(runs.map((run) => run.customer.tokenId)).toEqual(runs.map(() => made?.id))
      expect(yield* tagsOf(conversions.customers, runs[0]?.customer.key as TokenKey)).toEqual(["TokenIssued"])
      // One run made the customer; the others, finding the token spent by this conversion, had KOMOJU replay it.
      const creations = (yield* requestsTo("createCustomer")).map((request) => request.idempotency)
      expect(creations.filter((outcome) => outcome === "fresh")).toEqual(["fresh"])
      expect(creations.filter((outcome) => outcome === "replayed")).toHaveLength(3)
    }).pipe(Effect.provide(inProcess)),
  )

  it.effect("a revoked customer is deleted at KOMOJU and refuses every use; converting again does not revive it", () =>
    Effect.gen(function* () {
      const { conversions, komoju, repository, token } = yield* withToken
      const { customer } = yield* conversions.convert(token.key, { by: owner, reference: "convert-3" })
      const revoked = yield* conversions.customers.revoke(customer.key)
      expect(revoked).toMatchObject({ _tag: "Revoked", ending: { cause: "revoked-by-merchant" } })
      expect((yield* komoju.customers)[0]?.deletedAt).toBe(start)

      const use = conversions.customers.use(customer.key, {
        by: owner,
        for: "card",
        operation: "payment",
        reference: "order-after",
        amount: jpy(1000),
      })
      expect(yield* Effect.flip(use)).toMatchObject({ _tag: "TokenRevoked" })
      expect(yield* requestsTo("createPayment")).toEqual([])

      const resumed = yield* Effect.flip(conversions.convert(token.key, { by: owner, reference: "convert-3" }))
      expect(resumed).toMatchObject({ _tag: "ProviderNotFound" })
      const held = yield* repository.findByTokenId(Policy.komojuCustomer.provider, TokenId.make(customer.tokenId ?? ""))
      expect(Option.map(held, (stored) => [stored.state.key, stored.state._tag])).toEqual(
        Option.some([customer.key, "Revoked"]),
      )
      expect(yield* komoju.customers).toHaveLength(1)
    }).pipe(Effect.provide(inProcess)),
  )

  it.effect("another owner can neither convert the token nor pay with its customer, and changes nothing", () =>
    Effect.gen(function* () {
      const { tokens, conversions, komoju, token } = yield* withToken
      const refused = yield* Effect.flip(conversions.convert(token.key, { by: stranger, reference: "convert-4" }))
      expect(refused).toMatchObject({ _tag: "WrongOwner" })
      expect(yield* tokens.get(token.key)).toEqual(token)
      expect(yield* komoju.customers).toEqual([])

      const { customer } = yield* conversions.convert(token.key, { by: owner, reference: "convert-4" })
      // The stranger repeating the owner's conversion learns only that the token is spent, and asks KOMOJU nothing.
      const repeated = yield* Effect.flip(conversions.convert(token.key, { by: stranger, reference: "convert-4" }))
      expect(repeated).toMatchObject({ _tag: "TokenAlreadyUsed" })
      const paid = yield* Effect.flip(
        conversions.customers.use(customer.key, {
          by: stranger,
          for: "card",
          operation: "payment",
          reference: "order-stranger",
          amount: jpy(1000),
        }),
      )
      expect(paid).toMatchObject({ _tag: "WrongOwner" })
      expect(yield* requestsTo("createCustomer")).toHaveLength(1)
      expect(yield* requestsTo("createPayment")).toEqual([])
      expect(yield* conversions.customers.get(customer.key)).toEqual(customer)
    }).pipe(Effect.provide(inProcess)),
  )

  it.effect("a token spent on a payment is not converted, and KOMOJU is not asked", () =>
    Effect.gen(function* () {
      const { tokens, conversions, token } = yield* withToken
      yield* tokens.use(token.key, {
        by: owner,
        for: "card",
        operation: "payment",
        reference: "order-5",
        amount: jpy(500),
      })
      const refused = yield* Effect.flip(conversions.convert(token.key, { by: owner, reference: "convert-5" }))
      expect(refused).toMatchObject({ _tag: "TokenAlreadyUsed" })
      expect(yield* requestsTo("createCustomer")).toEqual([])
    }).pipe(Effect.provide(inProcess)),
  )

  it.effect("a reference KOMOJU would refuse as its idempotency key is refused before the token is spent", () =>
    Effect.gen(function* () {
      const { tokens, conversions, komoju, token } = yield* withToken
      for (const reference of ["", "two words", "x".repeat(101), "日本"]) {
        const refused = yield* Effect.flip(conversions.convert(token.key, { by: owner, reference }))
        expect(refused).toMatchObject({ _tag: "InvalidInput", field: "reference" })
      }
      expect(yield* tokens.get(token.key)).toEqual(token)
      expect((yield* komoju.requests).map((request) => request.endpoint)).toEqual(["createToken"])
    }).pipe(Effect.provide(inProcess)),
  )

  it.effect("over loopback HTTP: converted once, the customer pays, is revoked and refused", () =>
    Effect.gen(function* () {
      const { conversions, komoju, token } = yield* withToken
      const { customer } = yield* conversions.convert(token.key, { by: owner, reference: "convert-loopback" })
      const paid = yield* conversions.customers.use(customer.key, {
        by: owner,
        for: "card",
        operation: "payment",
        reference: "order-loopback",
        amount: jpy(2500),
      })
      expect(paid.receipt?.status).toBe("succeeded")
      yield* conversions.customers.revoke(customer.key)
      const [made] = yield* komoju.customers
      expect(made).toMatchObject({ id: customer.tokenId, token: token.tokenId })
      expect(made?.deletedAt).toBeDefined()
      expect((yield* komoju.payments).map((payment) => payment.customer)).toEqual([customer.tokenId])
    }).pipe(Effect.provide(overLoopback)),
  )
})

// ---------------------------------------------------------------------------
// Under faults
// ---------------------------------------------------------------------------

describe("KomojuCustomers.convert under faults: a retried conversion never makes a second customer", () => {
  it.effect("KOMOJU made the customer but every answer was lost: converting again recovers that customer", () =>
    Effect.gen(function* () {
      const { tokens, conversions, komoju, repository, token } = yield* withToken
      // The first attempt and each of the transport's retries reach KOMOJU, and the answer never comes back.
      yield* komoju.injectFault(Faults.drop({ afterProcessing: true }), { endpoint: "createCustomer", times: 4 })
      const lost = yield* Effect.flip(
        withClockRunning(conversions.convert(token.key, { by: owner, reference: "convert-lost" })),
      )
      expect(lost).toMatchObject({ _tag: "ProviderTimeout" })
      expect(yield* tokens.get(token.key)).toMatchObject({ _tag: "Used", uses: 1 })
      const [made] = yield* komoju.customers
      expect(made).toBeDefined()
      const registered = yield* repository.findByTokenId(
        Policy.komojuCustomer.provider,
        TokenId.make(made?.id ?? "none"),
      )
      expect(Option.isNone(registered)).toBe(true)

      const resumed = yield* conversions.convert(token.key, { by: owner, reference: "convert-lost" })
      expect(resumed.customer).toMatchObject({ _tag: "Active", tokenId: made?.id, owner })
      expect(yield* komoju.customers).toHaveLength(1)
      expect(yield* tagsOf(tokens, token.key)).toEqual(["TokenRequested", "TokenIssued", "TokenUsed"])
    }).pipe(Effect.provide(inProcess)),
  )

  it.effect("registering the customer failed: converting again registers that same customer, once", () =>
    Effect.gen(function* () {
      const { conversions, komoju, token } = yield* withToken
      // Every attempt the lifecycle makes to write the customer loses the race.
      yield* Ref.set(yield* StoreFailures, 8)
      const failed = yield* Effect.flip(conversions.convert(token.key, { by: owner, reference: "convert-store" }))
      expect(failed).toMatchObject({ _tag: "VersionConflict" })
      expect(yield* komoju.customers).toHaveLength(1)

      const resumed = yield* conversions.convert(token.key, { by: owner, reference: "convert-store" })
      expect(resumed.customer).toMatchObject({ _tag: "Active", tokenId: (yield* komoju.customers)[0]?.id })
      expect(yield* komoju.customers).toHaveLength(1)
      expect(yield* tagsOf(conversions.customers, resumed.customer.key)).toEqual(["TokenIssued"])
    }).pipe(Effect.provide(inProcess)),
  )

  const fault: fc.Arbitrary<Faults.Fault> = fc.oneof(
    fc.constant(Faults.serverError(500)),
    fc.constant(Faults.serverError(503)),
    fc.boolean().map((afterProcessing) => Faults.drop({ afterProcessing })),
    fc.constant(Faults.slow("3 seconds")),
  )
  interface FaultPlan {
    /** Faults on creating the customer, each for that many requests in a row. */
    readonly create: ReadonlyArray<readonly [Faults.Fault, number]>
    /** Faults on reading it back, when a conversion resumes. */
    readonly show: ReadonlyArray<readonly [Faults.Fault, number]>
    /** Lost races writing the customer token. */
    readonly store: number
  }
  const faultPlan: fc.Arbitrary<FaultPlan> = fc.record({
    create: fc.array(fc.tuple(fault, fc.integer({ min: 1, max: 4 })), { maxLength: 3 }),
    show: fc.array(fc.tuple(fault, fc.integer({ min: 1, max: 4 })), { maxLength: 2 }),
    store: fc.integer({ min: 0, max: 20 }),
  })

  /** Each run is a whole conversion against a fresh simulator: a fifth of the configured runs, as for the model tests. */
  const faultRuns = { ...Runs.parameters(), numRuns: Math.max(1, Math.ceil(Runs.numRuns() / 5)) }

  const convertUntilDone = (plan: FaultPlan) =>
    Effect.gen(function* () {
      const { tokens, conversions, komoju, token } = yield* withToken
      for (const [injected, times] of plan.create) {
        yield* komoju.injectFault(injected, { endpoint: "createCustomer", times })
      }
      for (const [injected, times] of plan.show) {
        yield* komoju.injectFault(injected, { endpoint: "showCustomer", times })
      }
      yield* Ref.set(yield* StoreFailures, plan.store)

      const failures: Array<string> = []
      let converted: KomojuCustomers.Conversion | undefined
      while (converted === undefined) {
        expect(failures.length, `failed attempts: ${failures.join(", ")}`).toBeLessThan(20)
        const outcome = yield* Effect.either(
          withClockRunning(conversions.convert(token.key, { by: owner, reference: "convert-faults" })),
        )
        if (outcome._tag === "Right") converted = outcome.right
        else failures.push(outcome.left._tag)
      }

      const made = yield* komoju.customers
      expect(made.map((customer) => customer.token)).toEqual([token.tokenId])
      expect(converted.customer).toMatchObject({ _tag: "Active", tokenId: made[0]?.id, owner })
      expect(yield* tagsOf(tokens, token.key)).toEqual(["TokenRequested", "TokenIssued", "TokenUsed"])
      expect(yield* tagsOf(conversions.customers, converted.customer.key)).toEqual(["TokenIssued"])
      // Registered once: converting again, faults over, answers the same token.
      yield* komoju.clearFaults
      const again = yield* conversions.convert(token.key, { by: owner, reference: "convert-faults" })
      expect(again.customer.key).toBe(converted.customer.key)
    }).pipe(Effect.provide(inProcess), Effect.provide(TestContext.TestContext))

  it(
    "whatever faults hit KOMOJU and the store, converting until it succeeds spends the token once and makes and registers one customer",
    () =>
      fc.assert(
        fc.asyncProperty(faultPlan, (plan) => Effect.runPromise(convertUntilDone(plan))),
        faultRuns,
      ),
    30_000 + faultRuns.numRuns * 500,
  )
})

// ---------------------------------------------------------------------------
// The customer gateway through the conformance suite
// ---------------------------------------------------------------------------

/** A customer as the suite needs one: a fresh KOMOJU token for the card, converted through the simulator. */
const createCustomer = (request: IssueRequest): Effect.Effect<TokenId, GatewayError, KomojuGateway.KomojuGateway> =>
  Effect.gen(function* () {
    const komoju = yield* KomojuGateway.KomojuGateway
    const issued = yield* komoju.issue(request)
    if (issued._tag !== "Issued") {
      return yield* new ProviderProtocolError({ provider: "komoju", message: "the token was not issued at once" })
    }
    const receipt = yield* komoju.use({
      tokenId: issued.tokenId,
      owner: request.owner,
      type: request.type,
      operation: "instrument",
      reference: UseReference.make(`customer-${request.idempotencyKey}`),
    })
    return TokenId.make(receipt.providerReference ?? "")
  })

/** The customer gateway as the port, and the token gateway under its own tag only, to make customers with. */
const gateways = Layer.mergeAll(
  KomojuCustomerGateway.layer,
  Layer.effect(KomojuGateway.KomojuGateway, KomojuGateway.make),
)

const gatewaysInProcess = (settings: KomojuTransports.Settings = keys) =>
  gateways.pipe(Layer.provideMerge(KomojuTransports.inProcess(settings, simulatorOptions)))

const customerRequest = (customerId: TokenId, reference: string, amount = 1500) => ({
  tokenId: customerId,
  owner: OwnerRef.make(owner),
  type: "card" as const,
  operation: "payment" as const,
  reference: UseReference.make(reference),
  amount: jpy(amount),
})

describe("KomojuCustomerGateway against the KOMOJU simulator", () => {
  const aCustomer = Effect.gen(function* () {
    yield* TestClock.setTime(start)
    return yield* createCustomer({
      account: AccountRef.make(merchant.id),
      owner: OwnerRef.make(owner),
      type: "card",
      card: Either.getOrThrow(parseCard(card)),
      idempotencyKey: "token-1",
    })
  })

  it.effect(
    "pays with customer instead of payment_details, under the use's reference, and reads and deletes by path",
    () =>
      Effect.gen(function* () {
        const customerId = yield* aCustomer
        const gateway = yield* KomojuCustomerGateway.KomojuCustomerGateway
        const komoju = yield* KomojuSimulator.KomojuSimulator
        const receipt = yield* gateway.use(customerRequest(customerId, "order-7"))
        const [payment] = yield* komoju.payments
        expect(receipt).toEqual({ reference: "order-7", providerReference: payment?.id, status: "succeeded" })
        const snapshot = yield* gateway.retrieve(customerId, OwnerRef.make(owner))
        expect(snapshot).toEqual({ tokenId: customerId, status: "active", issuedAt: start })
        yield* gateway.revoke(customerId, OwnerRef.make(owner))

        const sent = (yield* komoju.requests).filter((request) => request.endpoint !== "createToken")
        expect(
          sent.map(({ method, path, keyKind, idempotencyKey, body }) => ({
            method,
            path,
            keyKind,
            idempotencyKey,
            body,
          })),
        ).toEqual([
          {
            method: "POST",
            path: "/api/v1/customers",
            keyKind: "secret",
            idempotencyKey: "customer-token-1",
            body: expect.objectContaining({ payment_details: expect.stringMatching(/^tok_/) }),
          },
          {
            method: "POST",
            path: "/api/v1/payments",
            keyKind: "secret",
            idempotencyKey: "order-7",
            body: {
              amount: 1500,
              currency: "JPY",
              customer: customerId,
              external_order_num: "order-7",
              capture: true,
              metadata: { token_lifecycle_customer: customerId, token_lifecycle_owner: owner },
            },
          },
          {
            method: "GET",
            path: `/api/v1/customers/${customerId}`,
            idempotencyKey: undefined,
            keyKind: "secret",
            body: expect.anything(),
          },
          {
            method: "DELETE",
            path: `/api/v1/customers/${customerId}`,
            idempotencyKey: undefined,
            keyKind: "secret",
            body: expect.anything(),
          },
        ])
      }).pipe(Effect.provide(gatewaysInProcess())),
  )

  it.effect("refuses before sending what KOMOJU would refuse, and what it cannot do with a customer", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const gateway = yield* KomojuCustomerGateway.KomojuCustomerGateway
      const komoju = yield* KomojuSimulator.KomojuSimulator
      const who = OwnerRef.make(owner)
      for (const raw of ["../payments", "..", "cus 1", "cus?x=1", "cus/1", "cus%2F1"]) {
        const customerId = TokenId.make(raw)
        for (const attempt of [
          gateway.use(customerRequest(customerId, "order-1")),
          gateway.retrieve(customerId, who),
          gateway.revoke(customerId, who),
        ]) {
          expect(yield* Effect.flip(attempt)).toMatchObject({
            _tag: "ProviderValidationError",
            fields: [{ field: "customer" }],
          })
        }
      }
      const customerId = TokenId.make("cus1")
      expect(yield* Effect.flip(gateway.use(customerRequest(customerId, "two words")))).toMatchObject({
        fields: [{ field: "reference" }],
      })
      const { amount: _, ...withoutAmount } = customerRequest(customerId, "order-2")
      expect(yield* Effect.flip(gateway.use(withoutAmount))).toMatchObject({ fields: [{ field: "amount" }] })
      for (const operation of ["instrument", "payout", "verification"] as const) {
        expect(yield* Effect.flip(gateway.use({ ...customerRequest(customerId, "order-3"), operation }))).toMatchObject(
          { _tag: "Unsupported", provider: "komoju" },
        )
      }
      expect(yield* komoju.requests).toEqual([])
    }).pipe(Effect.provide(gatewaysInProcess())),
  )

  it.effect("a customer KOMOJU does not hold: not found to read or delete, refused to pay with", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const gateway = yield* KomojuCustomerGateway.KomojuCustomerGateway
      const unknown = TokenId.make("cusnosuchcustomer")
      const who = OwnerRef.make(owner)
      expect(yield* Effect.flip(gateway.retrieve(unknown, who))).toMatchObject({ _tag: "ProviderNotFound" })
      expect(yield* Effect.flip(gateway.revoke(unknown, who))).toMatchObject({ _tag: "ProviderNotFound" })
      expect(yield* Effect.flip(gateway.use(customerRequest(unknown, "order-4")))).toMatchObject({
        _tag: "ProviderValidationError",
        fields: [{ field: "customer" }],
      })
    }).pipe(Effect.provide(gatewaysInProcess())),
  )

  it.effect("a payment whose answer was lost is sent again under the same key, and made once", () =>
    Effect.gen(function* () {
      const customerId = yield* aCustomer
      const gateway = yield* KomojuCustomerGateway.KomojuCustomerGateway
      const komoju = yield* KomojuSimulator.KomojuSimulator
      yield* komoju.injectFault(Faults.drop({ afterProcessing: true }), { endpoint: "createPayment", times: 2 })
      const receipt = yield* withClockRunning(gateway.use(customerRequest(customerId, "order-5")))
      const payments = yield* komoju.payments
      expect(payments).toHaveLength(1)
      expect(receipt.providerReference).toBe(payments[0]?.id)
      const sent = (yield* komoju.requests).filter((request) => request.endpoint === "createPayment")
      expect(sent.map((request) => [request.idempotencyKey, request.idempotency])).toEqual([
        ["order-5", "fresh"],
        ["order-5", "replayed"],
        ["order-5", "replayed"],
      ])
    }).pipe(Effect.provide(gatewaysInProcess())),
  )

  it.effect("a key KOMOJU does not know is unauthorized, and no refusal shows the key", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const gateway = yield* KomojuCustomerGateway.KomojuCustomerGateway
      const refusals = [
        yield* Effect.flip(gateway.retrieve(TokenId.make("cus1"), OwnerRef.make(owner))),
        yield* Effect.flip(gateway.use(customerRequest(TokenId.make("cus1"), "order-6"))),
      ]
      for (const refusal of refusals) {
        expect(refusal).toMatchObject({ _tag: "ProviderUnauthorized" })
        const shown = [JSON.stringify(refusal), String(refusal), refusal.message, Inspectable.format(refusal)]
        for (const text of shown) expect(text).not.toContain("sk_test_not_komojus_2b71")
      }
    }).pipe(Effect.provide(gatewaysInProcess({ secretKey: Redacted.make("sk_test_not_komojus_2b71") }))),
  )
})

const fixture: Conformance.Fixture = {
  account: merchant.id,
  owner,
  otherOwner: stranger,
  type: "card",
  cards: [
    { number: "4111111111111111", cvv: "123", expiry: { month: 12, year: 2030 }, holderName: "TARO YAMADA" },
    { number: "5555555555554444", cvv: "456", expiry: { month: 6, year: 2031 }, holderName: "HANAKO SUZUKI" },
  ],
  operation: "payment",
  amount: jpy(2500),
}

Conformance.suite("KomojuCustomerGateway over the KOMOJU simulator, in process", {
  gateway: gatewaysInProcess(),
  policy: Policy.komojuCustomer,
  fixture,
  createToken: createCustomer,
  // A customer belongs to the merchant account: the lifecycle's owner check is what guards it.
  ownerBound: false,
  // A deleted customer is gone: KOMOJU answers 404 for it.
  revokedIsForgotten: true,
})

Conformance.suite("KomojuCustomerGateway over the KOMOJU simulator, on loopback HTTP", {
  gateway: gateways.pipe(Layer.provide(KomojuTransports.overLoopback(keys, simulatorOptions))),
  policy: Policy.komojuCustomer,
  fixture,
  createToken: createCustomer,
  ownerBound: false,
  revokedIsForgotten: true,
  timeout: 20_000,
})
