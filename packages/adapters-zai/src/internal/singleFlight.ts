/**
 * Values that cost a request to get and stay good for a while, kept under a key and fetched by
 * one caller at a time: the access token (one key), the token auth of each payment session.
 *
 * Each key holds nothing, a value with the instant it stops being handed out, or a fetch in
 * flight as a `Deferred`. Deciding what to do is one atomic `Ref.modify`, so of many callers
 * finding no usable value exactly one starts a fetch and the rest wait on its `Deferred`,
 * sharing its value or its failure. The fetch runs in a fiber of the table's scope, so a caller
 * that gives up (interrupted, timed out) never strands the others. A failed fetch leaves nothing
 * behind, and the next caller tries again. Values past their time are dropped now and then, so
 * keys nobody asks for again do not pile up.
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HashMap from "effect/HashMap"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"

/** A fetched value and, in `Clock` milliseconds, when to stop handing it out. */
export interface Fresh<A> {
  readonly value: A
  readonly usableUntil: number
}

export interface SingleFlight<A, E> {
  /** The value under `key` while usable; else the fetch in flight; else `fetch`, started by this caller. */
  readonly get: (key: string, fetch: Effect.Effect<Fresh<A>, E>) => Effect.Effect<A, E>
  /** Forgets the value under `key` when `stale` says so. A fetch in flight is left alone. */
  readonly invalidate: (key: string, stale: (value: A) => boolean) => Effect.Effect<void>
  /** Every value held, usable or not yet dropped. */
  readonly values: Effect.Effect<ReadonlyArray<A>>
}

type Entry<A, E> =
  | { readonly _tag: "Ready"; readonly fresh: Fresh<A> }
  | { readonly _tag: "Fetching"; readonly pending: Deferred.Deferred<Fresh<A>, E> }

type Step<A, E> =
  | { readonly _tag: "Use"; readonly value: A }
  | { readonly _tag: "Await" | "Start"; readonly pending: Deferred.Deferred<Fresh<A>, E> }

interface Table<A, E> {
  readonly entries: HashMap.HashMap<string, Entry<A, E>>
  /** Past this many keys, values past their time are dropped; doubling keeps the cost constant per call. */
  readonly pruneAbove: number
}

const smallestPrune = 64

const pruned = <A, E>(table: Table<A, E>, now: number): Table<A, E> => {
  if (HashMap.size(table.entries) <= table.pruneAbove) return table
  const entries = HashMap.filter(table.entries, (entry) => entry._tag === "Fetching" || now < entry.fresh.usableUntil)
  return { entries, pruneAbove: Math.max(smallestPrune, 2 * HashMap.size(entries)) }
}

export const make = <A, E>(): Effect.Effect<SingleFlight<A, E>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const table = yield* Ref.make<Table<A, E>>({ entries: HashMap.empty(), pruneAbove: smallestPrune })

    /** Runs one fetch to its end, whoever waits for it, and records its outcome before releasing the waiters. */
    const run = (key: string, fetch: Effect.Effect<Fresh<A>, E>, pending: Deferred.Deferred<Fresh<A>, E>) =>
      fetch.pipe(
        Effect.onExit((exit) =>
          Ref.update(table, (current) => ({
            ...current,
            entries: Exit.isSuccess(exit)
              ? HashMap.set(current.entries, key, { _tag: "Ready", fresh: exit.value })
              : HashMap.remove(current.entries, key),
          })).pipe(Effect.zipRight(Deferred.done(pending, exit))),
        ),
        Effect.forkIn(scope),
      )

    /** The value under `key` when it is usable at `now`. */
    const usable = (current: Table<A, E>, key: string, now: number): A | undefined => {
      const entry = HashMap.get(current.entries, key)
      return entry._tag === "Some" && entry.value._tag === "Ready" && now < entry.value.fresh.usableUntil
        ? entry.value.fresh.value
        : undefined
    }

    /** No usable value: wait for the fetch in flight, or start one. */
    const wait = (key: string, fetch: Effect.Effect<Fresh<A>, E>, now: number): Effect.Effect<A, E> =>
      Effect.gen(function* () {
        const candidate = yield* Deferred.make<Fresh<A>, E>()
        // Deciding and starting the fetch happen together: an interruption between them would
        // leave a fetch on record that nothing completes.
        const step = yield* Effect.uninterruptible(
          Effect.gen(function* () {
            const decided = yield* Ref.modify(table, (current): [Step<A, E>, Table<A, E>] => {
              const value = usable(current, key, now)
              if (value !== undefined) return [{ _tag: "Use", value }, current]
              const entry = HashMap.get(current.entries, key)
              if (entry._tag === "Some" && entry.value._tag === "Fetching") {
                return [{ _tag: "Await", pending: entry.value.pending }, current]
              }
              const next = pruned(current, now)
              return [
                { _tag: "Start", pending: candidate },
                { ...next, entries: HashMap.set(next.entries, key, { _tag: "Fetching", pending: candidate }) },
              ]
            })
            if (decided._tag === "Start") yield* run(key, fetch, decided.pending)
            return decided
          }),
        )
        if (step._tag === "Use") return step.value
        return (yield* Deferred.await(step.pending)).value
      })

    // The common case, a usable value, is one read: no `Deferred`, no write.
    const get = (key: string, fetch: Effect.Effect<Fresh<A>, E>): Effect.Effect<A, E> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(Ref.get(table), (current) => {
          const value = usable(current, key, now)
          return value === undefined ? wait(key, fetch, now) : Effect.succeed(value)
        }),
      )

    const invalidate = (key: string, stale: (value: A) => boolean): Effect.Effect<void> =>
      Ref.update(table, (current) => {
        const entry = HashMap.get(current.entries, key)
        return entry._tag === "Some" && entry.value._tag === "Ready" && stale(entry.value.fresh.value)
          ? { ...current, entries: HashMap.remove(current.entries, key) }
          : current
      })

    const values = Effect.map(Ref.get(table), (current) =>
      Array.from(HashMap.values(current.entries)).flatMap((entry) =>
        entry._tag === "Ready" ? [entry.fresh.value] : [],
      ),
    )

    return { get, invalidate, values }
  })
