/**
 * Arbitraries at the level of the decider: the facts a token starts from, under each policy,
 * and the commands that reach it, each with the instant it is judged at.
 *
 * The commands are chosen to stress the machine, not to be polite to it: times that jump
 * ahead, stand still or run backwards, instants exactly at a token's expiry, the same command
 * twice in a row, uses by the wrong owner or for the wrong type, another card's fingerprint,
 * another token id, and commands for a token that does not exist yet.
 *
 * `play` folds a scenario through `decide` and `evolve` and keeps every step, so a property
 * can look at what was decided, against which state, at which instant.
 */
import { type CardExpiry, type CardNumber, cardExpiryEnd, mask } from "@token-lifecycle/domain/Card"
import type * as Command from "@token-lifecycle/domain/Command"
import type { FailureReason } from "@token-lifecycle/domain/Event"
import {
  AccountRef,
  CardFingerprint,
  type EpochMillis,
  OwnerRef,
  ProviderId,
  TokenId,
  TokenKey,
  type TokenType,
  UseReference,
} from "@token-lifecycle/domain/Identifiers"
import { type Decision, decide, evolve, initial } from "@token-lifecycle/domain/Lifecycle"
import * as Policy from "@token-lifecycle/domain/Policy"
import type { CardSummary, TokenFacts, TokenState } from "@token-lifecycle/domain/Token"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as fc from "fast-check"
import { baseTime, pan, tokenType } from "./Arbitraries.js"

// Records with `Object.prototype`, as decoded or cloned data has: replay is compared with `deepStrictEqual`.
const plain = { noNullPrototype: true } as const

const minute = 60_000
const hour = 60 * minute
const day = 24 * hour

// ---------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------

/** The providers' policies (KOMOJU's customers included); Zai's with any lifetime from 1 minute to 4 hours per type. */
export const providerPolicy: fc.Arbitrary<Policy.LifecyclePolicy> = fc.oneof(
  fc
    .tuple(fc.integer({ min: minute, max: 4 * hour }), fc.integer({ min: minute, max: 4 * hour }))
    .map(([card, bank]) => Policy.zai({ cardTimeToLive: card, bankTimeToLive: bank })),
  fc.constant(Policy.gate),
  fc.constant(Policy.rebilly),
  fc.constant(Policy.komoju),
  fc.constant(Policy.komojuCustomer),
)

const timeToLive: fc.Arbitrary<number | null> = fc.oneof(
  fc.constant(null),
  fc.integer({ min: 1, max: 10 * minute }),
  fc.integer({ min: minute, max: 48 * hour }),
)

/** Any policy the schema allows: the rules a fifth provider might bring. */
export const anyPolicy: fc.Arbitrary<Policy.LifecyclePolicy> = fc.record(
  {
    name: fc.constant("generated"),
    provider: fc.constantFrom("fifth", "sixth").map((name) => ProviderId.make(name)),
    maxUses: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 4 })),
    timeToLive: fc.record({ card: timeToLive, bank: timeToLive, other: timeToLive }, plain),
    endsWithCardExpiry: fc.boolean(),
    revocable: fc.boolean(),
    sameCard: fc.constantFrom("new-token" as const, "refresh-expiry" as const),
    answer: fc.constantFrom("synchronous" as const, "asynchronous" as const),
  },
  plain,
)

/** Mostly the real policies, sometimes an arbitrary one. */
export const policy: fc.Arbitrary<Policy.LifecyclePolicy> = fc.oneof(
  { weight: 4, arbitrary: providerPolicy },
  { weight: 1, arbitrary: anyPolicy },
)

/** Policies whose tokens allow exactly one use. */
export const singleUsePolicy: fc.Arbitrary<Policy.LifecyclePolicy> = fc.oneof(
  providerPolicy.filter((p) => p.maxUses === 1),
  anyPolicy.map((p) => ({ ...p, maxUses: 1 })),
)

// ---------------------------------------------------------------------------
// Facts
// ---------------------------------------------------------------------------

