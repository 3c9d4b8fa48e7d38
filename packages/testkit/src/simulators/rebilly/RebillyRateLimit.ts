/**
 * Rebilly's rate limit (rebilly.md §8): a budget of calls per window for the whole organization
 * (the sandbox documents 3,000 non-GET calls per 10 minutes, the default here). Windows are fixed
 * and aligned on the epoch; a call counts once it is authenticated; a call over budget is answered
 * 429 and does not count.
 *
 * Headers:
 * - `current` (the spec's): `X-RateLimit-Limit` and `X-RateLimit-Remaining` on every counted
 *   answer; on 429 `X-RateLimit-Retry-After`, the window's end as epoch seconds.
 * - `legacy` (the pre-2021 names the PHP SDK still reads): `Rate-Limit-Limit`,
 *   `Rate-Limit-Remaining`, `Rate-Limit-Reset` (an HTTP date); on 429 `Retry-After` in seconds.
 * - `both`: all of them. Which the live API sends on 429 is unconfirmed.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

export interface RateLimitOptions {
  /** Calls per window. Default 3000. */
  readonly limit?: number
  /** Default 10 minutes. */
  readonly window?: Duration.DurationInput
  /** Which calls count: `writes` (non-GET, the sandbox's rule) or `all`. Default `writes`. */
  readonly counts?: "writes" | "all"
  /** Which header names answers carry. Default `current`. */
  readonly headers?: "current" | "legacy" | "both"
}

export type Decision =
  /** The call does not count (a GET under `counts: "writes"`). */
  | { readonly _tag: "Exempt" }
  | { readonly _tag: "Counted"; readonly headers: Readonly<Record<string, string>> }
  | { readonly _tag: "Limited"; readonly headers: Readonly<Record<string, string>> }

export interface RateLimiter {
  readonly take: (now: number, isWrite: boolean) => Effect.Effect<Decision>
  /** Spends what is left of the current window's budget: the next counted calls get 429 until it ends. */
  readonly exhaust: (now: number) => Effect.Effect<void>
  readonly configure: (options: RateLimitOptions) => Effect.Effect<void>
}

interface Settings {
  readonly limit: number
  readonly windowMillis: number
  readonly counts: "writes" | "all"
  readonly headers: "current" | "legacy" | "both"
}

interface State {
  readonly settings: Settings
  readonly windowStart: number
  readonly used: number
}

const settingsOf = (options: RateLimitOptions, previous?: Settings): Settings => ({
  limit: Math.max(0, Math.floor(options.limit ?? previous?.limit ?? 3000)),
  windowMillis: Math.max(
    1,
    options.window === undefined ? (previous?.windowMillis ?? 600_000) : Duration.toMillis(options.window),
  ),
  counts: options.counts ?? previous?.counts ?? "writes",
  headers: options.headers ?? previous?.headers ?? "current",
})

const windowStartOf = (now: number, windowMillis: number): number => now - (now % windowMillis)

/** The state at `now`: a new window starts empty. */
const current = (state: State, now: number): State => {
  const start = windowStartOf(now, state.settings.windowMillis)
  return start === state.windowStart ? state : { ...state, windowStart: start, used: 0 }
}

const headersOf = (state: State, now: number, limited: boolean): Record<string, string> => {
  const { limit, windowMillis, headers } = state.settings
  const remaining = String(Math.max(0, limit - state.used))
  const resetAt = state.windowStart + windowMillis
  const out: Record<string, string> = {}
  if (headers !== "legacy") {
    out["x-ratelimit-limit"] = String(limit)
    out["x-ratelimit-remaining"] = remaining
    if (limited) out["x-ratelimit-retry-after"] = String(Math.ceil(resetAt / 1000))
  }
  if (headers !== "current") {
    out["rate-limit-limit"] = String(limit)
    out["rate-limit-remaining"] = remaining
    out["rate-limit-reset"] = new Date(resetAt).toUTCString()
    if (limited) out["retry-after"] = String(Math.max(1, Math.ceil((resetAt - now) / 1000)))
  }
  return out
}

export const make = (options: RateLimitOptions): Effect.Effect<RateLimiter> =>
  Effect.map(Ref.make<State>({ settings: settingsOf(options), windowStart: Number.NaN, used: 0 }), (ref) => ({
    take: (now, isWrite) =>
      Ref.modify(ref, (state): readonly [Decision, State] => {
        if (!isWrite && state.settings.counts === "writes") return [{ _tag: "Exempt" }, state]
        const fresh = current(state, now)
        if (fresh.used >= fresh.settings.limit) {
          return [{ _tag: "Limited", headers: headersOf(fresh, now, true) }, fresh]
        }
        const next = { ...fresh, used: fresh.used + 1 }
        return [{ _tag: "Counted", headers: headersOf(next, now, false) }, next]
      }),
    exhaust: (now) =>
      Ref.update(ref, (state) => {
        const fresh = current(state, now)
        return { ...fresh, used: Math.max(fresh.used, fresh.settings.limit) }
      }),
    configure: (next) =>
      Ref.update(ref, (state) => ({ ...state, settings: settingsOf(next, state.settings), windowStart: Number.NaN })),
  }))
