/**
 * ECommPay Gate end to end: the Gate policy again, but the provider is the testkit's Gate
 * simulator reached through the real adapter, and every callback is a signed body the
 * simulator posts to the adapter's callback handler. A token is tokenized, activated by its
 * callback (sent twice), used for a purchase, refreshed by the same card with a new expiry and
 * revoked; a forged callback is refused with 401 and changes nothing.
 */
import type { TokenKey } from "@token-lifecycle/domain/Identifiers"
import type { Money } from "@token-lifecycle/domain/TokenGateway"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import { GateSimulator } from "@token-lifecycle/testkit/simulators/gate/GateSimulator"
import type { Delivery } from "@token-lifecycle/testkit/simulators/shared/Outbox"
import * as Effect from "effect/Effect"
import * as AuditTrail from "../AuditTrail.js"
import * as Cards from "../Cards.js"
import * as Describe from "../Describe.js"
import * as GateRequests from "../GateRequests.js"
import * as GateSandbox from "../GateSandbox.js"
import * as GateWebhook from "../GateWebhook.js"
import * as Heading from "../Heading.js"
import * as Narration from "../Narration.js"
import * as Sandbox from "../Sandbox.js"

const project = String(GateSandbox.project.id)
const customer = "cus-42"
/** Gate wants the payer's IP address with a tokenization and a purchase; this one is from a documentation range. */
const ipAddress = "198.51.100.47"
/** Gate wants the cardholder's name too. */
const card = Cards.make("4242 4242 4242 4242", { month: 9, year: 2027 }, "JANE ROE")
/** The same card number, reissued with a later expiry. */
const cardReissued = Cards.renewed(card, { month: 9, year: 2030 })

const euros = (cents: number): Money => ({ amount: cents, currency: "EUR" })
const step = "1 minute"

const about = [
  "The Gate policy once more, with nothing in place of the provider: the real Gate adapter, its callback",
  "handler and the lifecycle, against the testkit's Gate simulator. The adapter signs every request with",
  "the project's secret and sends it over an HttpClient that the simulator answers in process: no socket,",
  "no network. The simulator keeps Gate's books and posts Gate's signed callbacks to the webhook; each",
  "post shows the HTTP status Gate gets back. The simulator's randomness is seeded, so its tokens and",
  "request ids are the same on every run; they are long, so only their ends are shown.",
]

const parts: ReadonlyArray<readonly [string, string]> = [
  ["gateway", "GateGateway.layer (@token-lifecycle/adapters-gate), project 17"],
  ["Gate", "GateSimulator, reached through GateHttpClient.layer(): in process"],
  ["callbacks", "posted by the simulator to GateCallbacks.make's handler, which verifies their signature"],
  ["lifecycle", "TokenLifecycle.layer({ policy: Policy.gate }), in-memory store, sequential keys"],
]

/** Gate's token callback with its status changed and its signature kept, as a forger would post it. */
const forge = (delivery: Delivery, tokenStatus: string): Effect.Effect<Delivery> =>
  Effect.suspend(() => {
    const body: unknown = JSON.parse(delivery.body)
    return typeof body === "object" && body !== null && "token_status" in body
      ? Effect.succeed({ headers: delivery.headers, body: JSON.stringify({ ...body, token_status: tokenStatus }) })
      : Effect.dieMessage("the callback to forge is not a token callback")
  })

export const scenario = Effect.gen(function* () {
  const lifecycle = yield* TokenLifecycle
  const gate = yield* GateSimulator
  const webhook = yield* GateWebhook.make
  yield* gate.configureCallbacks({ sink: webhook.sink })
  yield* Heading.titled("Gate, end to end against the simulator", about, parts)

  const issue = (entered: Cards.TestCard) =>
    lifecycle.issue({ account: project, owner: customer, type: "card", card: entered.input, customer: { ipAddress } })

  const purchase = (key: TokenKey, order: string, cents: number) =>
    lifecycle.use(key, {
      by: customer,
      for: "card",
      operation: "payment",
      amount: euros(cents),
      reference: order,
      customer: { ipAddress },
    })

  /** Gate sends the callbacks that are due, each `copies` times, as it may. Each step here expects one. */
  const callsBack = (copies = 1) =>
    Effect.gen(function* () {
      yield* gate.configureCallbacks({ duplicate: copies })
      const delivered = yield* gate.deliverDue
      yield* gate.configureCallbacks({ duplicate: 1 })
      const first = delivered[0]
      if (first === undefined) return yield* Effect.dieMessage("the Gate simulator had no callback to send")
      return first
    })

  const pending = yield* Narration.perform(
    `issue a token for ${customer} in project ${project}, card ${card.label}`,
    issue(card),
    Describe.token,
  )
  const key = pending.key
  yield* Narration.pause(step)
  const issued = yield* callsBack(2)
  yield* Narration.pause(step)
  yield* Narration.perform(
    `use ${key}: ${customer} pays order-2001 (a purchase by token)`,
    purchase(key, "order-2001", 4990),
    Describe.useResult,
  )
  yield* Narration.pause(step)
  yield* callsBack()

  yield* Narration.pause(step)
  const forged = yield* forge(issued, "revoke")
  yield* webhook.post(forged, "someone posts the token callback, active changed to revoke")
  yield* Narration.pause(step)
  yield* Narration.perform(`look up ${key} after the forged callback`, lifecycle.get(key), Describe.token)

  yield* Narration.pause(step)
  yield* Narration.perform(
    `${customer} enters the same card, reissued: ${cardReissued.label}`,
    issue(cardReissued),
    Describe.token,
  )
  yield* Narration.pause(step)
  yield* callsBack()

  yield* Narration.pause(step)
  yield* Narration.perform(`revoke ${key}: ${customer} removes the saved card`, lifecycle.revoke(key), Describe.token)
  yield* Narration.pause(step)
  yield* callsBack()
  yield* Narration.pause(step)
  yield* Narration.attempt(
    `use ${key} after its revocation: ${customer} pays order-2002`,
    purchase(key, "order-2002", 1250),
    Describe.useResult,
  )

  yield* GateRequests.print
  yield* AuditTrail.print([key])
}).pipe(Sandbox.runWith(GateSandbox.layer))
