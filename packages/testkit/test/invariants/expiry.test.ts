/**
 * Invariant 2, and what follows from expiry being applied lazily: a token past its expiry is
 * treated as expired by every command, whether or not an `Expire` has been recorded.
 */
import { it } from "@fast-check/vitest"
import { cardExpiryEnd } from "@token-lifecycle/domain/Card"
import { expiryOf } from "@token-lifecycle/domain/Lifecycle"
import { isAbsorbing, type TokenState } from "@token-lifecycle/domain/Token"
import * as Either from "effect/Either"
import { expect } from "vitest"
import { play, type Step, scenario } from "../../src/LifecycleArbitraries.js"
import { parameters } from "../../src/Runs.js"

/** The instant a command is judged at: its own time, unless the token's latest event is later. */
const judgedAt = (step: Step): number =>
  step.before._tag === "Absent" ? step.now : Math.max(step.now, step.before.updatedAt)

const isDueAt = (state: TokenState, at: number): boolean =>
  state._tag === "Active" && state.expiresAt !== undefined && at >= state.expiresAt

it.prop([scenario()], parameters())(
  "no use is accepted at or after expiry, nor in any absorbing state",
  (generated) => {
    for (const step of play(generated)) {
      if (step.command._tag !== "Use") continue
      const { before } = step
      const pastExpiry =
        before._tag !== "Absent" && before.expiresAt !== undefined && judgedAt(step) >= before.expiresAt
      if (isAbsorbing(before) || pastExpiry || before._tag !== "Active") {
        expect(Either.isLeft(step.decision), `use accepted on a ${before._tag} token at step ${step.index}`).toBe(true)
      }
      if (Either.isRight(step.decision)) {
        for (const event of step.decision.right) {
          if (before._tag === "Active" && before.expiresAt !== undefined)
            expect(event.at).toBeLessThan(before.expiresAt)
        }
      }
    }
  },
)

it.prop([scenario()], parameters())(
  "expiry is lazy: at or after expiresAt every command but Expire is refused and records nothing, and Expire records the expiry",
  (generated) => {
    for (const step of play(generated)) {
      if (!isDueAt(step.before, judgedAt(step))) continue
      if (step.command._tag === "Expire") {
        expect(Either.getOrThrow(step.decision).map((event) => event._tag)).toEqual(["TokenExpired"])
        expect(step.after._tag).toBe("Expired")
      } else {
        expect(
          Either.isLeft(step.decision),
          `${step.command._tag} accepted on a token past its expiry at step ${step.index}`,
        ).toBe(true)
        expect(step.after).toBe(step.before)
      }
    }
  },
)

it.prop([scenario()], parameters())(
  "a token never outlives its policy: it expires at its time to live after issue, or at the card's expiry when the policy ends with the card, whichever comes first",
  (generated) => {
    for (const step of play(generated)) {
      const token = step.after
      if (token._tag === "Absent" || token.issuedAt === undefined) continue
      const expected = expiryOf(token.policy, token.type, token.issuedAt, token.card?.expiry)
      expect(token.expiresAt, `expiry of a ${token.policy.name} ${token.type} token after step ${step.index}`).toBe(
        expected,
      )
      const ttl = token.policy.timeToLive[token.type]
      if (ttl !== null) expect(token.expiresAt).toBeLessThanOrEqual(token.issuedAt + ttl)
      if (token.policy.endsWithCardExpiry && token.card?.expiry !== undefined) {
        expect(token.expiresAt).toBeLessThanOrEqual(cardExpiryEnd(token.card.expiry))
      }
    }
  },
)

it.prop([scenario()], parameters())(
  "a token cannot start its life with a card that has already expired",
  (generated) => {
    for (const step of play(generated)) {
      if (step.before._tag !== "Absent" || Either.isLeft(step.decision)) continue
      for (const event of step.decision.right) {
        const facts = event._tag === "TokenRequested" || event._tag === "TokenIssued" ? event.token : undefined
        const expiry = facts?.card?.expiry
        if (expiry !== undefined) expect(event.at).toBeLessThan(cardExpiryEnd(expiry))
      }
    }
  },
)
