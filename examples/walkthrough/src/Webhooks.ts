/**
 * A webhook as the walkthrough runs it: each delivery posted to it goes, as it came, to the
 * adapter's handler, which verifies it and applies what it reports through the lifecycle, then
 * answers a `DeliveryReceipt`. Each post is printed as a step: who posts it and what the delivery
 * says it is, then the HTTP status the provider gets back and what applying it did.
 *
 * What a delivery says is read for the transcript only, and never trusted: the handler alone
 * decides whether a delivery is the provider's.
 */
import type { DeliveryReceipt } from "@token-lifecycle/adapter-kit/ProviderDeliveries"
import type { Delivery, Sink } from "@token-lifecycle/testkit/simulators/shared/Outbox"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Ref from "effect/Ref"
import * as Describe from "./Describe.js"
import * as Format from "./Format.js"
import * as Narration from "./Narration.js"
import type * as Transcript from "./Transcript.js"

/** What a refused delivery's status means for it, in the provider's terms. */
export type Refusals = { readonly [Status in Exclude<DeliveryReceipt["status"], 200>]: string }

/** One provider's webhook: its adapter's handler, and how its deliveries read in the transcript. */
export interface Endpoint {
  /** The adapter's handler, given the delivery as it came. */
  readonly handle: (delivery: Delivery) => Effect.Effect<DeliveryReceipt>
  /** What the delivery says it is, from a few named fields: never a card or a signature. */
  readonly claim: (delivery: Delivery) => string
  readonly refusals: Refusals
  /** What a 200 that applied nothing says. */
  readonly nothingApplied: string
  /** Who posts a delivery to the sink: `Gate posts a callback`. */
  readonly sender: string
  /** How a delivery the provider sends again is known, and who posts it then. */
  readonly repeat?: { readonly identity: (delivery: Delivery) => string; readonly sender: string }
}

export interface Webhook {
  /** Post one delivery to the webhook, as the provider or anyone else can, and print the exchange. */
  readonly post: (delivery: Delivery, from: string) => Effect.Effect<DeliveryReceipt, never, Transcript.Transcript>
  /** The webhook as the simulator's sink: anything but a 200 is refused, and the provider sends it again later. */
  readonly sink: Sink
}

/** `200 · applied TokenIssued: key-1 Active · …`, `401 · refused: …`: the status the provider gets, then what it did. */
const receipt =
  (endpoint: Endpoint) =>
  (answer: DeliveryReceipt): string =>
    answer.status === 200
      ? Format.details(
          "200",
          answer.outcomes.length === 0
            ? endpoint.nothingApplied
            : answer.outcomes.map(Describe.applyOutcome).join("; "),
        )
      : `${answer.status} · ${endpoint.refusals[answer.status]}`

export const make = (endpoint: Endpoint): Effect.Effect<Webhook, never, Transcript.Transcript> =>
  Effect.gen(function* () {
    const post = (delivery: Delivery, from: string) =>
      Narration.perform(
        `${from}: ${endpoint.claim(delivery)}`,
        // The handler logs what it refuses; here the step's outcome says it, and the transcript is the only output.
        endpoint.handle(delivery).pipe(Logger.withMinimumLogLevel(LogLevel.None)),
        receipt(endpoint),
      )

    const seen = yield* Ref.make<ReadonlySet<string>>(new Set())
    const sender = (delivery: Delivery): Effect.Effect<string> => {
      const repeat = endpoint.repeat
      if (repeat === undefined) return Effect.succeed(endpoint.sender)
      const identity = repeat.identity(delivery)
      return Ref.modify(seen, (identities) => [
        identities.has(identity) ? repeat.sender : endpoint.sender,
        new Set(identities).add(identity),
      ])
    }

    // The sink runs inside the simulator's delivery, outside this section's context: it takes the transcript along.
    const context = yield* Effect.context<Transcript.Transcript>()
    const sink: Sink = (delivery) =>
      Effect.gen(function* () {
        const answer = yield* post(delivery, yield* sender(delivery))
        if (answer.status !== 200) return yield* Effect.fail(`the webhook answered ${answer.status}`)
      }).pipe(Effect.provide(context))

    return { post, sink }
  })
