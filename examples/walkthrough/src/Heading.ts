/**
 * The heading of a policy's section: the provider, what its tokens are for, and its rules,
 * read from the policy itself so the heading cannot drift from what the machine enforces.
 */
import type { LifecyclePolicy } from "@token-lifecycle/domain/Policy"
import type * as Effect from "effect/Effect"
import * as Format from "./Format.js"
import * as Table from "./Table.js"
import * as Transcript from "./Transcript.js"

export const width = 100

export interface Introduction {
  readonly title: string
  /** A few lines on what the provider's tokens are and how they are issued. */
  readonly about: ReadonlyArray<string>
  readonly policy: LifecyclePolicy
  /** What a token is bound to at the provider; the policy does not carry it. */
  readonly boundTo: string
  /** Added after the time to live, for lifetimes set here rather than by the provider. */
  readonly timeToLiveNote?: string
}

const timeToLive = (policy: LifecyclePolicy): string => {
  const ttl = policy.timeToLive
  const text = (millis: number | null) => (millis === null ? "none" : Format.duration(millis))
  if (ttl.card === ttl.bank && ttl.bank === ttl.other) return text(ttl.card)
  return (["card", "bank", "other"] as const)
    .filter((type) => ttl[type] !== null)
    .map((type) => `${type} ${text(ttl[type])}`)
    .join(" · ")
}

/** The policy's rules as label/value pairs. */
export const rules = (intro: Introduction): ReadonlyArray<readonly [string, string]> => {
  const policy = intro.policy
  const ttl = timeToLive(policy)
  return [
    ["uses allowed", policy.maxUses === null ? "unlimited" : policy.maxUses === 1 ? "one" : String(policy.maxUses)],
    ["time to live", intro.timeToLiveNote === undefined ? ttl : `${ttl} (${intro.timeToLiveNote})`],
    ["ends with the card's expiry", policy.endsWithCardExpiry ? "yes" : "no"],
    ["revocable by the merchant", policy.revocable ? "yes" : "no"],
    [
      "the same card again",
      policy.sameCard === "refresh-expiry" ? "the same token, with the card's new expiry" : "a new token",
    ],
    ["bound to", intro.boundTo],
    ["issuance answered", policy.answer === "asynchronous" ? "asynchronously, by a signed callback" : "synchronously"],
  ]
}

/** Print a heading: the title between two rules, a few lines about the section, then label/value pairs. */
export const titled = (
  title: string,
  about: ReadonlyArray<string>,
  pairs: ReadonlyArray<readonly [string, string]>,
): Effect.Effect<void, never, Transcript.Transcript> =>
  Transcript.write(
    "",
    "═".repeat(width),
    ` ${title}`,
    "═".repeat(width),
    ...about,
    "",
    ...Table.renderPairs(pairs, { indent: "  " }),
    "",
  )

/** Print a policy's section heading, its rules read from the policy. */
export const section = (intro: Introduction): Effect.Effect<void, never, Transcript.Transcript> =>
  titled(intro.title, intro.about, rules(intro))
