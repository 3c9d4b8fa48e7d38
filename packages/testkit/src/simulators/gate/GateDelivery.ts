/**
 * Callback delivery, the way it goes wrong with Gate: callbacks can come late, twice, out of
 * order, and are sent again until the receiver answers 200 (gate.md §2).
 *
 * Each signed callback waits in an outbox until due (the simulator's delay plus the request's
 * own `callback.delay`). `deliverDue` sends every due callback to the sink — each `duplicate`
 * times, the whole batch in the configured order — and keeps the ones no copy of which was
 * accepted, for Gate's resend schedule: 6 times 10 s apart, then `70 + 10·1.12^(n−4)` s up to
 * 4 h, at most 120 attempts. In `auto` mode a fiber in the simulator's scope delivers them when
 * due; in `manual` mode (the default) the test calls `deliverDue`.
 *
 * The sink receives exactly the signed bytes.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import type { CallbackKind } from "./GateCallbacks.js"

/** Where callbacks go. A failure is a refused delivery: the callback is sent again later. */
export type CallbackSink = (rawBody: string) => Effect.Effect<void, unknown>

export type DeliveryOrder = "sent" | "reverse" | "shuffle"

export interface CallbackOptions {
  /** Where callbacks are sent; without one they are only recorded as delivered. */
  readonly sink?: CallbackSink
  /** Copies of each callback per delivery (Gate's duplicates). Default 1. */
  readonly duplicate?: number
  /** Wait before a callback is due. Default none. */
  readonly delay?: Duration.DurationInput
  /** Order of a batch of due callbacks. Default `sent`. */
  readonly order?: DeliveryOrder
  /** `manual` (default): delivered when the test calls `deliverDue`; `auto`: when due, by a background fiber. */
  readonly mode?: "manual" | "auto"
}

export interface PendingCallback {
  readonly id: number
  readonly kind: CallbackKind
  readonly requestId: string
  readonly body: string
  readonly dueAt: number
  /** Attempts made so far. */
  readonly attempts: number
}

export interface DeliveredCallback {
  readonly id: number
  readonly kind: CallbackKind
  readonly requestId: string
  readonly body: string
  /** 1 for the first attempt; copies of one attempt share the number. */
  readonly attempt: number
  readonly deliveredAt: number
  /** Whether the sink took it. */
  readonly accepted: boolean
}

export interface Outgoing {
  readonly kind: CallbackKind
  readonly requestId: string
  readonly body: string
}

/** Gate's attempts per callback. */
export const maxAttempts = 120

/** The wait before attempt `n` (n ≥ 2), in milliseconds. */
export const resendDelayMillis = (n: number): number => {
  if (n <= 7) return 10_000
  return Math.min((70 + 10 * 1.12 ** (n - 4)) * 1000, 4 * 60 * 60 * 1000)
}

export interface Outbox {
  readonly enqueue: (outgoing: ReadonlyArray<Outgoing>, extraDelayMillis: number) => Effect.Effect<void>
  readonly deliverDue: Effect.Effect<ReadonlyArray<DeliveredCallback>>
  readonly pending: Effect.Effect<ReadonlyArray<PendingCallback>>
  readonly delivered: Effect.Effect<ReadonlyArray<DeliveredCallback>>
  /** Callbacks that used up every attempt without being accepted. */
  readonly abandoned: Effect.Effect<ReadonlyArray<PendingCallback>>
  readonly configure: (options: CallbackOptions) => Effect.Effect<void>
}

interface State {
  readonly options: CallbackOptions
  readonly pending: ReadonlyArray<PendingCallback>
  readonly delivered: ReadonlyArray<DeliveredCallback>
  readonly abandoned: ReadonlyArray<PendingCallback>
  readonly counter: number
}

const delayMillis = (options: CallbackOptions): number =>
  options.delay === undefined ? 0 : Duration.toMillis(Duration.decode(options.delay))

