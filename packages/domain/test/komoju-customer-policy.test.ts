/**
 * A KOMOJU customer under its policy: registered from a converted token, used without limit for
 * years (past its card's printed month), revoked by the merchant, and nothing after that.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import * as Command from "../src/Command.js"
import type { LifecycleEvent } from "../src/Event.js"
import * as Policy from "../src/Policy.js"
import { facts, hours, key, owner, ref, T0, tokenId } from "./fixtures.js"
import { given } from "./given.js"

const registered: LifecycleEvent = {
  _tag: "TokenIssued",
  key,
  at: T0,
  tokenId,
  issuedAt: T0,
  token: facts(Policy.komojuCustomer),
}
const use = (reference: string) => Command.use({ by: owner, for: "card", reference: ref(reference) })
const years = (n: number) => n * 365 * hours(24)

describe("Policy.komojuCustomer", () => {
  it("is a policy the schema accepts, for KOMOJU", () => {
    expect(Schema.decodeUnknownSync(Policy.LifecyclePolicy)(Policy.komojuCustomer)).toEqual(Policy.komojuCustomer)
    expect(Policy.komojuCustomer.provider).toBe(Policy.komoju.provider)
    expect(Policy.deduplicatesByCard(Policy.komojuCustomer)).toBe(false)
  })

  it("registered from a converted token, it never lapses: no expiry, even with a card on record", () => {
    const state = given()
      .when(Command.issue({ tokenId, token: facts(Policy.komojuCustomer) }), T0)
      .thenEvents(registered)
    expect(state).toMatchObject({ _tag: "Active", uses: 0 })
    expect(state).not.toHaveProperty("expiresAt")
  })

  it("serves use after use, years after its card's printed month", () => {
    let history: ReadonlyArray<LifecycleEvent> = [registered]
    for (const [i, at] of [T0 + 1, T0 + hours(25), T0 + years(10)].entries()) {
      const reference = `pay-${i + 1}`
      const used: LifecycleEvent = {
        _tag: "TokenUsed",
        key,
        at,
        by: owner,
        for: "card",
        reference: ref(reference),
        uses: i + 1,
      }
      given(...history)
        .when(use(reference), at)
        .thenEvents(used)
      history = [...history, used]
    }
    expect(given(...history).state).toMatchObject({ _tag: "Active", uses: 3 })
  })

  it("is revoked by the merchant, and refuses every use after that", () => {
    const revoked = given(registered)
      .when(Command.revoke("merchant"), T0 + 10)
      .thenEvents({ _tag: "TokenRevoked", key, at: T0 + 10, by: "merchant" })
    expect(revoked).toMatchObject({ _tag: "Revoked", ending: { cause: "revoked-by-merchant" } })
    given(registered, { _tag: "TokenRevoked", key, at: T0 + 10, by: "merchant" })
      .when(use("pay-after"), T0 + 20)
      .thenRefused("TokenRevoked")
  })
})
