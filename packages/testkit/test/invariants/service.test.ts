/**
 * Invariants that need more than one token, a store or concurrent callers, checked through
 * the real `TokenLifecycle` service over the in-memory repository, sequential identity and
 * the reference gateway. Gate answers by callback, so its provider events are delivered with
 * `ReferenceGatewayControl.drain` and `applyProviderEvent`.
 *
 * Each property runs a generated sequence of operations (issue, deliver callbacks in order,
 * reversed or twice, use, revoke, move the clock forward or set it back, expire what is due,
 * tokens the provider makes by itself or the browser registers) and checks after every one.
 *
 * Time is a manual `Clock` that moves only when told to. `TestClock` would serve as well, but
 * each of its adjustments waits on a real timer so that other fibers can settle, which costs
 * milliseconds per step and, over a thousand runs of two dozen steps, most of a minute.
 */
import { deepStrictEqual } from "node:assert"
import { it } from "@effect/vitest"
import { type CardExpiry, type CardNumber, cardExpiryEnd, mask } from "@token-lifecycle/domain/Card"
import { AccountRef, OwnerRef, TokenId, type TokenKey } from "@token-lifecycle/domain/Identifiers"
import { Identity } from "@token-lifecycle/domain/Identity"
import { replay } from "@token-lifecycle/domain/Lifecycle"
import * as Policy from "@token-lifecycle/domain/Policy"
import type { ProviderEvent } from "@token-lifecycle/domain/ProviderEvent"
import { isLive, type Token } from "@token-lifecycle/domain/Token"
import { layer as lifecycleLayer, TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import { type RecordedEvent, type StoredToken, TokenRepository } from "@token-lifecycle/domain/TokenRepository"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as fc from "fast-check"
import { expect } from "vitest"
import { baseTime } from "../../src/Arbitraries.js"
import * as InMemoryTokenRepository from "../../src/InMemoryTokenRepository.js"
import {
  anyPolicy,
  type Concealed,
  concealedPan,
  providerPolicy,
  singleUsePolicy,
} from "../../src/LifecycleArbitraries.js"
import * as ManualClock from "../../src/ManualClock.js"
import * as ReferenceGateway from "../../src/ReferenceGateway.js"
import { assertEffectProperty } from "../../src/Runs.js"
import * as SequentialIdentity from "../../src/SequentialIdentity.js"

const minute = 60_000
const hour = 60 * minute
const day = 24 * hour
/** Service properties run a whole sequence per case: give them room beyond vitest's 5 s default. */
const timeout = 120_000

// ---------------------------------------------------------------------------
// The service under test
// ---------------------------------------------------------------------------

const servicesFor = (policy: Policy.LifecyclePolicy, written: Set<TokenKey>) =>
  lifecycleLayer({ policy }).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        InMemoryTokenRepository.layerNoting(written),
        SequentialIdentity.layer(),
        ReferenceGateway.layer(policy),
      ),
    ),
  )

// ---------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------

const owners = ["cus_alice", "cus_bob"] as const
const accounts = ["acct_main", "acct_other"] as const

/** A card expiry from late 2025 to 2028: some already over at the start, some lapsing while the clock runs. */
const expiry: fc.Arbitrary<CardExpiry> = fc
  .integer({ min: 0, max: 38 })
  .map((months) => ({ month: ((10 + months) % 12) + 1, year: 2025 + Math.floor((10 + months) / 12) }))

type Operation =
  | {
      readonly _tag: "Issue"
      readonly card: number
      readonly owner: number
      readonly account: number
      readonly expiry: CardExpiry
    }
  | { readonly _tag: "Deliver"; readonly order: "in-order" | "reversed" | "twice" }
  | { readonly _tag: "Use"; readonly token: number; readonly asOwner: boolean; readonly throughProvider: boolean }
  | { readonly _tag: "Revoke"; readonly token: number }
  | { readonly _tag: "Advance"; readonly millis: number }
  | { readonly _tag: "SetBack"; readonly millis: number }
  | { readonly _tag: "ExpireDue" }
  | {
      readonly _tag: "MadeByProvider"
      readonly card: number
      readonly owner: number
      readonly account: number
      readonly expiry: CardExpiry
    }
  | {
      readonly _tag: "Registered"
      readonly card: number
      readonly owner: number
      readonly account: number
      readonly expiry: CardExpiry
    }

