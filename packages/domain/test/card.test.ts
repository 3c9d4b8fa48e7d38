import { inspect } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import {
  brandOf,
  CardNumber,
  Cvv,
  cardExpiryEnd,
  formatMasked,
  luhnValid,
  mask,
  parseCard,
  parseCardNumber,
  parseExpiry,
} from "../src/Card.js"

const visa = "4111111111111111"

describe("card number intake", () => {
  it("accepts 12 to 19 Luhn-valid digits, with spaces or dashes between groups", () => {
    const parsed = Either.getOrThrow(parseCardNumber("4111 1111-1111 1111"))
    expect(Redacted.value(parsed)).toBe(visa)
  })

  it.each([
    ["4111111111111112", "fails the Luhn checksum"],
    ["41111111111", "must have 12 to 19 digits"],
    ["41111111111111111111", "must have 12 to 19 digits"],
    ["4111x11111111111", "must contain only digits (spaces and dashes between groups are allowed)"],
  ])("refuses %#: the error names the field and the rule, never the number", (input, reason) => {
    const error = Either.getOrThrow(Either.flip(parseCardNumber(input)))
    expect(error).toMatchObject({ _tag: "InvalidInput", field: "card.number", reason })
    for (const text of [error.message, String(error), JSON.stringify(error), inspect(error, { depth: null })]) {
      expect(text.includes(input)).toBe(false)
    }
  })

  it("keeps the number redacted however it is printed", () => {
    const parsed = Either.getOrThrow(parseCardNumber(visa))
    for (const text of [String(parsed), JSON.stringify({ parsed }), inspect(parsed)])
      expect(text.includes(visa)).toBe(false)
  })

  it("as a Schema, fails without the refused value anywhere in the error", () => {
    const decoded = Schema.decodeUnknownEither(Schema.Struct({ number: CardNumber, cvv: Cvv }))({
      number: "4111111111111112",
      cvv: "98x",
    })
    const error = Either.getOrThrow(Either.flip(decoded))
    const printed = [
      ParseResult.TreeFormatter.formatErrorSync(error),
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: null }),
    ]
    for (const text of printed) {
      expect(text.includes("4111111111111112")).toBe(false)
      expect(text.includes("98x")).toBe(false)
    }
    expect(printed[0]).toContain("card number fails the Luhn checksum")
  })

  it("as a Schema, decodes into a redacted value and encodes back", () => {
    const decoded = Schema.decodeUnknownSync(CardNumber)(visa)
    expect(Redacted.isRedacted(decoded)).toBe(true)
    expect(Schema.encodeSync(CardNumber)(decoded)).toBe(visa)
  })

  it("computes the Luhn checksum", () => {
    expect(luhnValid("79927398713")).toBe(true)
    expect(luhnValid("79927398710")).toBe(false)
  })
})

describe("brand and masked form", () => {
  it.each([
    ["4111111111111111", "visa"],
    ["5555555555554444", "mastercard"],
    ["2221000000000009", "mastercard"],
    ["378282246310005", "amex"],
    ["6011111111111117", "discover"],
    ["6221260000000000", "discover"],
    ["3530111333300000", "jcb"],
    ["6200000000000005", "unionpay"],
    ["30569309025904", "diners"],
    ["6759649826438453", "maestro"],
    ["9000000000000000", "unknown"],
  ] as const)("reads %s as %s", (digits, brand) => {
    expect(brandOf(digits)).toBe(brand)
  })

  it("keeps the first 6 and last 4 digits only", () => {
    const masked = mask(Either.getOrThrow(parseCardNumber("378282246310005")))
    expect(masked).toEqual({ bin: "378282", last4: "0005", length: 15, brand: "amex" })
    expect(formatMasked(masked)).toBe("378282*****0005")
    const { length: _, ...withoutLength } = masked
    expect(formatMasked(withoutLength)).toBe("378282…0005")
  })
})

describe("expiry", () => {
  it("a card is valid through the last day of its month", () => {
    expect(cardExpiryEnd({ month: 12, year: 2030 })).toBe(Date.UTC(2031, 0, 1))
    expect(cardExpiryEnd({ month: 2, year: 2028 })).toBe(Date.UTC(2028, 2, 1))
  })

  it("accepts two-digit years and numeric strings", () => {
    expect(Either.getOrThrow(parseExpiry({ month: "07", year: "31" }))).toEqual({ month: 7, year: 2031 })
  })

  it("refuses a month outside 1–12, naming the field", () => {
    expect(Either.getOrThrow(Either.flip(parseExpiry({ month: 13, year: 2030 })))).toMatchObject({
      field: "card.expiry.month",
    })
  })
})

describe("a whole card", () => {
  it("is checked field by field, and masked", () => {
    const card = Either.getOrThrow(
      parseCard({ number: visa, cvv: "123", expiry: { month: 1, year: 2030 }, holderName: " Jane Roe " }),
    )
    expect(card.masked.last4).toBe("1111")
    expect(card.holderName).toBe("Jane Roe")
    expect(Redacted.isRedacted(card.number) && card.cvv !== undefined && Redacted.isRedacted(card.cvv)).toBe(true)
  })

  it("refuses a bad CVV without echoing it", () => {
    const error = Either.getOrThrow(
      Either.flip(parseCard({ number: visa, cvv: "12", expiry: { month: 1, year: 2030 } })),
    )
    expect(error).toMatchObject({ field: "card.cvv", reason: "must be 3 or 4 digits" })
  })
})