/** A card expiry from mid-2025 to the end of 2028: around the generated instants, so cards lapse mid-scenario. */
export const nearExpiry: fc.Arbitrary<CardExpiry> = fc
  .integer({ min: 0, max: 42 })
  .map((months) => ({ month: ((5 + months) % 12) + 1, year: 2025 + Math.floor((5 + months) / 12) }))

/** A few fingerprints, so that a refresh sometimes names the token's card and sometimes another. */
export const fingerprints: ReadonlyArray<CardFingerprint> = ["fp_card_a", "fp_card_b", "fp_card_c"].map((value) =>
  CardFingerprint.make(value),
)
export const fingerprint: fc.Arbitrary<CardFingerprint> = fc.constantFrom(...fingerprints)

/** What may be kept of a card: the masked form of a generated number, an expiry, a fingerprint. */
export const cardSummary: fc.Arbitrary<CardSummary> = fc
  .record({
    number: pan,
    expiry: fc.option(nearExpiry, { nil: undefined }),
    fingerprint: fc.option(fingerprint, { freq: 5, nil: undefined }),
  })
  .map(({ number, expiry, fingerprint }) => ({
    masked: mask(Redacted.make(number.number as CardNumber)),
    ...(expiry === undefined ? {} : { expiry }),
    ...(fingerprint === undefined ? {} : { fingerprint }),
  }))

export const owners: ReadonlyArray<OwnerRef> = ["cus_alice", "cus_bob"].map((value) => OwnerRef.make(value))
export const accounts: ReadonlyArray<AccountRef> = ["acct_main", "acct_other"].map((value) => AccountRef.make(value))

/** The types a policy's tokens come in: Zai's are bank or card token auths; the others tokenize cards. */
const typesOf = (p: Policy.LifecyclePolicy): fc.Arbitrary<TokenType> => {
  if (p.provider === "zai") return fc.constantFrom("bank" as const, "card" as const)
  if (p.provider === "gate" || p.provider === "rebilly" || p.provider === "komoju") {
    return fc.oneof({ weight: 5, arbitrary: fc.constant("card" as const) }, { weight: 1, arbitrary: tokenType })
  }
  return tokenType
}

/** The facts a token of `p` starts from. Card tokens usually carry the card's summary. */
export const factsFor = (p: Policy.LifecyclePolicy): fc.Arbitrary<TokenFacts> =>
  fc
    .record({
      key: fc.constantFrom("key_1", "key_2").map((value) => TokenKey.make(value)),
      account: fc.constantFrom(...accounts),
      owner: fc.constantFrom(...owners),
      type: typesOf(p),
      card: fc.option(cardSummary, { freq: 6, nil: undefined }),
    })
    .map(({ key, account, owner, type, card }) => ({
      key,
      policy: p,
      account,
      owner,
      type,
      ...(card === undefined || type !== "card" ? {} : { card }),
    }))

// ---------------------------------------------------------------------------
// Commands and their times
// ---------------------------------------------------------------------------

/**
 * When a step is judged, relative to the step before: a jump (forward, none, or backwards),
 * or an instant right at the token's expiry (`offset` ms from it), the boundary that matters.
 */
export type TimeStep =
  | { readonly _tag: "After"; readonly millis: number }
  | { readonly _tag: "AtExpiry"; readonly offset: -1 | 0 | 1 }

export const timeStep: fc.Arbitrary<TimeStep> = fc
  .oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: minute }) },
    { weight: 3, arbitrary: fc.integer({ min: minute, max: 3 * hour }) },
    { weight: 2, arbitrary: fc.integer({ min: hour, max: 2 * day }) },
    { weight: 1, arbitrary: fc.integer({ min: day, max: 400 * day }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 30 * minute, 2 * hour, day) },
    // The clock of whoever sends the command may be behind the token's latest event.
    { weight: 2, arbitrary: fc.integer({ min: -3 * hour, max: -1 }) },
  )
  .map((millis): TimeStep => ({ _tag: "After", millis }))
const timeStepOrExpiry: fc.Arbitrary<TimeStep> = fc.oneof(
  { weight: 6, arbitrary: timeStep },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(-1 as const, 0 as const, 1 as const)
      .map((offset) => ({ _tag: "AtExpiry" as const, offset })),
  },
)

