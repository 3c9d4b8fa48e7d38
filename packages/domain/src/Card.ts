/**
 * Card data as it enters the library: number, CVV, expiry, brand and the masked form.
 *
 * The number and the CVV are wrapped in `Redacted` the moment they are decoded, and a
 * refusal never carries the value it refused: every failure below names the field and
 * the rule, never the input.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { InvalidInput } from "./InvalidInput.js"

// ---------------------------------------------------------------------------
// Card number
// ---------------------------------------------------------------------------

/** The digits of a card number once checked: 12–19 digits passing the Luhn checksum. */
export type CardNumber = string & { readonly CardNumber: unique symbol }

/** The Luhn (mod 10) checksum over a string of digits. */
export const luhnValid = (digits: string): boolean => {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return sum % 10 === 0
}

/** Why a card number was refused. The refused value is never kept. */
export type CardNumberProblem = "not-a-string" | "not-digits" | "length" | "checksum"

const cardNumberProblemText: Record<CardNumberProblem, string> = {
  "not-a-string": "must be a string of digits",
  "not-digits": "must contain only digits (spaces and dashes between groups are allowed)",
  length: "must have 12 to 19 digits",
  checksum: "fails the Luhn checksum",
}

const separators = /[\s-]/g
const allDigits = /^[0-9]+$/

const checkCardNumber = (input: unknown): Either.Either<CardNumber, CardNumberProblem> => {
  if (typeof input !== "string") return Either.left("not-a-string")
  const digits = input.replace(separators, "")
  if (!allDigits.test(digits)) return Either.left("not-digits")
  if (digits.length < 12 || digits.length > 19) return Either.left("length")
  if (!luhnValid(digits)) return Either.left("checksum")
  return Either.right(digits as CardNumber)
}

const checkCvv = (input: unknown): Either.Either<Cvv, string> => {
  if (typeof input !== "string") return Either.left("must be a string of 3 or 4 digits")
  if (!/^[0-9]{3,4}$/.test(input)) return Either.left("must be 3 or 4 digits")
  return Either.right(input as Cvv)
}

/** What a refused sensitive value is shown as inside a schema failure. */
const refusedValue = Redacted.make("<refused>")

/**
 * A schema for a secret string: decodes from a plain string (or an already `Redacted` one)
 * into `Redacted<A>`. A declaration rather than a transformation, so no failure it reports
 * holds the input: the issue carries a placeholder, and a `ParseError` built from it can be
 * printed, serialised or walked field by field without leaking the value. (A struct around
 * it still reports its whole input; decode card data with `parseCard`, which keeps no input.)
 */
const sensitive = <A extends string>(
  title: string,
  check: (input: unknown) => Either.Either<A, string>,
): Schema.Schema<Redacted.Redacted<A>, string> =>
  Schema.declare<Redacted.Redacted<A>, string, []>(
    [],
    {
      decode: () => (input, _options, ast) => {
        const raw = Redacted.isRedacted(input) ? Redacted.value(input) : input
        return Either.match(check(raw), {
          onLeft: (problem) => ParseResult.fail(new ParseResult.Type(ast, refusedValue, `${title} ${problem}`)),
          onRight: (value) => ParseResult.succeed(Redacted.make(value)),
        })
      },
      encode: () => (input, _options, ast) =>
        Redacted.isRedacted(input)
          ? ParseResult.succeed(String(Redacted.value(input)))
          : ParseResult.fail(new ParseResult.Type(ast, refusedValue, `${title} must be redacted`)),
    },
    { title },
  )

/** A card number: 12–19 digits, Luhn-checked, held as `Redacted` from decoding on. */
export const CardNumber = sensitive("card number", (input) =>
  Either.mapLeft(checkCardNumber(input), (problem) => cardNumberProblemText[problem]),
)

/** A card verification value: 3 or 4 digits, held as `Redacted`. */
export type Cvv = string & { readonly Cvv: unique symbol }
export const Cvv = sensitive("CVV", checkCvv)

