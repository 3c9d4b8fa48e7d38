/**
 * The walkthrough: the life of a payment token under each provider's policy, told step by
 * step with the real lifecycle service, a reference provider and a controlled clock; and Gate
 * once more through its real adapter, against the testkit's Gate simulator.
 *
 * `program` writes to whatever `Transcript` it is given; `main` gives it the terminal.
 */
import * as Effect from "effect/Effect"
import * as Format from "./Format.js"
import * as Heading from "./Heading.js"
import * as Sandbox from "./Sandbox.js"
import * as Gate from "./scenarios/Gate.js"
import * as GateEndToEnd from "./scenarios/GateEndToEnd.js"
import * as Komoju from "./scenarios/Komoju.js"
import * as Rebilly from "./scenarios/Rebilly.js"
import * as Zai from "./scenarios/Zai.js"
import * as Transcript from "./Transcript.js"

const introduction = [
  "token-lifecycle walkthrough",
  "─".repeat(Heading.width),
  "One lifecycle machine, four provider policies. Each section issues, uses, expires, revokes and",
  "re-enters a card through the real TokenLifecycle service, over an in-memory store and a reference",
  "provider that follows the policy: no network, no credentials. The clock is a test clock set to",
  `${Format.instant(Sandbox.startsAt)} at the start of each section, so every run prints the same.`,
  "Gate then runs once more, end to end: the real Gate adapter, signing its requests, against the",
  "testkit's Gate simulator in process, whose signed callbacks go to the adapter's callback handler.",
  "",
  "Each step shows its time and what is attempted, then → the result, or ✗ the typed refusal.",
  "Card numbers never appear: only their masked form.",
]

export const program = Effect.gen(function* () {
  yield* Transcript.write(...introduction)
  yield* Zai.scenario
  yield* Gate.scenario
  yield* GateEndToEnd.scenario
  yield* Rebilly.scenario
  yield* Komoju.scenario
})