/** A step of a scenario: a command, or the previous command once more. */
export type Order =
  | { readonly _tag: "Command"; readonly command: Command.LifecycleCommand }
  | { readonly _tag: "Repeat" }

export interface ScenarioStep {
  readonly order: Order
  readonly time: TimeStep
}

export interface Scenario {
  readonly facts: TokenFacts
  /** The instant of the first step. */
  readonly start: EpochMillis
  readonly steps: ReadonlyArray<ScenarioStep>
}

const requestRef = fc.constantFrom("req_1", "req_2")
const tokenIdOf = fc.constantFrom("tok_1", "tok_2").map((value) => TokenId.make(value))
const reference = fc.constantFrom("ref_1", "ref_2", "ref_3").map((value) => UseReference.make(value))
const failureReason: fc.Arbitrary<FailureReason> = fc.record(
  {
    kind: fc.constantFrom("declined", "invalid", "unauthorized", "unavailable", "timeout", "protocol", "other"),
    providerCode: fc.constantFrom("E100", "card_declined"),
  },
  { requiredKeys: ["kind"], noNullPrototype: true },
)

/** The first command of a life: a request, or an issue that brings the facts with it. */
const openingFor = (facts: TokenFacts, start: EpochMillis): fc.Arbitrary<Command.LifecycleCommand> =>
  fc.oneof(
    fc.constant<Command.LifecycleCommand>({ _tag: "Request", token: facts }),
    fc
      .record({ tokenId: tokenIdOf, issuedAt: fc.option(fc.integer({ min: -hour, max: minute }), { nil: undefined }) })
      .map(
        ({ tokenId, issuedAt }): Command.LifecycleCommand =>
          issuedAt === undefined
            ? { _tag: "Issue", tokenId, token: facts }
            : { _tag: "Issue", tokenId, token: facts, issuedAt: Math.max(0, start + issuedAt) },
      ),
  )

/** Any command, weighted towards the owner's own uses so that single-use limits are put to the test. */
export const commandFor = (facts: TokenFacts, start: EpochMillis): fc.Arbitrary<Command.LifecycleCommand> => {
  const rightUse = reference.map(
    (ref): Command.LifecycleCommand => ({ _tag: "Use", by: facts.owner, for: facts.type, reference: ref }),
  )
  const anyUse = fc
    .record({
      by: fc.constantFrom(facts.owner, ...owners),
      for: fc.constantFrom(facts.type, "card", "bank", "other"),
      reference,
    })
    .map(({ by, for: type, reference }): Command.LifecycleCommand => ({ _tag: "Use", by, for: type, reference }))
  const otherFacts = factsFor(facts.policy).map(
    (other): Command.LifecycleCommand => ({ _tag: "Request", token: other }),
  )
  const issue = fc
    .record({
      tokenId: tokenIdOf,
      issuedAt: fc.option(fc.integer({ min: -3 * hour, max: day }), { nil: undefined }),
      withFacts: fc.boolean(),
    })
    .map(
      ({ tokenId, issuedAt, withFacts }): Command.LifecycleCommand => ({
        _tag: "Issue",
        tokenId,
        ...(issuedAt === undefined ? {} : { issuedAt: Math.max(0, start + issuedAt) }),
        ...(withFacts ? { token: facts } : {}),
      }),
    )
  const refresh = fc
    .record({
      expiry: nearExpiry,
      // The token's own card most of the time; otherwise any of the known ones.
      fingerprint: fc.option(
        facts.card?.fingerprint === undefined
          ? fingerprint
          : fc.oneof(fc.constant(facts.card.fingerprint), fingerprint),
        { nil: undefined },
      ),
    })
    .map(
      ({ expiry, fingerprint }): Command.LifecycleCommand =>
        fingerprint === undefined ? { _tag: "RefreshExpiry", expiry } : { _tag: "RefreshExpiry", expiry, fingerprint },
    )
  return fc.oneof(
    { weight: 8, arbitrary: rightUse },
    { weight: 3, arbitrary: anyUse },
    { weight: 2, arbitrary: openingFor(facts, start) },
    { weight: 1, arbitrary: otherFacts },
    {
      weight: 2,
      arbitrary: requestRef.map((ref): Command.LifecycleCommand => ({ _tag: "Acknowledge", requestRef: ref })),
    },
    { weight: 3, arbitrary: issue },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom("clock" as const, "provider" as const)
        .map((source): Command.LifecycleCommand => ({ _tag: "Expire", source })),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom("merchant" as const, "provider" as const)
        .map((source): Command.LifecycleCommand => ({ _tag: "Revoke", source })),
    },
    { weight: Policy.deduplicatesByCard(facts.policy) ? 6 : 1, arbitrary: refresh },
    { weight: 1, arbitrary: failureReason.map((reason): Command.LifecycleCommand => ({ _tag: "Fail", reason })) },
  )
}