const plain = { noNullPrototype: true } as const
const cardChoice = { card: fc.nat(2), owner: fc.nat(1), account: fc.nat(1), expiry }

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ _tag: fc.constant("Issue" as const), ...cardChoice }, plain) },
  {
    weight: 4,
    arbitrary: fc.record(
      {
        _tag: fc.constant("Deliver" as const),
        order: fc.constantFrom("in-order" as const, "reversed" as const, "twice" as const),
      },
      plain,
    ),
  },
  {
    weight: 3,
    arbitrary: fc.record(
      { _tag: fc.constant("Use" as const), token: fc.nat(7), asOwner: fc.boolean(), throughProvider: fc.boolean() },
      plain,
    ),
  },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Revoke" as const), token: fc.nat(7) }, plain) },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        _tag: fc.constant("Advance" as const),
        millis: fc.oneof(fc.integer({ min: 1, max: 3 * hour }), fc.integer({ min: day, max: 200 * day })),
      },
      plain,
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      { _tag: fc.constant("SetBack" as const), millis: fc.integer({ min: 1, max: 2 * hour }) },
      plain,
    ),
  },
  { weight: 1, arbitrary: fc.constant({ _tag: "ExpireDue" as const }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("MadeByProvider" as const), ...cardChoice }, plain) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Registered" as const), ...cardChoice }, plain) },
)

/** Two or three different cards, concealed so a failure never prints their numbers. */
const cards = fc.uniqueArray(concealedPan, { minLength: 2, maxLength: 3, selector: (card) => card.value })

const pick = <A>(items: ReadonlyArray<A>, index: number): A | undefined => items[index % Math.max(items.length, 1)]

interface Snapshot {
  readonly key: TokenKey
  readonly stored: StoredToken
  readonly history: ReadonlyArray<RecordedEvent>
}

/** Every token written so far, with its stored state and history. */
const snapshot = (written: ReadonlySet<TokenKey>) =>
  Effect.gen(function* () {
    const repository = yield* TokenRepository
    const all: Array<Snapshot> = []
    for (const key of written) {
      const stored = yield* repository.load(key)
      if (Option.isSome(stored)) all.push({ key, stored: stored.value, history: yield* repository.history(key) })
    }
    return all
  })

/**
 * Apply one operation. Refusals are expected and ignored, except that an issuance reports its
 * outcome; a defect fails the property.
 */
