/**
 * Faults a simulator can inject, per endpoint or for every request, for the next N requests or
 * with a probability drawn from the simulator's (seedable) `Random`:
 *
 * - `ServerError`: a 5xx with the provider's error body; the request is not processed.
 * - `Slow`: the request is processed, the answer comes after `delay` (an `Effect.sleep`, so
 *   `TestClock` controls it): a client that gives up first does not know the outcome.
 * - `Drop`: the connection breaks without an answer, before or after the request is processed.
 * - `Malformed`: the request is processed and answered 200 with a body that is not JSON, is
 *   truncated JSON, or is JSON of the wrong shape.
 *
 * Endpoints are each simulator's own names; faults only a provider has (a 429 with its
 * rate-limit headers, say) stay in that provider's simulator.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Random from "effect/Random"
import * as SynchronizedRef from "effect/SynchronizedRef"
import * as SimulatedHttp from "./SimulatedHttp.js"

export type MalformedShape = "not-json" | "truncated" | "wrong-shape"

export type Fault =
  | { readonly _tag: "ServerError"; readonly status: number }
  | { readonly _tag: "Slow"; readonly delay: Duration.Duration }
  | { readonly _tag: "Drop"; readonly afterProcessing: boolean }
  | { readonly _tag: "Malformed"; readonly shape: MalformedShape }

export const serverError = (status = 500): Fault => ({ _tag: "ServerError", status })
export const slow = (delay: Duration.DurationInput): Fault => ({ _tag: "Slow", delay: Duration.decode(delay) })
export const drop = (options?: { readonly afterProcessing?: boolean }): Fault => ({
  _tag: "Drop",
  afterProcessing: options?.afterProcessing ?? false,
})
export const malformed = (shape: MalformedShape): Fault => ({ _tag: "Malformed", shape })

/** When a fault applies. Without `times` or `probability` it applies to every matching request until cleared. */
export interface FaultScope<E extends string> {
  /** Only requests to this endpoint; every request (unknown paths too) when absent. */
  readonly endpoint?: E
  /** Only the next `times` matching requests that it hits. */
  readonly times?: number
  /** Hits a matching request with this probability (0 to 1). */
  readonly probability?: number
}

interface Rule<E extends string> {
  readonly fault: Fault
  readonly endpoint: E | undefined
  readonly remaining: number | undefined
  readonly probability: number
}

export interface FaultPlan<E extends string> {
  readonly add: (fault: Fault, scope?: FaultScope<E>) => Effect.Effect<void>
  readonly clear: Effect.Effect<void>
  /** The fault for this request, if any: the first rule that matches and hits, which then counts one use. */
  readonly next: (endpoint: E | undefined) => Effect.Effect<Fault | undefined>
}

export const makePlan = <E extends string>(random: Random.Random): Effect.Effect<FaultPlan<E>> =>
  Effect.map(SynchronizedRef.make<ReadonlyArray<Rule<E>>>([]), (rules) => ({
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

/**
 * The answer spoilt as `shape` says: an HTML error page, the body cut in half, or `wrongShape`
 * (a 200 JSON body of the wrong shape for this provider).
 */
export const corrupt = (
  answer: SimulatedHttp.WireAnswer,
  shape: MalformedShape,
  wrongShape: unknown,
): SimulatedHttp.WireAnswer => {
  if (answer._tag === "Drop") return answer
  switch (shape) {
    case "not-json":
      return SimulatedHttp.respond(200, "<html><body><h1>Bad Gateway</h1></body></html>", {
        "content-type": "text/html",
      })
    case "truncated":
      return { ...answer, status: 200, body: answer.body.slice(0, Math.floor(answer.body.length / 2)) }
    case "wrong-shape":
      return SimulatedHttp.json(200, wrongShape)
  }
}

/** What a simulator made of a request: the answer, and whatever else it records about it. */
export interface Answered {
  readonly answer: SimulatedHttp.WireAnswer
}

/** What came of a request, as every simulator's request log tells it. */
export interface Outcome {
  /** The HTTP status answered, or `dropped`. */
  readonly status: number | "dropped"
  /** The fault injected into it, if any. */
  readonly fault?: Fault["_tag"]
}

const outcomeOf = (answer: SimulatedHttp.WireAnswer, fault: Fault | undefined): Outcome => ({
  status: answer._tag === "Drop" ? "dropped" : answer.status,
  ...(fault === undefined ? {} : { fault: fault._tag }),
})

export interface Around<A extends Answered> {
  /** The provider's answer to a request it failed to process, with this 5xx status. */
  readonly serverError: (status: number) => A
  /** What the provider does with the request; given the delay a `Slow` fault will add to its answer. */
  readonly process: (slowMillis: number) => Effect.Effect<A>
  /** A 200 JSON body of the wrong shape for this provider, for `Malformed`. */
  readonly wrongShape: unknown
  /**
   * Notes the request once: what the simulator made of it (a connection dropped before
   * processing has nothing else to say) and what came of it for the client.
   */
  readonly record: (answered: Answered & Partial<A>, outcome: Outcome) => Effect.Effect<void>
}

/**
 * One request under `fault`: a server error answered without processing; a connection dropped
 * before processing, or after it (the provider acted, the client never hears); a processed
 * request whose answer is spoilt, or comes late. Without a fault, just `process`.
 */
export const around = <A extends Answered>(
  fault: Fault | undefined,
  how: Around<A>,
): Effect.Effect<SimulatedHttp.WireAnswer> =>
  Effect.gen(function* () {
    const record = (answered: Answered & Partial<A>) => how.record(answered, outcomeOf(answered.answer, fault))
    if (fault?._tag === "ServerError") {
      const answered = how.serverError(fault.status)
      yield* record(answered)
      return answered.answer
    }
    if (fault?._tag === "Drop" && !fault.afterProcessing) {
      yield* record({ answer: SimulatedHttp.dropped } as Answered & Partial<A>)
      return SimulatedHttp.dropped
    }
    const answered = yield* how.process(fault?._tag === "Slow" ? Duration.toMillis(fault.delay) : 0)
    if (fault?._tag === "Drop") {
      yield* record({ ...answered, answer: SimulatedHttp.dropped })
      return SimulatedHttp.dropped
    }
    const answer = fault?._tag === "Malformed" ? corrupt(answered.answer, fault.shape, how.wrongShape) : answered.answer
    yield* record({ ...answered, answer })
    if (fault?._tag === "Slow") yield* Effect.sleep(fault.delay)
    return answer
  })
