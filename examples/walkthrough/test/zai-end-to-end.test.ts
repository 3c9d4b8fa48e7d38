/**
 * The Zai end-to-end section, run on its own into an array and read back: every claim it prints
 * is checked against what it printed, and against what the simulator and the lifecycle did.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import * as Redacted from "effect/Redacted"
import * as ZaiEndToEnd from "../src/scenarios/ZaiEndToEnd.js"
import * as ZaiSandbox from "../src/ZaiSandbox.js"
import { eventsOf, outcomeOf, printed, step, tableUnder, trailOf } from "./Printed.js"

let output: ReadonlyArray<string> = []
beforeAll(async () => {
  output = await printed(ZaiEndToEnd.scenario)
})

/** `key-1` and the token's shown ends from an outcome `→ key-1 · token ffef0f8b…dc2b · …`. */
const handedOut = (outcome: string) => {
  const match = /^→ (key-\d+) · token (\S+) · (card|bank) for (\S+) · expires (\S+)$/.exec(outcome)
  expect(match, `a token auth handed out: ${outcome}`).not.toBeNull()
  return { key: match?.[1], token: match?.[2], type: match?.[3], user: match?.[4], expiresAt: match?.[5] }
}

/** The rows of the table of what Zai received: time, from, request, answer. */
const requests = (): ReadonlyArray<ReadonlyArray<string>> =>
  tableUnder(output, "What Zai received (ZaiSimulator.requests)")

describe("the Zai end-to-end section", () => {
  it("creates a pay-in and a pay-out user, refusing the pay-out user without an address before asking Zai", () => {
    expect(outcomeOf(output, /create pay-in user buyer-7/)).toBe("→ user buyer-7 · jane@example.com · AUS")
    expect(outcomeOf(output, /create pay-out user seller-3 without an address/)).toBe(
      "✗ refused ProviderValidationError: address_line1 is required for a pay-out user; city is required for a pay-out user; state is required for a pay-out user; zip is required for a pay-out user",
    )
    expect(outcomeOf(output, /create pay-out user seller-3 with its address/)).toBe(
      "→ user seller-3 · sam@example.com · AUS",
    )
    expect(requests().filter((row) => row[2]?.includes("POST /users"))).toHaveLength(2)
  })

  it("gives each payment session its own token auth, the same one on a reload", () => {
    const first = handedOut(outcomeOf(output, /opens checkout-1/))
    expect(first).toMatchObject({ key: "key-1", type: "card", user: "buyer-7", expiresAt: "2025-03-14T10:02:00Z" })
    expect(handedOut(outcomeOf(output, /reloads the page/))).toEqual(first)
    const second = handedOut(outcomeOf(output, /opens a second checkout/))
    expect(second.key).toBe("key-2")
    expect(second.token).not.toBe(first.token)
  })

  it("records the card account the browser added as the token's one use, and a new session token after it", () => {
    expect(outcomeOf(output, /the browser adds 411111\*{6}1111 exp 12\/2027 with key-1's token auth/)).toMatch(
      /^→ Zai added card account \S+$/,
    )
    expect(outcomeOf(output, /record card account \S+ as key-1's use/)).toMatch(
      /^→ key-1 Used · token \S+ · used 1 of 1$/,
    )
    expect(outcomeOf(output, /Zai posts a webhook: card account/)).toBe(
      "→ 200 · ignored (already-final): the token's life had already ended",
    )
    expect(outcomeOf(output, /the browser tries key-1's token auth again/)).toBe(
      "✗ refused ZaiBrowserRefusal: 422 token has already been used",
    )
    expect(handedOut(outcomeOf(output, /comes back to checkout-1/)).key).toBe("key-3")
    expect(eventsOf(trailOf(output, "key-1"))).toEqual(["TokenRequested", "TokenIssued", "TokenUsed"])
  })

  it("does the same for a pay-out user's bank account with a bank token auth", () => {
    const bank = handedOut(outcomeOf(output, /seller-3 opens payout-1/))
    expect(bank).toMatchObject({ key: "key-4", type: "bank", user: "seller-3", expiresAt: "2025-03-14T11:10:00Z" })
    expect(outcomeOf(output, /record bank account \S+ as key-4's use/)).toMatch(/^→ key-4 Used/)
    expect(trailOf(output, "key-4").at(-1)).toMatch(/TokenUsed\s+by seller-3 for bank · reference \S+ · use #1/)
  })

  it("refuses a bank token auth for a card, at Zai and in the lifecycle, and the token stays unspent", () => {
    expect(outcomeOf(output, /with key-5's bank token auth/)).toBe(
      "✗ refused ZaiBrowserRefusal: 422 token is not a card token",
    )
    expect(outcomeOf(output, /record card account \S+ as key-5's use/)).toBe(
      "✗ refused WrongTokenType: token key-5 is a bank token and cannot be used for card",
    )
    expect(output.find((line) => line.startsWith("  key-5 "))).toMatch(/^ {2}key-5 Active/)
    expect(trailOf(output, "key-5")).toHaveLength(2)
  })

  it("refuses a forged webhook with 401", () => {
    expect(outcomeOf(output, /someone posts Zai's card account webhook/)).toBe(
      "→ 401 · refused: the signature does not match the body, or is too old; nothing applied",
    )
  })

  it("never hands out a token with less than the safety margin to live, and lets the old one lapse", () => {
    const second = handedOut(outcomeOf(output, /opens a second checkout/))
    const again = step(output, /comes back to checkout-2/)
    expect(again.at).toBe("2025-03-14T09:49:00Z")
    const replaced = handedOut(again.outcome)
    expect(replaced.key).not.toBe(second.key)
    expect(replaced.expiresAt).toBe("2025-03-14T10:49:00Z")
    expect(outcomeOf(output, /the expiry sweep runs/)).toBe("→ expired key-2")
    expect(trailOf(output, "key-2").at(-1)).toMatch(/TokenExpired\s+cause time-to-live/)
  })

  it("asks Zai's auth host once, and for a token auth only when a session needs a new one", () => {
    const rows = requests()
    expect(rows.filter((row) => row[2]?.includes("POST /tokens"))).toHaveLength(1)
    expect(rows.filter((row) => row[2]?.includes("POST /token_auths"))).toHaveLength(6)
    expect(rows.filter((row) => row[1] === "browser (PromisePay.js)").map((row) => row[3])).toEqual([
      "201",
      "422",
      "201",
      "422",
    ])
  })

  it("shows no card number, CVV, bank account number, secret or access token", () => {
    const text = output.join("\n")
    for (const hidden of [
      "4111111111111111",
      "12345678",
      Redacted.value(ZaiSandbox.client.clientSecret),
      Redacted.value(ZaiSandbox.webhookSecret),
    ]) {
      expect(text.includes(hidden), "a secret or a card number in the output").toBe(false)
    }
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/)
    expect(text).not.toMatch(/t=\d+,v=|[A-Za-z0-9_-]{43}/)
  })

  it("prints the same on every run", async () => {
    expect(await printed(ZaiEndToEnd.scenario)).toEqual(output)
  })
})
