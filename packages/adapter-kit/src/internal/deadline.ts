/**
 * `Effect.timeoutFail` at a fraction of its cost on the live clock. The standard combinator races
 * the effect against a sleeping fiber, about 40 µs per call on a 2-core server: a sixth of a
 * loopback round trip, paid on every attempt of every provider call. On the live clock the same
 * outcome costs one fork and one native timer: the effect runs in a child fiber; the timer, if it
 * fires first, interrupts the child (which aborts its HTTP request) and fails with `onTimeout`.
 * Under any other clock (`TestClock`) the standard combinator keeps time controllable.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)

export const failAfter = <A, E, R, E1>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  onTimeout: () => E1,
): Effect.Effect<A, E | E1, R> =>
  Effect.clockWith((clock) =>
    clock !== liveClock
      ? Effect.timeoutFail(self, { duration, onTimeout })
      : Effect.flatMap(Effect.fork(self), (fiber) =>
          Effect.async<A, E | E1>((resume) => {
            const timer = setTimeout(() => {
              fiber.unsafeInterruptAsFork(fiber.id())
              resume(Effect.fail(onTimeout()))
            }, Duration.toMillis(duration))
            fiber.addObserver((exit) => {
              clearTimeout(timer)
              resume(exit)
            })
            // The caller gave up: the request goes too.
            return Effect.sync(() => {
              clearTimeout(timer)
              fiber.unsafeInterruptAsFork(fiber.id())
            })
          }),
        ),
  )
