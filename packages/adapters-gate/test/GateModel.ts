/**
 * What the Gate model test expects, as plain data: the tokens the lifecycle should hold, Gate's
 * own books (tokens, payments) and the callbacks Gate sent. Written from Gate's rules (the
 * provider notes and the adapter's README) and the design's lifecycle rules, never by calling
 * the domain's decider, the adapter or the simulator: a model that reuses the code under test
 * proves nothing about it.
 *
 * Customers and cards are indexes into the test's pools, so nothing here ever holds a card number.
 */

import { item } from "@token-lifecycle/testkit/ModelRun"

export interface Expiry {
  readonly month: number
  readonly year: number
}

/** The first instant a card is no longer valid: the start of the month after the printed one (UTC). */
export const cardEnd = (expiry: Expiry): number => Date.UTC(expiry.year, expiry.month, 1)

export const sameExpiry = (a: Expiry, b: Expiry): boolean => a.month === b.month && a.year === b.year

export const formatExpiry = (expiry: Expiry): string => `${String(expiry.month).padStart(2, "0")}/${expiry.year}`

/** An instant known only within bounds: when faults make a call retry, Gate acts at one of its attempts. */
export interface Window {
  readonly from: number
  readonly to: number
}

export type Status = "Pending" | "Active" | "Expired" | "Revoked" | "Failed"
export type EndCause = "card-expiry" | "revoked-by-merchant" | "revoked-by-provider" | "refused-by-provider"

/** One token as the lifecycle should know it. */
export interface ModelToken {
  readonly customer: number
  readonly card: number
  expiry: Expiry
  status: Status
  uses: number
  /** Gate's token behind it, once Gate has made one for its request. */
  entry: number | undefined
  /** Whether the lifecycle knows Gate's token id: the answer to its request has been applied. */
  issued: boolean
  /** The callback answering its tokenize request; `undefined` when Gate never acknowledged one. */
  awaits: number | undefined
  endCause: EndCause | undefined
  /** The tags of the events its history must hold, in order. */
  readonly history: Array<string>
}

/** One token in Gate's books: one per card per customer while it is active. */
export interface GateEntry {
  readonly customer: number
  readonly card: number
  expiry: Expiry
  revoked: boolean
  readonly created: Window
}

export type CallbackKind = "tokenize" | "revoke" | "payment"

/** One signed callback Gate sent. */
export interface ModelCallback {
  readonly kind: CallbackKind
  readonly entry: number
  /** The card's expiry the callback carries: Gate's, when it was sent. */
  readonly expiry: Expiry
  /** Whether a delivery of it changed the lifecycle, so that a repeat is recognised as one. */
  recorded: boolean
  /** Whether a delivery of it was answered 200: Gate will not send it again by itself. */
  answered: boolean
}

export interface ModelPayment {
  readonly paymentId: string
  readonly entry: number
  readonly customer: number
}

export interface Model {
  now: number
  readonly tokens: Array<ModelToken>
  readonly entries: Array<GateEntry>
  readonly callbacks: Array<ModelCallback>
  readonly payments: Array<ModelPayment>
}

export const empty = (now: number): Model => ({ now, tokens: [], entries: [], callbacks: [], payments: [] })

export const isLive = (token: ModelToken): boolean => token.status === "Pending" || token.status === "Active"

/** Gate tokens live until the card's printed month is over. */
export const lapsed = (m: Model, token: ModelToken): boolean =>
  token.status === "Active" && m.now >= cardEnd(token.expiry)

/** Any command meeting a lapsed token records its expiry first. */
const recordExpiry = (token: ModelToken) => {
  token.status = "Expired"
  token.endCause = "card-expiry"
  token.history.push("TokenExpired")
}

const refusalOfEnded: Record<"Expired" | "Revoked" | "Failed", string> = {
  Expired: "TokenExpired",
  Revoked: "TokenRevoked",
  Failed: "TokenFailed",
}

// ---------------------------------------------------------------------------
// Gate's side
// ---------------------------------------------------------------------------

export const gateStatus = (m: Model, entry: GateEntry): "active" | "revoke" | "expiry" => {
  if (entry.revoked) return "revoke"
  return m.now >= cardEnd(entry.expiry) ? "expiry" : "active"
}

/** Gate tokenizes: the card's current token while it is active, with the new expiry; a new token otherwise. */
const gateTokenize = (m: Model, customer: number, card: number, expiry: Expiry, created: Window): number => {
  let current = -1
  m.entries.forEach((e, i) => {
    if (e.customer === customer && e.card === card) current = i
  })
  const entry = m.entries[current]
  if (entry !== undefined && gateStatus(m, entry) === "active") {
    entry.expiry = expiry
    return current
  }
  m.entries.push({ customer, card, expiry, revoked: false, created })
  return m.entries.length - 1
}

