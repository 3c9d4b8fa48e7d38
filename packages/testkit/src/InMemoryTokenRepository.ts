/**
 * `TokenRepository` in memory: the reference store for tests, the walkthrough and embedding
 * without a database. One `SynchronizedRef` holds everything, so each append (version check,
 * uniqueness check, write) is atomic, as a database transaction would be.
 */
import type { EpochMillis, ProviderId, TokenId, TokenKey } from "@token-lifecycle/domain/Identifiers"
import { cardKey, requestKey, tokenIdKey, uniqueKeysOf } from "@token-lifecycle/domain/TokenIndex"
import {
  type AppendRequest,
  DuplicateDelivery,
  LiveTokenConflict,
  type RecordedEvent,
  type StoredToken,
  TokenRepository,
  type TokenRepositoryService,
  VersionConflict,
} from "@token-lifecycle/domain/TokenRepository"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as SynchronizedRef from "effect/SynchronizedRef"

interface Store {
  readonly tokens: ReadonlyMap<TokenKey, StoredToken>
  readonly histories: ReadonlyMap<TokenKey, ReadonlyArray<RecordedEvent>>
  /** Unique live keys (see `TokenIndex`) → the token holding them. */
  readonly unique: ReadonlyMap<string, TokenKey>
  /** Provider token id (see `TokenIndex.tokenIdKey`) → the latest token that held it, live or ended. */
  readonly latestByTokenId: ReadonlyMap<string, TokenKey>
  /** Provider request reference (see `TokenIndex.requestKey`) → the latest token that had it, live or ended. */
  readonly latestByRequest: ReadonlyMap<string, TokenKey>
  readonly deliveries: ReadonlySet<string>
}

const empty: Store = {
  tokens: new Map(),
  histories: new Map(),
  unique: new Map(),
  latestByTokenId: new Map(),
  latestByRequest: new Map(),
  deliveries: new Set(),
}

const appendTo = (
  store: Store,
  request: AppendRequest,
): Effect.Effect<readonly [StoredToken, Store], VersionConflict | LiveTokenConflict | DuplicateDelivery> => {
  const current = store.tokens.get(request.key)
  const actualVersion = current?.version ?? 0
  if (actualVersion !== request.expectedVersion) {
    return Effect.fail(
      new VersionConflict({ key: request.key, expectedVersion: request.expectedVersion, actualVersion }),
    )
  }
  if (request.deliveryId !== undefined && store.deliveries.has(request.deliveryId)) {
    return Effect.fail(new DuplicateDelivery({ deliveryId: request.deliveryId }))
  }
  const nextKeys = uniqueKeysOf(request.state)
  for (const key of nextKeys) {
    const holder = store.unique.get(key)
    if (holder !== undefined && holder !== request.key) {
      return Effect.fail(new LiveTokenConflict({ key: request.key, existing: holder }))
    }
  }
  const unique = new Map(store.unique)
  if (current !== undefined) for (const key of uniqueKeysOf(current.state)) unique.delete(key)
  for (const key of nextKeys) unique.set(key, request.key)

  const previous = store.histories.get(request.key) ?? []
  const recorded = request.events.map((event, i) => ({ version: actualVersion + i + 1, event }))
  const stored: StoredToken = { state: request.state, version: actualVersion + request.events.length }
  const deliveries =
    request.deliveryId === undefined ? store.deliveries : new Set([...store.deliveries, request.deliveryId])
  const tokenId = request.state.tokenId
  const latestByTokenId =
    tokenId === undefined
      ? store.latestByTokenId
      : new Map(store.latestByTokenId).set(tokenIdKey(request.state.policy.provider, tokenId), request.key)
  const requestRef = request.state.requestRef
  const latestByRequest =
    requestRef === undefined
      ? store.latestByRequest
      : new Map(store.latestByRequest).set(requestKey(request.state.policy.provider, requestRef), request.key)
  return Effect.succeed([
    stored,
    {
      tokens: new Map(store.tokens).set(request.key, stored),
      histories: new Map(store.histories).set(request.key, [...previous, ...recorded]),
      unique,
      latestByTokenId,
      latestByRequest,
      deliveries,
    },
  ] as const)
}

export const make: Effect.Effect<TokenRepositoryService> = Effect.map(SynchronizedRef.make(empty), (ref) => {
  const read = <A>(f: (store: Store) => A) => Effect.map(SynchronizedRef.get(ref), f)
  const byUniqueKey = (key: string) =>
    read((store) =>
      Option.flatMap(Option.fromNullable(store.unique.get(key)), (holder) =>
        Option.fromNullable(store.tokens.get(holder)),
      ),
    )
  /** The live holder of a unique key, else the latest token that held it. */
  const liveElseLatest = (key: string, index: "byTokenId" | "byRequest") =>
    Effect.flatMap(byUniqueKey(key), (live) =>
      Option.isSome(live)
        ? Effect.succeed(live)
        : read((store) =>
            Option.flatMap(
              Option.fromNullable((index === "byTokenId" ? store.latestByTokenId : store.latestByRequest).get(key)),
              (holder) => Option.fromNullable(store.tokens.get(holder)),
            ),
          ),
    )
  return {
    load: (key) => read((store) => Option.fromNullable(store.tokens.get(key))),
    append: (request) => SynchronizedRef.modifyEffect(ref, (store) => appendTo(store, request)),
    history: (key) => read((store) => store.histories.get(key) ?? []),
    findLiveByCard: (query) => byUniqueKey(cardKey(query.provider, query.account, query.owner, query.fingerprint)),
    findByTokenId: (provider: ProviderId, tokenId: TokenId) =>
      liveElseLatest(tokenIdKey(provider, tokenId), "byTokenId"),
    findByRequest: (provider: ProviderId, requestRef: string) =>
      liveElseLatest(requestKey(provider, requestRef), "byRequest"),
    hasDelivery: (deliveryId: string) => read((store) => store.deliveries.has(deliveryId)),
    recordDelivery: (deliveryId: string) =>
      SynchronizedRef.update(ref, (store) => ({ ...store, deliveries: new Set([...store.deliveries, deliveryId]) })),
    due: (now: EpochMillis) =>
      read((store) =>
        [...store.tokens.values()]
          .filter(({ state }) => state._tag === "Active" && state.expiresAt !== undefined && state.expiresAt <= now)
          .map(({ state }) => state.key),
      ),
  }
})

/** A fresh, empty store per layer build. */
export const layer: Layer.Layer<TokenRepository> = Layer.effect(TokenRepository, make)

/** A fresh store that also notes the key of every token written, so a check can visit them all. */
export const layerNoting = (written: Set<TokenKey>): Layer.Layer<TokenRepository> =>
  Layer.effect(
    TokenRepository,
    Effect.map(make, (repository) => ({
      ...repository,
      append: (request: AppendRequest) =>
        Effect.tap(repository.append(request), () => Effect.sync(() => written.add(request.key))),
    })),
  )
