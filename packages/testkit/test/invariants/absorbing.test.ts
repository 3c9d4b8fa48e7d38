/**
 * Invariant 3: `Used`, `Expired`, `Revoked` and `Failed` are absorbing. Every command on them,
 * at any time, is refused with a typed error, emits no event and leaves the state as it was.
 */
import { it } from "@fast-check/vitest"
import { evolve } from "@token-lifecycle/domain/Lifecycle"
import * as Errors from "@token-lifecycle/domain/LifecycleError"
import { isAbsorbing } from "@token-lifecycle/domain/Token"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import { expect } from "vitest"
import { endedScenario, eventsOf, play, scenario } from "../../src/LifecycleArbitraries.js"
import { parameters } from "../../src/Runs.js"

/** Every class of refusal the lifecycle declares. */
const lifecycleErrorClasses = Object.values(Errors).filter((value) => typeof value === "function")

const isTypedRefusal = (error: unknown): boolean =>
  lifecycleErrorClasses.some((errorClass) => error instanceof errorClass)

/** The refusal that names each ending. */
const refusalOf = { Used: "TokenAlreadyUsed", Expired: "TokenExpired", Revoked: "TokenRevoked", Failed: "TokenFailed" }

it.prop([endedScenario()], parameters())(
  "used, expired, revoked and failed tokens stay so: every command on them is refused with a typed error and emits no event",
  (generated) => {
    const steps = play(generated)
    const ended = steps.findIndex((step) => isAbsorbing(step.after))
    expect(ended, "the scenario's opening ends the token's life").toBeGreaterThanOrEqual(0)
    for (const step of steps.slice(ended + 1)) {
      expect(isAbsorbing(step.before)).toBe(true)
      expect(Either.isLeft(step.decision), `${step.command._tag} accepted on a ${step.before._tag} token`).toBe(true)
      if (Either.isLeft(step.decision)) expect(isTypedRefusal(step.decision.left)).toBe(true)
      expect(step.after).toBe(step.before)
    }
  },
)

it.prop([endedScenario()], parameters())(
  "a command on an ended token is refused with the reason it ended",
  (generated) => {
    for (const step of play(generated)) {
      const before = step.before
      if (
        before._tag !== "Used" &&
        before._tag !== "Expired" &&
        before._tag !== "Revoked" &&
        before._tag !== "Failed"
      ) {
        continue
      }
      const refusal = Either.flip(step.decision).pipe(Either.getOrThrow)
      expect(refusal._tag).toBe(refusalOf[before._tag])
      expect(refusal.key).toBe(before.key)
    }
  },
)

/** An ended token, and the events of another life retold as this token's: what a corrupt or merged log could hold. */
const endedTokenAndStrayEvents = fc.tuple(endedScenario(), scenario()).map(([ended, other]) => {
  const state = play(ended).at(-1)?.after
  const events = eventsOf(play(other)).map((event) =>
    state === undefined || state._tag === "Absent" ? event : { ...event, key: state.key },
  )
  return { state, events }
})

it.prop([endedTokenAndStrayEvents], parameters())(
  "no event revives or changes an ended token when folded onto it",
  ({ state, events }) => {
    if (state === undefined || !isAbsorbing(state)) throw new Error("the scenario's opening ends the token's life")
    for (const event of events) {
      expect(evolve(state, event), `${event._tag} folded onto a ${state._tag} token`).toBe(state)
    }
  },
)
