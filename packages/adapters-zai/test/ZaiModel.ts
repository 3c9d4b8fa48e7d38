/**
 * What the Zai adapter, its token-auth manager, its webhook handler and the lifecycle should do,
 * as plain data, written from the rules alone (provider notes, `Policy.zai`, the session and
 * webhook rules of the adapter's README), never by calling the code under test. `model.test.ts`
 * runs the real system beside it and compares after every command.
 *
 * Times are the one clock both sides share. Keys and Zai's ids are learnt from the real system
 * the first time they appear (the model says when a new one must appear, not what it is).
 */
export type TokenType = "card" | "bank"

export const users = ["buyer-a", "buyer-b"] as const
export const sessions = ["checkout-1", "checkout-2"] as const
export const minute = 60_000
/** `Policy.zai()` and the simulator agree: two hours for both types. */
export const lifetime = 120 * minute
/** `ZaiConfig`'s default safety margin for token auths. */
export const safetyMargin = 15 * minute
/** An access token lives 60 minutes and is replaced 5 minutes before (`ZaiConfig` defaults). */
export const accessTokenUsableFor = 55 * minute

export interface TokenAuth {
  readonly user: number
  readonly type: TokenType
  readonly issuedAt: number
  /** Spent at Zai: an account was added with it. */
  zaiUsed: boolean
  /** The lifecycle's status. */
  status: "Active" | "Used" | "Expired"
  /** The account recorded as its use. */
  reference?: number
}

export interface AddedAccount {
  readonly user: number
  readonly type: TokenType
  readonly createdAt: number
  /** Its webhook is waiting to be delivered. */
  pending: boolean
}

export interface Model {
  now: number
  readonly tokens: Array<TokenAuth>
  /** Which token each session slot holds: `user/type/session` → token index. */
  readonly slots: Map<string, number>
  readonly accounts: Array<AddedAccount>
  /** When the adapter stops using its access token, and whether Zai has revoked it before then. */
  accessUntil: number
  accessRevoked: boolean
  oauthRequests: number
}

/** After the setup: two users created, one access token fetched for it. */
export const initial = (now: number): Model => ({
  now,
  tokens: [],
  slots: new Map(),
  accounts: [],
  accessUntil: now + accessTokenUsableFor,
  accessRevoked: false,
  oauthRequests: 1,
})

export const slotOf = (user: number, type: TokenType, session: number) => `${user}/${type}/${session}`

export const expiresAt = (token: TokenAuth) => token.issuedAt + lifetime

/** A command that reaches the core API: the access token is replaced when it is due or was refused. */
export const callsCore = (m: Model): void => {
  if (m.accessRevoked || m.now >= m.accessUntil) {
    m.oauthRequests++
    m.accessUntil = m.now + accessTokenUsableFor
    m.accessRevoked = false
  }
}

/** A session asks for its token auth: the index of the token handed out, and whether it is new. */
export const ask = (m: Model, user: number, type: TokenType, session: number): { index: number; fresh: boolean } => {
  const slot = slotOf(user, type, session)
  const held = m.slots.get(slot)
  const token = held === undefined ? undefined : m.tokens[held]
  if (held !== undefined && token?.status === "Active" && m.now < expiresAt(token) - safetyMargin) {
    return { index: held, fresh: false }
  }
  callsCore(m)
  m.tokens.push({ user, type, issuedAt: m.now, zaiUsed: false, status: "Active" })
  m.slots.set(slot, m.tokens.length - 1)
  return { index: m.tokens.length - 1, fresh: true }
}

/** The browser adds an account of `type` with token `index`: the outcome's tag, `ok` or Zai's refusal. */
export const browserAdds = (m: Model, index: number, type: TokenType): string => {
  const token = m.tokens[index] as TokenAuth
  if (token.zaiUsed || m.now >= expiresAt(token) || token.type !== type) return "ZaiBrowserRefusal"
  token.zaiUsed = true
  m.accounts.push({ user: token.user, type, createdAt: m.now, pending: true })
  return "ok"
}

/** The browser's answer: account `account` claimed as a `claimed` account for token `index`. */
export const record = (m: Model, index: number, account: number, claimed: TokenType): string => {
  callsCore(m)
  const added = m.accounts[account] as AddedAccount
  // A bank account's id is no card account's: Zai answers 401 "not authorized to access that record".
  if (added.type !== claimed) return "ProviderNotFound"
  const token = m.tokens[index] as TokenAuth
  if (token.status === "Used") return "TokenAlreadyUsed"
  if (token.status === "Expired") return "TokenExpired"
  if (added.user !== token.user) return "WrongOwner"
  if (added.type !== token.type) return "WrongTokenType"
  if (m.now >= expiresAt(token)) {
    token.status = "Expired"
    return "TokenExpired"
  }
  token.status = "Used"
  token.reference = account
  return "ok"
}

/** The tokens the sessions hold now. */
const held = (m: Model): ReadonlyArray<number> => [...m.slots.values()]

/** Zai delivers every pending account webhook: each is the use of the one held token that fits, if one does. */
export const deliver = (m: Model): void => {
  const pending = m.accounts.flatMap((account, i) => (account.pending ? [i] : []))
  if (pending.length === 0) return
  callsCore(m)
  for (const i of pending) {
    const account = m.accounts[i] as AddedAccount
    account.pending = false
    const mine = held(m).filter((t) => {
      const token = m.tokens[t] as TokenAuth
      return token.user === account.user && token.type === account.type
    })
    if (mine.some((t) => m.tokens[t]?.reference === i)) continue
    const fitting = mine.filter((t) => (m.tokens[t] as TokenAuth).issuedAt <= account.createdAt)
    const [only] = fitting
    if (only === undefined || fitting.length > 1) continue
    const token = m.tokens[only] as TokenAuth
    // Provider news about a spent or lapsed token changes nothing, and never records a lazy expiry.
    if (token.status === "Active" && m.now < expiresAt(token)) {
      token.status = "Used"
      token.reference = i
    }
  }
}

/** The expiry sweep: every active token past its time is recorded expired; their indices. */
export const sweep = (m: Model): ReadonlyArray<number> =>
  m.tokens.flatMap((token, i) => {
    if (token.status !== "Active" || m.now < expiresAt(token)) return []
    token.status = "Expired"
    return [i]
  })

/** Zai's own view of a token auth. */
export const zaiStatus = (m: Model, token: TokenAuth): "active" | "used" | "expired" =>
  token.zaiUsed ? "used" : m.now >= expiresAt(token) ? "expired" : "active"
