/**
 * The Rebilly end-to-end section, run alone into an array and read back: every claim it prints
 * about the adapter, the simulator and the lifecycle is checked against what it printed.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import * as Redacted from "effect/Redacted"
import * as RebillySandbox from "../src/RebillySandbox.js"
import * as RebillyEndToEnd from "../src/scenarios/RebillyEndToEnd.js"
import { eventsOf, onlyStep, printed, steps, tableUnder, trailOf } from "./Printed.js"

let output: ReadonlyArray<string> = []
beforeAll(async () => {
  output = await printed(RebillyEndToEnd.scenario)
})

/** The rows of the table of what Rebilly received: time, request, credential, answer. */
const received = (): ReadonlyArray<ReadonlyArray<string>> =>
  tableUnder(output, "What Rebilly received (RebillySimulator.requests)")

/** The event column of one token's audit trail. */
const trail = (key: string): ReadonlyArray<string> => eventsOf(trailOf(output, key))

const tokenOf = (outcome: string): string => /token (\S+)/.exec(outcome)?.[1] ?? ""

describe("Rebilly, end to end against the simulator", () => {
  it("opens with its heading, at the walkthrough's fixed instant", () => {
    expect(output).toContain(" Rebilly, end to end against the simulator")
    expect(steps(output)[0]?.at).toBe("2025-03-14T09:00:00Z")
  })

  it("creates a token at Rebilly and reads it back as Rebilly holds it: active for 30 minutes", () => {
    const issued = onlyStep(output, /^issue a token for cus-ada in org-acme, card 411111\*{6}1111 exp 12\/2027$/)
    expect(issued.outcome).toMatch(/^→ key-1 Active · token [A-Z0-9]{8}…[A-Z0-9]{4} · expires 2025-03-14T09:30:00Z$/)
    const read = onlyStep(output, /^retrieve key-1's token from Rebilly \(GET \/tokens\/\{token\}, publishable key\)$/)
    expect(read.outcome).toBe(
      `→ ${tokenOf(issued.outcome)} active · created 2025-03-14T09:00:00Z · expires 2025-03-14T09:30:00Z`,
    )
  })

  it("redeems the token into a payment, then refuses a second use: by the lifecycle, and by Rebilly", () => {
    expect(onlyStep(output, /^use key-1: cus-ada pays inv-3001/).outcome).toMatch(
      /^→ key-1 Used · used 1 of 1 · receipt txn_\S+ \(succeeded\)$/,
    )
    expect(onlyStep(output, /^use key-1 again/).outcome).toMatch(
      /^✗ refused TokenAlreadyUsed: token key-1 was already used at /,
    )
    expect(onlyStep(output, /^another server pays inv-3003 with key-1's token id/).outcome).toBe(
      "✗ refused ProviderValidationError: The request has invalid data. (paymentInstruction.token: Token has already been used.)",
    )
    expect(onlyStep(output, /^retrieve key-1's token from Rebilly \(after its use\)$/).outcome).toMatch(
      / used · created 2025-03-14T09:00:00Z · used 2025-03-14T09:02:00Z$/,
    )
    expect(trail("key-1")).toEqual(["TokenRequested", "TokenIssued", "TokenUsed"])
  })

  it("gives the same card a new token, which lapses 30 minutes after its creation by the clock", () => {
    const first = tokenOf(onlyStep(output, /^issue a token for cus-ada/).outcome)
    const again = onlyStep(output, /^cus-ada enters the same card again/)
    expect(again.outcome).toMatch(/^→ key-2 Active · token \S+ · expires 2025-03-14T09:35:00Z$/)
    expect(tokenOf(again.outcome)).not.toBe(first)
    const late = onlyStep(output, /^use key-2: cus-ada pays inv-3004$/)
    expect(late.at).toBe("2025-03-14T09:35:00Z")
    expect(late.outcome).toBe("✗ refused TokenExpired: token key-2 expired at 2025-03-14T09:35:00.000Z")
    expect(onlyStep(output, /^retrieve key-2's token from Rebilly/).outcome).toBe(
      `→ ${tokenOf(again.outcome)} expired · created 2025-03-14T09:05:00Z`,
    )
    expect(trail("key-2")).toEqual(["TokenRequested", "TokenIssued", "TokenExpired"])
  })

  it("lists every token of the organization once, page by page, with Rebilly's view of each", () => {
    const pages = steps(output).filter((s) =>
      /^list the organization's tokens: GET \/tokens\?limit=2&offset=\d, secret key$/.test(s.action),
    )
    expect(pages.map((p) => /offset=(\d)/.exec(p.action)?.[1])).toEqual(["0", "2", "4"])
    const listed = pages.flatMap((p) => {
      expect(p.outcome).toMatch(/^→ offset \d, limit 2, total 5: /)
      return (p.outcome.split(": ")[1] ?? "").split(", ")
    })
    const tokens = ["key-1", "key-2", "key-3", "key-4", "key-5"].map((key) =>
      tokenOf(output.find((line) => line.startsWith(`  ${key} `)) ?? ""),
    )
    const statuses = ["used", "expired", "active", "active", "active"]
    expect([...listed].sort()).toEqual(tokens.map((token, i) => `${token} ${statuses[i]}`).sort())
  })

  it("refuses a call the held key does not allow before sending it; Rebilly never hears of it", () => {
    const browser = onlyStep(output, /^the browser, holding only the publishable key, lists the tokens$/)
    expect(browser.outcome).toBe(
      "✗ refused ProviderUnauthorized: list tokens: Rebilly accepts a secret key or a JWT only, and the adapter holds a publishable key; not sent",
    )
    const rows = received()
    expect(rows.map((row) => row[0])).not.toContain(browser.at)
    // Nor did the uses the lifecycle refused (the second use of key-1, the late one of key-2) reach it.
    expect(rows.filter((row) => row[1] === "POST /transactions").map((row) => [row[0], row[3]])).toEqual([
      ["2025-03-14T09:02:00Z", "201"],
      ["2025-03-14T09:04:00Z", "422 (paymentInstruction.token)"],
    ])
  })

  it("signs each call with the credential its operation accepts", () => {
    const credentials = new Map(
      received().map((row) => [(row[1] ?? "").replace(/\/tokens\/\S+/, "/tokens/{token}"), row[2]]),
    )
    expect(Object.fromEntries(credentials)).toEqual({
      "POST /tokens": "secret",
      "GET /tokens/{token}": "publishable",
      "POST /transactions": "secret",
      "GET /tokens": "secret",
    })
  })

  it("never prints a card number or a key", () => {
    const text = output.join("\n")
    expect(text).not.toMatch(/(?<![0-9])[0-9](?:[ -]?[0-9]){11,}/)
    expect(text).toContain("411111******1111")
    for (const key of Object.values(RebillySandbox.keys)) expect(text).not.toContain(Redacted.value(key))
  })

  it("prints the same thing on every run", async () => {
    expect(await printed(RebillyEndToEnd.scenario)).toEqual(output)
  })
})
