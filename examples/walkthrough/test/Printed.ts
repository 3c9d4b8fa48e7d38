/**
 * What the walkthrough printed, read back: run a program into an array of lines, then find in
 * them its sections, its steps (the instant and the action on one line, the outcome under it),
 * the tables under their titles and the tokens' audit trails. Each finder fails the test, by
 * name, when what it looks for was not printed.
 */
import { expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Transcript from "../src/Transcript.js"

/** Run `program` in process and keep every line it printed. */
export const printed = async <A, E>(
  program: Effect.Effect<A, E, Transcript.Transcript>,
): Promise<ReadonlyArray<string>> => {
  const lines: Array<string> = []
  await Effect.runPromise(program.pipe(Effect.provide(Transcript.layer((line) => lines.push(line)))))
  return lines
}

const headingRule = /^═+$/

/** A section title sits between two rules. */
const isTitle = (lines: ReadonlyArray<string>, i: number): boolean =>
  headingRule.test(lines[i - 1] ?? "") && headingRule.test(lines[i + 1] ?? "")

/** Every section's title, in order. */
export const titles = (lines: ReadonlyArray<string>): ReadonlyArray<string> => lines.filter((_, i) => isTitle(lines, i))

/** The lines of the section whose title contains `title`, up to the next section. */
export const section = (lines: ReadonlyArray<string>, title: string): ReadonlyArray<string> => {
  const start = lines.findIndex((line, i) => line.includes(title) && isTitle(lines, i))
  expect(start, `section "${title}"`).toBeGreaterThan(0)
  const end = lines.findIndex((line, i) => i > start + 1 && headingRule.test(line))
  return lines.slice(start, end === -1 ? undefined : end - 1)
}

export interface Step {
  /** The instant it was printed at: `2025-03-14T09:00:00Z`. */
  readonly at: string
  /** What was attempted, after the instant. */
  readonly action: string
  /** The line under it, trimmed: `→ …` or `✗ refused …`. */
  readonly outcome: string
}

/** Every step printed, in order. */
export const steps = (lines: ReadonlyArray<string>): ReadonlyArray<Step> =>
  lines.flatMap((line, i) => {
    const stamped = /^(\d{4}-\d{2}-\d{2}T\S+) {2}(.*)$/.exec(line)
    return stamped === null
      ? []
      : [{ at: stamped[1] ?? "", action: stamped[2] ?? "", outcome: (lines[i + 1] ?? "").trim() }]
  })

/** The step whose action matches `action`: the first, or the `nth` (from 0). */
export const step = (lines: ReadonlyArray<string>, action: RegExp, nth = 0): Step => {
  const found = steps(lines).filter((s) => action.test(s.action))[nth]
  expect(found, `step ${nth} matching ${action}`).toBeDefined()
  return found as Step
}

/** The one step whose action matches `action`: there must be exactly one. */
export const onlyStep = (lines: ReadonlyArray<string>, action: RegExp): Step => {
  const found = steps(lines).filter((s) => action.test(s.action))
  expect(found.length, `steps matching ${action}`).toBe(1)
  return found[0] as Step
}

/** The outcome printed under the step whose action matches `action`: the first, or the `nth`. */
export const outcomeOf = (lines: ReadonlyArray<string>, action: RegExp, nth = 0): string =>
  step(lines, action, nth).outcome

/** A table row's cells. */
export const cellsOf = (row: string): ReadonlyArray<string> => row.trim().split(/\s{2,}/)

/** The rows of the table printed under the line `title`, as cells: after its header and rule, up to a blank line. */
export const tableUnder = (lines: ReadonlyArray<string>, title: string): ReadonlyArray<ReadonlyArray<string>> => {
  const at = lines.findIndex((line) => line.trim() === title)
  expect(at, `a table under "${title}"`).toBeGreaterThanOrEqual(0)
  const rows = lines.slice(at + 4)
  const end = rows.indexOf("")
  return (end === -1 ? rows : rows.slice(0, end)).map(cellsOf)
}

/** The rows of a token's audit trail: the table under the line that shows the token as it stands. */
export const trailOf = (lines: ReadonlyArray<string>, key: string): ReadonlyArray<string> => {
  const title = lines.findIndex((line) => line.startsWith(`  ${key} `) && !line.includes("→"))
  expect(title, `an audit trail for ${key}`).toBeGreaterThan(0)
  const rows: Array<string> = []
  for (const line of lines.slice(title + 3)) {
    if (!/^\s+\d+\s{2}\d{4}-/.test(line)) break
    rows.push(line)
  }
  return rows
}

/** The event column of a trail's rows. */
export const eventsOf = (rows: ReadonlyArray<string>): ReadonlyArray<string> => rows.map((row) => cellsOf(row)[2] ?? "")
