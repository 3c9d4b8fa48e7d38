/**
 * The cards the walkthrough tokenizes: the schemes' published test numbers. The number is
 * wrapped in `Redacted` from here on; only the masked label is ever printed.
 */
import { type CardInput, parseCard } from "@token-lifecycle/domain/Card"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Format from "./Format.js"

interface Expiry {
  readonly month: number
  readonly year: number
}

export interface TestCard {
  readonly input: CardInput & { readonly number: Redacted.Redacted<string> }
  /** `555555******4444 exp 03/2025` */
  readonly label: string
}

/** A test card with this number and printed expiry, and the holder's name where the provider needs it. */
export const make = (number: string | Redacted.Redacted<string>, expiry: Expiry, holderName?: string): TestCard => {
  const input = {
    number: Redacted.isRedacted(number) ? number : Redacted.make(number),
    expiry,
    ...(holderName === undefined ? {} : { holderName }),
  }
  const card = Either.getOrThrowWith(
    parseCard(input),
    (error) => new Error(`a walkthrough test card is invalid: ${error.message}`),
  )
  return { input, label: Format.card(card.masked, card.expiry) }
}

/** The same card with a new printed expiry, as a reissued card comes back. */
export const renewed = (card: TestCard, expiry: Expiry): TestCard =>
  make(card.input.number, expiry, card.input.holderName)
