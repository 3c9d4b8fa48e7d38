/**
 * Zai's request budget: pre-live allows 60 API calls a minute (provider notes §1); production
 * publishes none. The simulator counts core API calls per marketplace in a sliding window on its
 * own clock; a call over the budget is refused with 429 and `Retry-After`, the whole seconds
 * until the oldest counted call leaves the window, and is not counted itself.
 */
import * as Duration from "effect/Duration"

export interface RateLimit {
  /** Calls allowed per window. */
  readonly requests: number
  readonly per: Duration.DurationInput
}

/** Pre-live's published budget. */
export const prelive: RateLimit = { requests: 60, per: Duration.minutes(1) }

/** When each marketplace's counted calls were made, oldest first. */
export type Window = ReadonlyMap<string, ReadonlyArray<number>>

export const empty: Window = new Map()

export type Admission =
  | { readonly _tag: "Admitted"; readonly window: Window }
  | { readonly _tag: "Refused"; readonly retryAfterSeconds: number }

export const admit = (window: Window, limit: RateLimit, key: string, now: number): Admission => {
  const span = Duration.toMillis(Duration.decode(limit.per))
  const recent = (window.get(key) ?? []).filter((at) => at > now - span)
  if (recent.length < limit.requests) {
    return { _tag: "Admitted", window: new Map(window).set(key, [...recent, now]) }
  }
  const oldest = recent[recent.length - limit.requests] ?? now
  return { _tag: "Refused", retryAfterSeconds: Math.max(1, Math.ceil((oldest + span - now) / 1000)) }
}