const perform = (
  op: Operation,
  cardNumbers: ReadonlyArray<Concealed<string>>,
  written: ReadonlySet<TokenKey>,
  counter: { n: number },
  time: ManualClock.ManualClock,
) =>
  Effect.gen(function* () {
    const lifecycle = yield* TokenLifecycle
    const control = yield* ReferenceGateway.ReferenceGatewayControl
    const identity = yield* Identity
    const keys = [...written]
    const cardFor = (index: number) => pick(cardNumbers, index)?.value ?? ""
    const summaryOf = (number: string, cardExpiry: CardExpiry) =>
      Effect.map(identity.fingerprint(Redacted.make(number as CardNumber)), (fingerprint) => ({
        masked: mask(Redacted.make(number as CardNumber)),
        expiry: cardExpiry,
        fingerprint,
      }))
    switch (op._tag) {
      case "Issue":
        return yield* Effect.either(
          lifecycle.issue({
            account: accounts[op.account] ?? accounts[0],
            owner: owners[op.owner] ?? owners[0],
            type: "card",
            card: { number: cardFor(op.card), cvv: "123", expiry: op.expiry },
          }),
        )
      case "Deliver": {
        const events = yield* control.drain
        const ordered: ReadonlyArray<ProviderEvent> =
          op.order === "reversed"
            ? [...events].reverse()
            : op.order === "twice"
              ? events.flatMap((e) => [e, e])
              : events
        for (const event of ordered) yield* Effect.either(lifecycle.applyProviderEvent(event))
        return
      }
      case "Use": {
        const key = pick(keys, op.token)
        if (key === undefined) return
        const token = yield* Effect.either(lifecycle.get(key))
        if (Either.isLeft(token)) return
        yield* Effect.either(
          lifecycle.use(key, {
            by: op.asOwner ? token.right.owner : "cus_mallory",
            for: token.right.type,
            ...(op.throughProvider ? { operation: "payment" as const } : {}),
          }),
        )
        return
      }
      case "Revoke": {
        const key = pick(keys, op.token)
        if (key !== undefined) yield* Effect.either(lifecycle.revoke(key))
        return
      }
      case "Advance":
        yield* time.adjust(op.millis)
        return
      case "SetBack":
        yield* time.setTime((yield* Clock.currentTimeMillis) - op.millis)
        return
      case "ExpireDue":
        yield* lifecycle.expireDue
        return
      case "MadeByProvider": {
        // A token the provider made by itself (after a first payment, say), for a card it already knows.
        counter.n += 1
        const card = yield* summaryOf(cardFor(op.card), op.expiry)
        yield* Effect.either(
          lifecycle.applyProviderEvent({
            _tag: "TokenIssued",
            deliveryId: `made_${counter.n}`,
            tokenId: TokenId.make(`made_tok_${counter.n}`),
            account: AccountRef.make(accounts[op.account] ?? accounts[0]),
            owner: OwnerRef.make(owners[op.owner] ?? owners[0]),
            type: "card",
            issuedAt: yield* Clock.currentTimeMillis,
            card,
          }),
        )
        return
      }
      case "Registered": {
        // A token created in the browser and made known to the service.
        counter.n += 1
        const card = yield* summaryOf(cardFor(op.card), op.expiry)
        yield* Effect.either(
          lifecycle.register({
            tokenId: `browser_tok_${counter.n}`,
            account: accounts[op.account] ?? accounts[0],
            owner: owners[op.owner] ?? owners[0],
            type: "card",
            card,
          }),
        )
        return
      }
    }
  })

/**
 * Run `operations` against a fresh service for `policy`, starting at `baseTime`, and check
 * `holds` on every stored token after each operation.
 */
/** What a check sees after each operation. */
interface Moment {
  readonly tokens: ReadonlyArray<Snapshot>
  /** Names the operation, for failure messages. */
  readonly after: string
  readonly op: Operation
  /** When the operation ran. */
  readonly at: number
  /** The outcome of an `Issue` operation. */
  readonly issued?: Either.Either<Token, { readonly _tag: string }>
}

const holdsThroughout = (
  policy: Policy.LifecyclePolicy,
  cardNumbers: ReadonlyArray<Concealed<string>>,
  operations: ReadonlyArray<Operation>,
  holds: (moment: Moment) => void,
) => {
  const written = new Set<TokenKey>()
  const counter = { n: 0 }
  const time = ManualClock.make(baseTime)
  return Effect.gen(function* () {
    for (const [i, op] of operations.entries()) {
      const at = yield* Clock.currentTimeMillis
      const issued = yield* perform(op, cardNumbers, written, counter, time)
      const tokens = yield* snapshot(written)
      holds({ tokens, after: `operation ${i} (${op._tag})`, op, at, ...(issued === undefined ? {} : { issued }) })
    }
  }).pipe(Effect.provide(servicesFor(policy, written)), Effect.withClock(time.clock))
}

const operations = fc.array(operation, { minLength: 1, maxLength: 24 })

/** Policies that keep one token per card: Gate, and any other that says so. */
const deduplicatingPolicy = fc.oneof(
  { weight: 3, arbitrary: fc.constant(Policy.gate) },
  { weight: 1, arbitrary: anyPolicy.map((p): Policy.LifecyclePolicy => ({ ...p, sameCard: "refresh-expiry" })) },
)

// ---------------------------------------------------------------------------
// Invariant 4
// ---------------------------------------------------------------------------

