import { describe, expect, it } from "@effect/vitest"
import * as Entries from "../../src/simulators/shared/Entries.js"

describe("a simulator's keyed records", () => {
  it("give values back in the order their keys were first set; setting a known key keeps its place", () => {
    const first = Entries.set(Entries.set(Entries.set(Entries.empty<number>(), "b", 1), "a", 2), "c", 3)
    const updated = Entries.set(first, "a", 20)
    expect(Entries.values(first)).toEqual([1, 2, 3])
    expect(Entries.values(updated)).toEqual([1, 20, 3])
    expect(Entries.get(updated, "a")).toBe(20)
    expect(Entries.get(updated, "z")).toBeUndefined()
  })

  it("leave earlier versions as they were", () => {
    const before = Entries.set(Entries.empty<string>(), "t1", "unused")
    const after = Entries.set(Entries.set(before, "t1", "used"), "t2", "unused")
    expect(Entries.values(before)).toEqual(["unused"])
    expect(Entries.values(after)).toEqual(["used", "unused"])
  })
})
