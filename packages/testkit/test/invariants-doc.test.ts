/**
 * `docs/INVARIANTS.md` and the properties cannot drift apart: every property the page names
 * exists, under that name, in the file it names; every property under `test/invariants/` is
 * named on the page; invariants 1 to 10 are all there, in order, each checked by at least one.
 */
import { readdirSync, readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"

const repositoryRoot = new URL("../../../", import.meta.url)
const invariantsDirectory = new URL("test/invariants/", new URL("../", import.meta.url))
const documentPath = "docs/INVARIANTS.md"

/** The invariants of the design; each must be on the page. */
const agreedInvariants = 10

// ---------------------------------------------------------------------------
// Reading the page
// ---------------------------------------------------------------------------

interface Check {
  readonly name: string
  readonly file: string
}

interface Invariant {
  readonly number: number
  readonly title: string
  readonly rule: string
  readonly checks: ReadonlyArray<Check>
}

const heading = /^## (\d+)\. (.+)$/
const checkLine = /^- "([^"]+)" — `([^`]+)`$/

/** The invariants on the page, in order: `## N. Title`, a `**Rule.**` paragraph, then `**Checked by:**`. */
const parseInvariants = (markdown: string): ReadonlyArray<Invariant> => {
  const invariants: Array<Invariant> = []
  let current: { number: number; title: string; rule: Array<string>; checks: Array<Check> } | undefined
  let section: "rule" | "checks" | "other" = "other"
  const finish = () => {
    if (current === undefined) return
    const { rule, ...rest } = current
    invariants.push({
      ...rest,
      rule: rule
        .map((line) => line.trim())
        .filter((line) => line !== "")
        .join(" "),
    })
  }
  for (const line of markdown.split("\n")) {
    const title = heading.exec(line)
    if (title !== null) {
      finish()
      current = { number: Number(title[1]), title: title[2] ?? "", rule: [], checks: [] }
      section = "other"
      continue
    }
    if (current === undefined) continue
    if (line.startsWith("**Rule.**")) {
      section = "rule"
      current.rule.push(line.slice("**Rule.**".length))
    } else if (line.trim() === "**Checked by:**") {
      section = "checks"
    } else if (section === "rule") {
      current.rule.push(line)
    } else if (section === "checks" && line.trim() !== "") {
      const check = checkLine.exec(line.trim())
      if (check === null) throw new Error(`invariant ${current.number}: unreadable check line: ${line}`)
      current.checks.push({ name: check[1] ?? "", file: check[2] ?? "" })
    }
  }
  finish()
  return invariants
}

// ---------------------------------------------------------------------------
// Reading the test files
// ---------------------------------------------------------------------------

const quotes = new Set(['"', "'", "`"])

/** The index just past the string literal starting at `start`. */
const skipString = (source: string, start: number): number => {
  const quote = source[start]
  let i = start + 1
  while (i < source.length && source[i] !== quote) i += source[i] === "\\" ? 2 : 1
  return i + 1
}

/** The index just past the parenthesis that closes the one at `open`, stepping over strings. */
const skipParentheses = (source: string, open: number): number => {
  let depth = 0
  let i = open
  while (i < source.length) {
    const char = source[i] ?? ""
    if (quotes.has(char)) {
      i = skipString(source, i)
      continue
    }
    if (char === "(") depth++
    if (char === ")" && --depth === 0) return i + 1
    i++
  }
  return source.length
}

const skipSpace = (source: string, start: number): number => {
  let i = start
  while (i < source.length && /\s/.test(source[i] ?? "")) i++
  return i
}

/** The string literal starting at `start` (no interpolation), or `undefined`. */
const readString = (source: string, start: number): string | undefined => {
  const quote = source[start] ?? ""
  if (!quotes.has(quote)) return undefined
  const end = skipString(source, start)
  const body = source.slice(start + 1, end - 1)
  if (quote === "`" && body.includes("${")) return undefined
  return body.replace(/\\(.)/g, "$1")
}

/** Comments that start a line: JSDoc and `//`. They may mention tests without declaring any. */
const lineComments = /^\s*\/\/.*$/gm
const blockComments = /^\s*\/\*[\s\S]*?\*\//gm

/**
 * The names of the tests a file declares: the first argument of `it(...)`, `it.effect(...)`,
 * `test(...)`, and of the call that follows `it.prop(...)` or `it.each(...)`.
 */
