/**
 * The platform's Zai webhook (a `Webhooks.Webhook`): each delivery goes, with its headers, to the
 * adapter's handler (`ZaiWebhooks.make`), which verifies the `Webhooks-signature`, reads the
 * account again from Zai and applies what it means through the lifecycle. Only the account's kind
 * and id are read for the transcript, so neither the masked card nor the signature is printed.
 */
import * as ZaiWebhooks from "@token-lifecycle/adapters-zai/ZaiWebhooks"
import type { Delivery, Sink } from "@token-lifecycle/testkit/simulators/shared/Outbox"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Format from "./Format.js"
import * as Webhooks from "./Webhooks.js"

const Account = Schema.Struct({ id: Schema.String, active: Schema.Boolean })
const readClaim = Schema.decodeUnknownOption(
  Schema.parseJson(Schema.Union(Schema.Struct({ card_accounts: Account }), Schema.Struct({ bank_accounts: Account }))),
)

/** `card account 3f2a…9c1d (active)` */
const claim = (delivery: Delivery): string =>
  Option.match(readClaim(delivery.body), {
    onNone: () => "a body that is not an account Zai shows",
    onSome: (body) => {
      const [kind, account] = "card_accounts" in body ? ["card", body.card_accounts] : ["bank", body.bank_accounts]
      return `${kind} account ${Format.identifier(account.id)} (${account.active ? "active" : "redacted"})`
    },
  })

export interface ZaiWebhook extends Webhooks.Webhook {
  /** Every delivery Zai made, in order: what a forger could have copied. */
  readonly received: () => ReadonlyArray<Delivery>
}

/** The webhook, also as the simulator's sink, keeping what Zai delivers to it. */
export const make = Effect.gen(function* () {
  const handle = yield* ZaiWebhooks.make
  const webhook = yield* Webhooks.make({
    handle: (delivery) => handle(delivery.body, delivery.headers),
    claim,
    refusals: {
      400: "refused: signed, but not something Zai sends; nothing applied",
      401: "refused: the signature does not match the body, or is too old; nothing applied",
      503: "not yet: Zai is asked to send it again later",
    },
    nothingApplied: "no token to apply it to",
    sender: "Zai posts a webhook",
  })
  const received: Array<Delivery> = []
  const sink: Sink = (delivery) =>
    Effect.suspend(() => {
      received.push(delivery)
      return webhook.sink(delivery)
    })
  return { post: webhook.post, sink, received: () => [...received] } satisfies ZaiWebhook
})
