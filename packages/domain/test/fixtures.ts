import type { CardExpiry, MaskedCard } from "../src/Card.js"
import type { LifecycleEvent } from "../src/Event.js"
import { AccountRef, CardFingerprint, OwnerRef, TokenId, TokenKey, UseReference } from "../src/Identifiers.js"
import type { LifecyclePolicy } from "../src/Policy.js"
import type { TokenFacts } from "../src/Token.js"

export const T0 = Date.UTC(2026, 5, 1, 12, 0, 0)
export const minutes = (n: number) => n * 60_000
export const hours = (n: number) => n * 3_600_000

export const key = TokenKey.make("key-1")
export const owner = OwnerRef.make("cus_alice")
export const intruder = OwnerRef.make("cus_mallory")
export const account = AccountRef.make("acct_1")
export const tokenId = TokenId.make("tok_1")
export const ref = (s: string) => UseReference.make(s)
export const fingerprint = CardFingerprint.make("fp_card_a")
export const masked: MaskedCard = { bin: "411111", last4: "1111", length: 16, brand: "visa" }
export const expiry: CardExpiry = { month: 12, year: 2030 }

export const facts = (policy: LifecyclePolicy, overrides: Partial<TokenFacts> = {}): TokenFacts => ({
  key,
  policy,
  account,
  owner,
  type: "card",
  card: { masked, expiry, fingerprint },
  ...overrides,
})

export const requested = (policy: LifecyclePolicy, at = T0, overrides: Partial<TokenFacts> = {}): LifecycleEvent => ({
  _tag: "TokenRequested",
  key,
  at,
  token: facts(policy, overrides),
})
