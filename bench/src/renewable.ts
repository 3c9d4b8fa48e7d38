/**
 * A simulator whose state can be thrown away between rounds of a benchmark. Simulators keep a
 * log of every request in arrays copied on each append, so one simulator serving a whole run
 * answers more slowly as the run goes on; renewing it between rounds, outside the timed calls,
 * keeps every round's server work alike. Every request goes to the current simulator.
 */
import type { Handler } from "@token-lifecycle/testkit/simulators/shared/SimulatedHttp"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"

export interface Renewable<S> {
  /** The simulator serving now. */
  readonly current: Effect.Effect<S>
  /** Forwards each request to the simulator serving at that moment. */
  readonly handler: Handler
  /** Replaces the simulator with a fresh one, after `retire` has run on the old one. */
  readonly renew: Effect.Effect<void>
}

export const make = <S>(
  open: Effect.Effect<S, never, Scope.Scope>,
  handlerOf: (simulator: S) => Handler,
  retire: (simulator: S) => Effect.Effect<unknown> = () => Effect.void,
): Effect.Effect<Renewable<S>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const openScoped = Effect.gen(function* () {
      const scope = yield* Scope.make()
      const simulator = yield* open.pipe(Scope.extend(scope))
      return { scope, simulator }
    })
    let current = yield* openScoped
    yield* Effect.addFinalizer(() => Scope.close(current.scope, Exit.void))
    return {
      current: Effect.sync(() => current.simulator),
      handler: (request) => Effect.suspend(() => handlerOf(current.simulator)(request)),
      renew: Effect.gen(function* () {
        yield* retire(current.simulator)
        const previous = current
        current = yield* openScoped
        yield* Scope.close(previous.scope, Exit.void)
      }),
    }
  })
