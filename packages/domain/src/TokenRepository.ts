/**
 * The persistence port: each token's state and its append-only event log.
 *
 * Writes are guarded twice. Optimistic concurrency: an append names the version it was
 * decided against and fails if another writer got there first, so two fibers cannot both
 * consume a single-use token. Uniqueness: the live token keys of `TokenIndex` are unique
 * across the store, so one card cannot hold two live tokens where the policy forbids it.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { LifecycleEvent } from "./Event.js"
import type {
  AccountRef,
  CardFingerprint,
  EpochMillis,
  OwnerRef,
  ProviderId,
  TokenId,
  TokenKey,
} from "./Identifiers.js"
import type { Token } from "./Token.js"

/** A token as stored: its state and how many events made it. */
export interface StoredToken {
  readonly state: Token
  readonly version: number
}

export interface RecordedEvent {
  /** 1 for the first event of a token, then 2, 3, … */
  readonly version: number
  readonly event: LifecycleEvent
}

export interface AppendRequest {
  readonly key: TokenKey
  /** The version the events were decided against; 0 for a new token. */
  readonly expectedVersion: number
  readonly events: ReadonlyArray<LifecycleEvent>
  /** The state after the events, as `evolve` computed it. */
  readonly state: Token
  /** The id of the provider delivery that caused these events; a repeated one is refused. */
  readonly deliveryId?: string
}

/** Another writer appended first; decide again against the new state. */
export class VersionConflict extends Data.TaggedError("VersionConflict")<{
  readonly key: TokenKey
  readonly expectedVersion: number
  readonly actualVersion: number
}> {
  override get message(): string {
    return `token ${this.key} is at version ${this.actualVersion}, not ${this.expectedVersion}`
  }
}

/** The write would make a second live token where the index allows one. */
export class LiveTokenConflict extends Data.TaggedError("LiveTokenConflict")<{
  readonly key: TokenKey
  readonly existing: TokenKey
}> {
  override get message(): string {
    return `token ${this.key} would duplicate live token ${this.existing}`
  }
}

/** This provider delivery was applied before. */
export class DuplicateDelivery extends Data.TaggedError("DuplicateDelivery")<{ readonly deliveryId: string }> {
  override get message(): string {
    return `delivery ${this.deliveryId} was already applied`
  }
}

export type AppendError = VersionConflict | LiveTokenConflict | DuplicateDelivery

export interface LiveCardQuery {
  readonly provider: ProviderId
  readonly account: AccountRef
  readonly owner: OwnerRef
  readonly fingerprint: CardFingerprint
}

export interface TokenRepositoryService {
  readonly load: (key: TokenKey) => Effect.Effect<Option.Option<StoredToken>>
  readonly append: (request: AppendRequest) => Effect.Effect<StoredToken, AppendError>
  readonly history: (key: TokenKey) => Effect.Effect<ReadonlyArray<RecordedEvent>>
  /** The live (pending or active) token of this card, for policies that deduplicate by card. */
  readonly findLiveByCard: (query: LiveCardQuery) => Effect.Effect<Option.Option<StoredToken>>
  /** The token the provider calls `tokenId`: the live one, else the latest whose life has ended. */
  readonly findByTokenId: (provider: ProviderId, tokenId: TokenId) => Effect.Effect<Option.Option<StoredToken>>
  /** The token whose issuance the provider accepted under `requestRef`: the pending one, else the latest that had it. */
  readonly findByRequest: (provider: ProviderId, requestRef: string) => Effect.Effect<Option.Option<StoredToken>>
  /** Whether a provider delivery with this id was judged before (applied, or found to change nothing). */
  readonly hasDelivery: (deliveryId: string) => Effect.Effect<boolean>
  /** Note a delivery that was judged and changed nothing, so a repeat is known as one. */
  readonly recordDelivery: (deliveryId: string) => Effect.Effect<void>
  /** Keys of active tokens whose expiry is at or before `now`. */
  readonly due: (now: EpochMillis) => Effect.Effect<ReadonlyArray<TokenKey>>
}

export class TokenRepository extends Context.Tag("@token-lifecycle/domain/TokenRepository")<
  TokenRepository,
  TokenRepositoryService
>() {}
