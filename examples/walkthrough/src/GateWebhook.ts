/**
 * The merchant's Gate webhook, as the walkthrough runs it: each body posted to it goes to the
 * adapter's callback handler (`GateCallbacks.make`), which verifies the signature and applies
 * the callback through the lifecycle. Each post is printed as a step: what the body says it is,
 * then the HTTP status the handler answers Gate and what applying it did.
 *
 * What the body says is read for the transcript only, and never trusted: the handler alone
 * decides whether a body is Gate's. Only a few named fields are read, so neither the masked
 * card nor the signature is printed.
 */
import * as GateCallbacks from "@token-lifecycle/adapters-gate/GateCallbacks"
import type { GateConfig } from "@token-lifecycle/adapters-gate/GateConfig"
import type { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import type { Sink } from "@token-lifecycle/testkit/simulators/shared/Outbox"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Describe from "./Describe.js"
import * as Format from "./Format.js"
import * as Narration from "./Narration.js"
import type * as Transcript from "./Transcript.js"

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
export const claim = (rawBody: string): string =>
  Option.match(readClaim(rawBody), {
    onNone: () => "a body that is not a Gate callback",
    onSome: (body) =>
      "token_status" in body
        ? `token ${Format.identifier(body.token)} ${body.token_status} (${body.request.action} ${Format.identifier(body.request.id)})`
        : `payment ${Format.identifier(body.payment.id)} ${body.payment.status} (${body.payment.type})`,
  })

const refusedBecause: Record<Exclude<GateCallbacks.CallbackReceipt["status"], 200>, string> = {
  400: "refused: not a callback Gate sends; nothing applied",
  401: "refused: the signature does not match the body; nothing applied",
  503: "not yet: Gate is asked to send it again later",
}

/** `200 · applied TokenIssued: key-1 Active · …`: the status Gate gets, then what the callback did. */
export const receipt = (answer: GateCallbacks.CallbackReceipt): string =>
  answer.status === 200
    ? Format.details(
        "200",
        answer.outcomes.length === 0 ? "nothing to apply" : answer.outcomes.map(Describe.applyOutcome).join("; "),
      )
    : `${answer.status} · ${refusedBecause[answer.status]}`

export interface GateWebhook {
  /** Post one body to the webhook, as Gate or anyone else can, and print the exchange. */
  readonly post: (
    rawBody: string,
    from: string,
  ) => Effect.Effect<GateCallbacks.CallbackReceipt, never, Transcript.Transcript>
  /**
   * The webhook as the simulator's callback sink. Gate stops sending a callback on a 200 only,
   * so any other answer is a refused delivery, and the simulator keeps it to send again.
   */
  readonly sink: Sink
}

export const make: Effect.Effect<GateWebhook, never, GateConfig | TokenLifecycle | Transcript.Transcript> = Effect.gen(
  function* () {
    const handle = yield* GateCallbacks.make
    // The handler logs what it refuses; here the step's outcome says it, and the transcript is the only output.
    const quietly = (rawBody: string) => handle(rawBody).pipe(Logger.withMinimumLogLevel(LogLevel.None))

    const post = (rawBody: string, from: string) =>
      Narration.perform(`${from}: ${claim(rawBody)}`, quietly(rawBody), receipt)

    // The sink runs inside the simulator's delivery, outside this section's context: it takes the transcript along.
    const context = yield* Effect.context<Transcript.Transcript>()
    const posted = yield* Ref.make<ReadonlySet<string>>(new Set())
    const sink: Sink = ({ body: rawBody }) =>
      Effect.gen(function* () {
        const before = yield* Ref.getAndUpdate(posted, (bodies) => new Set(bodies).add(rawBody))
        const answer = yield* post(
          rawBody,
          before.has(rawBody) ? "Gate posts the same callback again" : "Gate posts a callback",
        )
        if (answer.status !== 200) return yield* Effect.fail(`the webhook answered ${answer.status}`)
      }).pipe(Effect.provide(context))

    return { post, sink }
  },
)
