/**
 * Invariant 6: a token is used only by its owner and only for its type. For Zai token auths:
 * a bank token adds only a bank account, a card token only a card.
 */
import { it } from "@fast-check/vitest"
import * as Policy from "@token-lifecycle/domain/Policy"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { expect } from "vitest"
import { play, scenario } from "../../src/LifecycleArbitraries.js"
import { parameters } from "../../src/Runs.js"

it.prop([scenario()], parameters())("a token is used only by its owner and only for its type", (generated) => {
  for (const step of play(generated)) {
    if (Either.isLeft(step.decision)) continue
    for (const event of step.decision.right) {
      if (event._tag !== "TokenUsed" || step.before._tag === "Absent") continue
      expect(event.by).toBe(step.before.owner)
      expect(event.for).toBe(step.before.type)
    }
  }
})

const zaiPolicy = fc
  .tuple(fc.integer({ min: 60_000, max: 4 * 3_600_000 }), fc.integer({ min: 60_000, max: 4 * 3_600_000 }))
  .map(([card, bank]) => Policy.zai({ cardTimeToLive: card, bankTimeToLive: bank }))

it.prop([scenario({ policy: zaiPolicy })], parameters())(
  "a Zai token auth is used only by its user and for its type: a bank token never adds a card, a card token never adds a bank account",
  (generated) => {
    for (const step of play(generated)) {
      const { before, command } = step
      if (command._tag !== "Use" || before._tag !== "Active") continue
      if (command.by !== before.owner) {
        expect(Either.flip(step.decision).pipe(Either.map((error) => error._tag))).toEqual(Either.right("WrongOwner"))
      } else if (command.for !== before.type) {
        expect(Either.flip(step.decision).pipe(Either.map((error) => error._tag))).toEqual(
          Either.right("WrongTokenType"),
        )
      }
    }
  },
)
