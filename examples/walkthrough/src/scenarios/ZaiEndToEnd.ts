/**
 * Zai end to end: the real Zai adapter, its webhook handler and the lifecycle, against the
 * testkit's Zai simulator in process. A pay-in user gets a card token auth for a checkout, the
 * browser adds a card with it, and the account the browser hands back is recorded as the token's
 * one use; a pay-out user does the same with a bank token auth. A bank token is refused for a
 * card, by Zai and by the lifecycle. Each payment session has a token of its own, the same one
 * when it asks again, and never one that expires within the safety margin. A forged webhook is
 * refused with 401 and changes nothing.
 */
import type { AccountClaim, HandedOut, SessionRequest } from "@token-lifecycle/adapters-zai/ZaiTokenAuths"
import { ZaiTokenAuths } from "@token-lifecycle/adapters-zai/ZaiTokenAuths"
import type { User, UserDetails } from "@token-lifecycle/adapters-zai/ZaiUsers"
import { ZaiUsers } from "@token-lifecycle/adapters-zai/ZaiUsers"
import type { Delivery } from "@token-lifecycle/testkit/simulators/shared/Outbox"
import { type ZaiBrowserRefusal, ZaiSimulator } from "@token-lifecycle/testkit/simulators/zai/ZaiSimulator"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as AuditTrail from "../AuditTrail.js"
import * as Cards from "../Cards.js"
import * as Describe from "../Describe.js"
import * as Format from "../Format.js"
import * as Heading from "../Heading.js"
import * as Narration from "../Narration.js"
import * as Sandbox from "../Sandbox.js"
import * as ZaiRequests from "../ZaiRequests.js"
import * as ZaiSandbox from "../ZaiSandbox.js"
import * as ZaiWebhook from "../ZaiWebhook.js"

const marketplace = "marketplace-9"
const buyer = "buyer-7"
const seller = "seller-3"
const card = Cards.make("4111111111111111", { month: 12, year: 2027 }, "JANE BUYER")
const cvv = Redacted.make("123")
const bankAccount = {
  bankName: "Bank of Australia",
  accountName: "Sam Seller",
  routingNumber: "062000",
  accountNumber: Redacted.make("12345678"),
  accountType: "checking",
  holderType: "personal",
  country: "AUS",
} as const
const step = "1 minute"

const about = [
  "The Zai policy once more, end to end: the real Zai adapter, its webhook handler and the lifecycle,",
  "against the testkit's Zai simulator, answering in process. The adapter asks Zai's auth host for an",
  "OAuth2 access token once and presents it to the core API for users, accounts and token auths. A",
  "token auth lets the browser (PromisePay.js, played by the simulator) add one card or bank account for",
  "one user; the browser hands the new account's id back, and that is the token's one use. The card",
  "never reaches the server. Zai's answer carries no expiry: the policy's lifetime counts from it, and",
  "the adapter never hands a browser a token with less than 15 min to live. Zai's ids are random,",
  "seeded here, and long, so only their ends are shown.",
]

const parts: ReadonlyArray<readonly [string, string]> = [
  ["adapter", "ZaiCore, ZaiUsers, ZaiAccounts, ZaiGateway (@token-lifecycle/adapters-zai)"],
  ["token auths", "ZaiTokenAuths: one per payment session, 15 min safety margin"],
  ["Zai", "ZaiSimulator, reached through ZaiHttpClient.layer(): in process"],
  ["webhooks", "posted by the simulator to ZaiWebhooks.make's handler, which verifies Webhooks-signature"],
  ["lifecycle", 'TokenLifecycle.layer({ policy: Policy.zai({ cardTimeToLive: "1 hour" }) }), in memory'],
]

const user = (details: User) => Format.details(`user ${details.id}`, details.email, details.country)

/** `key-1 · token 3fa1b2c4…9e0d · card for buyer-7 · expires …` */
const handedOut = (held: HandedOut) =>
  Format.details(
    held.key,
    `token ${Format.identifier(held.token)}`,
    `${held.type} for ${held.user}`,
    `expires ${Format.instant(held.expiresAt)}`,
  )

/** What the browser library's failure callback would show: Zai's status and field errors. */
const browserRefusal = (refusal: ZaiBrowserRefusal) => ({
  _tag: "ZaiBrowserRefusal",
  message: `${refusal.status} ${Object.entries(refusal.errors)
    .map(([field, messages]) => `${field} ${messages.join(", ")}`)
    .join("; ")}`,
})

const accountCreated = (kind: string) => (id: string) => `Zai added ${kind} account ${Format.identifier(id)}`

/** A delivery as a forger would post it: the body changed, the signature kept. */
const forged = (delivery: Delivery): Delivery => ({
  ...delivery,
  body: delivery.body.replace('"active":true', '"active":false'),
})

