/**
 * The walkthrough, run in-process into an array, and read back: every claim it prints about
 * the lifecycle is checked here against what it actually printed.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import * as Redacted from "effect/Redacted"
import * as GateSandbox from "../src/GateSandbox.js"
import * as Walkthrough from "../src/Walkthrough.js"
import { eventsOf, outcomeOf, printed, section, step, tableUnder, titles, trailOf } from "./Printed.js"

let output: ReadonlyArray<string> = []
beforeAll(async () => {
  output = await printed(Walkthrough.program)
})

const zai = () => section(output, "Zai")
const gate = () => section(output, "ECommPay Gate")
const rebilly = () => section(output, "Rebilly")
const komoju = () => section(output, "KOMOJU")
const gateEndToEnd = () => section(output, "Gate, end to end")

/** The path and the answer of each request in the table of what Gate received. */
const gateRequestsOf = (lines: ReadonlyArray<string>): ReadonlyArray<ReadonlyArray<string>> =>
  tableUnder(lines, "What Gate received (GateSimulator.requests)").map((cells) => cells.slice(2))

/** A Gate token or request id as printed: its first 8 and last 4 characters. */
const shortId = "[0-9a-f]{8}…[0-9a-f]{4}"

describe("the walkthrough", () => {
  it("has a section per policy, in order, each starting at the fixed instant", () => {
    expect(titles(output).map((title) => title.trim().split(":")[0])).toEqual([
      "Zai",
      "Zai, end to end against the simulator",
      "ECommPay Gate",
      "Gate, end to end against the simulator",
      "Rebilly",
      "Rebilly, end to end against the simulator",
      "KOMOJU",
      "KOMOJU, end to end against the simulator",
    ])
    const endToEnd = ["Zai", "Gate", "Rebilly", "KOMOJU"].map((provider) => section(output, `${provider}, end to end`))
    for (const lines of [zai(), gate(), rebilly(), komoju(), ...endToEnd]) {
      expect(lines.find((line) => /^\d{4}-/.test(line))).toMatch(/^2025-03-14T09:00:00Z /)
    }
  })

  it("states each policy's rules in its heading", () => {
    expect(zai()).toContainEqual(expect.stringMatching(/time to live\s+card 1 h · bank 2 h/))
    expect(gate()).toContainEqual(expect.stringMatching(/uses allowed\s+unlimited$/))
    expect(gate()).toContainEqual(expect.stringMatching(/revocable by the merchant\s+yes$/))
    expect(rebilly()).toContainEqual(expect.stringMatching(/time to live\s+30 min$/))
    expect(komoju()).toContainEqual(expect.stringMatching(/time to live\s+24 h$/))
    expect(komoju()).toContainEqual(expect.stringMatching(/the same card again\s+a new token$/))
  })

  it("refuses a second use of a single-use token with TokenAlreadyUsed", () => {
    for (const lines of [zai(), rebilly(), komoju()]) {
      expect(outcomeOf(lines, /use key-1: /)).toMatch(/^→ key-1 Used · used 1 of 1/)
      expect(outcomeOf(lines, /use key-1 again/)).toMatch(
        /^✗ refused TokenAlreadyUsed: token key-1 was already used at /,
      )
    }
  })

  it("binds Zai token auths to their type", () => {
    expect(outcomeOf(zai(), /use key-2 to add a card account/)).toMatch(/^✗ refused WrongTokenType: /)
  })

  it("keeps a Gate token Pending until its callback, then ignores a repeat of the callback", () => {
    const lines = gate()
    expect(outcomeOf(lines, /issue a token for cus-42 in project-17/)).toMatch(/^→ key-1 Pending · awaiting .* req_1$/)
    expect(outcomeOf(lines, /use key-1 for a payment before Gate has called back/)).toMatch(
      /^✗ refused TokenNotActive: /,
    )
    expect(outcomeOf(lines, /Gate calls back \(dlv_1\)/)).toMatch(
      /^→ applied TokenIssued: key-1 Active · token gate_tok_1/,
    )
    expect(outcomeOf(lines, /Gate repeats the callback \(dlv_1\)/)).toMatch(/^→ ignored \(/)
    // The repeat recorded nothing: TokenIssued appears once in the trail.
    expect(trailOf(lines, "key-1").filter((row) => row.includes("TokenIssued"))).toHaveLength(1)
  })

  it("lets the owner reuse a Gate token, and refuses another customer", () => {
    const lines = gate()
    expect(outcomeOf(lines, /use key-1 again: cus-42 pays order-1002/)).toMatch(/^→ key-1 Active · used 2 times/)
    expect(outcomeOf(lines, /use key-1 as another customer/)).toMatch(/^✗ refused WrongOwner: /)
  })

  it("expires tokens when the clock passes their expiry, and refuses a use after it", () => {
    expect(outcomeOf(zai(), /expireDue/)).toBe("→ expired key-2, key-3")
    expect(outcomeOf(zai(), /use key-2 to add a bank account/)).toMatch(/^✗ refused TokenExpired: /)
    expect(outcomeOf(gate(), /expireDue/)).toBe("→ expired key-1")
    expect(trailOf(gate(), "key-1").at(-1)).toMatch(/TokenExpired\s+cause card-expiry$/)
    for (const lines of [rebilly(), komoju()]) {
      expect(outcomeOf(lines, /expireDue/)).toBe("→ expired key-2, key-3")
      expect(outcomeOf(lines, /use key-3 for /)).toMatch(/^✗ refused TokenExpired: token key-3 expired at /)
    }
  })

  it("revokes at Gate, and refuses revocation elsewhere with UnsupportedByPolicy", () => {
    expect(outcomeOf(gate(), /revoke key-2/)).toMatch(/^→ key-2 Revoked \(revoked-by-merchant\)/)
    expect(outcomeOf(gate(), /use key-2 after its revocation/)).toMatch(/^✗ refused TokenRevoked: /)
    for (const [lines, policy] of [
      [zai(), "zai"],
      [rebilly(), "rebilly"],
      [komoju(), "komoju"],
    ] as const) {
      expect(outcomeOf(lines, /revoke key-2/)).toBe(
        `✗ refused UnsupportedByPolicy: Revoke is not supported by the ${policy} policy (token key-2)`,
      )
    }
  })

  it("refreshes the expiry of the same Gate token, and issues a new token elsewhere", () => {
    const issued = outcomeOf(gate(), /Gate calls back \(dlv_2\)/)
    const refreshed = outcomeOf(gate(), /cus-42 enters the same card, reissued/)
    expect(issued).toMatch(/key-2 Active · token gate_tok_2 · expires 2026-09-01T00:00:00Z$/)
    expect(refreshed).toBe("→ key-2 Active · token gate_tok_2 · expires 2029-09-01T00:00:00Z")
    expect(eventsOf(trailOf(gate(), "key-2"))).toEqual([
      "TokenRequested",
      "TokenRequestAcknowledged",
      "TokenIssued",
      "TokenExpiryRefreshed",
      "TokenRevoked",
    ])
    for (const [lines, provider] of [
      [rebilly(), "rebilly"],
      [komoju(), "komoju"],
    ] as const) {
      expect(outcomeOf(lines, /enters the same card, reissued/)).toMatch(
        new RegExp(`^→ key-3 Active · token ${provider}_tok_3 · .*a new token\\)`),
      )
    }
  })

  it("prints every token's audit trail with consecutive versions", () => {
    const trails = [
      ...["key-1", "key-2", "key-3"].map((key) => trailOf(zai(), key)),
      ...["key-1", "key-2"].map((key) => trailOf(gate(), key)),
      trailOf(gateEndToEnd(), "key-1"),
      ...["key-1", "key-2", "key-3"].map((key) => trailOf(rebilly(), key)),
      ...["key-1", "key-2", "key-3"].map((key) => trailOf(komoju(), key)),
    ]
    for (const rows of trails) {
      expect(rows.length).toBeGreaterThanOrEqual(3)
      expect(rows.map((row) => Number(row.trim().split(" ")[0]))).toEqual(rows.map((_, i) => i + 1))
      expect(rows[0]).toMatch(/TokenRequested/)
    }
  })

  it("never prints a card number, only the masked form", () => {
    const text = output.join("\n")
    // 12 or more digits in a row, or grouped by single spaces or dashes as card numbers are written.
    expect(text).not.toMatch(/(?<![0-9])[0-9](?:[ -]?[0-9]){11,}/)
    expect(text).toContain("555555******4444")
    expect(text).toContain("411111******1111")
    expect(text).toContain("353011******0000")
    expect(text).toContain("424242******4242")
  })

  it("never prints the Gate project's secret or a signature", () => {
    const text = output.join("\n")
    expect(text).not.toContain(Redacted.value(GateSandbox.project.secret))
    expect(text).not.toMatch(/signature"/)
    // A signature is 88 characters of base64; nothing printed has a run of 40 such characters.
    expect(text).not.toMatch(/[A-Za-z0-9+/=]{40,}/)
  })

  it("prints the same thing on every run", async () => {
    expect(await printed(Walkthrough.program)).toEqual(output)
  })
})

describe("Gate, end to end against the simulator", () => {
  it("keeps the token Pending until Gate's signed callback for its request makes it Active", () => {
    const lines = gateEndToEnd()
    const pending = outcomeOf(lines, /issue a token for cus-42 in project 17/)
    expect(pending).toMatch(new RegExp(`^→ key-1 Pending · awaiting the provider's answer to ${shortId}$`))
    const request = pending.split(" ").at(-1)
    const callback = step(lines, /Gate posts a callback: token \S+ active \(tokenize /)
    expect(callback.action).toContain(`(tokenize ${request})`)
    expect(callback.outcome).toMatch(
      new RegExp(`^→ 200 · applied TokenIssued: key-1 Active · token ${shortId} · expires 2027-10-01T00:00:00Z$`),
    )
  })

  it("ignores the same callback delivered twice, as a duplicate", () => {
    const lines = gateEndToEnd()
    const first = step(lines, /Gate posts a callback: token \S+ active \(tokenize /)
    const again = step(lines, /Gate posts the same callback again: /)
    expect(again.action.split(": ").slice(1)).toEqual(first.action.split(": ").slice(1))
    expect(again.outcome).toBe("→ 200 · ignored (duplicate): a delivery already applied")
    expect(eventsOf(trailOf(lines, "key-1")).filter((event) => event === "TokenIssued")).toHaveLength(1)
  })

  it("purchases by token through Gate; Gate's payment callback changes nothing", () => {
    const lines = gateEndToEnd()
    expect(outcomeOf(lines, /use key-1: cus-42 pays order-2001/)).toBe(
      "→ key-1 Active · used 1 time · receipt order-2001 (pending)",
    )
    expect(outcomeOf(lines, /Gate posts a callback: payment order-2001 success \(purchase\)/)).toMatch(
      /^→ 200 · ignored \(no-change\)/,
    )
  })

  it("refuses a forged callback with 401, and the token stays as it was", () => {
    const lines = gateEndToEnd()
    const forged = step(lines, /someone posts the token callback, active changed to revoke/)
    expect(forged.action).toMatch(/: token \S+ revoke \(tokenize /)
    expect(forged.outcome).toMatch(/^→ 401 · refused: /)
    const activated = outcomeOf(lines, /Gate posts a callback: token \S+ active \(tokenize /)
    const after = outcomeOf(lines, /look up key-1 after the forged callback/)
    expect(after).toMatch(/^→ key-1 Active · /)
    // The same token and expiry as the callback made them: the forgery moved nothing.
    expect(after.replace(" · used 1 time", "")).toBe(activated.replace("→ 200 · applied TokenIssued: ", "→ "))
  })

  it("keeps the same token id for the same card with a new expiry, and refreshes the expiry", () => {
    const lines = gateEndToEnd()
    const tokenOf = (outcome: string) => outcome.match(new RegExp(`token (${shortId})`))?.[1]
    const activated = outcomeOf(lines, /Gate posts a callback: token \S+ active \(tokenize /)
    const refreshed = outcomeOf(lines, /cus-42 enters the same card, reissued: 424242\*{6}4242 exp 09\/2030/)
    expect(tokenOf(activated)).toBeDefined()
    expect(tokenOf(refreshed)).toBe(tokenOf(activated))
    expect(refreshed).toMatch(/^→ key-1 Active · .* · expires 2030-10-01T00:00:00Z$/)
    expect(trailOf(lines, "key-1").find((row) => row.includes("TokenExpiryRefreshed"))).toMatch(
      /card now exp 09\/2030 · expires 2030-10-01T00:00:00Z$/,
    )
  })

  it("revokes through Gate, then refuses a purchase with TokenRevoked before it reaches Gate", () => {
    const lines = gateEndToEnd()
    expect(outcomeOf(lines, /revoke key-1: /)).toMatch(/^→ key-1 Revoked \(revoked-by-merchant\)/)
    expect(outcomeOf(lines, /Gate posts a callback: token \S+ revoke \(revoke /)).toMatch(
      /^→ 200 · ignored \(already-final\)/,
    )
    expect(outcomeOf(lines, /use key-1 after its revocation/)).toMatch(
      /^✗ refused TokenRevoked: token key-1 was revoked at 2025-03-14T09:08:00/,
    )
    // Gate received each request once, all accepted, and no second purchase.
    expect(gateRequestsOf(lines)).toEqual([
      ["/v2/customer/card/tokenize", "200"],
      ["/v2/payment/card/sale/token", "200"],
      ["/v2/customer/card/tokenize", "200"],
      ["/v2/customer/card/token/revoke", "200"],
    ])
    expect(eventsOf(trailOf(lines, "key-1"))).toEqual([
      "TokenRequested",
      "TokenRequestAcknowledged",
      "TokenIssued",
      "TokenUsed",
      "TokenExpiryRefreshed",
      "TokenRevoked",
    ])
  })
})
