/**
 * A simulator's keyed records, kept immutable (rules are pure functions from one version of the
 * books to the next) without copying: a new version shares all but the changed entry with the
 * last, so adding the ten-thousandth token costs what adding the first did. Values come back in
 * the order their keys were first set, as providers list them.
 */
import * as Chunk from "effect/Chunk"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"

export interface Entries<V> {
  readonly byKey: HashMap.HashMap<string, V>
  /** Keys in the order they were first set. */
  readonly order: Chunk.Chunk<string>
}

export const empty = <V>(): Entries<V> => ({ byKey: HashMap.empty(), order: Chunk.empty() })

export const get = <V>(entries: Entries<V>, key: string): V | undefined =>
  Option.getOrUndefined(HashMap.get(entries.byKey, key))

/** `entries` with `key` set to `value`: a new key goes last, a known one keeps its place. */
export const set = <V>(entries: Entries<V>, key: string, value: V): Entries<V> => ({
  byKey: HashMap.set(entries.byKey, key, value),
  order: HashMap.has(entries.byKey, key) ? entries.order : Chunk.append(entries.order, key),
})

/** The values, in the order their keys were first set. */
export const values = <V>(entries: Entries<V>): ReadonlyArray<V> =>
  Chunk.toReadonlyArray(entries.order).map((key) => HashMap.unsafeGet(entries.byKey, key))
