/**
 * The merchant's KOMOJU webhook, as the walkthrough runs it: each delivery posted to it goes to
 * the adapter's handler (`KomojuWebhooks.make`), which verifies `X-Komoju-Signature` over the
 * raw body and applies the event through the lifecycle. Each post is printed as a step: what
 * the delivery says it is, then the HTTP status KOMOJU gets back and what applying it did.
 *
 * What the body says is read for the transcript only, and never trusted: the handler alone
 * decides whether a delivery is KOMOJU's. Only a few named fields are read, so neither the
 * masked card nor the signature is printed.
 */
import * as KomojuWebhooks from "@token-lifecycle/adapters-komoju/KomojuWebhooks"
import type { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import type { Delivery, Sink } from "@token-lifecycle/testkit/simulators/shared/Outbox"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Describe from "./Describe.js"
import * as Format from "./Format.js"
import * as Narration from "./Narration.js"
import type * as Transcript from "./Transcript.js"

/** The fields of an event the transcript names. */
const EventClaim = Schema.Struct({
  type: Schema.String,
  data: Schema.Struct({
    id: Schema.String,
    status: Schema.String,
    metadata: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  }),
})

const readClaim = Schema.decodeUnknownOption(Schema.parseJson(EventClaim))

/** `payment.captured pay abc…xyz, token tok_…` */
export const claim = (delivery: Delivery): string =>
  Option.match(readClaim(delivery.body), {
    onNone: () => "a body that is not a KOMOJU event",
    onSome: ({ type, data }) => {
      const token = data.metadata?.token_lifecycle_token
      return Format.details(
        `${type} ${Format.identifier(data.id)} (${data.status})`,
        token !== undefined && `names token ${Format.identifier(token)}`,
      )
    },
  })

const refusedBecause: Record<Exclude<KomojuWebhooks.WebhookReceipt["status"], 200>, string> = {
  400: "refused: not an event KOMOJU sends; nothing applied",
  401: "refused: the signature does not match the body; nothing applied",
  503: "not yet: KOMOJU is asked to send it again later",
}

/** `200 · ignored (duplicate): …`: the status KOMOJU gets, then what the delivery did. */
export const receipt = (answer: KomojuWebhooks.WebhookReceipt): string =>
  answer.status === 200
    ? Format.details(
        "200",
        answer.outcomes.length === 0 ? "nothing to apply" : answer.outcomes.map(Describe.applyOutcome).join("; "),
      )
    : `${answer.status} · ${refusedBecause[answer.status]}`

export interface KomojuWebhook {
  /** Post one delivery to the webhook, as KOMOJU or anyone else can, and print the exchange. */
  readonly post: (
    delivery: Delivery,
    from: string,
  ) => Effect.Effect<KomojuWebhooks.WebhookReceipt, never, Transcript.Transcript>
  /** The webhook as the simulator's sink: KOMOJU sends a delivery again unless it gets a 2xx. */
  readonly sink: Sink
}

export const make = (
  secret: Redacted.Redacted<string>,
): Effect.Effect<KomojuWebhook, never, TokenLifecycle | Transcript.Transcript> =>
  Effect.gen(function* () {
    const handle = yield* KomojuWebhooks.make(secret)
    const post = (delivery: Delivery, from: string) =>
      Narration.perform(
        `${from}: ${claim(delivery)}`,
        // The handler logs what it refuses; here the step's outcome says it, and the transcript is the only output.
        handle(delivery.body, delivery.headers).pipe(Logger.withMinimumLogLevel(LogLevel.None)),
        receipt,
      )
    // The sink runs inside the simulator's delivery, outside this section's context: it takes the transcript along.
    const context = yield* Effect.context<Transcript.Transcript>()
    const seen = new Set<string>()
    const sink: Sink = (delivery) =>
      Effect.gen(function* () {
        const id = delivery.headers["x-komoju-id"] ?? ""
        const again = seen.has(id)
        seen.add(id)
        const answer = yield* post(delivery, again ? "KOMOJU posts the same delivery again" : "KOMOJU posts a webhook")
        if (answer.status !== 200) return yield* Effect.fail(`the webhook answered ${answer.status}`)
      }).pipe(Effect.provide(context))
    return { post, sink }
  })
