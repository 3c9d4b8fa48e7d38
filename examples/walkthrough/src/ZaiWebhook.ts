/**
 * The platform's Zai webhook, as the walkthrough runs it: each delivery goes, with its headers,
 * to the adapter's handler (`ZaiWebhooks.make`), which verifies the `Webhooks-signature`, reads
 * the account again from Zai and applies what it means through the lifecycle. Each post is
 * printed as a step: what the body says it is, then the status Zai gets back and what it did.
 *
 * What the body says is read for the transcript only, and never trusted: the handler alone
 * decides whether a delivery is Zai's. Only the account's kind and id are read, so neither the
 * masked card nor the signature is printed.
 */
import * as ZaiWebhooks from "@token-lifecycle/adapters-zai/ZaiWebhooks"
import type { Delivery, Sink } from "@token-lifecycle/testkit/simulators/shared/Outbox"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Describe from "./Describe.js"
import * as Format from "./Format.js"
import * as Narration from "./Narration.js"
import type * as Transcript from "./Transcript.js"

const Account = Schema.Struct({ id: Schema.String, active: Schema.Boolean })
const readClaim = Schema.decodeUnknownOption(
  Schema.parseJson(Schema.Union(Schema.Struct({ card_accounts: Account }), Schema.Struct({ bank_accounts: Account }))),
)

/** `card account 3f2a…9c1d (active)` */
export const claim = (rawBody: string): string =>
  Option.match(readClaim(rawBody), {
    onNone: () => "a body that is not an account Zai shows",
    onSome: (body) => {
      const [kind, account] = "card_accounts" in body ? ["card", body.card_accounts] : ["bank", body.bank_accounts]
      return `${kind} account ${Format.identifier(account.id)} (${account.active ? "active" : "redacted"})`
    },
  })

const refusedBecause: Record<Exclude<ZaiWebhooks.WebhookReceipt["status"], 200>, string> = {
  400: "refused: signed, but not something Zai sends; nothing applied",
  401: "refused: the signature does not match the body, or is too old; nothing applied",
  503: "not yet: Zai is asked to send it again later",
}

/** `200 · applied TokenUsed: key-3 Used …`: the status Zai gets, then what the delivery did. */
export const receipt = (answer: ZaiWebhooks.WebhookReceipt): string =>
  answer.status === 200
    ? Format.details(
        "200",
        answer.outcomes.length === 0
          ? "no token to apply it to"
          : answer.outcomes.map(Describe.applyOutcome).join("; "),
      )
    : `${answer.status} · ${refusedBecause[answer.status]}`

export interface ZaiWebhook {
  /** Post one delivery to the webhook, as Zai or anyone else can, and print the exchange. */
  readonly post: (
    delivery: Delivery,
    from: string,
  ) => Effect.Effect<ZaiWebhooks.WebhookReceipt, never, Transcript.Transcript>
  /** The webhook as the simulator's sink: anything but a 200 is refused, and Zai sends it again later. */
  readonly sink: Sink
  /** Every delivery Zai made, in order: what a forger could have copied. */
  readonly received: () => ReadonlyArray<Delivery>
}

export const make = Effect.gen(function* () {
  const handle = yield* ZaiWebhooks.make
  const received: Array<Delivery> = []
  // The handler logs what it refuses; here the step's outcome says it, and the transcript is the only output.
  const post = (delivery: Delivery, from: string) =>
    Narration.perform(
      `${from}: ${claim(delivery.body)}`,
      handle(delivery.body, delivery.headers).pipe(Logger.withMinimumLogLevel(LogLevel.None)),
      receipt,
    )
  // The sink runs inside the simulator's delivery, outside this section's context: it takes the transcript along.
  const context = yield* Effect.context<Transcript.Transcript>()
  const sink: Sink = (delivery) =>
    Effect.gen(function* () {
      received.push(delivery)
      const answer = yield* post(delivery, "Zai posts a webhook")
      if (answer.status !== 200) return yield* Effect.fail(`the webhook answered ${answer.status}`)
    }).pipe(Effect.provide(context))
  return { post, sink, received: () => [...received] } satisfies ZaiWebhook
})
