/**
 * The gateway conformance suite: the contract of the `TokenGateway` port as @effect/vitest
 * tests. Every adapter runs it against its provider simulator (the reference gateway runs it
 * first), so any adapter that passes can stand behind the port in place of another, within
 * what its capabilities declare.
 *
 * The suite judges a gateway by the port and by the policy table only: what the provider's
 * rules say, never what one implementation happens to do. Each test builds the gateway
 * afresh and runs under Effect's `TestClock`, set to `startAt`.
 *
 * ```ts
 * Conformance.suite("Gate over its simulator", {
 *   gateway: GateSimulator.layer.pipe(Layer.provideMerge(GateAdapter.layer)),
 *   policy: Policy.gate,
 *   fixture: { account: "project-1", owner: "cus-1", otherOwner: "cus-2", type: "card", cards, operation: "payment" },
 *   providerEvents: GateSimulator.deliveredCallbacks,
 * })
 * ```
 */
import { assert, describe, expect, it } from "@effect/vitest"
import type { Operation } from "@token-lifecycle/domain/Capabilities"
import { type Card, type CardInput, cardExpiryEnd, parseCard } from "@token-lifecycle/domain/Card"
import {
  type GatewayError,
  isTransient,
  ProviderDeclined,
  ProviderNotFound,
  ProviderProtocolError,
  ProviderRateLimited,
  ProviderTimeout,
  ProviderUnauthorized,
  ProviderUnavailable,
  ProviderValidationError,
  Unsupported,
} from "@token-lifecycle/domain/GatewayError"
import {
  AccountRef,
  type EpochMillis,
  OwnerRef,
  TokenId,
  type TokenKey,
  type TokenType,
  UseReference,
} from "@token-lifecycle/domain/Identifiers"
import type { Identity } from "@token-lifecycle/domain/Identity"
import type { LifecyclePolicy } from "@token-lifecycle/domain/Policy"
import type { ProviderEvent, TokenIssuedByProvider } from "@token-lifecycle/domain/ProviderEvent"
import {
  type CustomerDetails,
  type IssueRequest,
  type Money,
  TokenGateway,
  type TokenGatewayService,
  type TokenSnapshot,
  type UseOperation,
} from "@token-lifecycle/domain/TokenGateway"
import * as TokenLifecycle from "@token-lifecycle/domain/TokenLifecycle"
import type { TokenRepository } from "@token-lifecycle/domain/TokenRepository"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as InMemoryTokenRepository from "./InMemoryTokenRepository.js"
import * as SequentialIdentity from "./SequentialIdentity.js"

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/** Inputs the provider accepts: what its sandbox or simulator knows. */
export interface Fixture {
  /** The provider-side scope tokens are issued in: a project, an organization, a merchant account. */
  readonly account: string
  /** The owner tokens are issued to. */
  readonly owner: string
  /** A second owner the provider knows: it tries the first one's tokens, and holds tokens of its own. */
  readonly otherOwner: string
  /** The type of the tokens issued. */
  readonly type: TokenType
  /**
   * Two or more different cards the provider tokenizes (its sandbox's test cards), valid for
   * years after `startAt`. Absent where tokens are issued before any card is known (Zai).
   */
  readonly cards?: readonly [CardInput, CardInput, ...ReadonlyArray<CardInput>]
  readonly customer?: CustomerDetails
  /** What a use asks of the provider. */
  readonly operation: UseOperation
  readonly amount?: Money
}

/**
 * What the suite needs to drive one gateway. `R` is what the options' effects need besides
 * the gateway (a simulator's controls, say); the `gateway` layer provides it.
 */
export interface Options<R, E> {
  /** The gateway under test and whatever `R` the options need. Built afresh for every test. */
  readonly gateway: Layer.Layer<TokenGateway | R, E>
  /** The rules the provider's tokens live by. */
  readonly policy: LifecyclePolicy
  readonly fixture: Fixture
  /**
   * The provider events (callbacks, webhooks) sent since the last call, verified, decoded and
   * in the order sent. An adapter receiving them over the network waits here until everything
   * the provider sent so far has arrived. Required when the policy's answer is asynchronous.
   */
  readonly providerEvents?: Effect.Effect<ReadonlyArray<ProviderEvent>, never, R>
  /**
   * For a provider whose clock is not Effect's (a simulator in another process): move it
   * forward by `millis`. The suite always moves Effect's `TestClock` as well, which is all an
   * in-process simulator reading `Clock` needs.
   */
  readonly advanceProviderClock?: (millis: number) => Effect.Effect<void, never, R>
  /**
   * How a token comes to exist where the server cannot issue one (`issue` unsupported): as the
   * browser would, through the simulator. Required then.
   */
  readonly createToken?: (request: IssueRequest) => Effect.Effect<TokenId, GatewayError, R>
  /**
   * Whether the provider itself refuses a token to an owner other than its own. Where a token
   * is bound only to the account (a merchant account, an organization), the lifecycle's own
   * owner check is what protects it, and only that is checked. Default `true`.
   */
  readonly ownerBound?: boolean
  /**
   * Whether the provider forgets a revoked token (a deleted KOMOJU customer): retrieving it is
   * then refused with `ProviderNotFound` instead of reported `revoked`. Default `false`.
   */
  readonly revokedIsForgotten?: boolean
  /** The instant every test starts at. Default 2026-01-01T00:00:00Z. */
  readonly startAt?: EpochMillis
  /** Per-test timeout in milliseconds, for gateways over a network. Default vitest's. */
  readonly timeout?: number
}

// ---------------------------------------------------------------------------
// Judging outcomes
// ---------------------------------------------------------------------------

