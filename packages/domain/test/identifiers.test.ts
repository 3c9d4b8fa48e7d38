import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { ProviderTokenId, TokenId } from "../src/Identifiers.js"

const GateTokenId = ProviderTokenId("gate")
const RebillyTokenId = ProviderTokenId("rebilly")

describe("token ids branded per provider", () => {
  it("decode like any token id, and are usable where a token id is", () => {
    const gate = Schema.decodeUnknownSync(GateTokenId)("a".repeat(64))
    const any: TokenId = gate
    expect(any).toBe("a".repeat(64))
    expect(Either.isLeft(Schema.decodeUnknownEither(GateTokenId)("  "))).toBe(true)
  })

  it("are not interchangeable between providers", () => {
    const gate = GateTokenId.make("a".repeat(64))
    // @ts-expect-error a Gate token id is not a Rebilly token id
    const rebilly: typeof RebillyTokenId.Type = gate
    // @ts-expect-error nor is a plain token id a Gate one
    const plain: typeof GateTokenId.Type = TokenId.make("t")
    expect([rebilly, plain]).toEqual(["a".repeat(64), "t"])
  })
})