export const makeOutbox = (deps: {
  readonly now: Effect.Effect<number>
  readonly random: Random.Random
  readonly options: CallbackOptions
  readonly scope: Scope.Scope
}): Effect.Effect<Outbox> =>
  Effect.gen(function* () {
    const state = yield* Ref.make<State>({
      options: deps.options,
      pending: [],
      delivered: [],
      abandoned: [],
      counter: 0,
    })

    const arrange = <A>(order: DeliveryOrder, batch: ReadonlyArray<A>): Effect.Effect<ReadonlyArray<A>> => {
      if (order === "reverse") return Effect.succeed([...batch].reverse())
      if (order === "shuffle") return Effect.map(deps.random.shuffle(batch), Chunk.toReadonlyArray)
      return Effect.succeed(batch)
    }

    /** In `auto` mode, deliver whatever is due after `millis`. */
    const wakeAfter = (millis: number): Effect.Effect<void> =>
      Effect.flatMap(Ref.get(state), ({ options }) =>
        options.mode === "auto"
          ? Effect.asVoid(Effect.forkIn(Effect.zipRight(Effect.sleep(Duration.millis(millis)), deliverDue), deps.scope))
          : Effect.void,
      )

    const deliverDue: Effect.Effect<ReadonlyArray<DeliveredCallback>> = Effect.gen(function* () {
      const now = yield* deps.now
      // Take the due callbacks in one step, so concurrent deliveries never send one twice.
      const [due, options] = yield* Ref.modify(state, (s) => {
        const ready = s.pending.filter((p) => p.dueAt <= now)
        return [[ready, s.options] as const, { ...s, pending: s.pending.filter((p) => p.dueAt > now) }] as const
      })
      if (due.length === 0) return []
      const copies = Math.max(1, Math.floor(options.duplicate ?? 1))
      const batch = yield* arrange(
        options.order ?? "sent",
        due.flatMap((p) => Array.from({ length: copies }, () => p)),
      )
      const results: Array<DeliveredCallback> = []
      for (const p of batch) {
        const accepted =
          options.sink === undefined
            ? true
            : yield* options.sink(p.body).pipe(
                Effect.as(true),
                Effect.catchAllCause(() => Effect.succeed(false)),
              )
        results.push({
          id: p.id,
          kind: p.kind,
          requestId: p.requestId,
          body: p.body,
          attempt: p.attempts + 1,
          deliveredAt: now,
          accepted,
        })
      }
      const refused = due.filter((p) => !results.some((r) => r.id === p.id && r.accepted))
      const again = refused
        .filter((p) => p.attempts + 1 < maxAttempts)
        .map((p) => ({ ...p, attempts: p.attempts + 1, dueAt: now + resendDelayMillis(p.attempts + 2) }))
      const givenUp = refused.filter((p) => p.attempts + 1 >= maxAttempts)
      yield* Ref.update(state, (s) => ({
        ...s,
        pending: [...s.pending, ...again],
        delivered: [...s.delivered, ...results],
        abandoned: [...s.abandoned, ...givenUp],
      }))
      for (const p of again) yield* wakeAfter(p.dueAt - now)
      return results
    })

    const enqueue = (outgoing: ReadonlyArray<Outgoing>, extraDelayMillis: number) =>
      Effect.gen(function* () {
        if (outgoing.length === 0) return
        const now = yield* deps.now
        const wait = yield* Ref.modify(state, (s) => {
          const wait = delayMillis(s.options) + extraDelayMillis
          const added = outgoing.map(
            (o, i): PendingCallback => ({ ...o, id: s.counter + i + 1, dueAt: now + wait, attempts: 0 }),
          )
          return [wait, { ...s, counter: s.counter + outgoing.length, pending: [...s.pending, ...added] }] as const
        })
        yield* wakeAfter(wait)
      })

    return {
      enqueue,
      deliverDue,
      pending: Effect.map(Ref.get(state), (s) => s.pending),
      delivered: Effect.map(Ref.get(state), (s) => s.delivered),
      abandoned: Effect.map(Ref.get(state), (s) => s.abandoned),
      configure: (options) => Ref.update(state, (s) => ({ ...s, options: { ...s.options, ...options } })),
    } satisfies Outbox
  })

/**
 * A sink that POSTs each callback to `url` as `application/json`, through the `HttpClient` in
 * context (a real one for the loopback server). Anything but a 2xx is a refused delivery.
 */
export const postTo = (url: string): Effect.Effect<CallbackSink, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (client) => {
    const ok = HttpClient.filterStatusOk(client)
    return (rawBody: string) =>
      ok
        .execute(HttpClientRequest.post(url).pipe(HttpClientRequest.bodyText(rawBody, "application/json")))
        .pipe(Effect.asVoid, Effect.scoped)
  })
