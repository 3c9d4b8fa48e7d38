/**
 * What the KOMOJU model test expects, as plain data: the tokens the lifecycle should hold,
 * KOMOJU's own books (tokens, payments) and the webhooks KOMOJU sent. Written from KOMOJU's rules
 * (the provider notes and the adapter's README) and the design's lifecycle rules, never by
 * calling the domain's decider, the adapter or the simulator: a model that reuses the code under
 * test proves nothing about it.
 *
 * Owners and cards are indexes into the test's pools, so nothing here ever holds a card number.
 */

import { item } from "@token-lifecycle/testkit/ModelRun"

export const hour = 3_600_000
/** An unspent KOMOJU token lapses 24 hours after its creation. */
export const tokenLifetime = 24 * hour

export type Status = "Active" | "Used" | "Expired" | "Failed"

/** One token as the lifecycle should know it. */
export interface ModelToken {
  readonly owner: number
  readonly card: number
  status: Status
  uses: number
  /** KOMOJU's token behind it; none when its creation failed. */
  readonly entry: number | undefined
  /** The tags of the events its history must hold, in order. */
  readonly history: Array<string>
}

/** One token in KOMOJU's books. */
export interface KomojuEntry {
  readonly card: number
  /** When KOMOJU made it, to the millisecond. */
  readonly createdAt: number
  /** The idempotency key of the payment that spent it. */
  spentBy: string | undefined
}

export interface ModelPayment {
  /** The payment's idempotency key: the use's reference. */
  readonly key: string
  readonly entry: number
  readonly status: "captured" | "failed"
}

/** One signed webhook KOMOJU sent, about one payment. */
export interface ModelWebhook {
  readonly kind: "payment.captured" | "payment.failed"
  readonly payment: number
  /** Whether a delivery of it was judged against a token, so that a repeat is known as one. */
  recorded: boolean
}

export interface Model {
  now: number
  readonly tokens: Array<ModelToken>
  readonly entries: Array<KomojuEntry>
  readonly payments: Array<ModelPayment>
  readonly webhooks: Array<ModelWebhook>
}

export const empty = (now: number): Model => ({ now, tokens: [], entries: [], payments: [], webhooks: [] })

/** KOMOJU's `created_at` is to the second: the lifecycle's tokens count from it. */
export const issuedAt = (entry: KomojuEntry): number => Math.floor(entry.createdAt / 1000) * 1000

export const expiresAt = (m: Model, token: ModelToken): number | undefined =>
  token.entry === undefined ? undefined : issuedAt(item(m.entries, token.entry)) + tokenLifetime

/** An active token whose 24 hours are over, by the lifecycle's clock. */
export const lapsed = (m: Model, token: ModelToken): boolean =>
  token.status === "Active" && m.now >= (expiresAt(m, token) ?? Number.POSITIVE_INFINITY)

/** Whether KOMOJU still takes the token: unspent, and within 24 hours of its creation. */
export const usableAtKomoju = (m: Model, entry: KomojuEntry): boolean =>
  entry.spentBy === undefined && m.now < entry.createdAt + tokenLifetime

const recordExpiry = (token: ModelToken) => {
  token.status = "Expired"
  token.history.push("TokenExpired")
}

const refusalOfEnded: Record<Exclude<Status, "Active">, string> = {
  Used: "TokenAlreadyUsed",
  Expired: "TokenExpired",
  Failed: "TokenFailed",
}

/**
 * What came of one call to KOMOJU where faults can hide it: whether KOMOJU acted (made the token,
 * took the payment; at most once, whatever the retries), and the error the caller saw when no
 * attempt was answered. Without faults: acted, and no error.
 */
export interface CallResult {
  readonly processed: boolean
  readonly failure: string | undefined
  /** When KOMOJU made the token, for a token it made. */
  readonly createdAt: number
}

export const clean = (now: number): CallResult => ({ processed: true, failure: undefined, createdAt: now })

