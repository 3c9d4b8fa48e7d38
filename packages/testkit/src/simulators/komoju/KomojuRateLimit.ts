/**
 * A request budget: at most `requests` in each fixed window of `window` on the simulator's
 * clock; a request over it is answered 429 with `Retry-After` (whole seconds until the window
 * ends). KOMOJU publishes no rate limit nor its 429 (komoju.md §7), so this is the common form,
 * off unless configured.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

export interface RateLimit {
  readonly requests: number
  readonly window: Duration.DurationInput
}

interface State {
  readonly limit: { readonly requests: number; readonly windowMillis: number } | undefined
  readonly windowStart: number
  readonly used: number
}

export interface Budget {
  /** Counts one request at `now`: `undefined` when within the budget, else the milliseconds until the window ends. */
  readonly take: (now: number) => Effect.Effect<number | undefined>
  /** Replaces the budget (a new window starts); `undefined` lifts it. */
  readonly set: (limit: RateLimit | undefined) => Effect.Effect<void>
}

const normalise = (limit: RateLimit | undefined): State["limit"] =>
  limit === undefined
    ? undefined
    : { requests: Math.max(0, Math.floor(limit.requests)), windowMillis: Duration.toMillis(limit.window) }

export const makeBudget = (initial: RateLimit | undefined): Effect.Effect<Budget> =>
  Effect.map(
    Ref.make<State>({ limit: normalise(initial), windowStart: Number.NEGATIVE_INFINITY, used: 0 }),
    (state) => ({
      take: (now) =>
        Ref.modify(state, (s): readonly [number | undefined, State] => {
          if (s.limit === undefined) return [undefined, s]
          const current = now >= s.windowStart + s.limit.windowMillis ? { ...s, windowStart: now, used: 0 } : s
          if (current.used >= s.limit.requests) return [current.windowStart + s.limit.windowMillis - now, current]
          return [undefined, { ...current, used: current.used + 1 }]
        }),
      set: (limit) => Ref.set(state, { limit: normalise(limit), windowStart: Number.NEGATIVE_INFINITY, used: 0 }),
    }),
  )