/** Decode a card number into its redacted form, or a typed refusal naming the rule it broke. */
export const parseCardNumber = (
  input: string | Redacted.Redacted<string>,
): Either.Either<Redacted.Redacted<CardNumber>, InvalidInput> => {
  const raw = Redacted.isRedacted(input) ? Redacted.value(input) : input
  return Either.match(checkCardNumber(raw), {
    onLeft: (problem) =>
      Either.left(new InvalidInput({ field: "card.number", reason: cardNumberProblemText[problem] })),
    onRight: (digits) => Either.right(Redacted.make(digits)),
  })
}

/** Decode a CVV into its redacted form, or a typed refusal. */
export const parseCvv = (
  input: string | Redacted.Redacted<string>,
): Either.Either<Redacted.Redacted<Cvv>, InvalidInput> => {
  const raw = Redacted.isRedacted(input) ? Redacted.value(input) : input
  return Either.match(checkCvv(raw), {
    onLeft: (reason) => Either.left(new InvalidInput({ field: "card.cvv", reason })),
    onRight: (cvv) => Either.right(Redacted.make(cvv)),
  })
}

// ---------------------------------------------------------------------------
// Brand
// ---------------------------------------------------------------------------

export const CardBrand = Schema.Literal(
  "visa",
  "mastercard",
  "amex",
  "discover",
  "jcb",
  "unionpay",
  "diners",
  "maestro",
  "unknown",
)
export type CardBrand = typeof CardBrand.Type

const prefixIn = (digits: string, length: number, low: number, high: number): boolean => {
  const prefix = Number(digits.slice(0, length))
  return prefix >= low && prefix <= high
}

/**
 * The card scheme read from the leading digits (issuer identification number ranges).
 * Discover's co-branded UnionPay range is checked before UnionPay's wider `62`.
 */
export const brandOf = (digits: string): CardBrand => {
  if (digits.startsWith("4")) return "visa"
  if (prefixIn(digits, 2, 51, 55) || prefixIn(digits, 4, 2221, 2720)) return "mastercard"
  if (digits.startsWith("34") || digits.startsWith("37")) return "amex"
  if (
    digits.startsWith("6011") ||
    digits.startsWith("65") ||
    prefixIn(digits, 3, 644, 649) ||
    prefixIn(digits, 6, 622126, 622925)
  )
    return "discover"
  if (prefixIn(digits, 4, 3528, 3589)) return "jcb"
  if (digits.startsWith("62") || digits.startsWith("81")) return "unionpay"
  if (prefixIn(digits, 3, 300, 305) || digits.startsWith("36") || digits.startsWith("38") || digits.startsWith("39"))
    return "diners"
  if (digits.startsWith("50") || prefixIn(digits, 2, 56, 58) || digits.startsWith("6")) return "maestro"
  return "unknown"
}

// ---------------------------------------------------------------------------
// Masked card
// ---------------------------------------------------------------------------

/** The part of a card number that may be shown and stored: first 6, last 4, length and brand. */
export const MaskedCard = Schema.Struct({
  bin: Schema.String.pipe(Schema.pattern(/^[0-9]{6}$/)),
  last4: Schema.String.pipe(Schema.pattern(/^[0-9]{4}$/)),
  /** The number's length, where it is known: some providers show only the first six and last four digits. */
  length: Schema.optional(Schema.Int.pipe(Schema.between(12, 19))),
  brand: CardBrand,
})
export type MaskedCard = typeof MaskedCard.Type

/** Mask a checked card number. The digits between the first 6 and the last 4 are dropped. */
export const mask = (number: Redacted.Redacted<CardNumber>): MaskedCard => {
  const digits = Redacted.value(number)
  return { bin: digits.slice(0, 6), last4: digits.slice(-4), length: digits.length, brand: brandOf(digits) }
}

