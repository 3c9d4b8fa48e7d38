/**
 * Webhook and callback delivery, the way it goes wrong with every provider: deliveries come
 * late, twice, out of order, and are sent again until the receiver accepts them.
 *
 * Each signed delivery waits in the outbox until due (the configured delay plus the sender's
 * own). `deliverDue` sends every due delivery to the sink — each `duplicate` times, the whole
 * batch in the configured order — and keeps the ones no copy of which was accepted, to send
 * again on the provider's `ResendSchedule`. In `auto` mode a fiber in the simulator's scope
 * delivers them when due; in `manual` mode (the default) the test calls `deliverDue`.
 *
 * The sink receives exactly the signed bytes and headers. A provider that signs each attempt
 * as it leaves (with the time of sending) gives `seal`; the others sign once, when enqueued.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"

/** What reaches the receiver: the signed body and the headers sent with it. */
export interface Delivery {
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** Where deliveries go. A failure is a refused delivery: it is sent again later. */
export type Sink = (delivery: Delivery) => Effect.Effect<void, unknown>

export type DeliveryOrder = "sent" | "reverse" | "shuffle"

export interface DeliveryOptions {
  /** Where deliveries are sent; without one they are only recorded as delivered. */
  readonly sink?: Sink
  /** Copies of each delivery per attempt. Default 1. */
  readonly duplicate?: number
  /** Wait before a delivery is due. Default none. */
  readonly delay?: Duration.DurationInput
  /** Order of a batch of due deliveries. Default `sent`. */
  readonly order?: DeliveryOrder
  /** `manual` (default): delivered when the test calls `deliverDue`; `auto`: when due, by a background fiber. */
  readonly mode?: "manual" | "auto"
}

/** How a provider sends a refused delivery again. */
export interface ResendSchedule {
  /** Attempts per delivery, the first included. */
  readonly maxAttempts: number
  /** The wait before attempt `n` (n ≥ 2), in milliseconds. */
  readonly delayBeforeAttempt: (n: number) => number
}

export interface Outgoing<K> extends Delivery {
  readonly kind: K
  /** What the delivery is about, in the provider's terms (a request id, an event id). */
  readonly reference: string
}

export interface Pending<K> extends Outgoing<K> {
  readonly id: number
  readonly dueAt: number
  /** Attempts made so far. */
  readonly attempts: number
}

export interface Delivered<K> extends Outgoing<K> {
  readonly id: number
  /** 1 for the first attempt; copies of one attempt share the number. */
  readonly attempt: number
  readonly deliveredAt: number
  /** Whether the sink took it. */
  readonly accepted: boolean
}

export interface Outbox<K> {
  readonly enqueue: (outgoing: ReadonlyArray<Outgoing<K>>, extraDelayMillis?: number) => Effect.Effect<void>
  /** Sends every due delivery to the sink now (duplicated and ordered as configured) and returns what was sent. */
  readonly deliverDue: Effect.Effect<ReadonlyArray<Delivered<K>>>
  readonly pending: Effect.Effect<ReadonlyArray<Pending<K>>>
  /** Every attempt so far, in order. */
  readonly delivered: Effect.Effect<ReadonlyArray<Delivered<K>>>
  /** Deliveries that used up every attempt without being accepted. */
  readonly abandoned: Effect.Effect<ReadonlyArray<Pending<K>>>
  readonly configure: (options: DeliveryOptions) => Effect.Effect<void>
}

interface State<K> {
  readonly options: DeliveryOptions
  readonly pending: ReadonlyArray<Pending<K>>
  readonly delivered: ReadonlyArray<Delivered<K>>
  readonly abandoned: ReadonlyArray<Pending<K>>
  readonly counter: number
}

const delayMillis = (options: DeliveryOptions): number =>
  options.delay === undefined ? 0 : Duration.toMillis(Duration.decode(options.delay))

export const makeOutbox = <K>(deps: {
  readonly now: Effect.Effect<number>
  readonly random: Random.Random
  readonly options: DeliveryOptions
  readonly scope: Scope.Scope
  readonly schedule: ResendSchedule
  /** The headers of an attempt leaving at `at`; the enqueued headers when absent. */
  readonly seal?: (outgoing: Outgoing<K>, at: number) => Effect.Effect<Readonly<Record<string, string>>>
}): Effect.Effect<Outbox<K>> =>
  Effect.gen(function* () {
    const state = yield* Ref.make<State<K>>({
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

    const deliverDue: Effect.Effect<ReadonlyArray<Delivered<K>>> = Effect.gen(function* () {
      const now = yield* deps.now
      // Take the due deliveries in one step, so concurrent calls never send one twice.
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
      // One seal per attempt: copies of an attempt carry the same headers.
      const sealed = new Map<number, Readonly<Record<string, string>>>()
      for (const p of due) sealed.set(p.id, deps.seal === undefined ? p.headers : yield* deps.seal(p, now))
      const results: Array<Delivered<K>> = []
      for (const p of batch) {
        const headers = sealed.get(p.id) ?? p.headers
        const accepted =
          options.sink === undefined
            ? true
            : yield* options.sink({ headers, body: p.body }).pipe(
                Effect.as(true),
                Effect.catchAllCause(() => Effect.succeed(false)),
              )
        results.push({
          id: p.id,
          kind: p.kind,
          reference: p.reference,
          headers,
          body: p.body,
          attempt: p.attempts + 1,
          deliveredAt: now,
          accepted,
        })
      }
      const refused = due.filter((p) => !results.some((r) => r.id === p.id && r.accepted))
      const { maxAttempts, delayBeforeAttempt } = deps.schedule
      const again = refused
        .filter((p) => p.attempts + 1 < maxAttempts)
        .map((p) => ({ ...p, attempts: p.attempts + 1, dueAt: now + delayBeforeAttempt(p.attempts + 2) }))
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

    const enqueue = (outgoing: ReadonlyArray<Outgoing<K>>, extraDelayMillis = 0) =>
      Effect.gen(function* () {
        if (outgoing.length === 0) return
        const now = yield* deps.now
        const wait = yield* Ref.modify(state, (s) => {
          const wait = delayMillis(s.options) + extraDelayMillis
          const added = outgoing.map(
            (o, i): Pending<K> => ({ ...o, id: s.counter + i + 1, dueAt: now + wait, attempts: 0 }),
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
    } satisfies Outbox<K>
  })

/**
 * A sink that POSTs each delivery to `url` with its headers, through the `HttpClient` in
 * context (a real one for the loopback server). Anything but a 2xx is a refused delivery.
 */
export const postTo = (url: string): Effect.Effect<Sink, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (client) => {
    const ok = HttpClient.filterStatusOk(client)
    return (delivery: Delivery) => {
      const { "content-type": contentType = "application/json", ...headers } = delivery.headers
      return ok
        .execute(
          HttpClientRequest.post(url).pipe(
            HttpClientRequest.setHeaders(headers),
            HttpClientRequest.bodyText(delivery.body, contentType),
          ),
        )
        .pipe(Effect.asVoid, Effect.scoped)
    }
  })