it.effect(
  "for policies that deduplicate by card, at most one live token exists per account, owner and card fingerprint",
  () =>
    assertEffectProperty([deduplicatingPolicy, cards, operations], (policy, cardNumbers, ops) =>
      holdsThroughout(policy, cardNumbers, ops, ({ tokens, after }) => {
        const holders = new Map<string, Array<TokenKey>>()
        for (const { key, stored } of tokens) {
          const fingerprint = stored.state.card?.fingerprint
          if (!isLive(stored.state) || fingerprint === undefined) continue
          const group = [stored.state.policy.provider, stored.state.account, stored.state.owner, fingerprint].join("|")
          holders.set(group, [...(holders.get(group) ?? []), key])
        }
        for (const keys of holders.values()) {
          expect(keys, `live tokens for one card after ${after}`).toHaveLength(1)
        }
      }),
    ),
  timeout,
)

it.effect(
  "tokenizing a card that has not expired always ends with a live token for it, the one already held or a new one",
  () =>
    assertEffectProperty([deduplicatingPolicy, cards, operations], (policy, cardNumbers, ops) => {
      // Time never runs backwards for the lifecycle: after the clock is set back, it still judges at the
      // latest instant it has seen, so that is when the card must not have expired.
      let latest = 0
      return holdsThroughout(policy, cardNumbers, ops, ({ op, at, issued, after }) => {
        latest = Math.max(latest, at)
        if (op._tag !== "Issue" || issued === undefined || latest >= cardExpiryEnd(op.expiry)) return
        const card = pick(cardNumbers, op.card)?.value ?? ""
        expect(Either.isRight(issued) ? "issued" : issued.left._tag, `outcome of ${after}`).toBe("issued")
        if (Either.isLeft(issued)) return
        expect(isLive(issued.right)).toBe(true)
        expect(issued.right.card?.masked).toStrictEqual(mask(Redacted.make(card as CardNumber)))
        expect(issued.right.owner).toBe(owners[op.owner])
        expect(issued.right.account).toBe(accounts[op.account])
      })
    }),
  timeout,
)

// ---------------------------------------------------------------------------
// Invariant 5, through the service
// ---------------------------------------------------------------------------

it.effect(
  "the same card again at a deduplicating provider keeps its token, token id, owner and fingerprint; only the expiry changes",
  () =>
    assertEffectProperty(
      [
        concealedPan,
        fc.constantFrom(...owners),
        // Expiries from 2026-06 on: all still valid at the start, and the clock never reaches them.
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 3 * day }), { minLength: 5, maxLength: 5 }),
      ],
      (card, owner, expiryMonths, pauses) => {
        const written = new Set<TokenKey>()
        const time = ManualClock.make(baseTime)
        const expiryOf = (months: number): CardExpiry => ({
          month: ((5 + months) % 12) + 1,
          year: 2026 + Math.floor((5 + months) / 12),
        })
        return Effect.gen(function* () {
          const lifecycle = yield* TokenLifecycle
          const control = yield* ReferenceGateway.ReferenceGatewayControl
          const issueWith = (cardExpiry: CardExpiry) =>
            lifecycle.issue({
              account: accounts[0],
              owner,
              type: "card",
              card: { number: card.value, expiry: cardExpiry },
            })
          const deliver = Effect.flatMap(control.drain, (events) =>
            Effect.forEach(events, lifecycle.applyProviderEvent),
          )

          const first = yield* issueWith(expiryOf(0))
          yield* deliver
          const issued = yield* lifecycle.get(first.key)
          expect(issued._tag).toBe("Active")
          for (const [i, months] of expiryMonths.entries()) {
            yield* time.adjust(pauses[i] ?? 0)
            const again = yield* issueWith(expiryOf(months))
            yield* deliver
            const now = yield* lifecycle.get(again.key)
            expect(again.key).toBe(issued.key)
            expect(now.tokenId).toBe(issued.tokenId)
            expect(now.owner).toBe(issued.owner)
            expect(now.account).toBe(issued.account)
            expect(now.card?.fingerprint).toBe(issued.card?.fingerprint)
            expect(now.card?.masked).toStrictEqual(issued.card?.masked)
            expect(now.card?.expiry).toStrictEqual(expiryOf(months))
            expect(now._tag).toBe("Active")
          }
          // Only one token was ever written for the card.
          expect(written.size).toBe(1)
        }).pipe(Effect.provide(servicesFor(Policy.gate, written)), Effect.withClock(time.clock))
      },
    ),
  timeout,
)