const orderFor = (facts: TokenFacts, start: EpochMillis): fc.Arbitrary<Order> =>
  fc.oneof(
    { weight: 8, arbitrary: commandFor(facts, start).map((command): Order => ({ _tag: "Command", command })) },
    { weight: 1, arbitrary: fc.constant<Order>({ _tag: "Repeat" }) },
  )

const instantNearBase = fc.integer({ min: baseTime - 30 * day, max: baseTime + 365 * day })

export interface ScenarioOptions {
  readonly policy?: fc.Arbitrary<Policy.LifecyclePolicy>
  readonly facts?: (policy: Policy.LifecyclePolicy) => fc.Arbitrary<TokenFacts>
  readonly maxSteps?: number
}

/** A command sent at the scenario's start instant. */
const atStart = (command: Command.LifecycleCommand): ScenarioStep => ({
  order: { _tag: "Command", command },
  time: { _tag: "After", millis: 0 },
})

/** A scenario for `facts` from `start`: the `opening` commands at the start, then any commands at any times. */
const scenarioOf = (
  facts: TokenFacts,
  start: EpochMillis,
  opening: fc.Arbitrary<ReadonlyArray<Command.LifecycleCommand>>,
  length: { readonly minLength?: number; readonly maxLength: number },
): fc.Arbitrary<Scenario> =>
  fc.record(
    {
      facts: fc.constant(facts),
      start: fc.constant(start),
      steps: fc
        .tuple(opening, fc.array(fc.record({ order: orderFor(facts, start), time: timeStepOrExpiry }, plain), length))
        .map(([first, rest]): ReadonlyArray<ScenarioStep> => [...first.map(atStart), ...rest]),
    },
    plain,
  )

/**
 * One token's life under a generated policy: usually opened by a request or an issue, then
 * any commands at any times. Some scenarios start with something else, to reach the
 * refusals of a token that does not exist.
 */
export const scenario = (options: ScenarioOptions = {}): fc.Arbitrary<Scenario> =>
  (options.policy ?? policy)
    .chain((p) => fc.tuple((options.facts ?? factsFor)(p), instantNearBase))
    .chain(([facts, start]) =>
      scenarioOf(
        facts,
        start,
        fc
          .option(openingFor(facts, start), { freq: 20, nil: undefined })
          .map((opening) => (opening === undefined ? [] : [opening])),
        { maxLength: options.maxSteps ?? 24 },
      ),
    )

/**
 * How a life ends, as the commands that end it: refused by the provider, revoked or expired
 * at the provider, or used up (for policies with a use limit).
 */
const endingFor = (facts: TokenFacts, start: EpochMillis): fc.Arbitrary<ReadonlyArray<Command.LifecycleCommand>> => {
  const issue: Command.LifecycleCommand = {
    _tag: "Issue",
    tokenId: TokenId.make("tok_1"),
    token: facts,
    issuedAt: start,
  }
  const use: Command.LifecycleCommand = {
    _tag: "Use",
    by: facts.owner,
    for: facts.type,
    reference: UseReference.make("ref_1"),
  }
  const endings: Array<fc.Arbitrary<ReadonlyArray<Command.LifecycleCommand>>> = [
    failureReason.map((reason) => [
      { _tag: "Request", token: facts },
      { _tag: "Fail", reason },
    ]),
    fc.constant([issue, { _tag: "Revoke", source: "provider" }]),
    fc.constant([issue, { _tag: "Expire", source: "provider" }]),
  ]
  const maxUses = facts.policy.maxUses
  if (maxUses !== null) endings.push(fc.constant([issue, ...Array.from({ length: maxUses }, () => use)]))
  return fc.oneof(...endings)
}

