/**
 * Invariant 8: time never runs backwards inside one token. Commands may arrive stamped earlier
 * than the token's latest event (another server's clock, a late callback); the event is then
 * stamped at the token's latest time, never before it.
 */
import { it } from "@fast-check/vitest"
import * as Either from "effect/Either"
import { expect } from "vitest"
import { eventsOf, play, scenario } from "../../src/LifecycleArbitraries.js"
import { parameters } from "../../src/Runs.js"

it.prop([scenario()], parameters())(
  "event times never go backwards for one token, even when commands arrive with earlier times",
  (generated) => {
    const events = eventsOf(play(generated))
    events.forEach((event, i) => {
      const previous = events[i - 1]
      if (previous !== undefined) expect(event.at, `event ${i} (${event._tag})`).toBeGreaterThanOrEqual(previous.at)
    })
  },
)

it.prop([scenario()], parameters())(
  "an event is stamped at its command's time, or at the token's latest time when the command comes earlier",
  (generated) => {
    for (const step of play(generated)) {
      if (Either.isLeft(step.decision)) continue
      const expected = step.before._tag === "Absent" ? step.now : Math.max(step.now, step.before.updatedAt)
      for (const event of step.decision.right) expect(event.at).toBe(expected)
      if (step.after._tag !== "Absent" && step.decision.right.length > 0) expect(step.after.updatedAt).toBe(expected)
    }
  },
)
