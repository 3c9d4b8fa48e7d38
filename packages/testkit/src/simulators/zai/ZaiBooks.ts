/**
 * The simulator's books: per marketplace (one OAuth2 client), its users, the token auths issued
 * for them and the card and bank accounts created with those tokens, plus the access tokens the
 * issuer handed out. No card number, CVV or full bank account number is ever stored: a card is
 * kept as Zai shows it (`XXXX-XXXX-XXXX-1111`), a bank account with its numbers masked.
 *
 * The rules read the books and say what changes (`Changes`: records to put in, each replacing
 * the one with its key); only the ledger writes them, in place, so a write costs the same with
 * ten records as with a million, and every collection keeps the order records were first put in.
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

/** What the rules read. */
export interface Books {
  readonly accessTokens: ReadonlyMap<string, AccessTokenRecord>
  /** By `userKey(marketplace, id)`: a user id is the platform's own, unique within its marketplace. */
  readonly users: ReadonlyMap<string, UserRecord>
  readonly tokenAuths: ReadonlyMap<string, TokenAuthRecord>
  /** Account ids are UUIDs, unique across marketplaces. */
  readonly cardAccounts: ReadonlyMap<string, CardAccountRecord>
  readonly bankAccounts: ReadonlyMap<string, BankAccountRecord>
}

export const userKey = (marketplace: string, id: string): string => JSON.stringify([marketplace, id])

/** What an accepted request writes. */
export interface Changes {
  readonly accessTokens?: ReadonlyArray<AccessTokenRecord>
  readonly users?: ReadonlyArray<UserRecord>
  readonly tokenAuths?: ReadonlyArray<TokenAuthRecord>
  readonly cardAccounts?: ReadonlyArray<CardAccountRecord>
  readonly bankAccounts?: ReadonlyArray<BankAccountRecord>
}

export interface Ledger {
  readonly books: Books
  /** Puts the changed records in. Called in the same synchronous step as the rules that decided them. */
  readonly write: (changes: Changes) => void
}

export const makeLedger = (): Ledger => {
  const accessTokens = new Map<string, AccessTokenRecord>()
  const users = new Map<string, UserRecord>()
  const tokenAuths = new Map<string, TokenAuthRecord>()
  const cardAccounts = new Map<string, CardAccountRecord>()
  const bankAccounts = new Map<string, BankAccountRecord>()
  return {
    books: { accessTokens, users, tokenAuths, cardAccounts, bankAccounts },
    write: (changes) => {
      for (const record of changes.accessTokens ?? []) accessTokens.set(record.token, record)
      for (const record of changes.users ?? []) users.set(userKey(record.marketplace, record.id), record)
      for (const record of changes.tokenAuths ?? []) tokenAuths.set(record.token, record)
      for (const record of changes.cardAccounts ?? []) cardAccounts.set(record.id, record)
      for (const record of changes.bankAccounts ?? []) bankAccounts.set(record.id, record)
    },
  }
}

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
