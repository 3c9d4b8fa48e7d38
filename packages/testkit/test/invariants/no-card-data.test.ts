/**
 * Invariant 9, at the level of the decider: what a token keeps of a card is its masked form
 * (first 6 and last 4 digits, length, brand), its expiry and its fingerprint, never the
 * number. The service, logs, schemas and provider errors are in `../redaction.test.ts`.
 */
import { inspect } from "node:util"
import { it } from "@fast-check/vitest"
import { type CardNumber, mask } from "@token-lifecycle/domain/Card"
import type { LifecyclePolicy } from "@token-lifecycle/domain/Policy"
import type { TokenFacts } from "@token-lifecycle/domain/Token"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as fc from "fast-check"
import { expect } from "vitest"
import {
  type Concealed,
  concealedPan,
  eventsOf,
  factsFor,
  fingerprint,
  nearExpiry,
  play,
  scenario,
} from "../../src/LifecycleArbitraries.js"
import { parameters } from "../../src/Runs.js"

const factsWithCard =
  (number: string) =>
  (policy: LifecyclePolicy): fc.Arbitrary<TokenFacts> =>
    fc.tuple(factsFor(policy), nearExpiry, fingerprint).map(([facts, expiry, cardFingerprint]) => ({
      ...facts,
      type: "card",
      card: { masked: mask(Redacted.make(number as CardNumber)), expiry, fingerprint: cardFingerprint },
    }))

const cardScenario = concealedPan.chain((pan) =>
  scenario({ facts: factsWithCard(pan.value) }).map((generated) => ({ pan, generated })),
)

/** Every `[path, value]` reachable from `value` through arrays and own enumerable keys. */
const entries = (value: unknown, path = "$"): Array<readonly [string, unknown]> => {
  const found: Array<readonly [string, unknown]> = [[path, value]]
  if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) found.push(...entries(child, `${path}.${key}`))
  }
  return found
}

const allowedKeys = {
  card: ["masked", "expiry", "fingerprint"],
  masked: ["bin", "last4", "length", "brand"],
} as const

/** 13-digit epoch milliseconds: no card number starts with 1, so blanking them hides no leak, only chance matches. */
const epochMillis = /(?<![0-9])1[0-9]{12}(?![0-9])/g

/** Where, in `texts`, the card number or its middle digits show; positions only, never the digits. */
const leaksOf = (pan: Concealed<string>, texts: ReadonlyArray<readonly [string, string]>): Array<string> => {
  const middle = pan.value.slice(6, -4)
  const leaks: Array<string> = []
  for (const [where, text] of texts) {
    const digitsOnly = text.replace(/[\s-]/g, "")
    if (text.includes(pan.value) || digitsOnly.includes(pan.value)) leaks.push(`${where}: the card number`)
    // Shorter middles occur by chance in dates and counters; five digits and more do not.
    if (middle.length >= 5 && text.replace(epochMillis, "<time>").includes(middle)) {
      leaks.push(`${where}: the middle digits`)
    }
  }
  return leaks
}

it.prop([cardScenario], parameters())(
  "no state, event or refusal of the lifecycle holds more of a card than its masked form, expiry and fingerprint",
  ({ pan, generated }) => {
    const steps = play(generated)
    const states = steps.map((step) => step.after)
    const events = eventsOf(steps)
    const refusals = steps.flatMap((step) => (Either.isLeft(step.decision) ? [step.decision.left] : []))

    for (const [path, value] of entries({ states, events, refusals })) {
      const key = path.split(".").at(-1)
      if ((key === "card" || key === "masked") && value !== null && typeof value === "object") {
        const extra = Object.keys(value).filter((name) => !(allowedKeys[key] as ReadonlyArray<string>).includes(name))
        expect(extra, `unexpected fields at ${path}`).toEqual([])
      }
      if (key === "bin") expect(/^[0-9]{6}$/.test(String(value)), `${path} is 6 digits`).toBe(true)
      if (key === "last4") expect(/^[0-9]{4}$/.test(String(value)), `${path} is 4 digits`).toBe(true)
    }

    const texts: Array<readonly [string, string]> = [
      ["states", JSON.stringify(states)],
      ["events", JSON.stringify(events)],
      ...refusals.flatMap(
        (refusal, i): Array<readonly [string, string]> => [
          [`refusal ${i} message`, refusal.message],
          [`refusal ${i} as text`, String(refusal)],
          [`refusal ${i} as JSON`, JSON.stringify(refusal)],
          [`refusal ${i} inspected`, inspect(refusal, { depth: null })],
        ],
      ),
    ]
    expect(leaksOf(pan, texts)).toEqual([])
  },
)
