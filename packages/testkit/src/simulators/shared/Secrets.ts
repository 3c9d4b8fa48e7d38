/**
 * Secrets a simulator is given (API keys, client and webhook secrets, a browser's card data),
 * plain or `Redacted` as the code under test holds them, and compared as a provider compares
 * them: in constant time.
 */
import { timingSafeEqual } from "node:crypto"
import * as Redacted from "effect/Redacted"

export type Secret = string | Redacted.Redacted<string>

/** The secret's text, for the simulator's own checks and signatures. */
export const reveal = (secret: Secret): string => (Redacted.isRedacted(secret) ? Redacted.value(secret) : secret)

/** Whether two texts are the same, in time that does not depend on where they differ. */
export const sameText = (a: string, b: string): boolean => {
  const left = Buffer.from(a, "utf8")
  const right = Buffer.from(b, "utf8")
  return left.length === right.length && timingSafeEqual(left, right)
}
