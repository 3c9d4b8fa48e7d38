/**
 * fast-check arbitraries for card data, identities, policies and times. Generated card
 * numbers pass the Luhn check and carry the brand's real prefixes and lengths.
 */
import { type CardBrand, type CardExpiry, luhnValid } from "@token-lifecycle/domain/Card"
import {
  AccountRef,
  OwnerRef,
  TokenId,
  TokenKey,
  type TokenType,
  UseReference,
} from "@token-lifecycle/domain/Identifiers"
import * as Policy from "@token-lifecycle/domain/Policy"
import * as fc from "fast-check"

/** The check digit that makes `body + digit` pass the Luhn check. */
export const luhnCheckDigit = (body: string): string => {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return String(d)
  throw new Error("unreachable: one of ten digits always completes a Luhn number")
}

interface BrandRule {
  readonly prefixes: fc.Arbitrary<string>
  readonly lengths: ReadonlyArray<number>
}

const range = (low: number, high: number) => fc.integer({ min: low, max: high }).map(String)

export const brandRules = {
  visa: { prefixes: fc.constant("4"), lengths: [13, 16, 19] },
  mastercard: { prefixes: fc.oneof(range(51, 55), range(2221, 2720)), lengths: [16] },
  amex: { prefixes: fc.constantFrom("34", "37"), lengths: [15] },
  jcb: { prefixes: range(3528, 3589), lengths: [16, 17, 18, 19] },
  // 6221–6229 is partly Discover's co-branded range; the other 62x prefixes are UnionPay's alone.
  unionpay: {
    prefixes: fc.constantFrom("620", "621", "623", "624", "625", "626", "627", "628"),
    lengths: [16, 17, 18, 19],
  },
  discover: { prefixes: fc.oneof(fc.constant("6011"), fc.constant("65"), range(644, 649)), lengths: [16, 19] },
  diners: { prefixes: fc.oneof(range(300, 305), fc.constantFrom("36", "38", "39")), lengths: [14] },
} satisfies Partial<Record<CardBrand, BrandRule>>

export type GeneratedBrand = keyof typeof brandRules
export const generatedBrands = Object.keys(brandRules) as ReadonlyArray<GeneratedBrand>

/** A Luhn-valid card number of `brand`. */
export const panOf = (brand: GeneratedBrand): fc.Arbitrary<string> => {
  const rule: BrandRule = brandRules[brand]
  return fc
    .tuple(rule.prefixes, fc.constantFrom(...rule.lengths))
    .chain(([prefix, length]) =>
      fc
        .string({
          unit: fc.constantFrom(..."0123456789"),
          minLength: length - 1 - prefix.length,
          maxLength: length - 1 - prefix.length,
        })
        .map((middle) => prefix + middle),
    )
    .map((body) => body + luhnCheckDigit(body))
}

/** A Luhn-valid card number with its brand. */
export const pan: fc.Arbitrary<{ readonly brand: GeneratedBrand; readonly number: string }> = fc
  .constantFrom(...generatedBrands)
  .chain((brand) => panOf(brand).map((number) => ({ brand, number })))

/** A number one step away from valid: one digit changed (Luhn catches every such change), a digit too few or too many, or a stray character. */
export const nearMissPan: fc.Arbitrary<{
  readonly number: string
  readonly problem: "checksum" | "length" | "not-digits"
}> = pan.chain(({ number }) =>
  fc.oneof(
    fc.tuple(fc.nat({ max: number.length - 1 }), fc.integer({ min: 1, max: 9 })).map(([i, delta]) => ({
      number: number.slice(0, i) + String((Number(number[i]) + delta) % 10) + number.slice(i + 1),
      problem: "checksum" as const,
    })),
    fc.constant({ number: number.slice(0, 11), problem: "length" as const }),
    fc.constant({ number: `${number}0000000000`.slice(0, 20), problem: "length" as const }),
    fc.tuple(fc.nat({ max: number.length - 1 }), fc.constantFrom("a", "x", ".", "/", "_")).map(([i, c]) => ({
      number: number.slice(0, i) + c + number.slice(i + 1),
      problem: "not-digits" as const,
    })),
  ),
)

/** A CVV: 3 digits, or 4 (Amex). */
export const cvv: fc.Arbitrary<string> = fc.string({
  unit: fc.constantFrom(..."0123456789"),
  minLength: 3,
  maxLength: 4,
})

/** A card expiry between 2024 and 2040. */
export const expiry: fc.Arbitrary<CardExpiry> = fc.record({
  month: fc.integer({ min: 1, max: 12 }),
  year: fc.integer({ min: 2024, max: 2040 }),
})

const slug = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"),
  minLength: 1,
  maxLength: 12,
})

export const owner: fc.Arbitrary<OwnerRef> = slug.map((s) => OwnerRef.make(`cus_${s}`))
export const account: fc.Arbitrary<AccountRef> = slug.map((s) => AccountRef.make(`acct_${s}`))
export const tokenKey: fc.Arbitrary<TokenKey> = slug.map((s) => TokenKey.make(`key_${s}`))
export const tokenId: fc.Arbitrary<TokenId> = slug.map((s) => TokenId.make(`tok_${s}`))
export const useReference: fc.Arbitrary<UseReference> = slug.map((s) => UseReference.make(`ref_${s}`))
export const tokenType: fc.Arbitrary<TokenType> = fc.constantFrom("card", "bank", "other")

/** A secret such as an API key or webhook secret: long enough that finding it in text is meaningful. */
export const secret: fc.Arbitrary<string> = fc.string({
  unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"),
  minLength: 16,
  maxLength: 48,
})

/** The providers' policies (KOMOJU's customers included), Zai's with any card lifetime from 1 minute to 4 hours. */
export const policy: fc.Arbitrary<Policy.LifecyclePolicy> = fc.oneof(
  fc.integer({ min: 60_000, max: 4 * 3_600_000 }).map((ms) => Policy.zai({ cardTimeToLive: ms })),
  fc.constant(Policy.gate),
  fc.constant(Policy.rebilly),
  fc.constant(Policy.komoju),
  fc.constant(Policy.komojuCustomer),
)

/** 2026-01-01T00:00:00Z: the epoch of generated times. */
export const baseTime = Date.UTC(2026, 0, 1)

/** An instant within a year of `baseTime`. */
export const instant: fc.Arbitrary<number> = fc.integer({ min: baseTime, max: baseTime + 365 * 24 * 3_600_000 })