// ---------------------------------------------------------------------------
// Invariant 1, against concurrent callers
// ---------------------------------------------------------------------------

it.effect(
  "concurrent uses of a single-use token through the service: exactly one is accepted",
  () =>
    assertEffectProperty(
      [
        singleUsePolicy.filter((p) => p.timeToLive.card === null || p.timeToLive.card > minute),
        fc.integer({ min: 2, max: 6 }),
        // Below about ten operations per slice the runtime's own scheduling cannot make progress.
        fc.integer({ min: 16, max: 256 }),
        fc.boolean(),
        concealedPan,
      ],
      (policy, callers, opsBeforeYield, throughProvider, card) => {
        const written = new Set<TokenKey>()
        return Effect.gen(function* () {
          const lifecycle = yield* TokenLifecycle
          const control = yield* ReferenceGateway.ReferenceGatewayControl
          const token = yield* lifecycle.issue({
            account: accounts[0],
            owner: owners[0],
            type: "card",
            card: { number: card.value, expiry: { month: 12, year: 2030 } },
          })
          yield* Effect.forEach(yield* control.drain, lifecycle.applyProviderEvent)
          expect((yield* lifecycle.get(token.key))._tag).toBe("Active")
          const use = lifecycle.use(token.key, {
            by: owners[0],
            for: "card",
            ...(throughProvider ? { operation: "payment" as const } : {}),
          })
          // Yielding after a handful of steps interleaves the callers between load and append.
          const outcomes = yield* Effect.all(
            Array.from({ length: callers }, () => Effect.either(use)),
            {
              concurrency: "unbounded",
            },
          ).pipe(Effect.withMaxOpsBeforeYield(opsBeforeYield))
          const accepted = outcomes.filter(Either.isRight)
          expect(accepted).toHaveLength(1)
          for (const outcome of outcomes) {
            if (Either.isLeft(outcome)) expect(outcome.left._tag).toBe("TokenAlreadyUsed")
          }
          const history = yield* lifecycle.history(token.key)
          expect(history.filter(({ event }) => event._tag === "TokenUsed")).toHaveLength(1)
        }).pipe(Effect.provide(servicesFor(policy, written)), Effect.withClock(ManualClock.make(baseTime).clock))
      },
    ),
  timeout,
)

// ---------------------------------------------------------------------------
// Invariants 7 and 8, in the store
// ---------------------------------------------------------------------------

const anyServicePolicy = fc.oneof({ weight: 4, arbitrary: providerPolicy }, { weight: 1, arbitrary: anyPolicy })

it.effect(
  "the stored state of every token is the replay of its stored history",
  () =>
    assertEffectProperty([anyServicePolicy, cards, operations], (policy, cardNumbers, ops) =>
      holdsThroughout(policy, cardNumbers, ops, ({ tokens }) => {
        for (const { stored, history } of tokens) {
          deepStrictEqual(stored.state, replay(history.map(({ event }) => event)))
          deepStrictEqual(
            history.map(({ version }) => version),
            history.map((_, i) => i + 1),
          )
          expect(stored.version).toBe(history.length)
        }
      }),
    ),
  timeout,
)

it.effect(
  "times in a token's stored history never go backwards, even when the clock is set back",
  () =>
    assertEffectProperty([anyServicePolicy, cards, operations], (policy, cardNumbers, ops) =>
      holdsThroughout(policy, cardNumbers, ops, ({ tokens, after }) => {
        for (const { key, history } of tokens) {
          history.forEach(({ event }, i) => {
            const previous = history[i - 1]
            if (previous !== undefined) {
              expect(event.at, `event ${i + 1} of ${key} after ${after}`).toBeGreaterThanOrEqual(previous.event.at)
            }
          })
        }
      }),
    ),
  timeout,
)
