/**
 * The lifecycle service: the decider wired to its ports. It reads time from `Clock`, ids and
 * fingerprints from `Identity`, keeps state and history in `TokenRepository`, and talks to
 * the provider through `TokenGateway`.
 *
 * Every change goes load → decide → append, with the version it was decided against; a
 * concurrent writer makes the append fail and the command is judged again on fresh state.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { type CardInput, parseCard } from "./Card.js"
import * as Command from "./Command.js"
import type { FailureReason, LifecycleEvent } from "./Event.js"
import { type GatewayError, isTransient } from "./GatewayError.js"
import {
  AccountRef,
  type CardFingerprint,
  OwnerRef,
  TokenId,
  type TokenKey,
  type TokenType,
  UseReference,
} from "./Identifiers.js"
import { Identity } from "./Identity.js"
import { InvalidInput } from "./InvalidInput.js"
import { decide, initial, isDue, replay } from "./Lifecycle.js"
import type { LifecycleError } from "./LifecycleError.js"
import { TokenNotFound } from "./LifecycleError.js"
import { deduplicatesByCard, type LifecyclePolicy } from "./Policy.js"
import type { ProviderEvent } from "./ProviderEvent.js"
import type { CardSummary, Token, TokenFacts, TokenState } from "./Token.js"
import { type CustomerDetails, type Money, TokenGateway, type UseOperation, type UseReceipt } from "./TokenGateway.js"
import {
  type AppendError,
  type DuplicateDelivery,
  type LiveTokenConflict,
  type RecordedEvent,
  type StoredToken,
  TokenRepository,
  type VersionConflict,
} from "./TokenRepository.js"

export interface IssueInput {
  readonly account: string
  readonly owner: string
  readonly type: TokenType
  /** Required for card tokens of providers that tokenize on the server; absent for Zai token auths. */
  readonly card?: CardInput
  readonly customer?: CustomerDetails
}

/** A token created outside this service (in the browser, say) and now made known to it. */
export interface RegisterInput {
  readonly tokenId: string
  readonly account: string
  readonly owner: string
  readonly type: TokenType
  /** The provider's creation time; lifetimes count from it. Defaults to now. */
  readonly issuedAt?: number
  readonly card?: CardSummary
}

export interface UseInput {
  /** Who is using the token; must be its owner. */
  readonly by: string
  /** The kind of instrument the use creates or pays with; must be the token's type. */
  readonly for: TokenType
  /** Our reference for the use (a payment id); generated when absent. */
  readonly reference?: string
  /** What the provider is asked to do with the token; absent when the use happened elsewhere (in the browser). */
  readonly operation?: UseOperation
  readonly amount?: Money
  readonly customer?: CustomerDetails
}

export interface UseResult {
  readonly token: Token
  readonly receipt?: UseReceipt
}

export type ApplyOutcome =
  | { readonly _tag: "Applied"; readonly token: Token; readonly events: ReadonlyArray<LifecycleEvent> }
  /**
   * Nothing changed: the delivery was applied before (`duplicate`), it repeats what the token
   * already says (`no-change`), it arrived after the token's life ended (`already-final`), it
   * answers a request no pending token is waiting on (`unknown-request`: possibly one whose
   * acknowledgement is not recorded yet, so a callback handler should ask for redelivery), or
   * it names a token this service does not hold (`unknown-token`).
   */
  | {
      readonly _tag: "Ignored"
      readonly reason: "duplicate" | "no-change" | "already-final" | "unknown-request" | "unknown-token"
    }

/** What a write can fail with besides a lifecycle refusal. */
export type StoreError = VersionConflict | LiveTokenConflict

export interface TokenLifecycleService {
  readonly policy: LifecyclePolicy
  /** Ask the provider for a token; for a card already tokenized (where the policy says so) refresh its expiry. */
  readonly issue: (input: IssueInput) => Effect.Effect<Token, InvalidInput | LifecycleError | GatewayError | StoreError>
  /** Make known a token issued outside this service. */
  readonly register: (input: RegisterInput) => Effect.Effect<Token, InvalidInput | LifecycleError | StoreError>
  /** Claim the token for one use, then (when asked) use it through the provider. */
  readonly use: (
    key: TokenKey,
    input: UseInput,
  ) => Effect.Effect<UseResult, InvalidInput | LifecycleError | GatewayError | StoreError>
  readonly revoke: (key: TokenKey) => Effect.Effect<Token, LifecycleError | GatewayError | StoreError>
  /** Record the expiry of every active token whose time is up; the keys expired. */
  readonly expireDue: Effect.Effect<ReadonlyArray<TokenKey>>
  /** Apply a verified, decoded provider callback or webhook. Repeats and stale deliveries change nothing. */
  readonly applyProviderEvent: (event: ProviderEvent) => Effect.Effect<ApplyOutcome, LifecycleError | StoreError>
  readonly get: (key: TokenKey) => Effect.Effect<Token, TokenNotFound>
  readonly history: (key: TokenKey) => Effect.Effect<ReadonlyArray<RecordedEvent>, TokenNotFound>
}

