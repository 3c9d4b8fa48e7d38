/**
 * A simulator's time: Effect's `Clock` plus an offset a test can move. In process, `TestClock`
 * drives it like everything else; behind a real server, where the test's clock is not the
 * server's, `advance` and `setTime` do.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

export interface SimulatedClock {
  /** The simulator's time, in epoch milliseconds. */
  readonly now: Effect.Effect<number>
  /** Moves the simulator's time forward, on top of `Clock`. */
  readonly advance: (duration: Duration.DurationInput) => Effect.Effect<void>
  /** Sets the simulator's time. */
  readonly setTime: (epochMillis: number) => Effect.Effect<void>
}

export const make: Effect.Effect<SimulatedClock> = Effect.map(Ref.make(0), (offset) => ({
  now: Effect.zipWith(Clock.currentTimeMillis, Ref.get(offset), (clock, shift) => clock + shift),
  advance: (duration) => Ref.update(offset, (shift) => shift + Duration.toMillis(Duration.decode(duration))),
  setTime: (epochMillis) => Effect.flatMap(Clock.currentTimeMillis, (clock) => Ref.set(offset, epochMillis - clock)),
}))
