/**
 * What a failed decode or validation says, field by field, and never by value: Effect's own
 * formatters quote the value they met ("Expected string, actual …"), which may be anything the
 * caller sent or the provider answered. Used for bodies refused before sending and for answers
 * that do not decode.
 */
import type { FieldProblem } from "@token-lifecycle/domain/GatewayError"
import * as ParseResult from "effect/ParseResult"

/** Each problem under its path in dot notation (`""` for the whole value), with a message that quotes nothing. */
export const fieldProblems = (issue: ParseResult.ParseIssue): ReadonlyArray<FieldProblem> =>
  ParseResult.ArrayFormatter.formatIssueSync(issue).map((entry) => ({
    field: entry.path.map(String).join("."),
    // A refinement's own message names its rule; a bare type mismatch would quote the value.
    message:
      entry._tag === "Missing" ? "is required" : /\bactual\b/.test(entry.message) ? "is not valid" : entry.message,
  }))

/** The problems as one line: `field message; field message`. */
export const describe = (problems: ReadonlyArray<FieldProblem>): string =>
  problems.map(({ field, message }) => `${field === "" ? "the value" : field} ${message}`).join("; ")