export interface Expectation {
  /** `ok`, or the tag of the typed failure. */
  readonly outcome: string
  /** Whether the command reaches KOMOJU: only then can faults change its outcome. */
  readonly asksKomoju: boolean
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

/** The lifecycle asks KOMOJU for a new token: every card entry is a new token (no deduplication). */
export const issue = (m: Model, owner: number, card: number, call: CallResult): Expectation => {
  const entry = call.processed ? m.entries.push({ card, createdAt: call.createdAt, spentBy: undefined }) - 1 : undefined
  const failed = call.failure !== undefined
  m.tokens.push({
    owner,
    card,
    status: failed ? "Failed" : "Active",
    uses: 0,
    // A token KOMOJU made whose answer was lost is KOMOJU's alone: nobody holds its id.
    entry: failed ? undefined : entry,
    history: ["TokenRequested", failed ? "TokenFailed" : "TokenIssued"],
  })
  return { outcome: call.failure ?? "ok", asksKomoju: true }
}

/** KOMOJU takes a payment with the token: approved, or declined by the card (the token is spent either way). */
const charge = (m: Model, entry: number, key: string, declines: boolean) => {
  item(m.entries, entry).spentBy = key
  m.payments.push({ key, entry, status: declines ? "failed" : "captured" })
  m.webhooks.push({
    kind: declines ? "payment.failed" : "payment.captured",
    payment: m.payments.length - 1,
    recorded: false,
  })
}

/** A payment with the token's id, at KOMOJU; `declines` when the card is one KOMOJU's test mode declines. */
const payAtKomoju = (m: Model, entry: number, key: string, declines: boolean, call: CallResult): Expectation => {
  if (!usableAtKomoju(m, item(m.entries, entry))) {
    // Spent or lapsed: KOMOJU refuses the token and takes no payment.
    return { outcome: call.failure ?? "ProviderValidationError", asksKomoju: true }
  }
  if (call.processed) charge(m, entry, key, declines)
  return { outcome: call.failure ?? (declines ? "ProviderDeclined" : "ok"), asksKomoju: true }
}

/**
 * A payment through the lifecycle. The use is claimed before KOMOJU hears of it: at most once,
 * even when KOMOJU refuses or never answers. An ended token says how it ended; then a stranger is
 * refused; then a lapsed token records its expiry.
 */
export const pay = (m: Model, index: number, byOwner: boolean, key: string, declines: boolean, call: CallResult) => {
  const token = item(m.tokens, index)
  if (token.status !== "Active") return { outcome: refusalOfEnded[token.status], asksKomoju: false }
  if (!byOwner) return { outcome: "WrongOwner", asksKomoju: false }
  if (lapsed(m, token)) {
    recordExpiry(token)
    return { outcome: "TokenExpired", asksKomoju: false }
  }
  token.status = "Used"
  token.uses += 1
  token.history.push("TokenUsed")
  return payAtKomoju(m, token.entry ?? -1, key, declines, call)
}

/** A payment with the token made elsewhere (another server), straight through the gateway: the lifecycle learns of it by webhook. */
export const payElsewhere = (m: Model, index: number, key: string, declines: boolean, call: CallResult) => {
  const token = item(m.tokens, index)
  if (token.entry === undefined) return undefined
  return payAtKomoju(m, token.entry, key, declines, call)
}

/** Record the expiry of every lapsed token; their indexes. */
export const expireDue = (m: Model): ReadonlyArray<number> => {
  const due = m.tokens.flatMap((token, i) => (lapsed(m, token) ? [i] : []))
  for (const i of due) recordExpiry(item(m.tokens, i))
  return due
}

/** What the webhook handler answers KOMOJU, and what the delivery did. */
export interface Receipt {
  readonly status: 200
  readonly outcome: "applied" | "duplicate" | "already-final" | "none"
}

/**
 * One delivery of a webhook. A failed payment spends nothing the lifecycle holds: nothing to
 * apply, every time. A captured one is its token's use: applied to an active token, judged
 * "already final" for a token used, expired or lapsed (news never records an expiry), and known
 * as a duplicate once judged, whatever came since (invariant 10).
 */
export const deliver = (m: Model, index: number): Receipt => {
  const webhook = item(m.webhooks, index)
  if (webhook.kind === "payment.failed") return { status: 200, outcome: "none" }
  if (webhook.recorded) return { status: 200, outcome: "duplicate" }
  webhook.recorded = true
  const entry = item(m.payments, webhook.payment).entry
  const token = m.tokens.find((t) => t.entry === entry)
  if (token === undefined) throw new Error(`no token holds KOMOJU token ${entry}`)
  if (token.status !== "Active" || lapsed(m, token)) return { status: 200, outcome: "already-final" }
  token.status = "Used"
  token.uses += 1
  token.history.push("TokenUsed")
  return { status: 200, outcome: "applied" }
}
