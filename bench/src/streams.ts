/**
 * The measured work and its baselines, with inputs fixed in advance: the same tokens,
 * commands, instants and histories on every run. Nothing here reads the clock or randomness.
 *
 * Each function runs a whole batch and returns the final state, so the work cannot be
 * optimised away and can be checked afterwards.
 */
import * as Command from "@token-lifecycle/domain/Command"
import type { LifecycleEvent } from "@token-lifecycle/domain/Event"
import {
  AccountRef,
  CardFingerprint,
  type EpochMillis,
  OwnerRef,
  TokenId,
  TokenKey,
  UseReference,
} from "@token-lifecycle/domain/Identifiers"
import { decide, evolve, initial } from "@token-lifecycle/domain/Lifecycle"
import * as Policy from "@token-lifecycle/domain/Policy"
import type { Token, TokenFacts, TokenState } from "@token-lifecycle/domain/Token"
import * as Either from "effect/Either"

/** 2025-03-14T09:00:00Z; every stream advances from here one second per command. */
export const startsAt: EpochMillis = Date.UTC(2025, 2, 14, 9, 0, 0)
const second = 1_000

const owner = OwnerRef.make("cus-42")

const factsUnder = (policy: Policy.LifecyclePolicy): TokenFacts => ({
  key: TokenKey.make(`bench-${policy.name}`),
  policy,
  account: AccountRef.make("project-17"),
  owner,
  type: "card",
  card: {
    masked: { bin: "555555", last4: "4444", length: 16, brand: "mastercard" },
    // Far enough ahead that no stream reaches it.
    expiry: { month: 12, year: 2030 },
    fingerprint: CardFingerprint.make("fp_bench"),
  },
})

/** Distinct use commands, cycled through, so a stream does not repeat one object. */
const useCommands: ReadonlyArray<Command.Use> = Array.from({ length: 1024 }, (_, i) =>
  Command.use({ by: owner, for: "card", reference: UseReference.make(`order-${i + 1}`) }),
)
const useMask = useCommands.length - 1
const useAt = (i: number): Command.Use => useCommands[i & useMask] as Command.Use

/** Decide and apply one command; the bench's inputs are valid, so a refusal is a broken benchmark. */
const step = (state: TokenState, command: Command.LifecycleCommand, now: EpochMillis): TokenState => {
  const decision = decide(state, command, now)
  if (Either.isLeft(decision)) throw new Error(`benchmark input refused: ${decision.left._tag}`)
  let next = state
  for (const event of decision.right) next = evolve(next, event)
  return next
}

const gateFacts = factsUnder(Policy.gate)

/** An active Gate token: requested, acknowledged, issued by callback. */
export const activeGateToken: Token = (() => {
  let state = step(initial, Command.request(gateFacts), startsAt)
  state = step(state, Command.acknowledge("req_1"), startsAt)
  state = step(state, Command.issue({ tokenId: TokenId.make("gate_tok_1") }), startsAt + second)
  if (state._tag !== "Active") throw new Error("the Gate token did not become active")
  return state
})()

// ---------------------------------------------------------------------------
// (a) transitions: decide + evolve
// ---------------------------------------------------------------------------

/** A reusable Gate token used `count` times by its owner, one second apart: `count` transitions. */
export const gateUses = (count: number): TokenState => {
  let state: TokenState = activeGateToken
  let now = activeGateToken.updatedAt
  for (let i = 0; i < count; i++) {
    now += second
    state = step(state, useAt(i), now)
  }
  return state
}

const rebillyFacts = factsUnder(Policy.rebilly)
const issueRebilly = Command.issue({ tokenId: TokenId.make("rebilly_tok_1") })
const requestRebilly = Command.request(rebillyFacts)

/** Single-use Rebilly tokens, each requested, issued and used: three transitions per token. */
export const singleUseCycles = (tokens: number): TokenState => {
  let last: TokenState = initial
  let now = startsAt
  for (let i = 0; i < tokens; i++) {
    now += second
    let state = step(initial, requestRebilly, now)
    state = step(state, issueRebilly, now)
    last = step(state, useAt(i), now + second)
  }
  return last
}
export const transitionsPerCycle = 3

/** The refused second use of a used single-use token: `decide` only, answering `TokenAlreadyUsed`. */
export const refusedUses = (count: number, used: TokenState): number => {
  let refused = 0
  let now = startsAt
  for (let i = 0; i < count; i++) {
    now += second
    if (Either.isLeft(decide(used, useAt(i), now))) refused++
  }
  return refused
}

