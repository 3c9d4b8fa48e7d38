/**
 * The in-memory `TokenRepository`: optimistic versions, the live-token uniqueness index,
 * refused repeat deliveries and the `due` query, each write all-or-nothing.
 */
import { describe, expect, it } from "@effect/vitest"
import type { LifecycleEvent } from "@token-lifecycle/domain/Event"
import {
  AccountRef,
  CardFingerprint,
  OwnerRef,
  TokenId,
  TokenKey,
  UseReference,
} from "@token-lifecycle/domain/Identifiers"
import * as Policy from "@token-lifecycle/domain/Policy"
import type { Token, TokenStatus } from "@token-lifecycle/domain/Token"
import { type AppendRequest, TokenRepository } from "@token-lifecycle/domain/TokenRepository"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as fc from "fast-check"
import * as InMemoryTokenRepository from "../src/InMemoryTokenRepository.js"

const t0 = Date.UTC(2026, 0, 1)
const account = AccountRef.make("acct-1")
const owner = OwnerRef.make("owner-1")
const fingerprint = CardFingerprint.make("fp-card-1")
const masked = { bin: "411111", last4: "1111", length: 16, brand: "visa" } as const

/** A stored state, built by hand: the repository judges nothing but versions and unique keys. */
const tokenState = (key: string, status: TokenStatus, fields: Partial<Omit<Token, "key" | "_tag">> = {}): Token => ({
  key: TokenKey.make(key),
  _tag: status,
  policy: Policy.gate,
  account,
  owner,
  type: "card",
  card: { masked, expiry: { month: 12, year: 2030 }, fingerprint },
  uses: 0,
  createdAt: t0,
  updatedAt: t0,
  ...fields,
})

/** A use event: any event does, the repository records events without reading them. */
const used = (key: string, uses: number): LifecycleEvent => ({
  _tag: "TokenUsed",
  key: TokenKey.make(key),
  at: t0,
  by: owner,
  for: "card",
  reference: UseReference.make(`ref-${uses}`),
  uses,
})

const append = (state: Token, expectedVersion: number, extra: Partial<AppendRequest> = {}) =>
  Effect.flatMap(TokenRepository, (repository) =>
    repository.append({
      key: state.key,
      expectedVersion,
      events: [used(state.key, expectedVersion + 1)],
      state,
      ...extra,
    }),
  )

const withRepository = <A, E>(effect: Effect.Effect<A, E, TokenRepository>) =>
  Effect.provide(effect, InMemoryTokenRepository.layer)

