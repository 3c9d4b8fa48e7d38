/**
 * The lifecycle service over its ports: what is recorded, in which order, and what never
 * reaches the provider.
 */
import { describe, expect, it } from "@effect/vitest"
import { ProviderUnavailable } from "@token-lifecycle/domain/GatewayError"
import * as Policy from "@token-lifecycle/domain/Policy"
import { TokenGateway, type TokenGatewayService } from "@token-lifecycle/domain/TokenGateway"
import { layer as lifecycleLayer, TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import { TokenRepository } from "@token-lifecycle/domain/TokenRepository"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as InMemoryTokenRepository from "../src/InMemoryTokenRepository.js"
import * as ReferenceGateway from "../src/ReferenceGateway.js"
import * as SequentialIdentity from "../src/SequentialIdentity.js"

type Operation = "issue" | "retrieve" | "list" | "revoke" | "use"

/** Every call that reached the provider, and which operations are made to fail. */
class GatewayCalls extends Context.Tag("test/GatewayCalls")<
  GatewayCalls,
  { readonly made: Ref.Ref<ReadonlyArray<Operation>>; readonly failing: Ref.Ref<ReadonlySet<Operation>> }
>() {}

const spiedReferenceGateway = (policy: Policy.LifecyclePolicy) =>
  Layer.effectContext(
    Effect.gen(function* () {
      const { gateway: inner, control } = yield* ReferenceGateway.make(policy)
      const made = yield* Ref.make<ReadonlyArray<Operation>>([])
      const failing = yield* Ref.make<ReadonlySet<Operation>>(new Set())
      const spy = <A, E>(operation: Operation, call: Effect.Effect<A, E>): Effect.Effect<A, E | ProviderUnavailable> =>
        Effect.gen(function* () {
          yield* Ref.update(made, (all) => [...all, operation])
          if ((yield* Ref.get(failing)).has(operation)) {
            return yield* new ProviderUnavailable({ provider: String(policy.provider), status: 503, message: "down" })
          }
          return yield* call
        })
      const gateway: TokenGatewayService = {
        ...inner,
        issue: (request) => spy("issue", inner.issue(request)),
        retrieve: (id, owner) => spy("retrieve", inner.retrieve(id, owner)),
        list: (page) => spy("list", inner.list(page)),
        revoke: (id, owner) => spy("revoke", inner.revoke(id, owner)),
        use: (request) => spy("use", inner.use(request)),
      }
      return Context.make(TokenGateway, gateway).pipe(
        Context.add(GatewayCalls, { made, failing }),
        Context.add(ReferenceGateway.ReferenceGatewayControl, control),
      )
    }),
  )

const harness = (policy: Policy.LifecyclePolicy) =>
  lifecycleLayer({ policy }).pipe(
    Layer.provideMerge(
      Layer.mergeAll(spiedReferenceGateway(policy), InMemoryTokenRepository.layer, SequentialIdentity.layer()),
    ),
  )

const start = Date.UTC(2026, 5, 1, 9, 0, 0)
const card = { number: "4111 1111 1111 1111", cvv: "123", expiry: { month: 12, year: 2030 }, holderName: "Jane Roe" }
const alice = { account: "acct_1", owner: "cus_alice", type: "card" as const }

const callsMade = Effect.flatMap(GatewayCalls, ({ made }) => Ref.get(made))
const historyTags = (key: Parameters<TokenLifecycle["Type"]["history"]>[0]) =>
  Effect.map(
    Effect.flatMap(TokenLifecycle, (lifecycle) => lifecycle.history(key)),
    (events) => events.map(({ event }) => event._tag),
  )

describe("bad input", () => {
  it.effect("is refused with a typed error before anything is written or sent", () =>
    Effect.gen(function* () {
      const lifecycle = yield* TokenLifecycle
      const refused = yield* Effect.flip(
        lifecycle.issue({ ...alice, card: { ...card, number: "4111 1111 1111 1112" } }),
      )
      expect(refused).toMatchObject({ _tag: "InvalidInput", field: "card.number" })
      const blankOwner = yield* Effect.flip(lifecycle.issue({ ...alice, owner: "  ", card }))
      expect(blankOwner).toMatchObject({ _tag: "InvalidInput", field: "owner" })
      const cardOnBank = yield* Effect.flip(lifecycle.issue({ ...alice, type: "bank", card }))
      expect(cardOnBank).toMatchObject({ _tag: "InvalidInput", field: "card" })
      expect(yield* callsMade).toEqual([])
      const repository = yield* TokenRepository
      expect(yield* repository.due(Number.MAX_SAFE_INTEGER)).toEqual([])
      expect(yield* repository.history(SequentialKey(1))).toEqual([])
    }).pipe(Effect.provide(harness(Policy.rebilly))),
  )
})

const SequentialKey = (n: number) => `key-${n}` as Parameters<TokenLifecycle["Type"]["history"]>[0]

describe("issuing", () => {
  it.effect("synchronously: requested, then issued with the policy's lifetime", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const lifecycle = yield* TokenLifecycle
      const token = yield* lifecycle.issue({ ...alice, card })
      expect(token).toMatchObject({ _tag: "Active", owner: "cus_alice", expiresAt: start + 30 * 60_000 })
      expect(token.card?.masked).toEqual({ bin: "411111", last4: "1111", length: 16, brand: "visa" })
      expect(yield* historyTags(token.key)).toEqual(["TokenRequested", "TokenIssued"])
    }).pipe(Effect.provide(harness(Policy.rebilly))),
  )

  it.effect("asynchronously: pending until the provider's callback, which applies once however often it comes", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const lifecycle = yield* TokenLifecycle
      const control = yield* ReferenceGateway.ReferenceGatewayControl
      const pending = yield* lifecycle.issue({ ...alice, card })
      expect(pending).toMatchObject({ _tag: "Pending", requestRef: "req_1" })
      const deliveries = yield* control.drain
      const [delivery] = deliveries
      if (deliveries.length !== 1 || delivery === undefined) return expect.fail("expected one delivery")
      const first = yield* lifecycle.applyProviderEvent(delivery)
      expect(first).toMatchObject({ _tag: "Applied", token: { _tag: "Active", key: pending.key } })
      expect(yield* lifecycle.applyProviderEvent(delivery)).toEqual({ _tag: "Ignored", reason: "duplicate" })
      expect(yield* historyTags(pending.key)).toEqual(["TokenRequested", "TokenRequestAcknowledged", "TokenIssued"])
    }).pipe(Effect.provide(harness(Policy.gate))),
  )

  it.effect("a provider failure leaves the token failed on record and returns the typed error", () =>
    Effect.gen(function* () {
      const { failing } = yield* GatewayCalls
      yield* Ref.set(failing, new Set<Operation>(["issue"]))
      const lifecycle = yield* TokenLifecycle
      const error = yield* Effect.flip(lifecycle.issue({ ...alice, card }))
      expect(error._tag).toBe("ProviderUnavailable")
      const token = yield* lifecycle.get(SequentialKey(1))
      expect(token).toMatchObject({ _tag: "Failed", ending: { cause: "refused-by-provider" } })
    }).pipe(Effect.provide(harness(Policy.komoju))),
  )

  it.effect("the same card again under Gate keeps its token and refreshes its expiry", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const lifecycle = yield* TokenLifecycle
      const control = yield* ReferenceGateway.ReferenceGatewayControl
      const pending = yield* lifecycle.issue({ ...alice, card })
      for (const delivery of yield* control.drain) yield* lifecycle.applyProviderEvent(delivery)
      const again = yield* lifecycle.issue({ ...alice, card: { ...card, expiry: { month: 6, year: 2032 } } })
      expect(again).toMatchObject({ key: pending.key, _tag: "Active", expiresAt: Date.UTC(2032, 6, 1) })
      expect(yield* historyTags(pending.key)).toEqual([
        "TokenRequested",
        "TokenRequestAcknowledged",
        "TokenIssued",
        "TokenExpiryRefreshed",
      ])
    }).pipe(Effect.provide(harness(Policy.gate))),
  )
})