export class TokenLifecycle extends Context.Tag("@token-lifecycle/domain/TokenLifecycle")<
  TokenLifecycle,
  TokenLifecycleService
>() {}

export interface TokenLifecycleOptions {
  readonly policy: LifecyclePolicy
  /** How many times a command is judged again after losing a race to another writer. Default 8. */
  readonly maxAttempts?: number
}

const decodeField =
  <A, I>(schema: Schema.Schema<A, I>, field: string, reason: string) =>
  (value: unknown): Either.Either<A, InvalidInput> =>
    Either.mapLeft(Schema.decodeUnknownEither(schema)(value), () => new InvalidInput({ field, reason }))

const nameRule = "must be a non-empty string of at most 255 characters"
const decodeAccount = decodeField(AccountRef, "account", nameRule)
const decodeOwner = decodeField(OwnerRef, "owner", nameRule)
const decodeUser = decodeField(OwnerRef, "by", nameRule)
const decodeTokenId = decodeField(TokenId, "tokenId", nameRule)
const decodeReference = decodeField(UseReference, "reference", nameRule)

/** What a gateway failure tells the audit trail: its kind and the provider's code, never its text. */
const failureOf = (error: GatewayError): FailureReason => {
  switch (error._tag) {
    case "ProviderDeclined":
      return { kind: "declined", providerCode: error.code }
    case "ProviderValidationError":
      return error.providerCode === undefined
        ? { kind: "invalid" }
        : { kind: "invalid", providerCode: error.providerCode }
    case "ProviderUnauthorized":
      return { kind: "unauthorized" }
    case "ProviderRateLimited":
    case "ProviderUnavailable":
      return { kind: "unavailable" }
    case "ProviderTimeout":
      return { kind: "timeout" }
    case "ProviderProtocolError":
      return { kind: "protocol" }
    default:
      return { kind: "other" }
  }
}

/** Refusals that mean the provider's news came after the token's life (or its card) had already ended. */
const alreadyFinal = new Set(["TokenAlreadyUsed", "TokenExpired", "TokenRevoked", "TokenFailed", "CardExpired"])