const declaredTests = (source: string): ReadonlyArray<string> => {
  const code = source.replace(blockComments, "").replace(lineComments, "")
  const names: Array<string> = []
  for (const call of code.matchAll(/(?<![\w.$])(?:it|test)((?:\.[A-Za-z]+)*)\s*\(/g)) {
    let at = (call.index ?? 0) + call[0].length
    const chain = call[1] ?? ""
    if (chain.endsWith(".prop") || chain.endsWith(".each")) {
      at = skipSpace(code, skipParentheses(code, at - 1))
      if (code[at] !== "(") continue
      at++
    }
    const name = readString(code, skipSpace(code, at))
    if (name !== undefined) names.push(name)
  }
  return names
}

const read = (path: string): string => readFileSync(new URL(path, repositoryRoot), "utf8")

const invariantFiles = (): ReadonlyArray<string> =>
  readdirSync(invariantsDirectory)
    .filter((file) => file.endsWith(".test.ts"))
    .sort()
    .map((file) => `packages/testkit/test/invariants/${file}`)

// ---------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------

describe(documentPath, () => {
  const invariants = parseInvariants(read(documentPath))

  it("lists invariants 1 to 10 and any found since, in order, each with a title and a rule", () => {
    expect(invariants.length).toBeGreaterThanOrEqual(agreedInvariants)
    expect(invariants.map((invariant) => invariant.number)).toEqual(invariants.map((_, i) => i + 1))
    for (const invariant of invariants) {
      expect(invariant.title.trim(), `title of invariant ${invariant.number}`).not.toBe("")
      expect(invariant.rule, `rule of invariant ${invariant.number}`).not.toBe("")
    }
  })

  it("names at least one property for every invariant", () => {
    for (const invariant of invariants) {
      expect(invariant.checks.length, `properties checking invariant ${invariant.number}`).toBeGreaterThan(0)
    }
  })

  it("every property it names exists, under that name, in the file it names", () => {
    const missing: Array<string> = []
    for (const invariant of invariants) {
      for (const check of invariant.checks) {
        let declared: ReadonlyArray<string> = []
        try {
          declared = declaredTests(read(check.file))
        } catch {
          missing.push(`invariant ${invariant.number}: no file ${check.file}`)
          continue
        }
        if (!declared.includes(check.name))
          missing.push(`invariant ${invariant.number}: "${check.name}" in ${check.file}`)
      }
    }
    expect(missing).toEqual([])
  })

  it("names every property under packages/testkit/test/invariants", () => {
    const named = new Set(
      invariants.flatMap((invariant) => invariant.checks.map((check) => `${check.file}|${check.name}`)),
    )
    const files = invariantFiles()
    expect(files.length).toBeGreaterThan(0)
    const unnamed: Array<string> = []
    for (const file of files) {
      const declared = declaredTests(read(file))
      expect(declared.length, `properties in ${file}`).toBeGreaterThan(0)
      for (const name of declared) if (!named.has(`${file}|${name}`)) unnamed.push(`"${name}" in ${file}`)
    }
    expect(unnamed).toEqual([])
  })
})

describe("reading test names", () => {
  it("finds the names of tests declared in every style the suite uses, and nothing in comments", () => {
    const source = [
      "/**",
      ' * it("in a doc comment")',
      " */",
      '// it("in a line comment")',
      'it.prop([fc.string(), fc.tuple(fc.nat(), fc.constant(")"))], parameters())("a curried property", (s) => {})',
      "it.prop(",
      "  [scenario()],",
      "  parameters(),",
      ")(",
      '  "a property over lines, with a \\"quote\\"",',
      "  () => {},",
      ")",
      "it.effect(",
      '  "an effect: with a colon, and an apostrophe\'s",',
      "  () => Effect.void,",
      "  timeout,",
      ")",
      "it('single quotes', () => {})",
      "test(`a template`, () => {})",
      "split(it(x))",
      "object.it('not a test')",
    ].join("\n")
    expect(declaredTests(source)).toEqual([
      "a curried property",
      'a property over lines, with a "quote"',
      "an effect: with a colon, and an apostrophe's",
      "single quotes",
      "a template",
    ])
  })

  it("reads an invariant's title, rule and properties", () => {
    const page = [
      "# Invariants",
      "",
      "## 1. First",
      "",
      "**Rule.** One thing,",
      "over two lines.",
      "",
      "**Checked by:**",
      '- "a property" — `packages/x/a.test.ts`',
      "",
      "## 2. Second",
      "",
      "**Rule.** Later.",
      "",
      "**Checked by:**",
      '- "another" — `packages/x/b.test.ts`',
      '- "a third" — `packages/y/c.test.ts`',
    ].join("\n")
    expect(parseInvariants(page)).toEqual([
      {
        number: 1,
        title: "First",
        rule: "One thing, over two lines.",
        checks: [{ name: "a property", file: "packages/x/a.test.ts" }],
      },
      {
        number: 2,
        title: "Second",
        rule: "Later.",
        checks: [
          { name: "another", file: "packages/x/b.test.ts" },
          { name: "a third", file: "packages/y/c.test.ts" },
        ],
      },
    ])
  })
})