describe("using", () => {
  it.effect("the claim is recorded before the provider call, so a failed call still spends a single-use token", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const lifecycle = yield* TokenLifecycle
      const { failing } = yield* GatewayCalls
      const token = yield* lifecycle.issue({ ...alice, card })
      yield* Ref.set(failing, new Set<Operation>(["use"]))
      const failed = yield* Effect.flip(
        lifecycle.use(token.key, { by: "cus_alice", for: "card", operation: "payment", reference: "pay-1" }),
      )
      expect(failed._tag).toBe("ProviderUnavailable")
      expect(yield* lifecycle.get(token.key)).toMatchObject({ _tag: "Used" })
      const again = yield* Effect.flip(lifecycle.use(token.key, { by: "cus_alice", for: "card", reference: "pay-2" }))
      expect(again._tag).toBe("TokenAlreadyUsed")
      expect(yield* historyTags(token.key)).toEqual(["TokenRequested", "TokenIssued", "TokenUsed"])
    }).pipe(Effect.provide(harness(Policy.rebilly))),
  )

  it.effect("a use after the deadline is refused and leaves the expiry on record", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const lifecycle = yield* TokenLifecycle
      const token = yield* lifecycle.issue({ ...alice, card })
      yield* TestClock.adjust("30 minutes")
      const error = yield* Effect.flip(lifecycle.use(token.key, { by: "cus_alice", for: "card" }))
      expect(error._tag).toBe("TokenExpired")
      expect(yield* historyTags(token.key)).toEqual(["TokenRequested", "TokenIssued", "TokenExpired"])
      expect(yield* callsMade).toEqual(["issue"])
    }).pipe(Effect.provide(harness(Policy.rebilly))),
  )
})