/** The masked card as people read it: `411111******1111`, or `411111…1111` when its length is not known. */
export const formatMasked = (card: MaskedCard): string =>
  `${card.bin}${card.length === undefined ? "…" : "*".repeat(Math.max(card.length - 10, 0))}${card.last4}`

// ---------------------------------------------------------------------------
// Expiry
// ---------------------------------------------------------------------------

/** A card's expiry as printed on it. The card is valid through the last day of that month. */
export const CardExpiry = Schema.Struct({
  month: Schema.Int.pipe(Schema.between(1, 12, { message: () => "expiry month must be 1 to 12" })),
  year: Schema.Int.pipe(Schema.between(2000, 2099, { message: () => "expiry year must be 2000 to 2099" })),
})
export type CardExpiry = typeof CardExpiry.Type

/**
 * The first instant (epoch milliseconds, UTC) at which a card with this expiry is no
 * longer valid: the start of the month after the printed one.
 */
export const cardExpiryEnd = (expiry: CardExpiry): number => Date.UTC(expiry.year, expiry.month, 1)

/** Whether two expiries name the same month. */
export const sameExpiry = (a: CardExpiry, b: CardExpiry): boolean => a.month === b.month && a.year === b.year

/** `MM/YYYY`, as a person reads an expiry. */
export const formatExpiry = (expiry: CardExpiry): string => `${String(expiry.month).padStart(2, "0")}/${expiry.year}`

/** Decode an expiry, accepting a two-digit year as 20YY and numeric strings as numbers. */
export const parseExpiry = (input: {
  readonly month: number | string
  readonly year: number | string
}): Either.Either<CardExpiry, InvalidInput> => {
  const month = Number(input.month)
  const rawYear = Number(input.year)
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    return Either.left(new InvalidInput({ field: "card.expiry.month", reason: "must be a whole number from 1 to 12" }))
  }
  if (!Number.isInteger(rawYear) || rawYear < 0) {
    return Either.left(new InvalidInput({ field: "card.expiry.year", reason: "must be a year such as 2030 or 30" }))
  }
  const year = rawYear < 100 ? 2000 + rawYear : rawYear
  if (year < 2000 || year > 2099) {
    return Either.left(new InvalidInput({ field: "card.expiry.year", reason: "must be from 2000 to 2099" }))
  }
  return Either.right({ month, year })
}

// ---------------------------------------------------------------------------
// A whole card at intake
// ---------------------------------------------------------------------------

/** A card as it enters from a caller: the sensitive fields may be plain or already redacted. */
export interface CardInput {
  readonly number: string | Redacted.Redacted<string>
  readonly cvv?: string | Redacted.Redacted<string>
  readonly expiry: { readonly month: number | string; readonly year: number | string }
  readonly holderName?: string
}

/** A card after intake: sensitive fields redacted, expiry and masked form checked. */
export interface Card {
  readonly number: Redacted.Redacted<CardNumber>
  readonly cvv?: Redacted.Redacted<Cvv>
  readonly expiry: CardExpiry
  readonly masked: MaskedCard
  readonly holderName?: string
}

/** Check a card at intake. The first broken rule is reported, by field. */
export const parseCard = (input: CardInput): Either.Either<Card, InvalidInput> =>
  Either.gen(function* () {
    const number = yield* parseCardNumber(input.number)
    const cvv = input.cvv === undefined ? undefined : yield* parseCvv(input.cvv)
    const expiry = yield* parseExpiry(input.expiry)
    const holderName = input.holderName?.trim()
    if (holderName !== undefined && holderName.length === 0) {
      return yield* Either.left(new InvalidInput({ field: "card.holderName", reason: "must not be blank" }))
    }
    return {
      number,
      expiry,
      masked: mask(number),
      ...(cvv === undefined ? {} : { cvv }),
      ...(holderName === undefined ? {} : { holderName }),
    }
  })
