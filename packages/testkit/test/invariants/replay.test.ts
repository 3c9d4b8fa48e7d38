/**
 * Invariant 7: state is only ever a fold of events. Replaying the emitted events rebuilds
 * the state exactly (a missing key and an `undefined` one are told apart), also after the
 * events went through their storage schema, and `decide` is deterministic.
 */
import { deepStrictEqual } from "node:assert"
import { it } from "@fast-check/vitest"
import { LifecycleEvent } from "@token-lifecycle/domain/Event"
import { decide, replay } from "@token-lifecycle/domain/Lifecycle"
import { TokenState } from "@token-lifecycle/domain/Token"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { commandFor, eventsOf, play, scenario } from "../../src/LifecycleArbitraries.js"
import { parameters } from "../../src/Runs.js"

const EventLog = Schema.Array(LifecycleEvent)

/** What a store does with the log: encode, serialise, read back, decode. */
const throughStorage = <A, I>(schema: Schema.Schema<A, I>, value: A): A =>
  Schema.decodeUnknownSync(schema)(JSON.parse(JSON.stringify(Schema.encodeSync(schema)(value))))

it.prop([scenario()], parameters())("replay: folding the emitted events rebuilds the state exactly", (generated) => {
  const steps = play(generated)
  const events: Array<LifecycleEvent> = []
  for (const step of steps) {
    events.push(...eventsOf([step]))
    deepStrictEqual(replay(events), step.after)
  }
})

it.prop([scenario()], parameters())(
  "the event log survives storage: encoded, serialised and decoded, it replays to the same state",
  (generated) => {
    const steps = play(generated)
    const events = eventsOf(steps)
    const stored = throughStorage(EventLog, events)
    deepStrictEqual(stored, events)
    deepStrictEqual(replay(stored), replay(events))
    for (const step of steps) deepStrictEqual(throughStorage(TokenState, step.after), step.after)
  },
)

it.prop(
  [
    scenario().chain((generated) =>
      fc.tuple(
        fc.constant(generated),
        commandFor(generated.facts, generated.start),
        fc.integer({ min: -86_400_000, max: 86_400_000 }),
      ),
    ),
  ],
  parameters(),
)(
  "decide is deterministic: the same state, command and instant always give the same decision",
  ([generated, command, offset]) => {
    const steps = play(generated)
    const state = steps.at(-1)?.after ?? replay([])
    const now = Math.max(0, (steps.at(-1)?.now ?? generated.start) + offset)
    const first = decide(state, command, now)
    // A copy of the state and of the command, so identity cannot matter, only content.
    const second = decide(structuredClone(state), structuredClone(command), now)
    deepStrictEqual(second, first)
    deepStrictEqual(decide(state, command, now), first)
  },
)
