/**
 * ECommPay Gate: reusable card tokens, one per card per customer, answered by a signed
 * callback. The token is Pending until the callback is delivered; a repeated delivery
 * changes nothing; the same card coming back updates the token's expiry in place.
 */
import type { TokenKey } from "@token-lifecycle/domain/Identifiers"
import * as Policy from "@token-lifecycle/domain/Policy"
import type { Money } from "@token-lifecycle/domain/TokenGateway"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as Effect from "effect/Effect"
import * as AuditTrail from "../AuditTrail.js"
import * as Cards from "../Cards.js"
import * as Describe from "../Describe.js"
import * as Heading from "../Heading.js"
import * as Narration from "../Narration.js"
import * as Sandbox from "../Sandbox.js"

const policy = Policy.gate
const project = "project-17"
const customer = "cus-42"
const stranger = "cus-99"
/** Valid through March 2025: its token ends with it. */
const expiringCard = Cards.make("5555 5555 5555 4444", { month: 3, year: 2025 })
const savedCard = Cards.make("4000 0566 5566 5556", { month: 8, year: 2026 })
/** The same card number, reissued with a later expiry. */
const savedCardReissued = Cards.renewed(savedCard, { month: 8, year: 2029 })

const euros = (cents: number): Money => ({ amount: cents, currency: "EUR" })
const step = "1 minute"

export const scenario = Effect.gen(function* () {
  const lifecycle = yield* TokenLifecycle
  yield* Heading.section({
    title: "ECommPay Gate: reusable card tokens, answered by callback",
    about: [
      "Gate tokenizes a card for one customer of one project. The answer comes later, in a signed",
      "callback, so the token waits as Pending until it is delivered. A token serves any number of",
      "payments until the card's printed expiry; the same card again keeps its token and updates the expiry.",
    ],
    policy,
    boundTo: "one customer in one project",
  })

  const pay = (key: TokenKey, by: string, order: string, cents: number) =>
    lifecycle.use(key, { by, for: "card", reference: order, operation: "payment", amount: euros(cents) })

  // First token: asynchronous issuance, reuse, the owner binding, expiry with the card.
  const first = yield* Narration.perform(
    `issue a token for ${customer} in ${project}, card ${expiringCard.label}`,
    lifecycle.issue({ account: project, owner: customer, type: "card", card: expiringCard.input }),
    Describe.token,
  )
  yield* Narration.pause(step)
  yield* Narration.attempt(
    `use ${first.key} for a payment before Gate has called back`,
    pay(first.key, customer, "order-1001", 4990),
    Describe.useResult,
  )
  yield* Narration.pause(step)
  const callbacks = yield* Narration.deliverPending("Gate calls back")
  const issuedCallback = callbacks[0]
  if (issuedCallback === undefined) return yield* Effect.dieMessage("the reference gateway sent no issuance callback")
  yield* Narration.pause(step)
  yield* Narration.deliver(issuedCallback, "Gate repeats the callback")
  yield* Narration.pause(step)
  yield* Narration.perform(
    `use ${first.key}: ${customer} pays order-1001`,
    pay(first.key, customer, "order-1001", 4990),
    Describe.useResult,
  )
  yield* Narration.pause(step)
  yield* Narration.perform(
    `use ${first.key} again: ${customer} pays order-1002`,
    pay(first.key, customer, "order-1002", 1250),
    Describe.useResult,
  )
  yield* Narration.pause(step)
  yield* Narration.attempt(
    `use ${first.key} as another customer, ${stranger}`,
    pay(first.key, stranger, "order-1003", 990),
    Describe.useResult,
  )
  yield* Narration.advanceClock("18 days", `March 2025 is over, and card ${expiringCard.label} with it`)
  yield* Narration.sweepExpired
  yield* Narration.pause(step)
  yield* Narration.attempt(
    `use ${first.key} after its card's expiry`,
    pay(first.key, customer, "order-1004", 4990),
    Describe.useResult,
  )

  // Second token: the same card again refreshes the expiry; revocation is a request, then a callback.
  yield* Narration.pause(step)
  const second = yield* Narration.perform(
    `issue a token for ${customer}, card ${savedCard.label}`,
    lifecycle.issue({ account: project, owner: customer, type: "card", card: savedCard.input }),
    Describe.token,
  )
  yield* Narration.pause(step)
  yield* Narration.deliverPending("Gate calls back")
  yield* Narration.pause(step)
  yield* Narration.perform(
    `${customer} enters the same card, reissued: ${savedCardReissued.label}`,
    lifecycle.issue({ account: project, owner: customer, type: "card", card: savedCardReissued.input }),
    Describe.token,
  )
  yield* Narration.pause(step)
  yield* Narration.deliverPending("Gate confirms by callback")
  yield* Narration.pause(step)
  yield* Narration.perform(
    `revoke ${second.key}: ${customer} removes the saved card`,
    lifecycle.revoke(second.key),
    Describe.token,
  )
  yield* Narration.pause(step)
  yield* Narration.deliverPending("Gate confirms by callback")
  yield* Narration.pause(step)
  yield* Narration.attempt(
    `use ${second.key} after its revocation`,
    pay(second.key, customer, "order-1005", 4990),
    Describe.useResult,
  )

  yield* AuditTrail.print([first.key, second.key])
}).pipe(Sandbox.run(policy))
