/**
 * A simulator's log of the requests it received, in the order it answered them, for tests to
 * read. Each provider's record adds its own fields to what every one tells (`Entry`). Held as a
 * `Chunk`, so a long run does not copy the whole log at every request.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type * as Faults from "./Faults.js"

/** What every simulator's log tells of a request: where it went, when, and what came of it. */
export interface Entry<E extends string> extends Faults.Outcome {
  /** The path as the simulator received it (under its base URL in process, from the root over loopback). */
  readonly path: string
  /** The endpoint it named; none for an unknown path. */
  readonly endpoint: E | undefined
  /** The simulator's time when it arrived, in epoch milliseconds. */
  readonly receivedAt: number
}

export interface RequestLog<R> {
  readonly append: (entry: R) => Effect.Effect<void>
  /** Every entry so far, in order. */
  readonly entries: Effect.Effect<ReadonlyArray<R>>
}

export const make = <R>(): Effect.Effect<RequestLog<R>> =>
  Effect.map(Ref.make(Chunk.empty<R>()), (log) => ({
    append: (entry) => Ref.update(log, Chunk.append(entry)),
    entries: Effect.map(Ref.get(log), Chunk.toReadonlyArray),
  }))
