/**
 * The merchant's KOMOJU webhook (a `Webhooks.Webhook`): each delivery posted to it goes to the
 * adapter's handler (`KomojuWebhooks.make`), which verifies `X-Komoju-Signature` over the raw body
 * and applies the event through the lifecycle. Only a few named fields of the body are read for
 * the transcript, so neither the masked card nor the signature is printed.
 */
import * as KomojuWebhooks from "@token-lifecycle/adapters-komoju/KomojuWebhooks"
import type { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import type { Delivery } from "@token-lifecycle/testkit/simulators/shared/Outbox"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Format from "./Format.js"
import type * as Transcript from "./Transcript.js"
import * as Webhooks from "./Webhooks.js"

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
const claim = (delivery: Delivery): string =>
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

/**
 * The webhook for the merchant whose webhook secret is `secret`, also as the simulator's sink.
 * KOMOJU sends a delivery again, with the same `X-Komoju-ID`, unless it gets a 2xx.
 */
export const make = (
  secret: Redacted.Redacted<string>,
): Effect.Effect<Webhooks.Webhook, never, TokenLifecycle | Transcript.Transcript> =>
  Effect.gen(function* () {
    const handle = yield* KomojuWebhooks.make(secret)
    return yield* Webhooks.make({
      handle: (delivery) => handle(delivery.body, delivery.headers),
      claim,
      refusals: {
        400: "refused: not an event KOMOJU sends; nothing applied",
        401: "refused: the signature does not match the body; nothing applied",
        503: "not yet: KOMOJU is asked to send it again later",
      },
      nothingApplied: "nothing to apply",
      sender: "KOMOJU posts a webhook",
      repeat: {
        identity: (delivery) => delivery.headers["x-komoju-id"] ?? "",
        sender: "KOMOJU posts the same delivery again",
      },
    })
  })
