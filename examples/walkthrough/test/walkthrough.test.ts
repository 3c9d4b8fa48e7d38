/**
 * The walkthrough, run in-process into an array, and read back: every claim it prints about
 * the lifecycle is checked here against what it actually printed.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Transcript from "../src/Transcript.js"
import * as Walkthrough from "../src/Walkthrough.js"

const runWalkthrough = async (): Promise<ReadonlyArray<string>> => {
  const lines: Array<string> = []
  await Effect.runPromise(Walkthrough.program.pipe(Effect.provide(Transcript.layer((line) => lines.push(line)))))
  return lines
}

let output: ReadonlyArray<string> = []
beforeAll(async () => {
  output = await runWalkthrough()
})

const headingRule = /^═+$/
/** A section title sits between two rules. */
const isTitle = (i: number): boolean => headingRule.test(output[i - 1] ?? "") && headingRule.test(output[i + 1] ?? "")

/** The lines of the section whose title contains `title`, up to the next section. */
const section = (title: string): ReadonlyArray<string> => {
  const start = output.findIndex((line, i) => line.includes(title) && isTitle(i))
  expect(start, `section "${title}"`).toBeGreaterThan(0)
  const end = output.findIndex((line, i) => i > start + 1 && headingRule.test(line))
  return output.slice(start, end === -1 ? undefined : end - 1)
}

/** The outcome printed under the step whose action line matches `action`. */
const outcomeOf = (lines: ReadonlyArray<string>, action: RegExp): string => {
  const at = lines.findIndex((line) => /^\d{4}-\d{2}-\d{2}T/.test(line) && action.test(line))
  expect(at, `a step matching ${action}`).toBeGreaterThanOrEqual(0)
  return (lines[at + 1] ?? "").trim()
}

/** The rows of a token's audit trail: the table under its title line. */
const trailOf = (lines: ReadonlyArray<string>, key: string): ReadonlyArray<string> => {
  const title = lines.findIndex((line) => line.startsWith(`  ${key} `) && !line.includes("→"))
  expect(title, `an audit trail for ${key}`).toBeGreaterThan(0)
  const rows: Array<string> = []
  for (const line of lines.slice(title + 3)) {
    if (!/^\s+\d+\s{2}\d{4}-/.test(line)) break
    rows.push(line)
  }
  return rows
}

const zai = () => section("Zai")
const gate = () => section("ECommPay Gate")
const rebilly = () => section("Rebilly")
const komoju = () => section("KOMOJU")

describe("the walkthrough", () => {
  it("has a section per policy, in order, each starting at the fixed instant", () => {
    const titles = output.filter((_, i) => isTitle(i))
    expect(titles.map((title) => title.trim().split(":")[0])).toEqual(["Zai", "ECommPay Gate", "Rebilly", "KOMOJU"])
    for (const lines of [zai(), gate(), rebilly(), komoju()]) {
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
    expect(trailOf(gate(), "key-2").map((row) => row.split(/\s{2,}/)[3])).toEqual([
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
  })

  it("prints the same thing on every run", async () => {
    expect(await runWalkthrough()).toEqual(output)
  })
})
