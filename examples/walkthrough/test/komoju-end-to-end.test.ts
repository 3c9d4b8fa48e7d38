/**
 * The KOMOJU end-to-end section, run on its own into an array and read back: every claim it
 * prints is checked against what it printed, and what KOMOJU received against the story.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import * as Redacted from "effect/Redacted"
import * as KomojuSandbox from "../src/KomojuSandbox.js"
import * as KomojuEndToEnd from "../src/scenarios/KomojuEndToEnd.js"
import { eventsOf, outcomeOf, printed, tableUnder, trailOf } from "./Printed.js"

let lines: ReadonlyArray<string> = []
beforeAll(async () => {
  lines = await printed(KomojuEndToEnd.scenario)
})

describe("KOMOJU, end to end against the simulator", () => {
  it("prints its heading and the parts it runs on", () => {
    expect(lines).toContain(" KOMOJU, end to end against the simulator")
    expect(lines.some((line) => line.includes("KomojuGateway.layer (@token-lifecycle/adapters-komoju)"))).toBe(true)
  })

  it("a token is issued from KOMOJU's answer, to lapse 24 hours after KOMOJU made it, and pays once", () => {
    expect(outcomeOf(lines, /issue a token for cus-sato/)).toMatch(
      /^→ key-1 Active · token tok_\S+ · expires 2025-03-15T09:00:00Z$/,
    )
    expect(outcomeOf(lines, /use key-1: cus-sato pays ¥4,800 for order-3101/)).toMatch(
      /^→ key-1 Used · used 1 of 1 · receipt \S+ \(succeeded\)$/,
    )
  })

  it("KOMOJU's webhook for the payment comes twice: the first finds the use on record, the second is a duplicate", () => {
    expect(outcomeOf(lines, /KOMOJU posts a webhook: payment\.captured .* \(captured\) · names token tok_/)).toBe(
      "→ 200 · ignored (already-final): the token's life had already ended",
    )
    expect(outcomeOf(lines, /KOMOJU posts the same delivery again: payment\.captured/)).toBe(
      "→ 200 · ignored (duplicate): a delivery already applied",
    )
  })

  it("a second use is refused, and a tampered webhook is refused with 401 and changes nothing", () => {
    expect(outcomeOf(lines, /use key-1 again/)).toMatch(/^✗ refused TokenAlreadyUsed: token key-1 was already used/)
    expect(outcomeOf(lines, /someone posts the payment's webhook, rewritten to name key-2's token/)).toBe(
      "→ 401 · refused: the signature does not match the body; nothing applied",
    )
    expect(outcomeOf(lines, /look up key-2 after the tampered webhook/)).toMatch(
      /^→ key-2 Active · token tok_\S+ · expires /,
    )
  })

  it("the second token lapses by the clock, 24 hours after KOMOJU made it", () => {
    expect(outcomeOf(lines, /issue a second token/)).toMatch(
      /^→ key-2 Active · token tok_\S+ · expires 2025-03-15T09:04:00Z$/,
    )
    expect(outcomeOf(lines, /use key-2: cus-sato pays ¥2,000/)).toBe(
      "✗ refused TokenExpired: token key-2 expired at 2025-03-15T09:04:00.000Z",
    )
  })

  it("KOMOJU received two token creations with the publishable key and one payment with the secret key, nothing more", () => {
    expect(tableUnder(lines, "What KOMOJU received (KomojuSimulator.requests)")).toEqual([
      ["2025-03-14T09:00:00Z", "POST /api/v1/tokens", "publishable", "idem-1", "200"],
      ["2025-03-14T09:01:00Z", "POST /api/v1/payments", "secret", "order-3101", "200"],
      ["2025-03-14T09:04:00Z", "POST /api/v1/tokens", "publishable", "idem-2", "200"],
    ])
  })

  it("the audit trails: the first token used once, the second expired", () => {
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}key-1 Used · token tok_\S+ · used 1 of 1$/))
    expect(eventsOf(trailOf(lines, "key-1"))).toEqual(["TokenRequested", "TokenIssued", "TokenUsed"])
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}key-2 Expired \(time-to-live\)/))
    expect(eventsOf(trailOf(lines, "key-2"))).toEqual(["TokenRequested", "TokenIssued", "TokenExpired"])
  })

  it("shows no card number, key, webhook secret or signature, and prints the same on every run", async () => {
    const text = lines.join("\n")
    const secrets = [
      "3530111333300000",
      "3530 1113 3330 0000",
      "4111111111111111",
      "4111 1111 1111 1111",
      Redacted.value(KomojuSandbox.merchant.secretKey),
      Redacted.value(KomojuSandbox.merchant.publishableKey),
      Redacted.value(KomojuSandbox.merchant.webhookSecret),
    ]
    for (const secret of secrets) expect(text.includes(secret), "a card number or a secret is printed").toBe(false)
    // A webhook signature is 64 hex digits.
    expect(/[0-9a-f]{64}/.test(text), "a signature is printed").toBe(false)
    expect(await printed(KomojuEndToEnd.scenario)).toEqual(lines)
  })
})