describe("revoking and expiring", () => {
  it.effect("a revocation the policy refuses never reaches the provider", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const lifecycle = yield* TokenLifecycle
      const token = yield* lifecycle.issue({ ...alice, card })
      const error = yield* Effect.flip(lifecycle.revoke(token.key))
      expect(error._tag).toBe("UnsupportedByPolicy")
      expect(yield* callsMade).toEqual(["issue"])
    }).pipe(Effect.provide(harness(Policy.komoju))),
  )

  it.effect("a provider failure on revoke changes nothing", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const lifecycle = yield* TokenLifecycle
      const control = yield* ReferenceGateway.ReferenceGatewayControl
      const { failing } = yield* GatewayCalls
      const pending = yield* lifecycle.issue({ ...alice, card })
      for (const delivery of yield* control.drain) yield* lifecycle.applyProviderEvent(delivery)
      yield* Ref.set(failing, new Set<Operation>(["revoke"]))
      expect((yield* Effect.flip(lifecycle.revoke(pending.key)))._tag).toBe("ProviderUnavailable")
      expect(yield* lifecycle.get(pending.key)).toMatchObject({ _tag: "Active" })
      yield* Ref.set(failing, new Set<Operation>())
      expect(yield* lifecycle.revoke(pending.key)).toMatchObject({
        _tag: "Revoked",
        ending: { cause: "revoked-by-merchant" },
      })
    }).pipe(Effect.provide(harness(Policy.gate))),
  )

  it.effect("expireDue records the expiry of every token whose time is up, and only those", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const lifecycle = yield* TokenLifecycle
      const early = yield* lifecycle.issue({ ...alice, type: "bank" })
      yield* TestClock.adjust("1 hour")
      const late = yield* lifecycle.issue({ ...alice, type: "bank" })
      yield* TestClock.adjust("1 hour")
      expect(yield* lifecycle.expireDue).toEqual([early.key])
      expect(yield* lifecycle.get(late.key)).toMatchObject({ _tag: "Active" })
      expect(yield* lifecycle.get(early.key)).toMatchObject({ _tag: "Expired", ending: { cause: "time-to-live" } })
    }).pipe(Effect.provide(harness(Policy.zai()))),
  )
})

describe("the same card from two callers at once", () => {
  /** A store whose card look-up has not yet seen the other caller's write: the race, made certain. */
  const staleCardIndex = Layer.effect(
    TokenRepository,
    Effect.map(InMemoryTokenRepository.make, (repository) => ({
      ...repository,
      findLiveByCard: () => Effect.succeed(Option.none()),
    })),
  )

  it.effect("the second caller gets the first caller's token, not a conflict and not a second token", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const lifecycle = yield* TokenLifecycle
      const first = yield* lifecycle.issue({ ...alice, card })
      const second = yield* lifecycle.issue({ ...alice, card })
      expect(second.key).toBe(first.key)
      expect(yield* callsMade).toEqual(["issue"])
      expect(yield* historyTags(first.key)).toEqual(["TokenRequested", "TokenRequestAcknowledged"])
    }).pipe(
      Effect.provide(
        lifecycleLayer({ policy: Policy.gate }).pipe(
          Layer.provideMerge(
            Layer.mergeAll(spiedReferenceGateway(Policy.gate), staleCardIndex, SequentialIdentity.layer()),
          ),
        ),
      ),
    ),
  )
})
