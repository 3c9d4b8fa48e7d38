/**
 * The decider is total: whatever the state, command and instant (far past, far future,
 * earlier than the token's latest event), `decide` answers with events or a typed refusal
 * and never throws, and every event it accepts can be applied.
 */
import { it } from "@fast-check/vitest"
import { decide, evolve } from "@token-lifecycle/domain/Lifecycle"
import * as Errors from "@token-lifecycle/domain/LifecycleError"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { expect } from "vitest"
import { commandFor, play, scenario } from "../../src/LifecycleArbitraries.js"
import { parameters } from "../../src/Runs.js"

const lifecycleErrorClasses = Object.values(Errors).filter((value) => typeof value === "function")

const anyInstant = fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom(0, 4_102_444_800_000))

it.prop(
  [
    scenario().chain((generated) =>
      fc.tuple(
        fc.constant(generated),
        fc.array(fc.tuple(commandFor(generated.facts, generated.start), anyInstant), { maxLength: 8 }),
      ),
    ),
  ],
  parameters(),
)(
  "decide answers every command at every instant with events or a typed refusal, never an exception",
  ([generated, extra]) => {
    const reached = play(generated).map((step) => step.after)
    for (const state of reached) {
      for (const [command, now] of extra) {
        const decision = decide(state, command, now)
        if (Either.isLeft(decision)) {
          expect(lifecycleErrorClasses.some((errorClass) => decision.left instanceof errorClass)).toBe(true)
          // Every refusal can be shown: its message is built without throwing.
          expect(typeof decision.left.message).toBe("string")
        } else {
          expect(() => decision.right.reduce(evolve, state)).not.toThrow()
        }
      }
    }
  },
)
