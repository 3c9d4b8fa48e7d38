/**
 * Where the walkthrough writes: one line at a time into a sink the caller chooses, so the
 * same program prints to the terminal in `main` and into an array in the tests.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export interface TranscriptService {
  readonly write: (line: string) => Effect.Effect<void>
}

export class Transcript extends Context.Tag("@token-lifecycle/example-walkthrough/Transcript")<
  Transcript,
  TranscriptService
>() {}

/** A transcript handing every line to `sink`. */
export const layer = (sink: (line: string) => void): Layer.Layer<Transcript> =>
  Layer.succeed(Transcript, { write: (line) => Effect.sync(() => sink(line)) })

/** Write lines, in order. */
export const write = (...lines: ReadonlyArray<string>): Effect.Effect<void, never, Transcript> =>
  Effect.flatMap(Transcript, (transcript) => Effect.forEach(lines, transcript.write, { discard: true }))

export const blank: Effect.Effect<void, never, Transcript> = write("")
