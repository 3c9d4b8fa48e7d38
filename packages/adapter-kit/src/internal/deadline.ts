/**
 * A time limit on an effect that runs in a fiber of its own. The effect is forked; if the limit
 * passes first, the child is interrupted (which aborts its HTTP request) and the caller fails
 * with `onTimeout`, even where the caller itself cannot be interrupted. The child's fiber-local
 * settings stay in the child: nothing it sets needs restoring, and nothing flows back to the caller.
 *
 * On the live clock the limit is one native timer: `Effect.timeoutFail` races the effect against
 * a sleeping fiber, about 40 µs per call on a 2-core server, a sixth of a loopback round trip paid
 * on every attempt of every provider call. Under any other clock (`TestClock`) the limit is an
 * Effect sleep, so tests keep control of time.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)

const nativeTimer = <A, E, E1>(
  fiber: Fiber.RuntimeFiber<A, E>,
  duration: Duration.Duration,
  onTimeout: () => E1,
): Effect.Effect<A, E | E1> =>
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
  })

const clockTimer = <A, E, E1>(
  fiber: Fiber.RuntimeFiber<A, E>,
  duration: Duration.Duration,
  onTimeout: () => E1,
): Effect.Effect<A, E | E1> =>
  // Both sides interruptible too: the race waits for its loser.
  Effect.raceFirst(
    Effect.interruptible(Effect.flatten(Fiber.await(fiber))),
    Effect.zipRight(
      Effect.interruptible(Effect.sleep(duration)),
      Effect.zipRight(Fiber.interruptFork(fiber), Effect.fail(onTimeout())),
    ),
  ).pipe(Effect.onInterrupt(() => Fiber.interruptFork(fiber)))

export const failAfter = <A, E, R, E1>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  onTimeout: () => E1,
): Effect.Effect<A, E | E1, R> =>
  Effect.clockWith((clock) =>
    // The attempt stays interruptible where the caller is not (a layer being built, a finalizer),
    // or the limit could not stop it, and the caller, which waits for its children, would hang.
    Effect.flatMap(Effect.fork(Effect.interruptible(self)), (fiber) =>
      clock === liveClock ? nativeTimer(fiber, duration, onTimeout) : clockTimer(fiber, duration, onTimeout),
    ),
  )
