import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as DecodeIssues from "../src/DecodeIssues.js"

const Body = Schema.Struct({
  id: Schema.String,
  card: Schema.Struct({ holder: Schema.String.pipe(Schema.maxLength(4)), expYear: Schema.Number }),
  note: Schema.String.pipe(Schema.filter((s) => s !== "x", { message: () => "must not be x" })),
})

const problemsOf = (value: unknown) => {
  const decoded = ParseResult.decodeUnknownEither(Body, { errors: "all" })(value)
  if (Either.isRight(decoded)) throw new Error("expected a failure")
  return DecodeIssues.fieldProblems(decoded.left)
}

describe("decode issues", () => {
  it("name every field at fault by its dot path, and quote none of the values met", () => {
    const problems = problemsOf({ card: { holder: "JANE ROE-7f3c", expYear: "2030-7f3c" }, note: "x" })
    expect(problems).toEqual([
      { field: "id", message: "is required" },
      { field: "card.holder", message: "is not valid" },
      { field: "card.expYear", message: "is not valid" },
      { field: "note", message: "must not be x" },
    ])
    expect(DecodeIssues.describe(problems)).toBe(
      "id is required; card.holder is not valid; card.expYear is not valid; note must not be x",
    )
    expect(JSON.stringify(problems)).not.toContain("7f3c")
  })

  it("name the whole value when it is not even an object", () => {
    expect(DecodeIssues.describe(problemsOf("a string-7f3c"))).toBe("the value is not valid")
  })
})
