/**
 * The walkthrough: the life of a payment token under each provider's policy, told step by
 * step with the real lifecycle service, a reference provider and a controlled clock; and each
 * provider once more through its real adapter, against the testkit's simulator of it.
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
import * as KomojuEndToEnd from "./scenarios/KomojuEndToEnd.js"
import * as Rebilly from "./scenarios/Rebilly.js"
import * as RebillyEndToEnd from "./scenarios/RebillyEndToEnd.js"
import * as Zai from "./scenarios/Zai.js"
import * as ZaiEndToEnd from "./scenarios/ZaiEndToEnd.js"
import * as Transcript from "./Transcript.js"

const introduction = [
  "token-lifecycle walkthrough",
  "─".repeat(Heading.width),
  "One lifecycle machine, four provider policies. Each section issues, uses, expires, revokes and",
  "re-enters a card through the real TokenLifecycle service, over an in-memory store and a reference",
  "provider that follows the policy: no network, no credentials. The clock is a test clock set to",
  `${Format.instant(Sandbox.startsAt)} at the start of each section, so every run prints the same.`,
  "Each provider then runs once more, end to end: its real adapter against the testkit's simulator of",
  "that provider, in process, whose signed callbacks and webhooks go to the adapter's own handler.",
  "",
  "Each step shows its time and what is attempted, then → the result, or ✗ the typed refusal.",
  "Card numbers never appear: only their masked form.",
]

export const program = Effect.gen(function* () {
  yield* Transcript.write(...introduction)
  yield* Zai.scenario
  yield* ZaiEndToEnd.scenario
  yield* Gate.scenario
  yield* GateEndToEnd.scenario
  yield* Rebilly.scenario
  yield* RebillyEndToEnd.scenario
  yield* Komoju.scenario
  yield* KomojuEndToEnd.scenario
})
