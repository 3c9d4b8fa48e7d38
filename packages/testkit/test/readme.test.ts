/**
 * The README's code is run as written, so the first thing a reader copies works.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"

const readme = readFileSync(join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8")
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? "")

describe("the README's examples", () => {
  it("exist", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2)
  })

  it("run as written, and the service example ends with the audit trail it describes", async () => {
    const dir = join(import.meta.dirname, ".readme-snippets")
    mkdirSync(dir, { recursive: true })
    const file = join(dir, "readme.ts")
    writeFileSync(file, `${blocks.join("\n")}\nexport { history, used, use, Lifecycle }\n`)
    const snippet = await import(file)
    expect(snippet.history.map((recorded: { event: { _tag: string } }) => recorded.event._tag)).toEqual([
      "TokenRequested",
      "TokenIssued",
      "TokenUsed",
    ])
    const again = snippet.Lifecycle.decide(snippet.used, snippet.use, Date.UTC(2026, 5, 1) + 120_000)
    expect(again.left._tag).toBe("TokenAlreadyUsed")
  })
})