const gatewayErrorClasses = [
  ProviderValidationError,
  ProviderNotFound,
  ProviderUnauthorized,
  ProviderRateLimited,
  ProviderUnavailable,
  ProviderTimeout,
  ProviderProtocolError,
  ProviderDeclined,
  Unsupported,
] as const

/** Whether `value` is one of the port's typed errors: an instance of its classes, not a look-alike. */
export const isGatewayError = (value: unknown): value is GatewayError =>
  gatewayErrorClasses.some((errorClass) => value instanceof errorClass)

/** A failure's kind, for messages: its tag or its class name, never its content (which may hold card data). */
const kindOf = (value: unknown): string => {
  if (typeof value === "object" && value !== null) {
    if ("_tag" in value && typeof value._tag === "string") return value._tag
    return value.constructor?.name ?? "object"
  }
  return typeof value
}

const describeCause = (cause: Cause.Cause<unknown>): string => {
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) return `died with a defect (${kindOf(defect.value)})`
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return `failed with ${kindOf(failure.value)}`
  return Cause.isInterruptedOnly(cause) ? "was interrupted" : "failed"
}

/** The value of `effect`; anything else fails the test, naming `what`. */
export const accepted = <A, E, R>(what: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, never, R> =>
  Effect.flatMap(Effect.exit(effect), (exit) =>
    Exit.isSuccess(exit)
      ? Effect.succeed(exit.value)
      : Effect.sync(() => assert.fail(`${what} should succeed but ${describeCause(exit.cause)}`)),
  )

/** The failure of `effect`, which must be a plain typed failure: not a success, a defect or an interruption. */
const failureOf = <A, E, R>(what: string, effect: Effect.Effect<A, E, R>): Effect.Effect<E, never, R> =>
  Effect.flatMap(Effect.exit(effect), (exit) =>
    Effect.sync(() => {
      if (Exit.isSuccess(exit)) return assert.fail(`${what} should be refused but succeeded`)
      const failure = Cause.failureOption(exit.cause)
      if (Option.isNone(failure) || Option.isSome(Cause.dieOption(exit.cause))) {
        return assert.fail(`${what} should be refused with a typed error but ${describeCause(exit.cause)}`)
      }
      return failure.value
    }),
  )

/** The refusal of `effect`: one of the port's typed errors. */
export const refused = <A, E, R>(what: string, effect: Effect.Effect<A, E, R>): Effect.Effect<GatewayError, never, R> =>
  Effect.flatMap(failureOf(what, effect), (error) =>
    Effect.sync(() => {
      if (!isGatewayError(error)) {
        return assert.fail(`${what} should be refused with a typed GatewayError, not ${kindOf(error)}`)
      }
      return error
    }),
  )

/** A refusal that repeating cannot change: not transient, not `Unsupported`. */
const refusedForGood = <A, E, R>(what: string, effect: Effect.Effect<A, E, R>) =>
  Effect.tap(refused(what, effect), (error) =>
    Effect.sync(() => {
      expect(isTransient(error), `${what}: refused with a transient ${error._tag}`).toBe(false)
      expect(error._tag, `${what}: refused as unsupported`).not.toBe("Unsupported")
    }),
  )

/** A refusal with the lifecycle's (or the store's) error `tag`. */
const refusedWith = <A, E, R>(what: string, tag: string, effect: Effect.Effect<A, E, R>) =>
  Effect.tap(failureOf(what, effect), (error) => Effect.sync(() => expect(kindOf(error), what).toBe(tag)))

// ---------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------

const operations: ReadonlyArray<Operation> = ["issue", "retrieve", "list", "revoke", "use"]

let requests = 0
/** Idempotency keys unique across tests, for simulators that outlive one test. */
const nextIdempotencyKey = () => `conformance-${Date.now().toString(36)}-${++requests}`

const prepareCards = (suiteName: string, inputs: ReadonlyArray<CardInput>): ReadonlyArray<Card> =>
  inputs.map((input, i) =>
    Either.getOrElse(parseCard(input), (problem) => {
      throw new Error(`${suiteName}: fixture card ${i + 1} is invalid (${problem.field} ${problem.reason})`)
    }),
  )

/**
 * Register the conformance tests of one gateway under `describe(name)`. Tests that need an
 * operation the gateway does not declare check its typed `Unsupported` instead.
 */
export const suite = <R = never, E = never>(name: string, options: Options<R, E>): void => {
  const { fixture, policy } = options
  const startAt = options.startAt ?? Date.UTC(2026, 0, 1)
  const ownerBound = options.ownerBound ?? true
  const revokedIsForgotten = options.revokedIsForgotten ?? false
  const asynchronous = policy.answer === "asynchronous"
  const singleUse = policy.maxUses !== null
  const account = AccountRef.make(fixture.account)
  const owner = OwnerRef.make(fixture.owner)
  const otherOwner = OwnerRef.make(fixture.otherOwner)
  const cards = prepareCards(name, fixture.cards ?? [])
  const cardNumbers = cards.map((card) => Redacted.value(card.number) as string)
  const providerEvents = options.providerEvents
  if (asynchronous && providerEvents === undefined) {
    throw new Error(`${name}: the ${policy.name} policy answers asynchronously, so the suite needs providerEvents`)
  }
  if (fixture.cards !== undefined && new Set(cardNumbers).size < cardNumbers.length) {
    throw new Error(`${name}: the fixture's cards must be different cards`)
  }

  // --- Driving the gateway ---------------------------------------------------

  /** The fixture's `i`-th card (cycling), or none when the provider issues without one. */
  const cardAt = (i: number): Card | undefined => cards[i % Math.max(cards.length, 1)]

  const issueRequest = (forOwner: OwnerRef, card: Card | undefined): IssueRequest => ({
    account,
    owner: forOwner,
    type: fixture.type,
    idempotencyKey: nextIdempotencyKey(),
    ...(card === undefined ? {} : { card }),
    ...(fixture.customer === undefined ? {} : { customer: fixture.customer }),
  })

  let uses = 0
  const useRequest = (tokenId: TokenId, by: OwnerRef) => ({
    tokenId,
    owner: by,
    type: fixture.type,
    operation: fixture.operation,
    reference: UseReference.make(`conformance-use-${++uses}`),
    ...(fixture.amount === undefined ? {} : { amount: fixture.amount }),
    ...(fixture.customer === undefined ? {} : { customer: fixture.customer }),
  })

  const collectEvents: Effect.Effect<ReadonlyArray<ProviderEvent>, never, R> = providerEvents ?? Effect.succeed([])

  const advance = (millis: number): Effect.Effect<void, never, R> =>
    Effect.zipRight(TestClock.adjust(millis), options.advanceProviderClock?.(millis) ?? Effect.void)

  /** How many distinct deliveries some provider events are: repeats of one delivery count once. */
  const deliveriesIn = (events: ReadonlyArray<ProviderEvent>): number =>
    new Set(events.map((event) => event.deliveryId)).size

  /** Whether a value (an answer, an event, an error) shows a whole card number anywhere. */
  const showsCardNumber = (value: unknown): boolean => {
    const text = JSON.stringify(value) ?? ""
    return cardNumbers.some((digits) => text.includes(digits))
  }

  /** The one provider event answering an accepted request: it must be a `TokenIssued`. */
  const answerTo = (requestRef: string, request: IssueRequest) =>
    Effect.gen(function* () {
      const events = yield* collectEvents
      const answers = events.filter((event) => "requestRef" in event && event.requestRef === requestRef)
      // Providers deliver at least once: a repeat (the same delivery id) is fine, a second answer is not.
      expect(deliveriesIn(answers), "provider deliveries answering one accepted issuance").toBe(1)
      const answer = answers[0] as ProviderEvent
      expect(answer._tag, "the provider's answer to an issuance of the fixture's inputs").toBe("TokenIssued")
      const issued = answer as TokenIssuedByProvider
      expect(issued.account, "the answer's account").toBe(request.account)
      expect(issued.owner, "the answer's owner").toBe(request.owner)
      expect(issued.type, "the answer's token type").toBe(request.type)
      expect(showsCardNumber(issued), "the provider event shows a card number").toBe(false)
      return issued
    })

  interface Obtained {
    readonly tokenId: TokenId
    /** The provider's issue time, or the clock's when it gives none. */
    readonly issuedAt: EpochMillis
    readonly card: Card | undefined
  }

  /** A token for `forOwner`: issued (and, if asynchronous, answered), or created as a browser would. */
  const obtain = (gateway: TokenGatewayService, forOwner: OwnerRef, card: Card | undefined) =>
    Effect.gen(function* () {
      const request = issueRequest(forOwner, card)
      const now = yield* Clock.currentTimeMillis
      if (!gateway.capabilities.issue) {
        const create = options.createToken
        if (create === undefined) {
          return assert.fail(`${name}: the gateway cannot issue, so the suite needs createToken`)
        }
        const tokenId = yield* accepted("creating a token", create(request))
        return { tokenId, issuedAt: now, card } satisfies Obtained
      }
      const outcome = yield* accepted("issue", gateway.issue(request))
      if (outcome._tag === "Issued") return { tokenId: outcome.tokenId, issuedAt: outcome.issuedAt ?? now, card }
      const answer = yield* answerTo(outcome.requestRef, request)
      return { tokenId: answer.tokenId, issuedAt: answer.issuedAt ?? now, card } satisfies Obtained
    })

  /** When the policy says a token issued at `issuedAt` lapses; `undefined` when it never does. */
  const expectedExpiry = (issuedAt: EpochMillis, card: Card | undefined): EpochMillis | undefined => {
    const ttl = policy.timeToLive[fixture.type]
    const deadlines = [
      ...(ttl === null ? [] : [issuedAt + ttl]),
      ...(policy.endsWithCardExpiry && card !== undefined ? [cardExpiryEnd(card.expiry)] : []),
    ]
    return deadlines.length === 0 ? undefined : Math.min(...deadlines)
  }

  const checkSnapshot = (snapshot: TokenSnapshot, token: Obtained, status: TokenSnapshot["status"]) => {
    expect(snapshot.tokenId, "the token id the provider reports").toBe(token.tokenId)
    expect(snapshot.status, "the status the provider reports").toBe(status)
    if (snapshot.issuedAt !== undefined) expect(snapshot.issuedAt, "the reported issue time").toBe(token.issuedAt)
    const expiry = expectedExpiry(token.issuedAt, token.card)
    if (snapshot.expiresAt !== undefined) expect(snapshot.expiresAt, "the reported expiry").toBe(expiry)
    if (snapshot.card?.masked !== undefined && token.card !== undefined) {
      expect(snapshot.card.masked.last4, "the reported card's last four digits").toBe(token.card.masked.last4)
    }
    expect(showsCardNumber(snapshot), "the snapshot shows a card number").toBe(false)
  }

  /** The snapshot of a token, if the gateway can retrieve; otherwise its typed `Unsupported`. */
  const expectStatus = (gateway: TokenGatewayService, token: Obtained, status: TokenSnapshot["status"]) =>
    gateway.capabilities.retrieve
      ? Effect.map(accepted("retrieve", gateway.retrieve(token.tokenId, owner)), (snapshot) =>
          checkSnapshot(snapshot, token, status),
        )
      : expectUnsupported(gateway, "retrieve", gateway.retrieve(token.tokenId, owner))

  /** Retrieve a revoked token: `check` its snapshot, or, where the provider forgets it, expect it not found. */
  const retrieveRevoked = (
    gateway: TokenGatewayService,
    tokenId: TokenId,
    by: OwnerRef,
    check: (snapshot: TokenSnapshot) => void,
  ) =>
    revokedIsForgotten
      ? Effect.map(refused("retrieve of a revoked token", gateway.retrieve(tokenId, by)), (error) =>
          expect(error._tag, "retrieve of a token the provider forgot on revocation").toBe("ProviderNotFound"),
        )
      : Effect.map(accepted("retrieve", gateway.retrieve(tokenId, by)), check)

  /** What retrieve says of a revoked token, if the gateway can retrieve; otherwise its typed `Unsupported`. */
  const expectRevoked = (gateway: TokenGatewayService, token: Obtained, by: OwnerRef = owner) =>
    gateway.capabilities.retrieve
      ? retrieveRevoked(gateway, token.tokenId, by, (snapshot) => checkSnapshot(snapshot, token, "revoked"))
      : expectUnsupported(gateway, "retrieve", gateway.retrieve(token.tokenId, by))

  const expectUnsupported = <A>(
    gateway: TokenGatewayService,
    operation: Operation,
    effect: Effect.Effect<A, GatewayError, R>,
  ) =>
    Effect.map(refused(`${operation} (undeclared)`, effect), (error) => {
      expect(error._tag, `${operation}, which the gateway does not declare`).toBe("Unsupported")
      const unsupported = error as Unsupported
      expect(unsupported.operation, "the operation Unsupported names").toBe(operation)
      expect(unsupported.provider, "the provider Unsupported names").toBe(gateway.provider)
    })

  /** Register a test against services built afresh from `layer`, with the clock at `startAt`. */
  const freshTest =
    <S, Provided>(layer: Layer.Layer<Provided, E>, services: Effect.Effect<S, never, NoInfer<Provided>>) =>
    (title: string, body: (services: S) => Effect.Effect<void, never, Provided>) =>
      it.effect(
        title,
        () =>
          Effect.gen(function* () {
            yield* TestClock.setTime(startAt)
            yield* body(yield* services)
          }).pipe(Effect.provide(layer)),
        options.timeout,
      )

  /** Register a test against a fresh gateway. */
  const gatewayTest = freshTest(options.gateway, TokenGateway)

  // --- Driving the lifecycle over the gateway -------------------------------

  type LifecycleServices = TokenLifecycle.TokenLifecycle | TokenGateway | TokenRepository | Identity | R

  const lifecycleLayer = TokenLifecycle.layer({ policy }).pipe(
    Layer.provideMerge(Layer.mergeAll(options.gateway, InMemoryTokenRepository.layer, SequentialIdentity.layer())),
  )

  /** Register a test against a fresh lifecycle over a fresh gateway, in-memory store and identity. */
  const lifecycleTest = (
    title: string,
    body: (
      lifecycle: TokenLifecycle.TokenLifecycleService,
      gateway: TokenGatewayService,
    ) => Effect.Effect<void, never, LifecycleServices>,
  ) =>
    freshTest(lifecycleLayer, Effect.all([TokenLifecycle.TokenLifecycle, TokenGateway]))(
      title,
      ([lifecycle, gateway]) => body(lifecycle, gateway),
    )

  const tagsOf = (lifecycle: TokenLifecycle.TokenLifecycleService, key: TokenKey) =>
    Effect.map(accepted("history", lifecycle.history(key)), (history) => history.map(({ event }) => event._tag))

  /**
   * A token through the lifecycle, active: issued (answered by provider event if asynchronous),
   * or created as a browser would and registered. With the events its history must hold.
   */
  const activeToken = (lifecycle: TokenLifecycle.TokenLifecycleService, gateway: TokenGatewayService, i: number) =>
    Effect.gen(function* () {
      const card = fixture.cards?.[i % fixture.cards.length]
      if (!gateway.capabilities.issue) {
        const created = yield* obtain(gateway, owner, cardAt(i))
        const token = yield* accepted(
          "register",
          lifecycle.register({
            tokenId: created.tokenId,
            account,
            owner,
            type: fixture.type,
            issuedAt: created.issuedAt,
          }),
        )
        return { token, tags: ["TokenIssued"] }
      }
      const issued = yield* accepted(
        "TokenLifecycle.issue",
        lifecycle.issue({
          account: fixture.account,
          owner: fixture.owner,
          type: fixture.type,
          ...(card === undefined ? {} : { card }),
          ...(fixture.customer === undefined ? {} : { customer: fixture.customer }),
        }),
      )
      expect(showsCardNumber(issued), "the token shows a card number").toBe(false)
      if (!asynchronous) {
        expect(issued._tag, "a token answered synchronously").toBe("Active")
        return { token: issued, tags: ["TokenRequested", "TokenIssued"] }
      }
      expect(issued._tag, "a token whose issuance was accepted, not yet answered").toBe("Pending")
      yield* refusedWith("using a pending token", "TokenNotActive", lifecycle.use(issued.key, useInput(gateway)))
      for (const event of yield* collectEvents) {
        yield* accepted("applyProviderEvent", lifecycle.applyProviderEvent(event))
      }
      const token = yield* accepted("get", lifecycle.get(issued.key))
      expect(token._tag, "a token after the provider's answer").toBe("Active")
      return { token, tags: ["TokenRequested", "TokenRequestAcknowledged", "TokenIssued"] }
    })

  /** A use through the lifecycle: sent to the provider when the gateway can use tokens, else only recorded (Zai's browser spends them). */
  const useInput = (gateway: TokenGatewayService, by: string = fixture.owner, type: TokenType = fixture.type) => ({
    by,
    for: type,
    ...(gateway.capabilities.use
      ? {
          operation: fixture.operation,
          ...(fixture.amount === undefined ? {} : { amount: fixture.amount }),
          ...(fixture.customer === undefined ? {} : { customer: fixture.customer }),
        }
      : {}),
  })

  // --- The contract -----------------------------------------------------------

  describe(name, () => {
    gatewayTest("declares the capabilities its policy implies", (gateway) =>
      Effect.sync(() => {
        expect(gateway.provider, "provider").toBe(policy.provider)
        expect(gateway.capabilities.reusable, "reusable, as the policy's uses allowed say").toBe(!singleUse)
        expect(gateway.capabilities.asynchronous, "asynchronous, as the policy's answer says").toBe(asynchronous)
        expect(gateway.capabilities.revoke, "revoke, as the policy's revocability says").toBe(policy.revocable)
      }),
    )

    gatewayTest("answers each undeclared operation with a typed Unsupported, and no declared one", (gateway) =>
      Effect.gen(function* () {
        const unknownToken = TokenId.make("conformance-unknown-token")
        const attempts: Record<Operation, Effect.Effect<unknown, GatewayError>> = {
          issue: gateway.issue(issueRequest(owner, cardAt(0))),
          retrieve: gateway.retrieve(unknownToken, owner),
          list: gateway.list({ offset: 0, limit: 1 }),
          revoke: gateway.revoke(unknownToken, owner),
          use: gateway.use(useRequest(unknownToken, owner)),
        }
        for (const operation of operations) {
          if (!gateway.capabilities[operation]) {
            yield* expectUnsupported(gateway, operation, attempts[operation])
            continue
          }
          const exit = yield* Effect.exit(attempts[operation])
          if (Exit.isFailure(exit)) {
            const error = yield* refused(operation, Effect.failCause(exit.cause))
            expect(error._tag, `${operation}, which the gateway declares`).not.toBe("Unsupported")
          }
        }
      }),
    )

    gatewayTest(
      asynchronous
        ? "issue answers Accepted, then one TokenIssued provider event for the request"
        : "issue answers Issued with the token",
      (gateway) =>
        Effect.gen(function* () {
          if (!gateway.capabilities.issue)
            return yield* expectUnsupported(gateway, "issue", gateway.issue(issueRequest(owner, cardAt(0))))
          const request = issueRequest(owner, cardAt(0))
          const outcome = yield* accepted("issue", gateway.issue(request))
          expect(showsCardNumber(outcome), "the issue answer shows a card number").toBe(false)
          expect(outcome._tag, "the issue answer").toBe(asynchronous ? "Accepted" : "Issued")
          if (outcome._tag === "Accepted") {
            expect(outcome.requestRef.length, "the accepted request's reference").toBeGreaterThan(0)
            const answer = yield* answerTo(outcome.requestRef, request)
            expect(answer.tokenId.length, "the issued token id").toBeGreaterThan(0)
            if (answer.card?.masked !== undefined && request.card !== undefined) {
              expect(answer.card.masked.last4, "the issued card's last four digits").toBe(request.card.masked.last4)
            }
            return
          }
          expect(outcome.tokenId.length, "the issued token id").toBeGreaterThan(0)
          if (outcome.card?.masked !== undefined && request.card !== undefined) {
            expect(outcome.card.masked.last4, "the issued card's last four digits").toBe(request.card.masked.last4)
          }
        }),
    )

    gatewayTest(
      policy.sameCard === "refresh-expiry"
        ? "the same card again for the same owner is the same token, with the card's new expiry"
        : "every issuance is a new token, even for the same card and owner",
      (gateway) =>
        Effect.gen(function* () {
          if (!gateway.capabilities.issue)
            return yield* expectUnsupported(gateway, "issue", gateway.issue(issueRequest(owner, cardAt(0))))
          const card = cardAt(0)
          const first = yield* obtain(gateway, owner, card)
          const renewed =
            card === undefined ? undefined : { ...card, expiry: { ...card.expiry, year: card.expiry.year + 1 } }
          const second = yield* obtain(gateway, owner, renewed)
          const otherOwners = yield* obtain(gateway, otherOwner, card)
          expect(otherOwners.tokenId, "another owner's token for the same card").not.toBe(first.tokenId)
          if (policy.sameCard === "new-token" || renewed === undefined) {
            expect(second.tokenId, "a second issuance").not.toBe(first.tokenId)
            return
          }
          expect(second.tokenId, "the same card again").toBe(first.tokenId)
          yield* expectStatus(gateway, { ...first, card: renewed }, "active")
        }),
    )

    gatewayTest(
      singleUse ? "a token serves one use; the second is refused for good" : "a token serves use after use",
      (gateway) =>
        Effect.gen(function* () {
          const token = yield* obtain(gateway, owner, cardAt(0))
          if (!gateway.capabilities.use)
            return yield* expectUnsupported(gateway, "use", gateway.use(useRequest(token.tokenId, owner)))
          const request = useRequest(token.tokenId, owner)
          const receipt = yield* accepted("the first use", gateway.use(request))
          expect(receipt.reference, "the receipt's reference").toBe(request.reference)
          expect(["succeeded", "pending"], "the receipt's status").toContain(receipt.status)
          if (singleUse) {
            yield* refusedForGood("a second use of a single-use token", gateway.use(useRequest(token.tokenId, owner)))
            yield* refusedForGood("a third use of a single-use token", gateway.use(useRequest(token.tokenId, owner)))
          } else {
            yield* accepted("a second use of a reusable token", gateway.use(useRequest(token.tokenId, owner)))
            yield* accepted("a third use of a reusable token", gateway.use(useRequest(token.tokenId, owner)))
          }
          yield* expectStatus(gateway, token, singleUse ? "used" : "active")
        }),
    )

    gatewayTest(
      singleUse
        ? "of simultaneous uses of a single-use token, exactly one succeeds"
        : "simultaneous uses of a reusable token all succeed",
      (gateway) =>
        Effect.gen(function* () {
          const token = yield* obtain(gateway, owner, cardAt(0))
          if (!gateway.capabilities.use) {
            return yield* expectUnsupported(gateway, "use", gateway.use(useRequest(token.tokenId, owner)))
          }
          const attempts = yield* Effect.all(
            Array.from({ length: 8 }, () => Effect.exit(gateway.use(useRequest(token.tokenId, owner)))),
            { concurrency: "unbounded" },
          )
          const succeeded = attempts.filter(Exit.isSuccess).length
          expect(succeeded, "simultaneous uses that succeeded").toBe(singleUse ? 1 : attempts.length)
          for (const attempt of attempts.filter(Exit.isFailure)) {
            yield* refusedForGood("a simultaneous use that lost", Effect.failCause(attempt.cause))
          }
        }),
    )

    if (ownerBound) {
      gatewayTest("another owner is refused the token, and the refusal does not consume it", (gateway) =>
        Effect.gen(function* () {
          const token = yield* obtain(gateway, owner, cardAt(0))
          if (gateway.capabilities.use) {
            yield* refusedForGood("a use by another owner", gateway.use(useRequest(token.tokenId, otherOwner)))
          }
          if (gateway.capabilities.retrieve) {
            yield* refusedForGood("a retrieval by another owner", gateway.retrieve(token.tokenId, otherOwner))
          }
          if (gateway.capabilities.revoke) {
            yield* refusedForGood("a revocation by another owner", gateway.revoke(token.tokenId, otherOwner))
          }
          if (gateway.capabilities.use) {
            yield* accepted(
              "the owner's use after another owner's attempts",
              gateway.use(useRequest(token.tokenId, owner)),
            )
          }
          yield* expectStatus(gateway, token, gateway.capabilities.use && singleUse ? "used" : "active")
        }),
      )
    }

    gatewayTest("retrieve reports each token's id, status, times and card", (gateway) =>
      Effect.gen(function* () {
        const fresh = yield* obtain(gateway, owner, cardAt(0))
        const used = yield* obtain(gateway, owner, cardAt(1))
        const revoked = yield* obtain(gateway, otherOwner, cardAt(0))
        if (gateway.capabilities.use) yield* accepted("use", gateway.use(useRequest(used.tokenId, owner)))
        if (gateway.capabilities.revoke) yield* accepted("revoke", gateway.revoke(revoked.tokenId, otherOwner))
        yield* collectEvents
        yield* expectStatus(gateway, fresh, "active")
        yield* expectStatus(gateway, used, gateway.capabilities.use && singleUse ? "used" : "active")
        if (gateway.capabilities.revoke) yield* expectRevoked(gateway, revoked, otherOwner)
        else if (gateway.capabilities.retrieve) {
          const snapshot = yield* accepted("retrieve", gateway.retrieve(revoked.tokenId, otherOwner))
          checkSnapshot(snapshot, revoked, "active")
        }
      }),
    )

    gatewayTest("list pages through every token once, with consistent offsets, limits and totals", (gateway) =>
      Effect.gen(function* () {
        if (!gateway.capabilities.list)
          return yield* expectUnsupported(gateway, "list", gateway.list({ offset: 0, limit: 2 }))
        const tokens = [
          yield* obtain(gateway, owner, cardAt(0)),
          yield* obtain(gateway, owner, cardAt(1)),
          yield* obtain(gateway, otherOwner, cardAt(0)),
          yield* obtain(gateway, otherOwner, cardAt(1)),
        ]
        const [first] = tokens
        if (first !== undefined && gateway.capabilities.use) {
          yield* accepted("use", gateway.use(useRequest(first.tokenId, owner)))
        }
        const limit = 3
        const seen: Array<TokenSnapshot> = []
        let total: number | undefined
        for (let offset = 0, page = 0; ; offset += limit, page++) {
          expect(page, "pages listed before the end").toBeLessThan(1000)
          const result = yield* accepted(`list at offset ${offset}`, gateway.list({ offset, limit }))
          expect(result.offset, "the page's offset").toBe(offset)
          expect(result.limit, "the page's limit").toBe(limit)
          expect(result.items.length, "items on one page").toBeLessThanOrEqual(limit)
          if (page > 0) expect(result.total, "the total, page after page").toBe(total)
          total = result.total
          seen.push(...result.items)
          if (result.items.length === 0 || (total !== undefined && offset + limit >= total)) break
        }
        if (total !== undefined) expect(seen.length, "items listed, against the total").toBe(total)
        expect(new Set(seen.map((item) => item.tokenId)).size, "token ids listed more than once").toBe(seen.length)
        for (const [i, token] of tokens.entries()) {
          const listed = seen.filter((item) => item.tokenId === token.tokenId)
          expect(listed.length, `times token ${i + 1} is listed`).toBe(1)
          const status = i === 0 && gateway.capabilities.use && singleUse ? "used" : "active"
          checkSnapshot(listed[0] as TokenSnapshot, token, status)
        }
        const beyond = yield* accepted("list past the end", gateway.list({ offset: seen.length + limit, limit }))
        expect(beyond.items.length, "items past the end").toBe(0)
      }),
    )

    if (policy.revocable) {
      gatewayTest(
        "a revoked token cannot be used or retrieved as active, and revoking it again changes nothing",
        (gateway) =>
          Effect.gen(function* () {
            const token = yield* obtain(gateway, owner, cardAt(0))
            yield* accepted("revoke", gateway.revoke(token.tokenId, owner))
            if (asynchronous) {
              const events = yield* collectEvents
              const revocations = events.filter(
                (event) => event._tag === "TokenRevoked" && event.tokenId === token.tokenId,
              )
              expect(deliveriesIn(revocations), "TokenRevoked deliveries after one revocation").toBe(1)
            }
            if (gateway.capabilities.use) {
              yield* refusedForGood("a use of a revoked token", gateway.use(useRequest(token.tokenId, owner)))
            }
            yield* expectRevoked(gateway, token)
            // Refused, or accepted as already done (providers differ): either way the token stays revoked.
            yield* Effect.either(gateway.revoke(token.tokenId, owner))
            yield* expectRevoked(gateway, token)
            if (gateway.capabilities.use) {
              yield* refusedForGood("a use after revoking again", gateway.use(useRequest(token.tokenId, owner)))
            }
          }),
      )
    }

    gatewayTest("a token lapses when the policy says, by the provider's clock", (gateway) =>
      Effect.gen(function* () {
        // Two tokens with the same deadline: one used just before it, one tried at it.
        const early = yield* obtain(gateway, owner, cardAt(0))
        const late = yield* obtain(gateway, otherOwner, cardAt(0))
        const deadline = expectedExpiry(early.issuedAt, early.card)
        expect(expectedExpiry(late.issuedAt, late.card), "the two tokens' deadlines").toBe(deadline)
        if (deadline === undefined) {
          // A token that never lapses with time is as good ten years on.
          yield* advance(10 * 365 * 24 * 3_600_000)
          yield* expectStatus(gateway, early, "active")
          if (gateway.capabilities.use)
            yield* accepted("a use years later", gateway.use(useRequest(early.tokenId, owner)))
          return
        }
        const now = yield* Clock.currentTimeMillis
        yield* advance(deadline - 1_000 - now)
        yield* expectStatus(gateway, early, "active")
        if (gateway.capabilities.use)
          yield* accepted("a use just before the deadline", gateway.use(useRequest(early.tokenId, owner)))
        yield* advance(1_000)
        if (gateway.capabilities.use) {
          yield* refusedForGood("a use at the deadline", gateway.use(useRequest(late.tokenId, otherOwner)))
        }
        if (gateway.capabilities.retrieve) {
          const snapshot = yield* accepted("retrieve", gateway.retrieve(late.tokenId, otherOwner))
          checkSnapshot(snapshot, late, "expired")
        }
      }),
    )

    gatewayTest("every refusal is a typed GatewayError, whatever the token id", (gateway) =>
      Effect.gen(function* () {
        const strangeIds = ["conformance-no-such-token", "../../etc/passwd", "a b&c=d?e#f%00", "x".repeat(255)]
        for (const raw of strangeIds) {
          const tokenId = TokenId.make(raw)
          const attempts: ReadonlyArray<readonly [Operation, Effect.Effect<unknown, GatewayError>]> = [
            ["retrieve", gateway.retrieve(tokenId, owner)],
            ["use", gateway.use(useRequest(tokenId, owner))],
            ["revoke", gateway.revoke(tokenId, owner)],
          ]
          for (const [operation, attempt] of attempts) {
            const error = gateway.capabilities[operation]
              ? yield* refusedForGood(`${operation} of an unknown token`, attempt)
              : yield* refused(`${operation} (undeclared)`, attempt)
            expect(showsCardNumber(error), "the refusal shows a card number").toBe(false)
          }
        }
        if (gateway.capabilities.list) {
          const exit = yield* Effect.exit(gateway.list({ offset: 0, limit: 0 }))
          if (Exit.isSuccess(exit)) expect(exit.value.items.length, "items on an empty page").toBe(0)
          else yield* refused("an empty page", Effect.failCause(exit.cause))
        }
      }),
    )

    // --- End to end, through the lifecycle ----------------------------------

    lifecycleTest(
      singleUse
        ? "through TokenLifecycle: issue, use, and a second use refused with TokenAlreadyUsed"
        : "through TokenLifecycle: issue, then use after use",
      (lifecycle, gateway) =>
        Effect.gen(function* () {
          const { token, tags } = yield* activeToken(lifecycle, gateway, 0)
          const first = yield* accepted("the first use", lifecycle.use(token.key, useInput(gateway)))
          expect(first.token.uses, "uses after the first").toBe(1)
          if (gateway.capabilities.use) expect(first.receipt?.status, "the provider's receipt").toBeDefined()
          if (singleUse) {
            expect(first.token._tag, "a single-use token after its use").toBe("Used")
            yield* refusedWith("a second use", "TokenAlreadyUsed", lifecycle.use(token.key, useInput(gateway)))
            expect(yield* tagsOf(lifecycle, token.key), "history").toEqual([...tags, "TokenUsed"])
          } else {
            const second = yield* accepted("a second use", lifecycle.use(token.key, useInput(gateway)))
            expect(second.token.uses, "uses after the second").toBe(2)
            expect(yield* tagsOf(lifecycle, token.key), "history").toEqual([...tags, "TokenUsed", "TokenUsed"])
          }
        }),
    )

    lifecycleTest(
      "through TokenLifecycle: another owner, or another type, is refused and changes nothing",
      (lifecycle, gateway) =>
        Effect.gen(function* () {
          const { token, tags } = yield* activeToken(lifecycle, gateway, 0)
          const otherType: TokenType = fixture.type === "card" ? "bank" : "card"
          yield* refusedWith(
            "a use by another owner",
            "WrongOwner",
            lifecycle.use(token.key, useInput(gateway, fixture.otherOwner)),
          )
          yield* refusedWith(
            "a use for another type",
            "WrongTokenType",
            lifecycle.use(token.key, useInput(gateway, fixture.owner, otherType)),
          )
          expect(yield* tagsOf(lifecycle, token.key), "history after refusals").toEqual(tags)
          const after = yield* accepted("get", lifecycle.get(token.key))
          expect(after, "the token after refusals").toEqual(token)
          yield* accepted("the owner's use", lifecycle.use(token.key, useInput(gateway)))
        }),
    )

    if (asynchronous) {
      lifecycleTest("through TokenLifecycle: a repeated provider event changes nothing", (lifecycle) =>
        Effect.gen(function* () {
          const pending = yield* accepted(
            "TokenLifecycle.issue",
            lifecycle.issue({
              account: fixture.account,
              owner: fixture.owner,
              type: fixture.type,
              ...(fixture.cards === undefined ? {} : { card: fixture.cards[0] }),
              ...(fixture.customer === undefined ? {} : { customer: fixture.customer }),
            }),
          )
          const events = yield* collectEvents
          expect(deliveriesIn(events), "provider deliveries after one issuance").toBe(1)
          const [answer] = events
          if (answer !== undefined) {
            const once = yield* accepted("the first delivery", lifecycle.applyProviderEvent(answer))
            expect(once._tag, "the first delivery").toBe("Applied")
            // Every further delivery, repeats the gateway passed on included, is a repeat.
            for (const repeat of [...events.slice(1), answer]) {
              const outcome = yield* accepted("a repeated delivery", lifecycle.applyProviderEvent(repeat))
              expect(outcome._tag, "a repeated delivery").toBe("Ignored")
            }
          }
          expect(yield* tagsOf(lifecycle, pending.key), "history").toEqual([
            "TokenRequested",
            "TokenRequestAcknowledged",
            "TokenIssued",
          ])
        }),
      )
    }

    const lifetime = policy.timeToLive[fixture.type]
    if (lifetime !== null || (policy.endsWithCardExpiry && fixture.cards !== undefined)) {
      lifecycleTest(
        "through TokenLifecycle: at its expiry a token is refused with TokenExpired, and the expiry is recorded",
        (lifecycle, gateway) =>
          Effect.gen(function* () {
            const { token, tags } = yield* activeToken(lifecycle, gateway, 0)
            const expiresAt = token.expiresAt
            expect(expiresAt, "the token's expiry").toBeDefined()
            yield* advance((expiresAt ?? 0) - (yield* Clock.currentTimeMillis))
            yield* refusedWith("a use at expiry", "TokenExpired", lifecycle.use(token.key, useInput(gateway)))
            expect(yield* tagsOf(lifecycle, token.key), "history").toEqual([...tags, "TokenExpired"])
            if (gateway.capabilities.retrieve && token.tokenId !== undefined) {
              const snapshot = yield* accepted("retrieve", gateway.retrieve(token.tokenId, owner))
              expect(snapshot.status, "the provider's view at the same instant").toBe("expired")
            }
          }),
      )
    }

    if (policy.revocable) {
      lifecycleTest(
        "through TokenLifecycle: a revocation reaches the provider and ends the token",
        (lifecycle, gateway) =>
          Effect.gen(function* () {
            const { token, tags } = yield* activeToken(lifecycle, gateway, 0)
            const revoked = yield* accepted("revoke", lifecycle.revoke(token.key))
            expect(revoked._tag, "the token after revocation").toBe("Revoked")
            yield* refusedWith("a use after revocation", "TokenRevoked", lifecycle.use(token.key, useInput(gateway)))
            for (const event of yield* collectEvents) {
              const outcome = yield* accepted("the provider's revocation event", lifecycle.applyProviderEvent(event))
              expect(outcome._tag, "the provider's word on a token already revoked").toBe("Ignored")
            }
            expect(yield* tagsOf(lifecycle, token.key), "history").toEqual([...tags, "TokenRevoked"])
            if (gateway.capabilities.retrieve && token.tokenId !== undefined) {
              yield* retrieveRevoked(gateway, token.tokenId, owner, (snapshot) =>
                expect(snapshot.status, "the provider's view").toBe("revoked"),
              )
            }
          }),
      )
    } else {
      lifecycleTest(
        "through TokenLifecycle: a revocation is refused by the policy and reaches no one",
        (lifecycle, gateway) =>
          Effect.gen(function* () {
            const { token, tags } = yield* activeToken(lifecycle, gateway, 0)
            yield* refusedWith("a revocation", "UnsupportedByPolicy", lifecycle.revoke(token.key))
            expect(yield* tagsOf(lifecycle, token.key), "history").toEqual(tags)
            if (gateway.capabilities.retrieve && token.tokenId !== undefined) {
              const snapshot = yield* accepted("retrieve", gateway.retrieve(token.tokenId, owner))
              expect(snapshot.status, "the provider's view").toBe("active")
            }
          }),
      )
    }
  })
}
