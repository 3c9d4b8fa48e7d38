/**
 * Invariant 5: refreshing the expiry changes only the expiry. What a token is (its key, its
 * token id once issued, its owner, account, type, policy, card and fingerprint) never changes.
 */
import { it } from "@fast-check/vitest"
import * as Policy from "@token-lifecycle/domain/Policy"
import type { Token } from "@token-lifecycle/domain/Token"
import * as fc from "fast-check"
import { expect } from "vitest"
import { play, policy, scenario } from "../../src/LifecycleArbitraries.js"
import { parameters } from "../../src/Runs.js"

/** A token without what a refresh may change: the card's expiry, the token's expiry, the time of the latest event. */
const withoutExpiry = (token: Token) => {
  const { expiresAt: _expiresAt, updatedAt: _updatedAt, card, ...rest } = token
  if (card === undefined) return rest
  const { expiry: _expiry, ...cardRest } = card
  return { ...rest, card: cardRest }
}

/** Policies that deduplicate by card, where a refresh can be accepted at all. */
const refreshingPolicy = fc.oneof(
  fc.constant(Policy.gate),
  policy.map((p): Policy.LifecyclePolicy => ({ ...p, sameCard: "refresh-expiry" })),
)

it.prop([scenario({ policy: refreshingPolicy })], parameters())(
  "refreshing the expiry changes only the expiry",
  (generated) => {
    for (const step of play(generated)) {
      if (step.command._tag !== "RefreshExpiry" || step.before._tag === "Absent" || step.after._tag === "Absent")
        continue
      expect(withoutExpiry(step.after)).toStrictEqual(withoutExpiry(step.before))
      if (step.after !== step.before && step.after.card !== undefined) {
        expect(step.after.card.expiry).toStrictEqual(step.command.expiry)
      }
    }
  },
)

it.prop([scenario()], parameters())(
  "token id, owner and fingerprint never change, whatever the commands",
  (generated) => {
    for (const step of play(generated)) {
      const { before, after } = step
      if (before._tag === "Absent" || after._tag === "Absent") continue
      expect(after.key).toBe(before.key)
      if (before.tokenId !== undefined) expect(after.tokenId).toBe(before.tokenId)
      expect(after.owner).toBe(before.owner)
      expect(after.account).toBe(before.account)
      expect(after.type).toBe(before.type)
      expect(after.policy).toStrictEqual(before.policy)
      expect(after.card?.fingerprint).toBe(before.card?.fingerprint)
      expect(after.card?.masked).toStrictEqual(before.card?.masked)
      expect(after.createdAt).toBe(before.createdAt)
    }
  },
)
