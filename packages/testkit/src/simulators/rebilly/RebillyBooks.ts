/**
 * The simulator's books: tokens, payment instruments and transactions of one organization, as
 * Rebilly would keep them. No card number or CVV is ever stored: a card is known by its BIN, last
 * four digits, brand, expiry, a keyed digest and how the sandbox gateway will answer it.
 *
 * A token is single use and lives 30 minutes from its creation (rebilly.md §6): it is `used` from
 * its first redemption, `expired` from `createdAt + 30 min` if unused (so a token is no longer
 * usable at exactly 30:00, a choice: the boundary is unconfirmed), `unused` before.
 */
import * as Entries from "../shared/Entries.js"
import type { Brand, Decline } from "./RebillyCard.js"
import type { Scheme } from "./RebillyEndpoints.js"

export const tokenLifetimeMillis = 30 * 60 * 1000

/** How long a transaction's `requestId` stays taken ("unique within a 24-hour period"). */
export const requestIdWindowMillis = 24 * 60 * 60 * 1000

/** A contact (`ContactObject`) as accepted: plain JSON, no card data. */
export type Contact = Readonly<Record<string, unknown>>

export interface Card {
  readonly bin: string | null
  readonly last4: string | null
  readonly brand: Brand | undefined
  readonly expMonth: number
  readonly expYear: number
  /** Keyed digest of the number; `undefined` for a token minted without one. */
  readonly digest: string | undefined
  readonly decline: Decline | undefined
}

export interface TokenRecord {
  readonly id: string
  readonly card: Card
  readonly billingAddress: Contact | undefined
  readonly riskMetadata: unknown
  readonly createdAt: number
  readonly updatedAt: number
  readonly usedAt: number | undefined
  /** The payment instrument or transaction that used the token. */
  readonly usedBy: string | undefined
  /** The kind of credential that minted it. */
  readonly createdWith: Scheme
}

export type TokenState = "unused" | "used" | "expired"

export const expiresAt = (token: TokenRecord): number => token.createdAt + tokenLifetimeMillis

export const stateOf = (token: TokenRecord, now: number): TokenState =>
  token.usedAt !== undefined ? "used" : now >= expiresAt(token) ? "expired" : "unused"

export interface InstrumentRecord {
  readonly id: string
  readonly customerId: string
  readonly card: Card
  readonly billingAddress: Contact | undefined
  /** `active` once an approved transaction used it, `inactive` before. */
  readonly status: "active" | "inactive"
  readonly useAsBackup: boolean
  readonly customFields: unknown
  /** The token it was last created or updated from. */
  readonly token: string
  readonly createdAt: number
  readonly updatedAt: number
  readonly revision: number
}

export interface TransactionRecord {
  readonly id: string
  readonly requestId: string | undefined
  /** What the request asked for, to tell a retry (same request) from a clash (same `requestId`, other request). */
  readonly requestDigest: string
  readonly type: "sale" | "authorize" | "setup"
  readonly websiteId: string
  readonly customerId: string
  readonly currency: string
  readonly amount: number
  /** The token it was paid with, when paid with one. */
  readonly token: string | undefined
  readonly paymentInstrumentId: string
  /** The card paid with, as the instrument held it then. */
  readonly card: Card
  readonly billingAddress: Contact | undefined
  readonly result: "approved" | "declined"
  readonly decline: Decline | undefined
  readonly createdAt: number
}

export interface Books {
  /** In creation order. */
  readonly tokens: Entries.Entries<TokenRecord>
  readonly instruments: Entries.Entries<InstrumentRecord>
  /** `(customer, card digest)` → payment instrument: one instrument per card per customer. */
  readonly instrumentByCard: Entries.Entries<string>
  readonly transactions: Entries.Entries<TransactionRecord>
  /** `requestId` → transaction. */
  readonly transactionByRequestId: Entries.Entries<string>
}

export const empty: Books = {
  tokens: Entries.empty(),
  instruments: Entries.empty(),
  instrumentByCard: Entries.empty(),
  transactions: Entries.empty(),
  transactionByRequestId: Entries.empty(),
}

export const cardKey = (customerId: string, digest: string): string => JSON.stringify([customerId, digest])

export const withToken = (books: Books, token: TokenRecord): Books => ({
  ...books,
  tokens: Entries.set(books.tokens, token.id, token),
})

export const withInstrument = (books: Books, instrument: InstrumentRecord): Books => ({
  ...books,
  instruments: Entries.set(books.instruments, instrument.id, instrument),
  instrumentByCard:
    instrument.card.digest === undefined
      ? books.instrumentByCard
      : Entries.set(books.instrumentByCard, cardKey(instrument.customerId, instrument.card.digest), instrument.id),
})

export const withTransaction = (books: Books, transaction: TransactionRecord): Books => ({
  ...books,
  transactions: Entries.set(books.transactions, transaction.id, transaction),
  transactionByRequestId:
    transaction.requestId === undefined
      ? books.transactionByRequestId
      : Entries.set(books.transactionByRequestId, transaction.requestId, transaction.id),
})

/** A token as tests see it. */
export interface TokenView {
  readonly id: string
  readonly state: TokenState
  readonly createdAt: number
  readonly expiresAt: number
  readonly usedAt: number | undefined
  readonly usedBy: string | undefined
  readonly bin: string | null
  readonly last4: string | null
  readonly brand: Brand | undefined
  readonly hasBillingAddress: boolean
  readonly createdWith: Scheme
}

export const viewOf = (token: TokenRecord, now: number): TokenView => ({
  id: token.id,
  state: stateOf(token, now),
  createdAt: token.createdAt,
  expiresAt: expiresAt(token),
  usedAt: token.usedAt,
  usedBy: token.usedBy,
  bin: token.card.bin,
  last4: token.card.last4,
  brand: token.card.brand,
  hasBillingAddress: token.billingAddress !== undefined,
  createdWith: token.createdWith,
})
