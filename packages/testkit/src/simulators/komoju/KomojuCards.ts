/**
 * KOMOJU's test cards (komoju.md §7, doc.komoju.com/docs/test-cards) and what the simulator
 * needs to know of a card number without keeping it: its brand, its last four digits, and the
 * outcome its test number stands for.
 *
 * Outcomes are decided when a payment is made, not when the card is tokenized: a token of a
 * declining card is created like any other, and the payment with it is refused. Any other
 * number that passes the Luhn check succeeds. The 3DS test cards succeed too: the simulator has
 * no 3DS flow, and KOMOJU says its 3DS testing does not use these numbers' other outcomes.
 */
import * as SimulatedCard from "../shared/SimulatedCard.js"

/** What paying with a card does. `declined` carries KOMOJU's error code and the HTTP status it comes with. */
export type CardOutcome =
  | { readonly _tag: "Approved" }
  | { readonly _tag: "Declined"; readonly code: string; readonly status: number; readonly message: string }

const approved: CardOutcome = { _tag: "Approved" }

/** Refused by the card's processor: KOMOJU answers 502 (upstream processor error). */
const processorDecline = (code: string, message: string): CardOutcome => ({
  _tag: "Declined",
  code,
  status: 502,
  message,
})

export const declines = {
  insufficientFunds: processorDecline("insufficient_funds", "Insufficient funds."),
  exceedsLimit: processorDecline("exceeds_limit", "Exceeds card limit."),
  badVerificationValue: processorDecline("bad_verification_value", "The security code you have entered is incorrect."),
  cardExpired: processorDecline("card_expired", "Your card has expired."),
  cardDeclined: processorDecline("card_declined", "Your card has been declined."),
  invalidNumber: processorDecline("invalid_number", "The card number is invalid."),
  /** KOMOJU's fraud check, not the processor: 422. */
  fraudulent: {
    _tag: "Declined",
    code: "fraudulent",
    status: 422,
    message: "The payment could not be completed.",
  } satisfies CardOutcome,
} as const

/** The test numbers with an outcome other than success. */
export const testCards: ReadonlyMap<string, CardOutcome> = new Map([
  ["4123111111111000", declines.insufficientFunds],
  ["4123111111111018", declines.exceedsLimit],
  ["4123111111111034", declines.badVerificationValue],
  ["4123111111111042", declines.cardExpired],
  ["4123111111111059", declines.cardDeclined],
  ["4123111111111067", declines.invalidNumber],
  // The Japanese page names this number for the invalid card.
  ["4123111111111075", declines.invalidNumber],
  ["4123111111111083", declines.fraudulent],
])

/** What paying with `number` does in test mode. */
export const outcomeOf = (number: string): CardOutcome => testCards.get(number) ?? approved

/** `Komoju-Scenario` header values and the failure each forces (the docs show only this one). */
export const scenarios: ReadonlyMap<string, CardOutcome> = new Map([["insufficient_funds", declines.insufficientFunds]])

/** A card number KOMOJU would take: 12 to 19 digits passing the Luhn check. */
export const isCardNumber = (number: string): boolean => /^[0-9]{12,19}$/.test(number) && SimulatedCard.luhn(number)

/** Gate's brand names, from the same prefixes, as KOMOJU spells them. */
const brandNames: Readonly<Record<string, string>> = {
  visa: "visa",
  mastercard: "master",
  amex: "american_express",
  jcb: "jcb",
  unionpay: "union_pay",
}

/** The brand KOMOJU names in `payment_details.brand`, from the number's prefix. */
export const brand = (number: string): string =>
  /^3(?:0[0-5]|[689])/.test(number) ? "diners_club" : (brandNames[SimulatedCard.brand(number)] ?? "unknown")

export const lastFour = (number: string): string => number.slice(-4)