describe("InMemoryTokenRepository", () => {
  describe("versions", () => {
    it.effect("an append at a stale version is refused with VersionConflict and writes nothing", () =>
      withRepository(
        Effect.gen(function* () {
          const repository = yield* TokenRepository
          const first = tokenState("key-1", "Active")
          const stored = yield* append(first, 0)
          expect(stored.version).toBe(1)

          const stale = yield* Effect.flip(append(tokenState("key-1", "Used"), 0))
          expect(stale._tag).toBe("VersionConflict")
          expect(stale).toMatchObject({ key: "key-1", expectedVersion: 0, actualVersion: 1 })

          const ahead = yield* Effect.flip(append(tokenState("key-1", "Used"), 2))
          expect(ahead).toMatchObject({ _tag: "VersionConflict", expectedVersion: 2, actualVersion: 1 })

          const loaded = yield* repository.load(first.key)
          expect(Option.getOrThrow(loaded)).toEqual({ state: first, version: 1 })
          expect((yield* repository.history(first.key)).map(({ version }) => version)).toEqual([1])
        }),
      ),
    )

    it.effect("a token nobody wrote loads as none, with an empty history", () =>
      withRepository(
        Effect.gen(function* () {
          const repository = yield* TokenRepository
          expect(Option.isNone(yield* repository.load(TokenKey.make("nobody")))).toBe(true)
          expect(yield* repository.history(TokenKey.make("nobody"))).toEqual([])
        }),
      ),
    )

    it.effect("of many writers at the same version, exactly one wins", () =>
      withRepository(
        Effect.gen(function* () {
          const repository = yield* TokenRepository
          const key = "key-raced"
          yield* append(tokenState(key, "Active"), 0)
          const outcomes = yield* Effect.all(
            Array.from({ length: 16 }, (_, i) => Effect.either(append(tokenState(key, "Active", { uses: i + 1 }), 1))),
            { concurrency: "unbounded" },
          )
          expect(outcomes.filter(Either.isRight)).toHaveLength(1)
          expect(outcomes.filter(Either.isLeft).map((outcome) => outcome.left._tag)).toEqual(
            Array.from({ length: 15 }, () => "VersionConflict"),
          )
          expect((yield* repository.history(TokenKey.make(key))).map(({ version }) => version)).toEqual([1, 2])
        }),
      ),
    )

    it("whatever appends are tried, the version is the history's length and versions count 1, 2, 3, …", () =>
      fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              key: fc.constantFrom("a", "b"),
              expected: fc.nat({ max: 4 }),
              events: fc.integer({ min: 1, max: 3 }),
            }),
            { maxLength: 30 },
          ),
          (attempts) =>
            Effect.runPromise(
              withRepository(
                Effect.gen(function* () {
                  const repository = yield* TokenRepository
                  const versions = new Map<string, number>()
                  for (const attempt of attempts) {
                    const key = TokenKey.make(attempt.key)
                    const before = versions.get(attempt.key) ?? 0
                    const events = Array.from({ length: attempt.events }, (_, i) => used(key, attempt.expected + i + 1))
                    const state = tokenState(key, "Active", { policy: Policy.rebilly })
                    const outcome = yield* Effect.either(
                      repository.append({ key, expectedVersion: attempt.expected, events, state }),
                    )
                    if (attempt.expected === before) {
                      expect(Either.isRight(outcome), "an append at the current version").toBe(true)
                      versions.set(attempt.key, before + attempt.events)
                    } else {
                      expect(Either.isLeft(outcome) && outcome.left._tag, "an append at another version").toBe(
                        "VersionConflict",
                      )
                    }
                    const history = yield* repository.history(key)
                    const stored = Option.map(yield* repository.load(key), ({ version }) => version)
                    expect(history.map(({ version }) => version)).toEqual(history.map((_, i) => i + 1))
                    expect(Option.getOrElse(stored, () => 0)).toBe(history.length)
                    expect(history.length).toBe(versions.get(attempt.key) ?? 0)
                  }
                }),
              ),
            ),
        ),
        { numRuns: 200 },
      ))
  })

  describe("uniqueness of live tokens", () => {
    it.effect("a second live token for the same card, owner and account is refused under Gate's policy", () =>
      withRepository(
        Effect.gen(function* () {
          const repository = yield* TokenRepository
          const first = tokenState("key-1", "Active", { tokenId: TokenId.make("tok-1") })
          yield* append(first, 0)
          const second = tokenState("key-2", "Pending")
          const conflict = yield* Effect.flip(append(second, 0))
          expect(conflict).toMatchObject({ _tag: "LiveTokenConflict", key: "key-2", existing: "key-1" })
          expect(Option.isNone(yield* repository.load(second.key))).toBe(true)
          expect(yield* repository.history(second.key)).toEqual([])

          const found = yield* repository.findLiveByCard({
            provider: Policy.gate.provider,
            account,
            owner,
            fingerprint,
          })
          expect(Option.map(found, ({ state }) => state.key)).toEqual(Option.some(first.key))
        }),
      ),
    )

    it.effect("the card is free again once the first token's life ends", () =>
      withRepository(
        Effect.gen(function* () {
          const repository = yield* TokenRepository
          yield* append(tokenState("key-1", "Active", { tokenId: TokenId.make("tok-1") }), 0)
          yield* append(tokenState("key-1", "Revoked", { tokenId: TokenId.make("tok-1") }), 1)
          const query = { provider: Policy.gate.provider, account, owner, fingerprint }
          expect(Option.isNone(yield* repository.findLiveByCard(query))).toBe(true)

          yield* append(tokenState("key-2", "Active", { tokenId: TokenId.make("tok-2") }), 0)
          const found = yield* repository.findLiveByCard(query)
          expect(Option.map(found, ({ state }) => state.key)).toEqual(Option.some(TokenKey.make("key-2")))
        }),
      ),
    )

    it.effect("another owner, another account or a policy that issues a new token per card holds its own", () =>
      withRepository(
        Effect.gen(function* () {
          yield* append(tokenState("key-1", "Active"), 0)
          yield* append(tokenState("key-2", "Active", { owner: OwnerRef.make("owner-2") }), 0)
          yield* append(tokenState("key-3", "Active", { account: AccountRef.make("acct-2") }), 0)
          yield* append(tokenState("key-4", "Active", { policy: Policy.rebilly }), 0)
          yield* append(tokenState("key-5", "Active", { policy: Policy.rebilly }), 0)
        }),
      ),
    )

    it.effect("a provider token id is held by one live token at a time", () =>
      withRepository(
        Effect.gen(function* () {
          const repository = yield* TokenRepository
          const tokenId = TokenId.make("tok-shared")
          const rebilly = { policy: Policy.rebilly, tokenId }
          yield* append(tokenState("key-1", "Active", rebilly), 0)
          const conflict = yield* Effect.flip(append(tokenState("key-2", "Active", rebilly), 0))
          expect(conflict).toMatchObject({ _tag: "LiveTokenConflict", existing: "key-1" })

          yield* append(tokenState("key-1", "Used", rebilly), 1)
          // Once its life has ended, the id still leads to it: news about it can be recognised as late.
          const ended = yield* repository.findByTokenId(Policy.rebilly.provider, tokenId)
          expect(Option.map(ended, ({ state }) => [state.key, state._tag])).toEqual(Option.some(["key-1", "Used"]))
          yield* append(tokenState("key-2", "Active", rebilly), 0)
          const found = yield* repository.findByTokenId(Policy.rebilly.provider, tokenId)
          expect(Option.map(found, ({ state }) => state.key)).toEqual(Option.some(TokenKey.make("key-2")))
        }),
      ),
    )

    it.effect("an accepted request is held by one pending token, and released when it is answered", () =>
      withRepository(
        Effect.gen(function* () {
          const repository = yield* TokenRepository
          const provider = Policy.gate.provider
          const pending = tokenState("key-1", "Pending", { requestRef: "req-1", card: { masked } })
          yield* append(pending, 0)
          const conflict = yield* Effect.flip(
            append(tokenState("key-2", "Pending", { requestRef: "req-1", card: { masked } }), 0),
          )
          expect(conflict).toMatchObject({ _tag: "LiveTokenConflict", existing: "key-1" })
          const found = yield* repository.findByRequest(provider, "req-1")
          expect(Option.map(found, ({ state }) => state.key)).toEqual(Option.some(pending.key))

          yield* append({ ...pending, _tag: "Active", tokenId: TokenId.make("tok-1") }, 1)
          // Answered, the request still leads to the token it made: news about it is recognised as late.
          const answered = yield* repository.findByRequest(provider, "req-1")
          expect(Option.map(answered, ({ state }) => [state.key, state._tag])).toEqual(Option.some(["key-1", "Active"]))
        }),
      ),
    )

    it.effect("a refused write releases nothing: the holder keeps its keys", () =>
      withRepository(
        Effect.gen(function* () {
          const repository = yield* TokenRepository
          yield* append(tokenState("key-1", "Active"), 0)
          // A stale write that would end the token is refused, so the card stays held.
          yield* Effect.flip(append(tokenState("key-1", "Expired"), 0))
          const conflict = yield* Effect.flip(append(tokenState("key-2", "Active"), 0))
          expect(conflict._tag).toBe("LiveTokenConflict")
          const found = yield* repository.findLiveByCard({
            provider: Policy.gate.provider,
            account,
            owner,
            fingerprint,
          })
          expect(Option.map(found, ({ state }) => state._tag)).toEqual(Option.some("Active"))
        }),
      ),
    )
  })

  describe("deliveries", () => {
    it.effect("a delivery id is applied once; a repeat is refused with DuplicateDelivery and writes nothing", () =>
      withRepository(
        Effect.gen(function* () {
          const repository = yield* TokenRepository
          const key = "key-1"
          yield* append(tokenState(key, "Active"), 0, { deliveryId: "dlv-1" })
          const repeat = yield* Effect.flip(append(tokenState(key, "Active", { uses: 1 }), 1, { deliveryId: "dlv-1" }))
          expect(repeat).toMatchObject({ _tag: "DuplicateDelivery", deliveryId: "dlv-1" })
          expect(yield* repository.history(TokenKey.make(key))).toHaveLength(1)

          // The id is global: a repeat aimed at another token is refused too.
          const elsewhere = yield* Effect.flip(
            append(tokenState("key-2", "Active", { owner: OwnerRef.make("o-2") }), 0, { deliveryId: "dlv-1" }),
          )
          expect(elsewhere._tag).toBe("DuplicateDelivery")

          yield* append(tokenState(key, "Active", { uses: 1 }), 1, { deliveryId: "dlv-2" })
          expect(yield* repository.history(TokenKey.make(key))).toHaveLength(2)
        }),
      ),
    )

    it.effect("a delivery whose write was refused is not spent", () =>
      withRepository(
        Effect.gen(function* () {
          yield* append(tokenState("key-1", "Active"), 0)
          const conflict = yield* Effect.flip(append(tokenState("key-1", "Active"), 0, { deliveryId: "dlv-1" }))
          expect(conflict._tag).toBe("VersionConflict")
          const stored = yield* append(tokenState("key-1", "Active"), 1, { deliveryId: "dlv-1" })
          expect(stored.version).toBe(2)
        }),
      ),
    )
  })

  describe("due", () => {
    it.effect("lists the active tokens whose expiry is at or before the instant, and no others", () =>
      withRepository(
        Effect.gen(function* () {
          const repository = yield* TokenRepository
          const rebilly = (key: string, status: TokenStatus, expiresAt?: number) =>
            tokenState(key, status, {
              policy: Policy.rebilly,
              tokenId: TokenId.make(`tok-${key}`),
              ...(expiresAt === undefined ? {} : { expiresAt }),
            })
          yield* append(rebilly("past", "Active", t0 - 1), 0)
          yield* append(rebilly("now", "Active", t0), 0)
          yield* append(rebilly("later", "Active", t0 + 1), 0)
          yield* append(rebilly("never", "Active"), 0)
          yield* append(rebilly("used", "Used", t0 - 1), 0)
          yield* append(rebilly("expired", "Expired", t0 - 1), 0)
          yield* append(tokenState("pending", "Pending", { policy: Policy.rebilly }), 0)

          expect([...(yield* repository.due(t0))].sort()).toEqual(["now", "past"])
          expect([...(yield* repository.due(t0 - 1))]).toEqual(["past"])
          expect([...(yield* repository.due(t0 + 1))].sort()).toEqual(["later", "now", "past"])
          expect(yield* repository.due(t0 - 2)).toEqual([])
        }),
      ),
    )
  })
})
