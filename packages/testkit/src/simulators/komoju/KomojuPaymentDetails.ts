/**
 * `payment_details` objects as KOMOJU reads them (komoju.md §3): a credit card, or konbini.
 * Other types are refused with `missing_parameter`, as plugins see for types that cannot be
 * tokenized (which types can is an open question, §11.2).
 *
 * A card is read and at once reduced to what may be kept: brand, last four digits, expiry,
 * holder, and the test outcome its number stands for. The number and the security code are never
 * stored or echoed; answers carry the masked form only.
 */
import * as Either from "effect/Either"
import * as KomojuCards from "./KomojuCards.js"
import { type KomojuRefusal, Refusals } from "./KomojuErrors.js"
import { field, type JsonObject, textOf } from "./KomojuJson.js"

export interface CardDetails {
  readonly type: "credit_card"
  readonly brand: string
  readonly lastFour: string
  readonly month: number
  readonly year: number
  readonly name: string
  readonly email: string | undefined
  /** Whether a security code came with the card. */
  readonly verificationValue: boolean
  readonly outcome: KomojuCards.CardOutcome
}

export const konbiniStores: ReadonlySet<string> = new Set([
  "seven-eleven",
  "lawson",
  "family-mart",
  "ministop",
  "daily-yamazaki",
  "seicomart",
])

export interface KonbiniDetails {
  readonly type: "konbini"
  readonly store: string
  readonly email: string
  readonly phone: string | undefined
}

export type PaymentDetails = CardDetails | KonbiniDetails

const param = (field: string) => `payment_details[${field}]`

/** Month 1–12, as a number or a digit string (the SDK sends numbers, Hosted Fields `"01"`). */
const monthOf = (value: unknown): number | undefined => {
  const text = textOf(value)
  if (text === undefined || !/^[0-9]{1,2}$/.test(text)) return undefined
  const month = Number(text)
  return month >= 1 && month <= 12 ? month : undefined
}

/** A year as four digits, or two meaning this century. */
const yearOf = (value: unknown): number | undefined => {
  const text = textOf(value)
  if (text === undefined || !/^[0-9]{2}$|^[0-9]{4}$/.test(text)) return undefined
  const year = Number(text)
  return year < 100 ? 2000 + year : year
}

/** The first instant a card expiring at `month/year` is no longer valid (UTC). */
export const cardValidUntil = (month: number, year: number): number => Date.UTC(year, month, 1)

/** A refusal for `outcome` at token or payment-details time: KOMOJU's validation status, 422. */
const refusedAs = (outcome: KomojuCards.CardOutcome, at: string): KomojuRefusal =>
  outcome._tag === "Declined"
    ? { status: 422, code: outcome.code, message: outcome.message, param: at }
    : Refusals.invalidParameter(at, "The card is invalid.")

const card = (details: JsonObject, now: number): Either.Either<CardDetails, KomojuRefusal> => {
  const get = (key: string) => field(details, key)
  const number = textOf(get("number"))
  if (number === undefined || number === "") return Either.left(Refusals.missingParameter(param("number")))
  if (!KomojuCards.isCardNumber(number)) {
    return Either.left(refusedAs(KomojuCards.declines.invalidNumber, param("number")))
  }
  if (get("month") === undefined) return Either.left(Refusals.missingParameter(param("month")))
  const month = monthOf(get("month"))
  if (month === undefined) return Either.left(Refusals.invalidParameter(param("month"), "The month is invalid."))
  if (get("year") === undefined) return Either.left(Refusals.missingParameter(param("year")))
  const year = yearOf(get("year"))
  if (year === undefined) return Either.left(Refusals.invalidParameter(param("year"), "The year is invalid."))
  if (now >= cardValidUntil(month, year)) {
    return Either.left(refusedAs(KomojuCards.declines.cardExpired, param("year")))
  }
  const cvv = textOf(get("verification_value"))
  if (cvv !== undefined && !/^[0-9]{3,4}$/.test(cvv)) {
    return Either.left(Refusals.invalidParameter(param("verification_value"), "The security code is invalid."))
  }
  // `name`, or both `given_name` and `family_name`; `name` wins.
  const given = textOf(get("given_name"))
  const family = textOf(get("family_name"))
  const name = textOf(get("name")) || (given && family ? `${given} ${family}` : undefined)
  if (name === undefined || name === "") return Either.left(Refusals.missingParameter(param("name")))
  return Either.right({
    type: "credit_card",
    brand: KomojuCards.brand(number),
    lastFour: KomojuCards.lastFour(number),
    month,
    year,
    name,
    email: textOf(get("email")),
    verificationValue: cvv !== undefined,
    outcome: KomojuCards.outcomeOf(number),
  })
}

const konbini = (details: JsonObject): Either.Either<KonbiniDetails, KomojuRefusal> => {
  const get = (key: string) => field(details, key)
  const store = textOf(get("store"))
  if (store === undefined || store === "") return Either.left(Refusals.missingParameter(param("store")))
  if (!konbiniStores.has(store)) {
    return Either.left(Refusals.invalidParameter(param("store"), "The store is not supported."))
  }
  const email = textOf(get("email"))
  if (email === undefined || email === "") return Either.left(Refusals.missingParameter(param("email")))
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) {
    return Either.left(Refusals.invalidParameter(param("email"), "The email is invalid."))
  }
  return Either.right({ type: "konbini", store, email, phone: textOf(get("phone")) })
}

/** Reads a `payment_details` object at `now` (a card's expiry is checked against it). */
export const read = (details: JsonObject, now: number): Either.Either<PaymentDetails, KomojuRefusal> => {
  const type = textOf(field(details, "type"))
  if (type === undefined || type === "") return Either.left(Refusals.missingParameter(param("type")))
  if (type === "credit_card") return card(details, now)
  if (type === "konbini") return konbini(details)
  return Either.left(Refusals.missingParameter("payment_details"))
}

/** The masked echo answers carry: never a card number or security code. */
export const masked = (details: PaymentDetails): Record<string, unknown> =>
  details.type === "credit_card"
    ? {
        type: "credit_card",
        brand: details.brand,
        last_four_digits: details.lastFour,
        month: details.month,
        year: details.year,
        name: details.name,
        email: details.email ?? null,
        verification_value: details.verificationValue ? "Approved" : "Not Supplied",
      }
    : { type: "konbini", store: details.store, email: details.email, phone: details.phone ?? null }