/**
 * A scenario whose first steps end the token's life (all at the start instant, before any
 * card or time to live can run out), followed by any commands at any times.
 */
export const endedScenario = (options: ScenarioOptions = {}): fc.Arbitrary<Scenario> =>
  (options.policy ?? policy)
    .chain((p) =>
      // A card that has already lapsed would stop the life before it starts: keep the card valid at the start.
      fc.tuple((options.facts ?? factsFor)(p), fc.integer({ min: baseTime - 30 * day, max: baseTime + 150 * day })),
    )
    .filter(([facts, start]) => facts.card?.expiry === undefined || cardExpiryEnd(facts.card.expiry) > start)
    .chain(([facts, start]) =>
      scenarioOf(facts, start, endingFor(facts, start), { minLength: 1, maxLength: options.maxSteps ?? 16 }),
    )

// ---------------------------------------------------------------------------
// Playing a scenario
// ---------------------------------------------------------------------------

/** One judged command: the state it met, the instant, the decision and the state after. */
export interface Step {
  readonly index: number
  readonly before: TokenState
  readonly command: Command.LifecycleCommand
  /** The instant the command was judged at, as its sender stamped it (it may be in the token's past). */
  readonly now: EpochMillis
  readonly decision: Decision
  readonly after: TokenState
}

const expiresAtOf = (state: TokenState): EpochMillis | undefined =>
  state._tag === "Absent" ? undefined : state.expiresAt

/**
 * Fold a scenario through `decide` and `evolve`: every command is judged against the state the
 * earlier ones left, and accepted events are applied one by one.
 */
export const play = (scenario: Scenario): ReadonlyArray<Step> => {
  const steps: Array<Step> = []
  let state: TokenState = initial
  let clock = scenario.start
  let previous: Command.LifecycleCommand | undefined
  scenario.steps.forEach((step, index) => {
    const expiresAt = expiresAtOf(state)
    clock =
      step.time._tag === "After" || expiresAt === undefined
        ? Math.max(0, clock + (step.time._tag === "After" ? step.time.millis : 0))
        : Math.max(0, expiresAt + step.time.offset)
    const command = step.order._tag === "Command" ? step.order.command : previous
    if (command === undefined) return
    previous = command
    const decision = decide(state, command, clock)
    const after = Either.match(decision, {
      onLeft: () => state,
      onRight: (events) => events.reduce(evolve, state),
    })
    steps.push({ index, before: state, command, now: clock, decision, after })
    state = after
  })
  return steps
}

/** Every event a played scenario emitted, in order. */
export const eventsOf = (steps: ReadonlyArray<Step>) =>
  steps.flatMap((step) => (Either.isRight(step.decision) ? step.decision.right : []))

/** The state a played scenario ended in. */
export const finalState = (steps: ReadonlyArray<Step>): TokenState => steps.at(-1)?.after ?? initial

// ---------------------------------------------------------------------------
// Values that must not be printed
// ---------------------------------------------------------------------------

/**
 * A generated secret (a card number, a CVV, a key) that a failing property must not print:
 * fast-check shows only `label` in its counterexample, never `value`.
 */
export interface Concealed<A> {
  readonly value: A
  readonly label: string
}

export const concealed = <A>(arbitrary: fc.Arbitrary<A>, label: (value: A) => string): fc.Arbitrary<Concealed<A>> =>
  arbitrary.map((value) => {
    const text = label(value)
    return { value, label: text, [fc.toStringMethod]: () => `<${text}>` }
  })

/** A Luhn-valid card number of any generated brand, concealed. */
export const concealedPan: fc.Arbitrary<Concealed<string>> = concealed(
  pan.map(({ number }) => number),
  (number) => `card number, ${number.length} digits`,
)
