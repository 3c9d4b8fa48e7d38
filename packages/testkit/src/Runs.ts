/**
 * How hard the property tests try: the number of runs and, to replay a failure, the seed.
 *
 * - `TOKEN_LIFECYCLE_RUNS`: runs per property (default 1,000). Raise it for a soak, lower it
 *   for a quick local loop.
 * - `TOKEN_LIFECYCLE_SEED`: the seed fast-check printed with a failure, to replay it exactly.
 */
import * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"
import * as fc from "fast-check"

/** Runs per property when `TOKEN_LIFECYCLE_RUNS` is not set. */
export const defaultRuns = 1000

const positiveInteger = (name: string, text: string): number => {
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive whole number`)
  }
  return value
}

/** Runs per property: `TOKEN_LIFECYCLE_RUNS`, or 1,000. */
export const numRuns = (): number => {
  const text = process.env.TOKEN_LIFECYCLE_RUNS?.trim()
  return text === undefined || text === "" ? defaultRuns : positiveInteger("TOKEN_LIFECYCLE_RUNS", text)
}

/** The seed to replay, from `TOKEN_LIFECYCLE_SEED`; `undefined` for a fresh random one. */
export const seed = (): number | undefined => {
  const text = process.env.TOKEN_LIFECYCLE_SEED?.trim()
  if (text === undefined || text === "") return undefined
  const value = Number(text)
  // fast-check prints negative seeds too, so any 32-bit integer is accepted.
  if (!Number.isInteger(value)) throw new Error("TOKEN_LIFECYCLE_SEED must be a whole number")
  return value
}

/** The fast-check parameters this suite sets; assignable to `fc.Parameters` of any property. */
export interface RunParameters {
  readonly numRuns: number
  readonly seed?: number
}

/** fast-check parameters for one property: the configured runs, and the seed when one is set. */
export const parameters = (): RunParameters => {
  const fixedSeed = seed()
  return fixedSeed === undefined ? { numRuns: numRuns() } : { numRuns: numRuns(), seed: fixedSeed }
}

/**
 * Check a property whose cases are effects, with the configured runs and seed, inside the
 * calling effect's runtime (so its services, and `@effect/vitest`'s test services, apply).
 * A case fails when its effect fails or dies, or when an expectation in it throws.
 */
export const assertEffectProperty = <Ts extends [unknown, ...Array<unknown>], E>(
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  check: (...values: Ts) => Effect.Effect<void, E, never>,
): Effect.Effect<void> =>
  Effect.gen(function* () {
    const runtime = yield* Effect.runtime<never>()
    yield* Effect.promise(() =>
      fc.assert(
        fc.asyncProperty<Ts>(...arbitraries, (...values: Ts) => Runtime.runPromise(runtime, check(...values))),
        parameters(),
      ),
    )
  })
