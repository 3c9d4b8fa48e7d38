/**
 * The simulator's books: the tokens and payments of every project, as Gate would keep them.
 * No card number is ever stored: a card is known by a keyed digest, its masked form, its
 * holder and its expiry.
 */
import * as SimulatedCard from "../shared/SimulatedCard.js"
import type { PaymentEndpoint } from "./GateEndpoints.js"

export type TokenStatus = "active" | "revoke" | "expiry"

export interface TokenRecord {
  readonly token: string
  readonly projectId: number
  readonly customerId: string
  readonly cardDigest: string
  readonly masked: string
  readonly brand: string
  readonly holder: string
  readonly expMonth: number
  readonly expYear: number
  readonly createdAt: number
  readonly revokedAt?: number
}

export interface PaymentRecord {
  readonly projectId: number
  readonly paymentId: string
  readonly endpoint: PaymentEndpoint
  readonly token: string
  readonly customerId: string
  readonly amount?: number
  readonly currency?: string
  readonly operationId: number
  readonly requestId: string
  readonly acceptedAt: number
}

export interface Books {
  /** By token. */
  readonly tokens: ReadonlyMap<string, TokenRecord>
  /** `(project, customer, card digest)` → the card's current token: one token per card per customer per project. */
  readonly byCard: ReadonlyMap<string, string>
  /** By `(project, payment id)`: a payment id is unique within its project. */
  readonly payments: ReadonlyMap<string, PaymentRecord>
  readonly operations: number
}

export const empty: Books = { tokens: new Map(), byCard: new Map(), payments: new Map(), operations: 0 }

export const cardKey = (projectId: number, customerId: string, cardDigest: string): string =>
  JSON.stringify([projectId, customerId, cardDigest])

export const paymentKey = (projectId: number, paymentId: string): string => JSON.stringify([projectId, paymentId])

/** Revoked wins over expired: a revoked token stays `revoke` whatever its card's expiry. */
export const statusOf = (record: TokenRecord, now: number): TokenStatus => {
  if (record.revokedAt !== undefined) return "revoke"
  return now >= SimulatedCard.validUntil(record.expMonth, record.expYear) ? "expiry" : "active"
}

/** A token as the control service shows it. */
export interface TokenView {
  readonly token: string
  readonly projectId: number
  readonly customerId: string
  readonly status: TokenStatus
  readonly masked: string
  readonly holder: string
  readonly expMonth: number
  readonly expYear: number
  readonly createdAt: number
}

export const viewOf = (record: TokenRecord, now: number): TokenView => ({
  token: record.token,
  projectId: record.projectId,
  customerId: record.customerId,
  status: statusOf(record, now),
  masked: record.masked,
  holder: record.holder,
  expMonth: record.expMonth,
  expYear: record.expYear,
  createdAt: record.createdAt,
})
