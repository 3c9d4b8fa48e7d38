/**
 * The story of a single-use card token whose provider answers at once and makes a new token
 * for every card entry (Rebilly and KOMOJU): use once, a refused second use, a refused
 * revocation, a new token for the same card, expiry by time; told under the policy's heading,
 * over the reference gateway.
 */
import type { TokenKey } from "@token-lifecycle/domain/Identifiers"
import type { LifecyclePolicy } from "@token-lifecycle/domain/Policy"
import type { Money } from "@token-lifecycle/domain/TokenGateway"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as AuditTrail from "../AuditTrail.js"
import type * as Cards from "../Cards.js"
import * as Describe from "../Describe.js"
import * as Format from "../Format.js"
import * as Heading from "../Heading.js"
import * as Narration from "../Narration.js"
import * as Sandbox from "../Sandbox.js"

export interface Cast {
  /** Where tokens live at the provider: an organization, a merchant account. */
  readonly account: string
  readonly customer: string
  readonly card: Cards.TestCard
  /** The same card number, reissued with a later expiry. */
  readonly reissued: Cards.TestCard
  readonly price: Money
  /** Prefix of the order references. */
  readonly orders: string
}

const step = "1 minute"

const story = (policy: LifecyclePolicy, cast: Cast) =>
  Effect.gen(function* () {
    const lifecycle = yield* TokenLifecycle
    const { account, customer } = cast
    const order = (n: number) => `${cast.orders}-${n}`
    const issue = (card: Cards.TestCard) =>
      lifecycle.issue({ account, owner: customer, type: "card", card: card.input })
    const pay = (key: TokenKey, n: number) =>
      lifecycle.use(key, { by: customer, for: "card", reference: order(n), operation: "payment", amount: cast.price })

    const first = yield* Narration.perform(
      `issue a token for ${customer} in ${account}, card ${cast.card.label}`,
      issue(cast.card),
      Describe.token,
    )
    yield* Narration.pause(step)
    yield* Narration.perform(`use ${first.key}: ${customer} pays ${order(1)}`, pay(first.key, 1), Describe.useResult)
    yield* Narration.pause(step)
    yield* Narration.attempt(`use ${first.key} again for ${order(2)}`, pay(first.key, 2), Describe.useResult)

    yield* Narration.pause(step)
    const second = yield* Narration.perform(
      `issue a token for the next checkout, card ${cast.card.label}`,
      issue(cast.card),
      Describe.token,
    )
    yield* Narration.pause(step)
    yield* Narration.attempt(`revoke ${second.key}`, lifecycle.revoke(second.key), Describe.token)
    yield* Narration.pause(step)
    const third = yield* Narration.perform(
      `${customer} enters the same card, reissued: ${cast.reissued.label}`,
      issue(cast.reissued),
      (token) => `${Describe.token(token)} (a new token)`,
    )

    const timeToLive = policy.timeToLive.card
    if (timeToLive !== null) {
      const pastIt = Duration.sum(Duration.millis(timeToLive), Duration.minutes(1))
      yield* Narration.advanceClock(
        pastIt,
        `past the ${Format.duration(timeToLive)} time to live of ${second.key} and ${third.key}`,
      )
      yield* Narration.sweepExpired
      yield* Narration.pause(step)
      yield* Narration.attempt(`use ${third.key} for ${order(3)}`, pay(third.key, 3), Describe.useResult)
    }

    yield* AuditTrail.print([first.key, second.key, third.key])
  })

/** The section: the policy's heading, then the story under that policy. */
export const section = (intro: Heading.Introduction, cast: Cast) =>
  Effect.zipRight(Heading.section(intro), story(intro.policy, cast)).pipe(Sandbox.run(intro.policy))
