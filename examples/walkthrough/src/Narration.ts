/**
 * The walkthrough's steps, each printed as it happens: the instant and what is attempted on
 * one line, the outcome under it. An outcome is either the result or the typed refusal, by
 * its tag and message, on one line.
 */
import type { ProviderEvent } from "@token-lifecycle/domain/ProviderEvent"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import { ReferenceGatewayControl } from "@token-lifecycle/testkit/ReferenceGateway"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as TestClock from "effect/TestClock"
import * as Describe from "./Describe.js"
import * as Format from "./Format.js"
import * as Transcript from "./Transcript.js"

/** What every typed error offers: its tag and a message free of card data. */
export interface Refusal {
  readonly _tag: string
  readonly message: string
}

const timeWidth = Format.instant(0).length
const outcomeIndent = " ".repeat(timeWidth + 2)

export const refusal = (error: Refusal): string => `✗ refused ${error._tag}: ${error.message}`

const stamped = (text: string) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => Transcript.write(`${Format.instant(now)}  ${text}`))

/**
 * Try something and print what happened, accepted or refused. The refusal is returned, not
 * raised: the walkthrough shows refusals on purpose.
 */
export const attempt = <A, E extends Refusal, R>(
  action: string,
  effect: Effect.Effect<A, E, R>,
  accepted: (result: A) => string,
): Effect.Effect<Either.Either<A, E>, never, R | Transcript.Transcript> =>
  Effect.gen(function* () {
    yield* stamped(action)
    const outcome = yield* Effect.either(effect)
    yield* Transcript.write(
      outcomeIndent + Either.match(outcome, { onLeft: refusal, onRight: (result) => `→ ${accepted(result)}` }),
    )
    return outcome
  })

/** A step the story builds on: printed like any other, but a refusal ends the walkthrough. */
export const perform = <A, E extends Refusal, R>(
  action: string,
  effect: Effect.Effect<A, E, R>,
  accepted: (result: A) => string,
): Effect.Effect<A, E, R | Transcript.Transcript> =>
  Effect.flatMap(attempt(action, effect, accepted), (outcome) => outcome)

/** A short, unremarked gap between two steps, so each event has its own time in the trail. */
export const pause = (by: Duration.DurationInput): Effect.Effect<void> => TestClock.adjust(by)

/** Move the controlled clock forward, and say why. */
export const advanceClock = (
  by: Duration.DurationInput,
  why: string,
): Effect.Effect<void, never, Transcript.Transcript> =>
  Effect.zipRight(
    TestClock.adjust(by),
    stamped(`… ${Format.duration(Duration.toMillis(Duration.decode(by)))} later: ${why}`),
  )

/** Record the expiry of every token whose time is up, as a scheduler would. */
export const sweepExpired: Effect.Effect<void, never, TokenLifecycle | Transcript.Transcript> = Effect.flatMap(
  TokenLifecycle,
  (lifecycle) =>
    Effect.asVoid(
      attempt("the expiry sweep runs (expireDue)", lifecycle.expireDue, (keys) =>
        keys.length === 0 ? "nothing is due" : `expired ${keys.join(", ")}`,
      ),
    ),
)

/**
 * Hand one provider callback to the lifecycle, as the webhook endpoint would after verifying
 * it. `announce` says who delivers it: `Gate calls back`.
 */
export const deliver = (event: ProviderEvent, announce = "the provider calls back") =>
  Effect.flatMap(TokenLifecycle, (lifecycle) =>
    attempt(
      `${announce} (${event.deliveryId}): ${Describe.providerEvent(event)}`,
      lifecycle.applyProviderEvent(event),
      Describe.applyOutcome,
    ),
  )

/** Collect what the provider has sent since the last time and deliver it, in order. */
export const deliverPending = (
  announce?: string,
): Effect.Effect<
  ReadonlyArray<ProviderEvent>,
  never,
  TokenLifecycle | ReferenceGatewayControl | Transcript.Transcript
> =>
  Effect.gen(function* () {
    const control = yield* ReferenceGatewayControl
    const events = yield* control.drain
    if (events.length === 0) yield* stamped("(no callback is waiting)")
    for (const event of events) yield* deliver(event, announce)
    return events
  })
