/**
 * Given events / when command at an instant / then events or a refusal: the decider's tests
 * read as the audit trail they produce.
 */
import { deepStrictEqual } from "node:assert"
import * as Either from "effect/Either"
import { expect } from "vitest"
import type { LifecycleCommand } from "../src/Command.js"
import type { LifecycleEvent } from "../src/Event.js"
import { decide, replay } from "../src/Lifecycle.js"
import type { LifecycleError } from "../src/LifecycleError.js"
import type { TokenState } from "../src/Token.js"

export const given = (...history: ReadonlyArray<LifecycleEvent>) => {
  const state = replay(history)
  return {
    state,
    when: (command: LifecycleCommand, now: number) => {
      const decision = decide(state, command, now)
      return {
        decision,
        thenEvents: (...expected: ReadonlyArray<LifecycleEvent>): TokenState => {
          if (Either.isLeft(decision)) throw new Error(`refused with ${decision.left._tag}: ${decision.left.message}`)
          deepStrictEqual(decision.right, expected)
          return replay(decision.right, state)
        },
        thenRefused: <T extends LifecycleError["_tag"]>(tag: T): Extract<LifecycleError, { _tag: T }> => {
          if (Either.isRight(decision)) throw new Error(`accepted with ${decision.right.map((e) => e._tag).join(", ")}`)
          expect(decision.left._tag).toBe(tag)
          return decision.left as Extract<LifecycleError, { _tag: T }>
        },
      }
    },
  }
}
