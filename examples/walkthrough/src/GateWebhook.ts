/**
 * The merchant's Gate webhook (a `Webhooks.Webhook`): each body posted to it goes to the adapter's
 * callback handler (`GateCallbacks.make`), which verifies the signature the body carries and
 * applies the callback through the lifecycle. Only a few named fields of the body are read for the
 * transcript, so neither the masked card nor the signature is printed.
 */
import * as GateCallbacks from "@token-lifecycle/adapters-gate/GateCallbacks"
import type { GateConfig } from "@token-lifecycle/adapters-gate/GateConfig"
import type { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import type { Delivery } from "@token-lifecycle/testkit/simulators/shared/Outbox"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Format from "./Format.js"
import type * as Transcript from "./Transcript.js"
import * as Webhooks from "./Webhooks.js"

/** The fields of a token callback the transcript names. */
const TokenClaim = Schema.Struct({
  request: Schema.Struct({ id: Schema.String, action: Schema.String }),
  token: Schema.String,
  token_status: Schema.String,
})

/** The fields of a payment callback the transcript names. */
const PaymentClaim = Schema.Struct({
  payment: Schema.Struct({ id: Schema.String, type: Schema.String, status: Schema.String }),
})

const readClaim = Schema.decodeUnknownOption(Schema.parseJson(Schema.Union(TokenClaim, PaymentClaim)))

/** `token 7627bb9b…77e3 active (tokenize c45bb7eb…0001)`, `payment order-2001 success (purchase)` */
const claim = (delivery: Delivery): string =>
  Option.match(readClaim(delivery.body), {
    onNone: () => "a body that is not a Gate callback",
    onSome: (body) =>
      "token_status" in body
        ? `token ${Format.identifier(body.token)} ${body.token_status} (${body.request.action} ${Format.identifier(body.request.id)})`
        : `payment ${Format.identifier(body.payment.id)} ${body.payment.status} (${body.payment.type})`,
  })

/**
 * The webhook, also as the simulator's callback sink. Gate stops sending a callback on a 200
 * only, and sends the same body again.
 */
export const make: Effect.Effect<Webhooks.Webhook, never, GateConfig | TokenLifecycle | Transcript.Transcript> =
  Effect.gen(function* () {
    const handle = yield* GateCallbacks.make
    return yield* Webhooks.make({
      handle: (delivery) => handle(delivery.body),
      claim,
      refusals: {
        400: "refused: not a callback Gate sends; nothing applied",
        401: "refused: the signature does not match the body; nothing applied",
        503: "not yet: Gate is asked to send it again later",
      },
      nothingApplied: "nothing to apply",
      sender: "Gate posts a callback",
      repeat: { identity: (delivery) => delivery.body, sender: "Gate posts the same callback again" },
    })
  })
