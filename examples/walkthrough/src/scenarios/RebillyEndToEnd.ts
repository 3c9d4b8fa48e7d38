/**
 * Rebilly end to end: the Rebilly policy again, but the provider is the testkit's Rebilly
 * simulator reached through the real adapter. A token is created and read back from Rebilly,
 * redeemed into a payment, refused a second use (by the lifecycle, and by Rebilly when the token
 * id is tried around it); another lapses 30 minutes after its creation by the clock; the
 * organization's tokens are listed page by page; and a call made with a key of the wrong kind is
 * refused before it is sent.
 */
import type { TokenId, TokenKey } from "@token-lifecycle/domain/Identifiers"
import { OwnerRef, UseReference } from "@token-lifecycle/domain/Identifiers"
import { type Money, type Page, TokenGateway, type TokenSnapshot } from "@token-lifecycle/domain/TokenGateway"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as Effect from "effect/Effect"
import * as AuditTrail from "../AuditTrail.js"
import * as Cards from "../Cards.js"
import * as Describe from "../Describe.js"
import * as Format from "../Format.js"
import * as Heading from "../Heading.js"
import * as Narration from "../Narration.js"
import * as RebillyRequests from "../RebillyRequests.js"
import * as RebillySandbox from "../RebillySandbox.js"
import * as Sandbox from "../Sandbox.js"

const organization = RebillySandbox.organizationId
const customer = "cus-ada"
const card = Cards.make("4111 1111 1111 1111", { month: 12, year: 2027 })
/** A token that cannot pay has no billing address: the customer's goes with every token. */
const billing = { firstName: "Ada", lastName: "Lovelace", country: "GB", postalCode: "W1J 7NT" }
const dollars = (cents: number): Money => ({ amount: cents, currency: "USD" })
const step = "1 minute"
const pageSize = 2

const about = [
  "The Rebilly policy once more, with nothing in place of the provider: the real Rebilly adapter and the",
  "lifecycle, against the testkit's Rebilly simulator. The adapter signs each call with the credential its",
  "operation accepts in Rebilly's spec (the secret key in REB-APIKEY; the publishable key, raw in",
  "Authorization, to read a token back) and sends it over an HttpClient the simulator answers in process:",
  "no socket, no network. Token ids are Rebilly's; long ones show only their ends.",
]

const parts: ReadonlyArray<readonly [string, string]> = [
  ["gateway", `RebillyGateway.layer (@token-lifecycle/adapters-rebilly), organization ${organization}`],
  ["Rebilly", "RebillySimulator, reached through RebillyHttpClient.layer(): in process"],
  ["lifecycle", "TokenLifecycle.layer({ policy: Policy.rebilly }), in-memory store, sequential keys"],
]

/** What Rebilly says of a token, as the port reads it. */
const snapshot = (token: TokenSnapshot): string =>
  Format.details(
    `${Format.identifier(token.tokenId)} ${token.status}`,
    token.issuedAt !== undefined && `created ${Format.instant(token.issuedAt)}`,
    token.usedAt !== undefined && `used ${Format.instant(token.usedAt)}`,
    token.status === "active" && token.expiresAt !== undefined && `expires ${Format.instant(token.expiresAt)}`,
  )

const page = (read: Page<TokenSnapshot>): string =>
  `offset ${read.offset}, limit ${read.limit}, total ${read.total ?? "?"}: ${read.items.map((item) => `${Format.identifier(item.tokenId)} ${item.status}`).join(", ") || "nothing"}`

export const scenario = Effect.gen(function* () {
  const lifecycle = yield* TokenLifecycle
  const gateway = yield* TokenGateway
  yield* Heading.titled("Rebilly, end to end against the simulator", about, parts)

  const issue = (entered: Cards.TestCard) =>
    lifecycle.issue({ account: organization, owner: customer, type: "card", card: entered.input, customer: billing })

  const pay = (key: TokenKey, invoice: string, cents: number) =>
    lifecycle.use(key, { by: customer, for: "card", operation: "payment", amount: dollars(cents), reference: invoice })

  const tokenIdOf = (key: TokenKey) =>
    Effect.flatMap(Effect.orDie(lifecycle.get(key)), (token) =>
      token.tokenId === undefined ? Effect.dieMessage(`${key} has no Rebilly token id`) : Effect.succeed(token.tokenId),
    )

  const readBack = (key: TokenKey, tokenId: TokenId, why: string) =>
    Narration.perform(
      `retrieve ${key}'s token from Rebilly (${why})`,
      gateway.retrieve(tokenId, OwnerRef.make(customer)),
      snapshot,
    )

  const first = yield* Narration.perform(
    `issue a token for ${customer} in ${organization}, card ${card.label}`,
    issue(card),
    Describe.token,
  )
  const firstId = yield* tokenIdOf(first.key)
  yield* Narration.pause(step)
  yield* readBack(first.key, firstId, "GET /tokens/{token}, publishable key")
  yield* Narration.pause(step)
  yield* Narration.perform(
    `use ${first.key}: ${customer} pays inv-3001 (a sale transaction paying with the token)`,
    pay(first.key, "inv-3001", 2500),
    Describe.useResult,
  )
  yield* Narration.pause(step)
  yield* Narration.attempt(
    `use ${first.key} again: ${customer} pays inv-3002`,
    pay(first.key, "inv-3002", 1200),
    Describe.useResult,
  )
  yield* Narration.pause(step)
  yield* Narration.attempt(
    `another server pays inv-3003 with ${first.key}'s token id, around the lifecycle`,
    gateway.use({
      tokenId: firstId,
      owner: OwnerRef.make(customer),
      type: "card",
      operation: "payment",
      reference: UseReference.make("inv-3003"),
      amount: dollars(1200),
    }),
    (receipt) => `receipt ${receipt.reference} (${receipt.status})`,
  )
  yield* readBack(first.key, firstId, "after its use")

  yield* Narration.pause(step)
  const second = yield* Narration.perform(
    `${customer} enters the same card again: ${card.label}`,
    issue(card),
    Describe.token,
  )
  const secondId = yield* tokenIdOf(second.key)
  yield* Narration.advanceClock("30 minutes", `${second.key} was never used`)
  yield* Narration.attempt(
    `use ${second.key}: ${customer} pays inv-3004`,
    pay(second.key, "inv-3004", 990),
    Describe.useResult,
  )
  yield* readBack(second.key, secondId, "30 minutes after its creation")

  yield* Narration.pause(step)
  const more: Array<TokenKey> = []
  for (const entry of [1, 2, 3]) {
    yield* Narration.pause(step)
    const token = yield* Narration.perform(`issue another token (${entry} of 3)`, issue(card), Describe.token)
    more.push(token.key)
  }
  yield* Narration.pause(step)
  for (let offset = 0; ; offset += pageSize) {
    const read = yield* Narration.perform(
      `list the organization's tokens: GET /tokens?limit=${pageSize}&offset=${offset}, secret key`,
      gateway.list({ offset, limit: pageSize }),
      page,
    )
    if (read.items.length < pageSize || (read.total !== undefined && offset + pageSize >= read.total)) break
  }

  yield* Narration.pause(step)
  const browser = yield* RebillySandbox.browserClient
  yield* Narration.attempt(
    "the browser, holding only the publishable key, lists the tokens",
    browser.listTokens({ offset: 0, limit: pageSize }),
    (read) => `${read.items.length} tokens`,
  )

  yield* RebillyRequests.print
  yield* AuditTrail.print([first.key, second.key, ...more])
}).pipe(Sandbox.runWith(RebillySandbox.layer))
