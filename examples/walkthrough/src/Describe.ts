/**
 * Tokens, events and provider deliveries in words: one short phrase each, for the steps and
 * the audit trail. Only masked cards, references and times appear; never a card number.
 */
import { formatExpiry } from "@token-lifecycle/domain/Card"
import type { LifecycleEvent } from "@token-lifecycle/domain/Event"
import type { ProviderEvent } from "@token-lifecycle/domain/ProviderEvent"
import type { Token, TokenFacts } from "@token-lifecycle/domain/Token"
import type { ApplyOutcome, UseResult } from "@token-lifecycle/domain/TokenLifecycle"
import * as Format from "./Format.js"

const uses = (token: Token): string | undefined => {
  if (token.uses === 0) return undefined
  const max = token.policy.maxUses
  return max === null ? `used ${token.uses} ${token.uses === 1 ? "time" : "times"}` : `used ${token.uses} of ${max}`
}

/** `key-1 Expired (card-expiry)`: the status, and why the life ended when the status alone does not say. */
const status = (token: Token): string => {
  const cause = token.ending?.cause
  return cause === undefined || cause === "used-up"
    ? `${token.key} ${token._tag}`
    : `${token.key} ${token._tag} (${cause})`
}

/** `key-1 Active · token gate_tok_1 · used 2 times · expires …` */
export const token = (token: Token): string =>
  Format.details(
    status(token),
    token.tokenId !== undefined && `token ${Format.identifier(token.tokenId)}`,
    token._tag === "Pending" &&
      (token.requestRef === undefined
        ? "awaiting the provider"
        : `awaiting the provider's answer to ${Format.identifier(token.requestRef)}`),
    uses(token),
    token._tag === "Active" &&
      (token.expiresAt === undefined ? "no expiry" : `expires ${Format.instant(token.expiresAt)}`),
  )

/** Whose token it is, where, of which type, on which card, under which policy. */
export const facts = (facts: TokenFacts): string =>
  Format.details(
    `${facts.owner} in ${facts.account}`,
    facts.card === undefined ? facts.type : `${facts.type} ${Format.card(facts.card.masked, facts.card.expiry)}`,
    `policy ${facts.policy.name}`,
  )

/** The details column of the audit trail. */
export const event = (event: LifecycleEvent): string => {
  switch (event._tag) {
    case "TokenRequested":
      return facts(event.token)
    case "TokenRequestAcknowledged":
      return `provider accepted request ${Format.identifier(event.requestRef)}`
    case "TokenIssued":
      return Format.details(
        `token ${Format.identifier(event.tokenId)}`,
        event.issuedAt !== event.at && `issued ${Format.instant(event.issuedAt)}`,
        event.expiresAt === undefined ? "no expiry" : `expires ${Format.instant(event.expiresAt)}`,
        event.token !== undefined && facts(event.token),
      )
    case "TokenUsed":
      return Format.details(`by ${event.by} for ${event.for}`, `reference ${event.reference}`, `use #${event.uses}`)
    case "TokenExpiryRefreshed":
      return Format.details(
        `card now exp ${formatExpiry(event.expiry)}`,
        event.expiresAt !== undefined && `expires ${Format.instant(event.expiresAt)}`,
      )
    case "TokenExpired":
      return `cause ${event.cause}`
    case "TokenRevoked":
      return `by ${event.by}`
    case "TokenFailed":
      return Format.details(
        event.reason.kind,
        event.reason.providerCode !== undefined && `code ${event.reason.providerCode}`,
      )
  }
}

/** What a provider's callback says: `TokenIssued gate_tok_1 for req_1, card exp 03/2025`. */
export const providerEvent = (event: ProviderEvent): string => {
  switch (event._tag) {
    case "TokenIssued": {
      const request = event.requestRef === undefined ? "" : ` for ${Format.identifier(event.requestRef)}`
      const expiry = event.card?.expiry === undefined ? "" : `, card exp ${formatExpiry(event.card.expiry)}`
      return `TokenIssued ${Format.identifier(event.tokenId)}${request}${expiry}`
    }
    case "TokenRefused":
      return `TokenRefused for ${Format.identifier(event.requestRef)} (${event.reason.kind})`
    case "TokenRevoked":
    case "TokenExpired":
      return `${event._tag} ${Format.identifier(event.tokenId)}`
    case "TokenUsed":
      return `TokenUsed ${Format.identifier(event.tokenId)} by ${event.by}`
  }
}

const ignoredBecause: Record<Extract<ApplyOutcome, { _tag: "Ignored" }>["reason"], string> = {
  duplicate: "a delivery already applied",
  "no-change": "it repeats what the token already says",
  "already-final": "the token's life had already ended",
  "unknown-request": "no pending token awaits that request",
  "unknown-token": "no token matches it",
}

/** What applying a provider event did. */
export const applyOutcome = (outcome: ApplyOutcome): string => {
  if (outcome._tag === "Ignored") return `ignored (${outcome.reason}): ${ignoredBecause[outcome.reason]}`
  return `applied ${outcome.events.map((e) => e._tag).join(", ")}: ${token(outcome.token)}`
}

/** A use: where the token stands after it, and the provider's receipt when the provider was asked. */
export const useResult = (result: UseResult): string =>
  Format.details(
    status(result.token),
    uses(result.token),
    result.receipt !== undefined &&
      `receipt ${Format.identifier(result.receipt.providerReference ?? result.receipt.reference)} (${result.receipt.status})`,
  )
