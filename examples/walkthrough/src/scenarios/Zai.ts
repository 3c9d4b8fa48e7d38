/**
 * Zai token auth: a token for one user and one type (card or bank) that lets the user add
 * one account. Single use, short-lived, not revocable; coming back means a new token auth.
 */
import type { TokenKey } from "@token-lifecycle/domain/Identifiers"
import * as Policy from "@token-lifecycle/domain/Policy"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as Effect from "effect/Effect"
import * as AuditTrail from "../AuditTrail.js"
import * as Describe from "../Describe.js"
import * as Heading from "../Heading.js"
import * as Narration from "../Narration.js"
import * as Sandbox from "../Sandbox.js"

/** Zai does not document how long a card token auth lives, so a conservative hour is set here. */
const policy = Policy.zai({ cardTimeToLive: "1 hour" })
const platform = "marketplace-9"
const user = "buyer-7"
const step = "2 minutes"

export const scenario = Effect.gen(function* () {
  const lifecycle = yield* TokenLifecycle
  yield* Heading.section({
    title: "Zai: token auths for cards and bank accounts",
    about: [
      "Your server asks Zai for a token auth for one user and one type. The user then adds one card or",
      "bank account with it in the browser, so the card number never reaches the server: no card is",
      "known at issue, and the same card coming back simply needs a new token auth.",
    ],
    policy,
    boundTo: "one user and one type (card or bank)",
    timeToLiveNote: "card lifetime set here: Zai does not document it",
  })

  const addAccount = (key: TokenKey, type: "card" | "bank", reference: string) =>
    lifecycle.use(key, { by: user, for: type, reference, operation: "instrument" })

  // A card token auth: one account, then refused.
  const cardAuth = yield* Narration.perform(
    `issue a card token auth for ${user} on ${platform}`,
    lifecycle.issue({ account: platform, owner: user, type: "card" }),
    Describe.token,
  )
  yield* Narration.pause(step)
  yield* Narration.perform(
    `use ${cardAuth.key}: ${user} adds a card account with it`,
    addAccount(cardAuth.key, "card", "card-account-1"),
    Describe.useResult,
  )
  yield* Narration.pause(step)
  yield* Narration.attempt(
    `use ${cardAuth.key} again for a second card account`,
    addAccount(cardAuth.key, "card", "card-account-2"),
    Describe.useResult,
  )

  // A bank token auth: bound to its type, not revocable, and it lapses.
  yield* Narration.pause(step)
  const bankAuth = yield* Narration.perform(
    `issue a bank token auth for ${user}`,
    lifecycle.issue({ account: platform, owner: user, type: "bank" }),
    Describe.token,
  )
  yield* Narration.pause(step)
  yield* Narration.attempt(
    `use ${bankAuth.key} to add a card account`,
    addAccount(bankAuth.key, "card", "card-account-3"),
    Describe.useResult,
  )
  yield* Narration.pause(step)
  yield* Narration.attempt(`revoke ${bankAuth.key}`, lifecycle.revoke(bankAuth.key), Describe.token)

  // The same card again: there is nothing to refresh, a new token auth is issued.
  yield* Narration.pause(step)
  const cardAgain = yield* Narration.perform(
    `${user} comes back to add the same card again: issue a card token auth`,
    lifecycle.issue({ account: platform, owner: user, type: "card" }),
    Describe.token,
  )
  yield* Narration.advanceClock("2 hours", "past the card token auth's 1 h and the bank token auth's 2 h")
  yield* Narration.sweepExpired
  yield* Narration.pause(step)
  yield* Narration.attempt(
    `use ${bankAuth.key} to add a bank account`,
    addAccount(bankAuth.key, "bank", "bank-account-1"),
    Describe.useResult,
  )

  yield* AuditTrail.print([cardAuth.key, bankAuth.key, cardAgain.key])
}).pipe(Sandbox.run(policy))
