/**
 * The simulator's books: per marketplace (one OAuth2 client), its users, the token auths issued
 * for them and the card and bank accounts created with those tokens, plus the access tokens the
 * issuer handed out. No card number, CVV or full bank account number is ever stored: a card is
 * kept as Zai shows it (`XXXX-XXXX-XXXX-1111`), a bank account with its numbers masked.
 */

export type TokenType = "card" | "bank"

export interface AccessTokenRecord {
  readonly token: string
  readonly clientId: string
  readonly issuedAt: number
  readonly expiresAt: number
}

export interface UserRecord {
  readonly marketplace: string
  readonly id: string
  readonly firstName: string
  readonly lastName: string
  readonly email: string
  /** ISO 3166-1 alpha-3; answered as `location`. */
  readonly country: string
  readonly mobile?: string
  /** Whether a date of birth or government number was given: Zai answers `encrypted`, never the value. */
  readonly hasDob: boolean
  readonly hasGovernmentNumber: boolean
  readonly customDescriptor?: string
  readonly addressId: string
  readonly createdAt: number
}

export interface TokenAuthRecord {
  readonly token: string
  readonly marketplace: string
  readonly userId: string
  readonly type: TokenType
  readonly issuedAt: number
  readonly expiresAt: number
  /** Set by the first account created with the token: it serves once. */
  readonly usedAt?: number
  readonly accountId?: string
}

export interface CardAccountRecord {
  readonly id: string
  readonly marketplace: string
  readonly userId: string
  /** The brand, as Zai's `card.type`. */
  readonly brand: string
  readonly fullName: string
  /** `XXXX-XXXX-XXXX-1111`. */
  readonly masked: string
  readonly expiryMonth: string
  readonly expiryYear: string
  readonly currency: string
  readonly createdAt: number
  readonly updatedAt: number
  readonly active: boolean
  /** The token auth the browser created it with; absent for a platform's own `POST /card_accounts`. */
  readonly tokenAuth?: string
}

export type AccountType = "savings" | "checking"
export type HolderType = "personal" | "business"

export interface BankAccountRecord {
  readonly id: string
  readonly marketplace: string
  readonly userId: string
  readonly bankName: string
  readonly accountName: string
  /** `XXXXX3`: only the last character shown. */
  readonly routingNumber: string
  /** `XXX234`: only the last three characters shown. */
  readonly accountNumber: string
  readonly accountType: AccountType
  readonly holderType: HolderType
  readonly country: string
  readonly currency: string
  readonly payoutCurrency?: string
  readonly createdAt: number
  readonly updatedAt: number
  readonly active: boolean
  readonly tokenAuth?: string
}

export interface Books {
  readonly accessTokens: ReadonlyMap<string, AccessTokenRecord>
  /** By `userKey(marketplace, id)`: a user id is the platform's own, unique within its marketplace. */
  readonly users: ReadonlyMap<string, UserRecord>
  readonly tokenAuths: ReadonlyMap<string, TokenAuthRecord>
  /** Account ids are UUIDs, unique across marketplaces. */
  readonly cardAccounts: ReadonlyMap<string, CardAccountRecord>
  readonly bankAccounts: ReadonlyMap<string, BankAccountRecord>
}

export const empty: Books = {
  accessTokens: new Map(),
  users: new Map(),
  tokenAuths: new Map(),
  cardAccounts: new Map(),
  bankAccounts: new Map(),
}

export const userKey = (marketplace: string, id: string): string => JSON.stringify([marketplace, id])

export type TokenAuthStatus = "active" | "used" | "expired"

/** Used wins over expired: a token that served stays `used`. */
export const tokenAuthStatus = (record: TokenAuthRecord, now: number): TokenAuthStatus => {
  if (record.usedAt !== undefined) return "used"
  return now >= record.expiresAt ? "expired" : "active"
}

/** A token auth as the control service shows it. */
export interface TokenAuthView extends TokenAuthRecord {
  readonly status: TokenAuthStatus
}

export const tokenAuthView = (record: TokenAuthRecord, now: number): TokenAuthView => ({
  ...record,
  status: tokenAuthStatus(record, now),
})
