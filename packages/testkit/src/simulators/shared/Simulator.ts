/**
 * What a test does with any provider's simulator, whatever else its service offers: send it a
 * request, move its clock, plan faults; and, for a provider that sends webhooks, drive their
 * delivery. Each provider's service extends `Service` (and `WebhookService`), its options `Options`.
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Faults from "./Faults.js"
import type * as Outbox from "./Outbox.js"
import type { SimulatedClock } from "./SimulatedClock.js"
import type { Handler } from "./SimulatedHttp.js"

export interface Options {
  /** Seeds the simulator's `Random` (ids, tokens, fault probabilities, shuffles); the ambient one otherwise. */
  readonly seed?: string | number
}

/** `E`: the simulator's names for its endpoints, which a fault can be aimed at. */
export interface Service<E extends string> {
  /** Answers one request: the entry point of the in-process client and the loopback server. */
  readonly handle: Handler
  /** The simulator's time, in epoch milliseconds. */
  readonly now: Effect.Effect<number>
  /** Moves the simulator's time forward (expiries, due deliveries, rate-limit windows), on top of `Clock`. */
  readonly advanceClock: (duration: Duration.DurationInput) => Effect.Effect<void>
  /** Sets the simulator's time. */
  readonly setTime: (epochMillis: number) => Effect.Effect<void>
  readonly injectFault: (fault: Faults.Fault, scope?: Faults.FaultScope<E>) => Effect.Effect<void>
  readonly clearFaults: Effect.Effect<void>
}

/** The part of a simulator's service every provider's has, from its handler, clock and fault plan. */
export const service = <E extends string>(
  handle: Handler,
  clock: SimulatedClock,
  faults: Faults.FaultPlan<E>,
): Service<E> => ({
  handle,
  now: clock.now,
  advanceClock: clock.advance,
  setTime: clock.setTime,
  injectFault: faults.add,
  clearFaults: faults.clear,
})

/** A simulator's webhooks, `K` their kinds. */
export interface WebhookService<K> {
  readonly configureWebhooks: (options: Outbox.DeliveryOptions) => Effect.Effect<void>
  /** Sends every due webhook to the sink now (duplicated and ordered as configured) and returns what was sent. */
  readonly deliverDue: Effect.Effect<ReadonlyArray<Outbox.Delivered<K>>>
  readonly pendingWebhooks: Effect.Effect<ReadonlyArray<Outbox.Pending<K>>>
  /** Every delivery attempt so far, in order, with the headers it was sent with. */
  readonly deliveredWebhooks: Effect.Effect<ReadonlyArray<Outbox.Delivered<K>>>
  /** Webhooks that used up every attempt without being accepted. */
  readonly abandonedWebhooks: Effect.Effect<ReadonlyArray<Outbox.Pending<K>>>
}

/** The webhook part of a simulator's service, over its outbox. */
export const webhookService = <K>(outbox: Outbox.Outbox<K>): WebhookService<K> => ({
  configureWebhooks: outbox.configure,
  deliverDue: outbox.deliverDue,
  pendingWebhooks: outbox.pending,
  deliveredWebhooks: outbox.delivered,
  abandonedWebhooks: outbox.abandoned,
})