const send = (m: Model, kind: CallbackKind, entry: number): number => {
  m.callbacks.push({ kind, entry, expiry: item(m.entries, entry).expiry, recorded: false, answered: false })
  return m.callbacks.length - 1
}

/**
 * What came of one call to Gate, where faults can hide it: how many of its attempts Gate
 * processed (each tokenize attempt it processes sends a callback; a payment id is taken once),
 * and the error the lifecycle saw when no attempt was answered. Without faults: one, and none.
 */
export interface CallResult {
  readonly processed: number
  readonly failure: string | undefined
  /** When Gate may have processed it. */
  readonly window: Window
}

export const clean = (now: number): CallResult => ({ processed: 1, failure: undefined, window: { from: now, to: now } })

export interface Expectation {
  /** `ok`, or the tag of the typed failure. */
  readonly outcome: string
  /** The token the command returns, by index. */
  readonly token?: number
  /** Whether the command reaches Gate: only then can faults change its outcome. */
  readonly asksGate: boolean
  /** Gate's status of a token it is asked to use while the lifecycle holds it usable, when that is not `active`. */
  readonly gateRefuses?: "revoke" | "expiry"
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

/**
 * Tokenize a card for a customer. One live token per (customer, card): a pending one is the
 * answer as it is; an active one with the same expiry too; with another expiry Gate is asked
 * again (it keeps the token and takes the new expiry) and the lifecycle refreshes the expiry.
 * A lapsed token ends, and the card starts a new token. A card past its month never reaches Gate.
 */
export const tokenize = (m: Model, customer: number, card: number, expiry: Expiry, call: CallResult): Expectation => {
  const live = m.tokens.findIndex((t) => isLive(t) && t.customer === customer && t.card === card)
  const current = m.tokens[live]
  if (current !== undefined) {
    if (current.status === "Pending") return { outcome: "ok", token: live, asksGate: false }
    if (lapsed(m, current)) recordExpiry(current)
    else {
      if (m.now >= cardEnd(expiry)) return { outcome: "CardExpired", asksGate: false }
      if (sameExpiry(current.expiry, expiry)) return { outcome: "ok", token: live, asksGate: false }
      for (let i = 0; i < call.processed; i++) send(m, "tokenize", gateTokenize(m, customer, card, expiry, call.window))
      if (call.failure !== undefined) {
        // The outcome is unknown: the lifecycle reads the token back from Gate and records the expiry Gate holds.
        const held = current.entry === undefined ? undefined : item(m.entries, current.entry).expiry
        if (held !== undefined && !sameExpiry(held, current.expiry) && m.now < cardEnd(held)) {
          current.expiry = held
          current.history.push("TokenExpiryRefreshed")
        }
        return { outcome: call.failure, asksGate: true }
      }
      current.expiry = expiry
      current.history.push("TokenExpiryRefreshed")
      return { outcome: "ok", token: live, asksGate: true }
    }
  }
  if (m.now >= cardEnd(expiry)) return { outcome: "CardExpired", asksGate: false }
  const token: ModelToken = {
    customer,
    card,
    expiry,
    status: "Pending",
    uses: 0,
    entry: undefined,
    issued: false,
    awaits: undefined,
    endCause: undefined,
    history: ["TokenRequested"],
  }
  m.tokens.push(token)
  for (let i = 0; i < call.processed; i++) {
    token.entry = gateTokenize(m, customer, card, expiry, call.window)
    // The attempt answered last is the one whose request the lifecycle records.
    token.awaits = send(m, "tokenize", token.entry)
  }
  if (call.failure !== undefined) {
    token.awaits = undefined
    token.status = "Failed"
    token.endCause = "refused-by-provider"
    token.history.push("TokenFailed")
    return { outcome: call.failure, token: m.tokens.length - 1, asksGate: true }
  }
  token.history.push("TokenRequestAcknowledged")
  return { outcome: "ok", token: m.tokens.length - 1, asksGate: true }
}

/**
 * A purchase with the token. Who asks is checked first, then its time; the use is on record
 * before Gate hears of it, so a purchase Gate never confirms still counts as a use.
 */
export const purchase = (
  m: Model,
  index: number,
  byOwner: boolean,
  paymentId: string,
  call: CallResult,
): Expectation => {
  const token = item(m.tokens, index)
  if (token.status === "Pending") return { outcome: "TokenNotActive", asksGate: false }
  if (token.status !== "Active") return { outcome: refusalOfEnded[token.status], asksGate: false }
  if (!byOwner) return { outcome: "WrongOwner", asksGate: false }
  if (lapsed(m, token)) {
    recordExpiry(token)
    return { outcome: "TokenExpired", asksGate: false }
  }
  token.uses += 1
  token.history.push("TokenUsed")
  const entry = item(m.entries, token.entry ?? -1)
  const atGate = gateStatus(m, entry)
  if (atGate !== "active") return { outcome: "ProviderDeclined", asksGate: true, gateRefuses: atGate }
  if (call.processed > 0) {
    m.payments.push({ paymentId, entry: token.entry ?? -1, customer: entry.customer })
    send(m, "payment", token.entry ?? -1)
  }
  return { outcome: call.failure ?? "ok", asksGate: true }
}

/** Revoke at Gate, then on record; Gate confirms with a callback. */
export const revoke = (m: Model, index: number): Expectation => {
  const token = item(m.tokens, index)
  if (token.status === "Pending") return { outcome: "TokenNotActive", asksGate: false }
  if (token.status !== "Active") return { outcome: refusalOfEnded[token.status], asksGate: false }
  if (lapsed(m, token)) {
    recordExpiry(token)
    return { outcome: "TokenExpired", asksGate: false }
  }
  const entry = token.entry ?? -1
  item(m.entries, entry).revoked = true
  send(m, "revoke", entry)
  token.status = "Revoked"
  token.endCause = "revoked-by-merchant"
  token.history.push("TokenRevoked")
  return { outcome: "ok", asksGate: true }
}

/** Record the expiry of every lapsed token; their indexes. */
export const expireDue = (m: Model): ReadonlyArray<number> => {
  const due = m.tokens.flatMap((token, i) => (lapsed(m, token) ? [i] : []))
  for (const i of due) recordExpiry(item(m.tokens, i))
  return due
}

/** What the callback handler answers Gate, and what the delivery did to the lifecycle. */
export interface Receipt {
  readonly status: 200 | 503
  readonly outcome: "applied" | "duplicate" | "no-change" | "already-final" | "unknown-request" | "unknown-token"
}

/** The token a callback is about: the one whose request it answers, else the one holding Gate's token. */
const targetOf = (m: Model, index: number): number | undefined => {
  const answered = m.tokens.findIndex((t) => t.awaits === index)
  if (answered >= 0) return answered
  const entry = item(m.callbacks, index).entry
  const holders = m.tokens.flatMap((t, i) => (t.issued && t.entry === entry ? [i] : []))
  return holders.find((i) => isLive(item(m.tokens, i))) ?? holders.at(-1)
}

/**
 * One delivery of a callback. What it does depends on the token it reaches, never on how often
 * or in which order callbacks came (invariant 10):
 *
 * - the answer to a pending token's request issues the token;
 * - the answer to any other tokenize request (a refresh, an attempt whose answer was lost) tells
 *   nothing new; while no token holds Gate's token yet it is answered 503, so Gate sends it again;
 * - a revocation the lifecycle did not make ends the token;
 * - a payment's card expiry never changes a token already held: the news may be stale;
 * - a lapsed or ended token takes no news, and news does not record its expiry;
 * - a callback judged before (answered 200) changes nothing when it comes again, whatever time
 *   has done to its token since: only its first delivery counts.
 */
export const deliver = (m: Model, index: number): Receipt => {
  const callback = item(m.callbacks, index)
  if (callback.recorded) return { status: 200, outcome: "duplicate" }
  const { receipt, apply } = judge(m, index)
  if (!callback.answered) apply()
  if (receipt.status === 200) callback.answered = true
  // Every delivery judged against a token is noted, so its repeats are known as such.
  if (receipt.status === 200 && receipt.outcome !== "unknown-token") callback.recorded = true
  return receipt
}

const judge = (m: Model, index: number): { readonly receipt: Receipt; readonly apply: () => void } => {
  const callback = item(m.callbacks, index)
  const unchanged = (outcome: Receipt["outcome"], status: Receipt["status"] = 200) => ({
    receipt: { status, outcome },
    apply: () => {},
  })
  const target = targetOf(m, index)
  if (target === undefined)
    return unchanged(
      callback.kind === "tokenize" ? "unknown-request" : "unknown-token",
      callback.kind === "tokenize" ? 503 : 200,
    )
  const token = item(m.tokens, target)
  const applied = (change: () => void) => ({
    receipt: { status: 200, outcome: "applied" } as const,
    apply: () => {
      change()
      callback.recorded = true
    },
  })
  if (token.status === "Pending") {
    return applied(() => {
      token.status = "Active"
      token.issued = true
      token.history.push("TokenIssued")
    })
  }
  if (token.status !== "Active") return unchanged("already-final")
  // Provider news never records an expiry: its outcome must not depend on when it is delivered.
  if (lapsed(m, token)) return unchanged("already-final")
  switch (callback.kind) {
    case "tokenize":
      return unchanged("no-change")
    case "revoke":
      return applied(() => {
        token.status = "Revoked"
        token.endCause = "revoked-by-provider"
        token.history.push("TokenRevoked")
      })
    case "payment":
      // A token already held keeps its expiry: provider news of one can be stale.
      return unchanged("no-change")
  }
}
