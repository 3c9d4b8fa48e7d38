/**
 * Invariant 1: a single-use token is used at most once, whatever the order and repetition
 * of commands. Judged on the decider; the race between two writers is in `service.test.ts`.
 */
import { it } from "@fast-check/vitest"
import type { LifecycleEvent } from "@token-lifecycle/domain/Event"
import * as Either from "effect/Either"
import { expect } from "vitest"
import { eventsOf, finalState, play, scenario, singleUsePolicy } from "../../src/LifecycleArbitraries.js"
import { parameters } from "../../src/Runs.js"

const usesIn = (events: ReadonlyArray<LifecycleEvent>) => events.filter((event) => event._tag === "TokenUsed")

it.prop([scenario({ policy: singleUsePolicy })], parameters())(
  "a single-use token is used at most once, whatever the order and repetition of commands",
  (generated) => {
    const steps = play(generated)
    expect(usesIn(eventsOf(steps)).length).toBeLessThanOrEqual(1)
    const firstUse = steps.findIndex((step) => Either.isRight(step.decision) && usesIn(step.decision.right).length > 0)
    // After the one use, every further use is refused, by anyone, at any time.
    for (const step of steps.slice(firstUse + 1)) {
      if (firstUse >= 0 && step.command._tag === "Use") expect(Either.isLeft(step.decision)).toBe(true)
    }
    const state = finalState(steps)
    if (state._tag !== "Absent") expect(state.uses).toBeLessThanOrEqual(1)
  },
)

it.prop([scenario()], parameters())("no token is used more often than its policy allows", (generated) => {
  const steps = play(generated)
  const maxUses = generated.facts.policy.maxUses
  const uses = usesIn(eventsOf(steps))
  if (maxUses !== null) expect(uses.length).toBeLessThanOrEqual(maxUses)
  // Each use is numbered one more than the last: none is lost or counted twice.
  uses.forEach((use, i) => {
    expect(use.uses).toBe(i + 1)
  })
})

it.prop([scenario()], parameters())(
  "a token's use count is the number of uses on record, and its last use is the latest one",
  (generated) => {
    const steps = play(generated)
    const state = finalState(steps)
    if (state._tag === "Absent") return
    const uses = usesIn(eventsOf(steps))
    expect(state.uses).toBe(uses.length)
    const last = uses.at(-1)
    expect(state.lastUse).toEqual(
      last === undefined ? undefined : { at: last.at, by: last.by, for: last.for, reference: last.reference },
    )
  },
)
