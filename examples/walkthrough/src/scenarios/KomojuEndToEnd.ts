/**
 * KOMOJU end to end: the KOMOJU policy again, but the provider is the testkit's KOMOJU simulator
 * reached through the real adapter, and every webhook is a signed delivery the simulator posts
 * to the adapter's webhook handler. A token is created and pays once; KOMOJU's webhook for the
 * payment comes twice and changes nothing; a second payment is refused before it reaches
 * KOMOJU. A second token sees a tampered webhook refused with 401, then lapses 24 hours after
 * KOMOJU made it.
 */
import type { TokenKey } from "@token-lifecycle/domain/Identifiers"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import { KomojuSimulator } from "@token-lifecycle/testkit/simulators/komoju/KomojuSimulator"
import type { Delivery } from "@token-lifecycle/testkit/simulators/shared/Outbox"
import * as Effect from "effect/Effect"
import * as AuditTrail from "../AuditTrail.js"
import * as Cards from "../Cards.js"
import * as Describe from "../Describe.js"
import * as Heading from "../Heading.js"
import * as KomojuRequests from "../KomojuRequests.js"
import * as KomojuSandbox from "../KomojuSandbox.js"
import * as KomojuWebhook from "../KomojuWebhook.js"
import * as Narration from "../Narration.js"
import * as Sandbox from "../Sandbox.js"

const merchant = KomojuSandbox.merchant.id
const customer = "cus-sato"
/** KOMOJU's test cards that pay: JCB, then Visa. KOMOJU wants the cardholder's name. */
const card = Cards.make("3530 1113 3330 0000", { month: 9, year: 2028 }, "HANAKO SATO")
const secondCard = Cards.make("4111 1111 1111 1111", { month: 3, year: 2029 }, "HANAKO SATO")
/** JPY has no minor unit. */
const yen = (amount: number) => ({ amount, currency: "JPY" })
const step = "1 minute"

const about = [
  "The KOMOJU policy once more, with nothing in place of the provider: the real KOMOJU adapter, its",
  "webhook handler and the lifecycle, against the testkit's KOMOJU simulator. The adapter sends HTTP",
  "Basic with the publishable key to create tokens and the secret key for everything else, and an",
  "idempotency key with every POST, over an HttpClient that the simulator answers in process: no",
  "socket, no network. The simulator keeps KOMOJU's books and posts KOMOJU's signed webhooks to the",
  "handler; each post shows the HTTP status KOMOJU gets back. The simulator's randomness is seeded,",
  "so its ids are the same on every run.",
]

const parts: ReadonlyArray<readonly [string, string]> = [
  ["gateway", `KomojuGateway.layer (@token-lifecycle/adapters-komoju), ${merchant}`],
  ["KOMOJU", "KomojuSimulator, reached through KomojuHttpClient.layer(): in process"],
  ["webhooks", "posted by the simulator to KomojuWebhooks.make's handler, which verifies X-Komoju-Signature"],
  ["lifecycle", "TokenLifecycle.layer({ policy: Policy.komoju }), in-memory store, sequential keys"],
]

/**
 * A delivery rewritten by someone who wants another token spent: its body names `tokenId`, its
 * headers (the signature among them) are kept as they came.
 */
const retarget = (delivery: Delivery, tokenId: string): Effect.Effect<Delivery> =>
  Effect.suspend(() => {
    const body: unknown = JSON.parse(delivery.body)
    if (typeof body !== "object" || body === null || !("data" in body)) {
      return Effect.dieMessage("the delivery to tamper with is not a KOMOJU event")
    }
    const data = body.data as { readonly metadata?: Record<string, string> }
    const metadata = { ...data.metadata, token_lifecycle_token: tokenId }
    return Effect.succeed({ headers: delivery.headers, body: JSON.stringify({ ...body, data: { ...data, metadata } }) })
  })

export const scenario = Effect.gen(function* () {
  const lifecycle = yield* TokenLifecycle
  const komoju = yield* KomojuSimulator
  const webhook = yield* KomojuWebhook.make(KomojuSandbox.merchant.webhookSecret)
  yield* komoju.configureWebhooks({ sink: webhook.sink })
  yield* Heading.titled("KOMOJU, end to end against the simulator", about, parts)

  const issue = (entered: Cards.TestCard) =>
    lifecycle.issue({ account: merchant, owner: customer, type: "card", card: entered.input })

  const pay = (key: TokenKey, order: string, amount: number) =>
    lifecycle.use(key, { by: customer, for: "card", operation: "payment", amount: yen(amount), reference: order })

  const first = yield* Narration.perform(
    `issue a token for ${customer} at ${merchant}, card ${card.label} (POST /tokens)`,
    issue(card),
    Describe.token,
  )
  yield* Narration.pause(step)
  yield* Narration.perform(
    `use ${first.key}: ${customer} pays ¥4,800 for order-3101 (POST /payments)`,
    pay(first.key, "order-3101", 4800),
    Describe.useResult,
  )

  // KOMOJU sends the payment's webhook twice, as it may: the second is the same delivery.
  yield* Narration.pause(step)
  yield* komoju.configureWebhooks({ duplicate: 2 })
  const [captured] = yield* komoju.deliverDue
  yield* komoju.configureWebhooks({ duplicate: 1 })
  if (captured === undefined) return yield* Effect.dieMessage("the KOMOJU simulator sent no webhook for the payment")

  yield* Narration.pause(step)
  yield* Narration.attempt(
    `use ${first.key} again: ${customer} pays ¥1,200 for order-3102`,
    pay(first.key, "order-3102", 1200),
    Describe.useResult,
  )

  yield* Narration.pause(step)
  const second = yield* Narration.perform(
    `issue a second token for ${customer}, card ${secondCard.label}`,
    issue(secondCard),
    Describe.token,
  )
  yield* Narration.pause(step)
  const tampered = yield* retarget(captured, second.tokenId ?? "")
  yield* webhook.post(tampered, `someone posts the payment's webhook, rewritten to name ${second.key}'s token`)
  yield* Narration.perform(
    `look up ${second.key} after the tampered webhook`,
    lifecycle.get(second.key),
    Describe.token,
  )

  yield* Narration.advanceClock("24 hours", `a day on, and ${second.key} was never used`)
  yield* Narration.attempt(
    `use ${second.key}: ${customer} pays ¥2,000 for order-3103`,
    pay(second.key, "order-3103", 2000),
    Describe.useResult,
  )

  yield* KomojuRequests.print
  yield* AuditTrail.print([first.key, second.key])
}).pipe(Sandbox.runWith(KomojuSandbox.layer))