/**
 * The baseline: a plain reducer over the same token, one branch and one object spread per
 * step. What any immutable state update written with a spread costs, and nothing more.
 */
export const baselineUses = (count: number): Token => {
  let state: Token = activeGateToken
  let now = activeGateToken.updatedAt
  for (let i = 0; i < count; i++) {
    now += second
    state = state._tag === "Active" ? { ...state, uses: state.uses + 1, updatedAt: now } : state
  }
  return state
}

/** The active token's fields, each one named: what a reducer copying field by field works on. */
interface TokenFields {
  readonly key: string
  readonly policy: Policy.LifecyclePolicy
  readonly account: string
  readonly owner: string
  readonly type: string
  readonly card: unknown
  readonly _tag: string
  readonly uses: number
  readonly createdAt: number
  readonly updatedAt: number
  readonly requestRef: string | undefined
  readonly tokenId: string | undefined
  readonly issuedAt: number | undefined
  readonly expiresAt: number | undefined
}

const activeGateFields: TokenFields = {
  key: activeGateToken.key,
  policy: activeGateToken.policy,
  account: activeGateToken.account,
  owner: activeGateToken.owner,
  type: activeGateToken.type,
  card: activeGateToken.card,
  _tag: activeGateToken._tag,
  uses: activeGateToken.uses,
  createdAt: activeGateToken.createdAt,
  updatedAt: activeGateToken.updatedAt,
  requestRef: activeGateToken.requestRef,
  tokenId: activeGateToken.tokenId,
  issuedAt: activeGateToken.issuedAt,
  expiresAt: activeGateToken.expiresAt,
}

/**
 * The same reducer copying the same fields by name instead of by spread: the floor for an
 * immutable update of this token, and the measure of what the spread itself costs.
 */
export const baselineUsesByField = (count: number): TokenFields => {
  let s = activeGateFields
  let now = s.updatedAt
  for (let i = 0; i < count; i++) {
    now += second
    s =
      s._tag === "Active"
        ? {
            key: s.key,
            policy: s.policy,
            account: s.account,
            owner: s.owner,
            type: s.type,
            card: s.card,
            _tag: s._tag,
            uses: s.uses + 1,
            createdAt: s.createdAt,
            updatedAt: now,
            requestRef: s.requestRef,
            tokenId: s.tokenId,
            issuedAt: s.issuedAt,
            expiresAt: s.expiresAt,
          }
        : s
  }
  return s
}

// ---------------------------------------------------------------------------
// (b) replay
// ---------------------------------------------------------------------------

/**
 * The history of one Gate token with `length` events: request, acknowledgement, issue, then
 * uses, with the same card coming back (an expiry refresh) every 10,000 events. Built by the
 * decider itself, so it is a history the machine really emits.
 */
export const gateHistory = (length: number): ReadonlyArray<LifecycleEvent> => {
  const events: Array<LifecycleEvent> = []
  let state: TokenState = initial
  let now = startsAt
  const record = (command: Command.LifecycleCommand) => {
    const decision = decide(state, command, now)
    if (Either.isLeft(decision)) throw new Error(`history input refused: ${decision.left._tag}`)
    for (const event of decision.right) {
      events.push(event)
      state = evolve(state, event)
    }
  }
  record(Command.request(gateFacts))
  record(Command.acknowledge("req_1"))
  record(Command.issue({ tokenId: TokenId.make("gate_tok_1") }))
  let refreshes = 0
  for (let i = 0; events.length < length; i++) {
    now += second
    if (events.length % 10_000 === 0) {
      refreshes++
      // Alternate two expiries: refreshing to the expiry a token already has records nothing.
      record(Command.refreshExpiry({ expiry: { month: 12, year: 2031 + (refreshes % 2) } }))
    } else {
      record(useAt(i))
    }
  }
  return events
}

/** The baseline fold: one branch on the tag and one spread per event, over the same array. */
export const baselineFold = (events: ReadonlyArray<LifecycleEvent>): { uses: number; updatedAt: number } => {
  let state = { ...activeGateToken }
  for (const event of events) {
    state =
      event._tag === "TokenUsed"
        ? { ...state, uses: event.uses, updatedAt: event.at }
        : { ...state, updatedAt: event.at }
  }
  return state
}
