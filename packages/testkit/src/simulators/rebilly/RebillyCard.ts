/**
 * What the simulator learns from a card number when a token is minted, so that nothing after
 * that needs the number: its brand as Rebilly names it (`PaymentCardBrand`) and how
 * Rebilly's sandbox gateway (TestProcessor) answers a transaction with it: its documented decline
 * cards, a CVV of all zeros ("Decline for CVV2 failure") and the expiry 10/2051 ("Expired card").
 * The Luhn check, the keyed digest and a card's end of validity are the shared `SimulatedCard`'s.
 */
export type Brand =
  | "Visa"
  | "MasterCard"
  | "American Express"
  | "Discover"
  | "Maestro"
  | "Diners Club"
  | "JCB"
  | "China UnionPay"

/** The brand from the number's prefix (`undefined` when none of Rebilly's brands fits). */
export const brandOf = (pan: string): Brand | undefined => {
  const two = Number(pan.slice(0, 2))
  const three = Number(pan.slice(0, 3))
  const four = Number(pan.slice(0, 4))
  if (pan.startsWith("4")) return "Visa"
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return "MasterCard"
  if (two === 34 || two === 37) return "American Express"
  if (four === 6011 || two === 65 || (three >= 644 && three <= 649)) return "Discover"
  if (two === 62) return "China UnionPay"
  if (four >= 3528 && four <= 3589) return "JCB"
  if ((three >= 300 && three <= 305) || two === 36 || two === 38 || two === 39) return "Diners Club"
  if (two === 50 || (two >= 56 && two <= 69)) return "Maestro"
  return undefined
}

/** TestProcessor's cards that simulate a declined transaction. */
const declineCards: ReadonlySet<string> = new Set([
  "4000000000000002",
  "5105105105105100",
  "371449635398431",
  "6011000990139424",
  "38520000023237",
  "3566002020360505",
  "6243030000000001",
  "6771790000000018",
])

/** Why TestProcessor declines a card, if it does. */
export type Decline = "declined-card" | "cvv-failure" | "expired-card"

export const declineOf = (
  pan: string,
  cvv: string | undefined,
  expMonth: number,
  expYear: number,
): Decline | undefined => {
  if (declineCards.has(pan)) return "declined-card"
  if (cvv !== undefined && /^0+$/.test(cvv)) return "cvv-failure"
  if (expMonth === 10 && expYear === 2051) return "expired-card"
  return undefined
}
