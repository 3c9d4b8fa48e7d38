/**
 * What differs between providers, as data, so that one lifecycle machine serves them all.
 *
 * A policy travels inside the first event of every token, so the audit trail records the
 * exact rules a token lived under.
 */
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import { ProviderId } from "./Identifiers.js"

const Millis = Schema.Number.pipe(Schema.int(), Schema.positive())

/** Milliseconds from issue until a token of each type lapses; `null` when it does not lapse with time. */
export const TimeToLive = Schema.Struct({
  card: Schema.NullOr(Millis),
  bank: Schema.NullOr(Millis),
  other: Schema.NullOr(Millis),
})
export type TimeToLive = typeof TimeToLive.Type

export const LifecyclePolicy = Schema.Struct({
  /** A readable name for tables and logs. */
  name: Schema.String,
  provider: ProviderId,
  /** How many uses a token allows; `null` for unlimited. */
  maxUses: Schema.NullOr(Schema.Int.pipe(Schema.positive())),
  timeToLive: TimeToLive,
  /** Whether a token dies with the card's printed expiry. */
  endsWithCardExpiry: Schema.Boolean,
  /** Whether the merchant can revoke a token at the provider. */
  revocable: Schema.Boolean,
  /** What the provider does when the same card comes back for the same owner. */
  sameCard: Schema.Literal("new-token", "refresh-expiry"),
  /** Whether the provider's answer to issuance is the token itself or a later callback. */
  answer: Schema.Literal("synchronous", "asynchronous"),
})
export type LifecyclePolicy = typeof LifecyclePolicy.Type

const provider = (name: string) => ProviderId.make(name)
const millis = (input: Duration.DurationInput): number => Duration.toMillis(Duration.decode(input))
const sameForAll = (ttl: number | null): TimeToLive => ({ card: ttl, bank: ttl, other: ttl })

export interface ZaiPolicyOptions {
  /** Lifetime assumed for card token auths, which Zai does not document. Default: 2 hours, as for bank tokens. */
  readonly cardTimeToLive?: Duration.DurationInput
  /** Lifetime of bank token auths. Zai documents 2 hours (or until a bank account is added). */
  readonly bankTimeToLive?: Duration.DurationInput
}

/**
 * Zai token auth: one use (the account added with it), bound to one user and one type,
 * no expiry in the answer, so the lifetime comes from here.
 */
export const zai = (options: ZaiPolicyOptions = {}): LifecyclePolicy => ({
  name: "zai",
  provider: provider("zai"),
  maxUses: 1,
  timeToLive: {
    card: millis(options.cardTimeToLive ?? "2 hours"),
    bank: millis(options.bankTimeToLive ?? "2 hours"),
    other: null,
  },
  endsWithCardExpiry: false,
  revocable: false,
  sameCard: "new-token",
  answer: "synchronous",
})

/**
 * ECommPay Gate: unlimited uses until the card's expiry, revocable, one token per card per
 * customer (the same card again refreshes the expiry), answered by signed callback.
 */
export const gate: LifecyclePolicy = {
  name: "gate",
  provider: provider("gate"),
  maxUses: null,
  timeToLive: sameForAll(null),
  endsWithCardExpiry: true,
  revocable: true,
  sameCard: "refresh-expiry",
  answer: "asynchronous",
}

/** Rebilly: single use, 30 minutes from creation, not revocable, a new token for every card entry. */
export const rebilly: LifecyclePolicy = {
  name: "rebilly",
  provider: provider("rebilly"),
  maxUses: 1,
  timeToLive: sameForAll(millis("30 minutes")),
  endsWithCardExpiry: false,
  revocable: false,
  sameCard: "new-token",
  answer: "synchronous",
}

/** KOMOJU: single use, 24 hours unused, not revocable, a new token for every card entry. */
export const komoju: LifecyclePolicy = {
  name: "komoju",
  provider: provider("komoju"),
  maxUses: 1,
  timeToLive: sameForAll(millis("24 hours")),
  endsWithCardExpiry: false,
  revocable: false,
  sameCard: "new-token",
  answer: "synchronous",
}

/**
 * A KOMOJU customer: the long-term form a single-use KOMOJU token is converted into
 * (`POST /customers`). Pays again and again, does not lapse with time (the merchant replaces its
 * card rather than KOMOJU ending it), deleted by the merchant (`DELETE /customers/{id}`), a new
 * customer for every conversion, and in the answer.
 */
export const komojuCustomer: LifecyclePolicy = {
  name: "komoju-customer",
  provider: provider("komoju"),
  maxUses: null,
  timeToLive: sameForAll(null),
  endsWithCardExpiry: false,
  revocable: true,
  sameCard: "new-token",
  answer: "synchronous",
}

/** Whether tokens under this policy are deduplicated by card (at most one live token per card). */
export const deduplicatesByCard = (policy: LifecyclePolicy): boolean => policy.sameCard === "refresh-expiry"
