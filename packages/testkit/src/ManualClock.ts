/**
 * A `Clock` that reads a number and moves only when told to. For properties that run
 * thousands of service scenarios: `TestClock.adjust` waits on a real timer each time, which
 * costs milliseconds per step, and nothing in the lifecycle sleeps, so none is needed.
 * Provide it with `Effect.withClock(manual.clock)`.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

export interface ManualClock {
  readonly clock: Clock.Clock
  readonly adjust: (millis: number) => Effect.Effect<void>
  readonly setTime: (instant: number) => Effect.Effect<void>
}

export interface ManualClockOptions {
  /**
   * What a sleep does: return at once (the default: nothing waits), or never wake (for code whose only
   * sleeps are timeouts that must not fire).
   */
  readonly sleeps?: "return-at-once" | "never-wake"
}

export const make = (start: number, options: ManualClockOptions = {}): ManualClock => {
  let now = start
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: () => now,
    unsafeCurrentTimeNanos: () => BigInt(now) * 1_000_000n,
    currentTimeMillis: Effect.sync(() => now),
    currentTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    sleep: () => (options.sleeps === "never-wake" ? Effect.never : Effect.void),
  }
  return {
    clock,
    adjust: (millis) =>
      Effect.sync(() => {
        now += millis
      }),
    setTime: (instant) =>
      Effect.sync(() => {
        now = instant
      }),
  }
}
