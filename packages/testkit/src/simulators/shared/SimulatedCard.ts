/**
 * What a simulator needs to know about a card number, written here rather than borrowed from
 * the domain (a simulator follows the provider's rules, not the code under test): the Luhn
 * check, the `first6******last4` masked form, the network from the number's prefix, the end of
 * a card's validity, and a keyed digest so a simulator's books hold no card number at all.
 */
import { createHmac } from "node:crypto"

/** The Luhn (mod 10) checksum over a string of digits. */
export const luhn = (digits: string): boolean => {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

/** A plausible card number: 12 to 19 digits passing the Luhn check. */
export const isCardNumber = (pan: string): boolean => /^[0-9]{12,19}$/.test(pan) && luhn(pan)

/** `400002******1488`: the only form of a card number the simulator ever writes. */
export const mask = (pan: string): string => `${pan.slice(0, 6)}******${pan.slice(-4)}`

/** The card network, from the number's prefix: `visa`, `mastercard`, `amex`, `jcb`, `unionpay`, else `card`. */
export const brand = (pan: string): string => {
  if (pan.startsWith("4")) return "visa"
  const two = Number(pan.slice(0, 2))
  const four = Number(pan.slice(0, 4))
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return "mastercard"
  if (two === 34 || two === 37) return "amex"
  if (four >= 3528 && four <= 3589) return "jcb"
  if (pan.startsWith("62")) return "unionpay"
  return "card"
}

/** A card is valid through the last day of its expiry month (UTC): this is the first instant it is not. */
export const validUntil = (month: number, year: number): number => Date.UTC(year, month, 1)

/** A keyed digest of the card number, so one card maps to one token without the books keeping the number. */
export const digest = (pan: string, key: string): string => createHmac("sha256", key).update(pan).digest("hex")
