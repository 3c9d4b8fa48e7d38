/**
 * Faults the simulator can inject, per endpoint or for every request, for the next N requests
 * or with a probability drawn from the simulator's (seedable) `Random`:
 *
 * - `ServerError`: a 500 or 503 with a Gate-like error body; the request is not processed.
 * - `Slow`: the request is processed, the answer comes after `delay` (an `Effect.sleep`, so
 *   `TestClock` controls it): a client that gives up first does not know the outcome.
 * - `Drop`: the connection breaks without an answer, before or after the request is processed.
 * - `Malformed`: the request is processed and answered 200 with a body that is not JSON, is
 *   truncated JSON, or is JSON of the wrong shape.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Random from "effect/Random"
import * as SynchronizedRef from "effect/SynchronizedRef"
import type { Endpoint } from "./GateEndpoints.js"

export type MalformedShape = "not-json" | "truncated" | "wrong-shape"

export type Fault =
  | { readonly _tag: "ServerError"; readonly status: 500 | 503 }
  | { readonly _tag: "Slow"; readonly delay: Duration.Duration }
  | { readonly _tag: "Drop"; readonly afterProcessing: boolean }
  | { readonly _tag: "Malformed"; readonly shape: MalformedShape }

export const serverError = (status: 500 | 503 = 500): Fault => ({ _tag: "ServerError", status })
export const slow = (delay: Duration.DurationInput): Fault => ({ _tag: "Slow", delay: Duration.decode(delay) })
export const drop = (options?: { readonly afterProcessing?: boolean }): Fault => ({
  _tag: "Drop",
  afterProcessing: options?.afterProcessing ?? false,
})
export const malformed = (shape: MalformedShape): Fault => ({ _tag: "Malformed", shape })

/** When a fault applies. Without `times` or `probability` it applies to every matching request until cleared. */
export interface FaultScope {
  /** Only requests to this endpoint; every request (unknown paths too) when absent. */
  readonly endpoint?: Endpoint
  /** Only the next `times` matching requests that it hits. */
  readonly times?: number
  /** Hits a matching request with this probability (0 to 1). */
  readonly probability?: number
}

interface Rule {
  readonly fault: Fault
  readonly endpoint: Endpoint | undefined
  readonly remaining: number | undefined
  readonly probability: number
}

export interface FaultPlan {
  readonly add: (fault: Fault, scope?: FaultScope) => Effect.Effect<void>
  readonly clear: Effect.Effect<void>
  /** The fault for this request, if any: the first rule that matches and hits, which then counts one use. */
  readonly next: (endpoint: Endpoint | undefined) => Effect.Effect<Fault | undefined>
}

export const makePlan = (random: Random.Random): Effect.Effect<FaultPlan> =>
  Effect.map(SynchronizedRef.make<ReadonlyArray<Rule>>([]), (rules) => ({
    add: (fault, scope) =>
      SynchronizedRef.update(rules, (current) => [
        ...current,
        {
          fault,
          endpoint: scope?.endpoint,
          remaining: scope?.times,
          probability: Math.min(Math.max(scope?.probability ?? 1, 0), 1),
        },
      ]),
    clear: SynchronizedRef.set(rules, []),
    // One step under the lock, so two concurrent requests cannot both take a rule's last use.
    next: (endpoint) =>
      SynchronizedRef.modifyEffect(rules, (current) =>
        Effect.gen(function* () {
          for (const rule of current) {
            if (rule.endpoint !== undefined && rule.endpoint !== endpoint) continue
            if (rule.remaining !== undefined && rule.remaining <= 0) continue
            const hit = rule.probability >= 1 || (yield* random.next) < rule.probability
            if (!hit) continue
            const rest =
              rule.remaining === undefined
                ? current
                : current.map((r) => (r === rule ? { ...r, remaining: (r.remaining ?? 1) - 1 } : r))
            return [rule.fault, rest] as const
          }
          return [undefined, current] as const
        }),
      ),
  }))