export const scenario = Effect.gen(function* () {
  const users = yield* ZaiUsers
  const tokenAuths = yield* ZaiTokenAuths
  const zai = yield* ZaiSimulator
  const webhook = yield* ZaiWebhook.make
  yield* zai.configureWebhooks({ sink: webhook.sink })
  yield* Heading.titled("Zai, end to end against the simulator", about, parts)

  const session = (id: string, owner: string, type: "card" | "bank"): SessionRequest => ({
    session: id,
    account: marketplace,
    user: owner,
    type,
  })
  const tokenFor = (request: SessionRequest, why: string) =>
    Narration.perform(
      `${why}: a ${request.type} token auth for ${request.session}`,
      tokenAuths.forSession(request),
      handedOut,
    )
  const record = (held: HandedOut, claim: AccountClaim) =>
    Narration.attempt(
      `record ${claim.type} account ${Format.identifier(claim.id)} as ${held.key}'s use (the browser's answer)`,
      tokenAuths.recordAccount(held.key, claim),
      (recorded) => Describe.token(recorded.token),
    )
  const deliverWebhooks = Effect.asVoid(zai.deliverDue)
  /** What PromisePay.js does with the card the user types in: Zai adds the account, or says why not. */
  const browserAddsCard = (token: string) =>
    Effect.mapError(
      zai.browserCreatesCardAccount(token, {
        fullName: card.input.holderName ?? "",
        number: card.input.number,
        expiryMonth: card.input.expiry.month,
        expiryYear: card.input.expiry.year,
        cvv,
      }),
      browserRefusal,
    )

  // Users first: a token auth is issued for a user.
  const payin: UserDetails = {
    id: buyer,
    firstName: "Jane",
    lastName: "Buyer",
    email: "jane@example.com",
    country: "AUS",
  }
  yield* Narration.perform(`create pay-in user ${buyer}`, users.createPayin(payin), user)
  yield* Narration.pause(step)
  const payout: UserDetails = {
    id: seller,
    firstName: "Sam",
    lastName: "Seller",
    email: "sam@example.com",
    country: "AUS",
  }
  yield* Narration.attempt(`create pay-out user ${seller} without an address`, users.createPayout(payout), user)
  yield* Narration.perform(
    `create pay-out user ${seller} with its address`,
    users.createPayout({ ...payout, address: { line1: "1 George St", city: "Sydney", state: "NSW", zip: "2000" } }),
    user,
  )

  // A checkout: a card token auth of its own, the same one on a reload.
  yield* Narration.pause(step)
  const checkout = session("checkout-1", buyer, "card")
  const cardAuth = yield* tokenFor(checkout, `${buyer} opens checkout-1`)
  yield* Narration.pause(step)
  yield* tokenFor(checkout, `${buyer} reloads the page`)
  yield* Narration.pause(step)
  const otherTab = yield* tokenFor(session("checkout-2", buyer, "card"), `${buyer} opens a second checkout`)

  yield* Narration.pause(step)
  const cardAccount = yield* Narration.perform(
    `the browser adds ${card.label} with ${cardAuth.key}'s token auth`,
    browserAddsCard(cardAuth.token),
    accountCreated("card"),
  )
  yield* Narration.pause(step)
  yield* record(cardAuth, { type: "card", id: cardAccount })
  yield* Narration.pause(step)
  yield* deliverWebhooks
  yield* Narration.pause(step)
  yield* Narration.attempt(
    `the browser tries ${cardAuth.key}'s token auth again`,
    browserAddsCard(cardAuth.token),
    accountCreated("card"),
  )
  yield* Narration.pause(step)
  yield* tokenFor(checkout, `${buyer} comes back to checkout-1 to add another card`)

  // A pay-out user's bank account, with a bank token auth.
  yield* Narration.pause(step)
  const bankAuth = yield* tokenFor(session("payout-1", seller, "bank"), `${seller} opens payout-1`)
  yield* Narration.pause(step)
  const bankId = yield* Narration.perform(
    `the browser adds ${bankAccount.bankName} account ••${Redacted.value(bankAccount.accountNumber).slice(-3)} with ${bankAuth.key}'s token auth`,
    Effect.mapError(zai.browserCreatesBankAccount(bankAuth.token, bankAccount), browserRefusal),
    accountCreated("bank"),
  )
  yield* Narration.pause(step)
  yield* record(bankAuth, { type: "bank", id: bankId })
  yield* Narration.pause(step)
  yield* deliverWebhooks

  // A bank token auth is for a bank account only: Zai refuses it for a card, and so does the lifecycle.
  yield* Narration.pause(step)
  const debitAuth = yield* tokenFor(session("direct-debit-1", buyer, "bank"), `${buyer} sets up a direct debit`)
  yield* Narration.pause(step)
  yield* Narration.attempt(
    `the browser tries to add ${card.label} with ${debitAuth.key}'s bank token auth`,
    browserAddsCard(debitAuth.token),
    accountCreated("card"),
  )
  yield* Narration.pause(step)
  yield* record(debitAuth, { type: "card", id: cardAccount })

  // A forged webhook: Zai's account delivery, changed, its signature kept.
  yield* Narration.pause(step)
  const [delivered] = webhook.received()
  if (delivered === undefined) return yield* Effect.dieMessage("Zai sent no webhook to forge")
  yield* webhook.post(forged(delivered), "someone posts Zai's card account webhook, active changed to false")

  // The second checkout's token, left unused, is replaced once it nears its expiry.
  const margin = Duration.toMillis(Duration.minutes(15))
  const now = yield* Clock.currentTimeMillis
  yield* Narration.advanceClock(
    otherTab.expiresAt - margin - now,
    `${otherTab.key} has 15 min left: too little to hand to a browser`,
  )
  yield* tokenFor(session("checkout-2", buyer, "card"), `${buyer} comes back to checkout-2`)
  yield* Narration.advanceClock(margin, `${otherTab.key}'s hour is up`)
  yield* Narration.sweepExpired

  yield* ZaiRequests.print
  yield* AuditTrail.print([cardAuth.key, otherTab.key, bankAuth.key, debitAuth.key])
}).pipe(Sandbox.runWith(ZaiSandbox.layer))
