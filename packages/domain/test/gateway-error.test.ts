import { inspect } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Capabilities from "../src/Capabilities.js"
import {
  isTransient,
  ProviderDeclined,
  ProviderTimeout,
  ProviderUnavailable,
  ProviderValidationError,
} from "../src/GatewayError.js"
import { ProviderId } from "../src/Identifiers.js"
import { scrubCardNumbers } from "../src/Scrub.js"

describe("provider text is scrubbed of card numbers", () => {
  it("in every shape a card number is written", () => {
    expect(scrubCardNumbers("card 4111111111111111 declined")).toBe("card [redacted] declined")
    expect(scrubCardNumbers("card 4111 1111 1111 1111.")).toBe("card [redacted].")
    expect(scrubCardNumbers("pan=5555-5555-5555-4444;")).toBe("pan=[redacted];")
    expect(scrubCardNumbers("order 12345, code 3021, at 2026-01-01")).toBe("order 12345, code 3021, at 2026-01-01")
  })

  it("when an error is built, so no way of printing it shows the number", () => {
    const errors = [
      new ProviderValidationError({
        provider: "gate",
        message: "invalid pan 4111111111111111",
        fields: [{ field: "card.pan", message: "4111111111111111 is not allowed" }],
      }),
      new ProviderDeclined({ provider: "komoju", code: "card_declined", message: "4111111111111111 declined" }),
      new ProviderUnavailable({ provider: "zai", status: 502, message: "upstream said 4111111111111111" }),
    ]
    for (const error of errors) {
      for (const text of [error.message, String(error), JSON.stringify(error), inspect(error, { depth: null })]) {
        expect(text.includes("4111111111111111")).toBe(false)
      }
    }
  })
})

describe("transient failures", () => {
  it("are the ones that may succeed later", () => {
    expect(isTransient(new ProviderTimeout({ provider: "gate", operation: "tokenize" }))).toBe(true)
    expect(isTransient(new ProviderDeclined({ provider: "gate", code: "3021", message: "Card expired" }))).toBe(false)
  })
})

describe("capabilities", () => {
  const singleUse = {
    provider: ProviderId.make("rebilly"),
    capabilities: {
      issue: true,
      retrieve: true,
      list: true,
      revoke: false,
      use: true,
      reusable: false,
      asynchronous: false,
    } as const,
  }

  it("an operation the gateway declares is accepted", () => {
    expect(Either.isRight(Capabilities.require(singleUse, "retrieve", "list"))).toBe(true)
  })

  it("an operation it lacks does not compile, and is refused with Unsupported at run time", () => {
    // @ts-expect-error revoke is declared false, so requiring it is a type error
    const refused = Capabilities.require(singleUse, "revoke")
    expect(Either.getOrThrow(Either.flip(refused))).toMatchObject({ _tag: "Unsupported", operation: "revoke" })
  })
})
