/**
 * The unique keys a stored token occupies while it is live. Every repository enforces the
 * same rule from the same function, so the in-memory store and a database agree:
 *
 * - `card/…`: one live token per (provider, account, owner, card fingerprint), for policies
 *   that deduplicate by card;
 * - `token/…`: one live token per provider token id;
 * - `request/…`: one pending token per accepted provider request.
 */
import { deduplicatesByCard } from "./Policy.js"
import { isLive, type Token } from "./Token.js"

const part = (value: string): string => encodeURIComponent(value)

export const cardKey = (provider: string, account: string, owner: string, fingerprint: string): string =>
  `card/${part(provider)}/${part(account)}/${part(owner)}/${part(fingerprint)}`

export const tokenIdKey = (provider: string, tokenId: string): string => `token/${part(provider)}/${part(tokenId)}`

export const requestKey = (provider: string, requestRef: string): string =>
  `request/${part(provider)}/${part(requestRef)}`

/** The unique keys `token` holds; none once its life has ended. */
export const uniqueKeysOf = (token: Token): ReadonlyArray<string> => {
  if (!isLive(token)) return []
  const provider = token.policy.provider
  const keys: Array<string> = []
  const fingerprint = token.card?.fingerprint
  if (fingerprint !== undefined && deduplicatesByCard(token.policy)) {
    keys.push(cardKey(provider, token.account, token.owner, fingerprint))
  }
  if (token.tokenId !== undefined) keys.push(tokenIdKey(provider, token.tokenId))
  if (token._tag === "Pending" && token.requestRef !== undefined) keys.push(requestKey(provider, token.requestRef))
  return keys
}