export const make = (options: TokenLifecycleOptions) =>
  Effect.gen(function* () {
    const gateway = yield* TokenGateway
    const repository = yield* TokenRepository
    const identity = yield* Identity
    const policy = options.policy
    const provider = policy.provider
    const retries = Math.max((options.maxAttempts ?? 8) - 1, 0)

    const stateOf = (stored: Option.Option<StoredToken>): { state: TokenState; version: number } =>
      Option.match(stored, {
        onNone: () => ({ state: initial, version: 0 }),
        onSome: (found) => ({ state: found.state, version: found.version }),
      })

    /** Load, judge at the current time, append. Judged again when another writer wins the race. */
    const execute = (
      key: TokenKey,
      command: Command.LifecycleCommand,
      deliveryId?: string,
    ): Effect.Effect<{ token: Token; events: ReadonlyArray<LifecycleEvent> }, LifecycleError | AppendError> =>
      Effect.gen(function* () {
        const { state, version } = stateOf(yield* repository.load(key))
        const now = yield* Clock.currentTimeMillis
        const events = yield* decide(state, command, now)
        if (events.length === 0) {
          // Accepted with nothing to record: the command was already satisfied.
          return { token: state as Token, events }
        }
        const token = replay(events, state) as Token
        yield* repository.append({
          key,
          expectedVersion: version,
          events,
          state: token,
          ...(deliveryId === undefined ? {} : { deliveryId }),
        })
        yield* Effect.logDebug(`token ${key}: ${events.map((event) => event._tag).join(", ")} → ${token._tag}`)
        return { token, events }
      }).pipe(
        Effect.retry({ times: retries, while: (error) => error._tag === "VersionConflict" }),
        // Lazy expiry: a command that met an expired token leaves the expiry on record. Not for provider news:
        // its outcome must not depend on when it is delivered, only on what it says.
        Effect.tapError((error) =>
          error._tag === "TokenExpired" && command._tag !== "Expire" && deliveryId === undefined
            ? Effect.ignore(execute(key, Command.expire("clock")))
            : Effect.void,
        ),
      )

    /** `execute` for commands that cannot meet a delivery id: only lifecycle and store errors remain. */
    const run = (key: TokenKey, command: Command.LifecycleCommand) =>
      execute(key, command).pipe(
        Effect.catchTag("DuplicateDelivery", (error) => Effect.die(error)),
        Effect.map(({ token }) => token),
      )

    const load = (key: TokenKey) =>
      Effect.flatMap(repository.load(key), (stored) =>
        Option.match(stored, {
          onNone: () => Effect.fail(new TokenNotFound({ key })),
          onSome: (found) => Effect.succeed(found.state),
        }),
      )

    /**
     * After a refresh whose outcome is unknown (no answer, a 5xx), the provider may hold the new expiry: read the
     * token back and record the expiry it reports, so the two do not drift apart. Best effort: failures are ignored.
     */
    const reconcileExpiry = (token: Token) =>
      Effect.gen(function* () {
        if (!gateway.capabilities.retrieve || token.tokenId === undefined) return
        const snapshot = yield* gateway.retrieve(token.tokenId, token.owner)
        const expiry = snapshot.card?.expiry
        if (expiry !== undefined) yield* run(token.key, Command.refreshExpiry({ expiry }))
      }).pipe(Effect.ignore)

    const issue = (input: IssueInput) =>
      Effect.gen(function* () {
        const account = yield* decodeAccount(input.account)
        const owner = yield* decodeOwner(input.owner)
        const card = input.card === undefined ? undefined : yield* parseCard(input.card)
        if (card !== undefined && input.type !== "card") {
          return yield* new InvalidInput({ field: "card", reason: `cannot be given for a ${input.type} token` })
        }
        const fingerprint: CardFingerprint | undefined =
          card === undefined ? undefined : yield* identity.fingerprint(card.number)
        const issueRequest = {
          account,
          owner,
          type: input.type,
          ...(card === undefined ? {} : { card }),
          ...(input.customer === undefined ? {} : { customer: input.customer }),
        }

        const sameCard = card !== undefined && fingerprint !== undefined && deduplicatesByCard(policy)

        /**
         * The card already has a live token, where the provider keeps one per card: a pending one is the answer; an
         * active one has its expiry refreshed; a lapsed one has its expiry recorded and the card starts a new token
         * (`None`).
         */
        const sameCardAgain = (current: Token) =>
          Effect.gen(function* () {
            if (card === undefined || current._tag === "Pending") return Option.some(current)
            const now = yield* Clock.currentTimeMillis
            if (isDue(current, now)) {
              yield* Effect.ignore(run(current.key, Command.expire("clock")))
              return Option.none<Token>()
            }
            const refresh = Command.refreshExpiry(
              fingerprint === undefined ? { expiry: card.expiry } : { expiry: card.expiry, fingerprint },
            )
            // Judged first, so a refresh the lifecycle refuses (a lapsed card) never reaches the provider.
            const changes = yield* decide(current, refresh, now)
            if (changes.length === 0) return Option.some(current)
            // Then the provider, which holds the token and updates the expiry on its side; then the record.
            yield* gateway
              .issue({ ...issueRequest, idempotencyKey: yield* identity.nextIdempotencyKey })
              .pipe(Effect.tapError((error) => (isTransient(error) ? reconcileExpiry(current) : Effect.void)))
            return Option.some(yield* run(current.key, refresh))
          })

        if (sameCard) {
          const existing = yield* repository.findLiveByCard({ provider, account, owner, fingerprint })
          if (Option.isSome(existing)) {
            const handled = yield* sameCardAgain(existing.value.state)
            if (Option.isSome(handled)) return handled.value
          }
        }

        const key = yield* identity.nextKey
        const cardSummary: CardSummary | undefined =
          card === undefined
            ? undefined
            : fingerprint === undefined
              ? { masked: card.masked, expiry: card.expiry }
              : { masked: card.masked, expiry: card.expiry, fingerprint }
        const facts: TokenFacts = {
          key,
          policy,
          account,
          owner,
          type: input.type,
          ...(cardSummary === undefined ? {} : { card: cardSummary }),
        }
        const requested = yield* Effect.either(run(key, Command.request(facts)))
        if (Either.isLeft(requested)) {
          const error = requested.left
          if (error._tag !== "LiveTokenConflict" || !sameCard) return yield* Effect.fail(error)
          // Another caller started this card's token between the look-up above and this write: carry on with theirs.
          const theirs = yield* sameCardAgain(yield* load(error.existing))
          if (Option.isSome(theirs)) return theirs.value
          // Theirs had lapsed: its expiry is now on record and the card is free.
          yield* run(key, Command.request(facts))
        }

        const outcome = yield* gateway
          .issue({ ...issueRequest, idempotencyKey: yield* identity.nextIdempotencyKey })
          .pipe(Effect.tapError((error) => Effect.ignore(run(key, Command.fail(failureOf(error))))))
        return yield* outcome._tag === "Issued"
          ? run(
              key,
              Command.issue(
                outcome.issuedAt === undefined
                  ? { tokenId: outcome.tokenId }
                  : { tokenId: outcome.tokenId, issuedAt: outcome.issuedAt },
              ),
            )
          : run(key, Command.acknowledge(outcome.requestRef))
      })

    const register = (input: RegisterInput) =>
      Effect.gen(function* () {
        const tokenId = yield* decodeTokenId(input.tokenId)
        const account = yield* decodeAccount(input.account)
        const owner = yield* decodeOwner(input.owner)
        const key = yield* identity.nextKey
        const facts: TokenFacts = {
          key,
          policy,
          account,
          owner,
          type: input.type,
          ...(input.card === undefined ? {} : { card: input.card }),
        }
        return yield* run(
          key,
          Command.issue(
            input.issuedAt === undefined
              ? { tokenId, token: facts }
              : { tokenId, token: facts, issuedAt: input.issuedAt },
          ),
        )
      })

    const use = (key: TokenKey, input: UseInput) =>
      Effect.gen(function* () {
        const by = yield* decodeUser(input.by)
        const reference = yield* decodeReference(input.reference ?? (yield* identity.nextIdempotencyKey))
        // The claim is on record before the provider hears of the use: at most once, even if the call fails.
        const token = yield* run(key, Command.use({ by, for: input.for, reference }))
        if (input.operation === undefined || token.tokenId === undefined) return { token }
        const receipt = yield* gateway.use({
          tokenId: token.tokenId,
          owner: by,
          type: input.for,
          operation: input.operation,
          reference,
          ...(input.amount === undefined ? {} : { amount: input.amount }),
          ...(input.customer === undefined ? {} : { customer: input.customer }),
        })
        return { token, receipt }
      })

    const revoke = (key: TokenKey) =>
      Effect.gen(function* () {
        const state = yield* load(key)
        // Judge first, so a revocation the lifecycle refuses never reaches the provider.
        yield* decide(state, Command.revoke("merchant"), yield* Clock.currentTimeMillis).pipe(
          Effect.tapError((error) =>
            error._tag === "TokenExpired" ? Effect.ignore(run(key, Command.expire("clock"))) : Effect.void,
          ),
        )
        if (state.tokenId !== undefined) yield* gateway.revoke(state.tokenId, state.owner)
        return yield* run(key, Command.revoke("merchant"))
      })

    const expireDue = Effect.gen(function* () {
      const keys = yield* repository.due(yield* Clock.currentTimeMillis)
      const expired: Array<TokenKey> = []
      for (const key of keys) {
        const outcome = yield* Effect.either(run(key, Command.expire("clock")))
        if (Either.isRight(outcome)) expired.push(key)
      }
      return expired
    })

    /** The token a provider event is about: the one whose request it answers, else the one named by its token id. */
    const findTarget = (requestRef: string | undefined, tokenId: TokenId | undefined) =>
      Effect.gen(function* () {
        if (requestRef !== undefined) {
          const requested = yield* repository.findByRequest(provider, requestRef)
          if (Option.isSome(requested)) return requested
        }
        return tokenId === undefined ? Option.none() : yield* repository.findByTokenId(provider, tokenId)
      })

    type Next =
      | { readonly _tag: "Command"; readonly key: TokenKey; readonly command: Command.LifecycleCommand }
      | { readonly _tag: "Ignore"; readonly reason: "unknown-request" | "unknown-token" }

    const ignore = (reason: "unknown-request" | "unknown-token"): Next => ({ _tag: "Ignore", reason })
    const onToken =
      (command: Command.LifecycleCommand) =>
      (token: Token): Next => ({ _tag: "Command", key: token.key, command })

    const issuedByProvider = (event: Extract<ProviderEvent, { _tag: "TokenIssued" }>, found: Option.Option<Token>) =>
      Effect.gen(function* () {
        const issuedAt = event.issuedAt === undefined ? {} : { issuedAt: event.issuedAt }
        const issue = Command.issue({ tokenId: event.tokenId, ...issuedAt })
        // A token already held keeps its expiry: only the same card entered again here refreshes it. News of an
        // expiry from the provider can arrive late, repeated or out of order, and carries no time to order it by.
        if (Option.isSome(found)) return onToken(issue)(found.value)
        if (event.requestRef !== undefined) return ignore("unknown-request")
        // A token the provider made on its own (after a first payment, say): its life starts here.
        const key = yield* identity.nextKey
        const facts: TokenFacts = {
          key,
          policy,
          account: event.account,
          owner: event.owner,
          type: event.type,
          ...(event.card === undefined ? {} : { card: event.card }),
        }
        return {
          _tag: "Command",
          key,
          command: Command.issue({ tokenId: event.tokenId, token: facts, ...issuedAt }),
        } satisfies Next
      })

    const nextFor = (event: ProviderEvent, target: Option.Option<StoredToken>): Effect.Effect<Next> => {
      const found = Option.map(target, (stored) => stored.state)
      const onFound = (command: Command.LifecycleCommand, otherwise: Next) =>
        Effect.succeed(Option.match(found, { onNone: () => otherwise, onSome: onToken(command) }))
      switch (event._tag) {
        case "TokenIssued":
          return issuedByProvider(event, found)
        case "TokenRefused":
          return onFound(Command.fail(event.reason), ignore("unknown-request"))
        case "TokenRevoked":
          return onFound(Command.revoke("provider"), ignore("unknown-token"))
        case "TokenExpired":
          return onFound(Command.expire("provider"), ignore("unknown-token"))
        case "TokenUsed":
          return onFound(
            Command.use({ by: event.by, for: event.for, reference: event.reference }),
            ignore("unknown-token"),
          )
      }
    }

    const applyProviderEvent = (event: ProviderEvent): Effect.Effect<ApplyOutcome, LifecycleError | StoreError> =>
      Effect.gen(function* () {
        // A repeat is recognised before it is judged: judging it again could record what time alone has changed.
        if (yield* repository.hasDelivery(event.deliveryId)) return { _tag: "Ignored", reason: "duplicate" } as const
        const requestRef = "requestRef" in event ? event.requestRef : undefined
        const tokenId = "tokenId" in event ? event.tokenId : undefined
        const next = yield* nextFor(event, yield* findTarget(requestRef, tokenId))
        if (next._tag === "Ignore") return { _tag: "Ignored", reason: next.reason } as const
        const { token, events } = yield* execute(next.key, next.command, event.deliveryId)
        if (events.length > 0) return { _tag: "Applied", token, events } as const
        yield* repository.recordDelivery(event.deliveryId)
        return { _tag: "Ignored", reason: "no-change" } as const
      }).pipe(
        Effect.catchIf(
          (error): error is DuplicateDelivery => error._tag === "DuplicateDelivery",
          () => Effect.succeed({ _tag: "Ignored", reason: "duplicate" } as const),
        ),
        Effect.catchIf(
          (error): error is LifecycleError => alreadyFinal.has(error._tag),
          () =>
            Effect.as(repository.recordDelivery(event.deliveryId), {
              _tag: "Ignored",
              reason: "already-final",
            } as const),
        ),
      )

    const history = (key: TokenKey) =>
      Effect.flatMap(repository.history(key), (events) =>
        events.length === 0 ? Effect.fail(new TokenNotFound({ key })) : Effect.succeed(events),
      )

    return TokenLifecycle.of({
      policy,
      issue,
      register,
      use,
      revoke,
      expireDue,
      applyProviderEvent,
      get: load,
      history,
    })
  })

/** The lifecycle service for one provider policy, over the gateway, repository and identity in context. */
export const layer = (options: TokenLifecycleOptions) => Layer.effect(TokenLifecycle, make(options))
