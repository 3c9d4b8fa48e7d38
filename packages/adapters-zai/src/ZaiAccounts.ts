/**
 * Card and bank accounts, read by id (provider notes §6): what the browser library hands back
 * after spending a token auth is such an account's id, and the id is what later payments use.
 * Reading one tells whether it exists, is ours (an unknown account and another platform's are
 * the same 401 to us: `ProviderNotFound`), is active, and whose it is: Zai's account answer does
 * not name its user, so the user is read from `/{type}_accounts/{id}/users` beside it.
 *
 * Only what Zai shows is kept: the card as `XXXX-XXXX-XXXX-1111` (so its last four digits), the
 * bank numbers masked (so their last digits).
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { CardExpiry } from "@token-lifecycle/domain/Card"
import type { GatewayError } from "@token-lifecycle/domain/GatewayError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import * as Wire from "./internal/wire.js"
import { ZaiCore } from "./ZaiCore.js"

export type AccountType = Wire.AccountType

export interface AccountCard {
  /** Zai's `card.type` (`visa`, `master`…). */
  readonly brand?: string
  readonly last4?: string
  readonly expiry?: CardExpiry
}

export interface AccountBank {
  readonly bankName?: string
  readonly accountName?: string
  /** The digits Zai leaves unmasked at the end of the account number. */
  readonly accountNumberEnding?: string
  readonly accountType?: string
  readonly holderType?: string
}

export interface Account {
  readonly type: AccountType
  readonly id: string
  /** The user the account belongs to. */
  readonly userId: string
  readonly active: boolean
  readonly verified?: boolean
  readonly currency?: string
  readonly createdAt?: number
  readonly updatedAt?: number
  readonly card?: AccountCard
  readonly bank?: AccountBank
}

export interface ZaiAccountsService {
  /** The card or bank account `id`, with its user. */
  readonly read: (type: AccountType, id: string) => Effect.Effect<Account, GatewayError>
}

export class ZaiAccounts extends Context.Tag("@token-lifecycle/adapters-zai/ZaiAccounts")<
  ZaiAccounts,
  ZaiAccountsService
>() {}

const instant = (text: string | undefined): number | undefined => {
  const millis = text === undefined ? Number.NaN : Date.parse(text)
  return Number.isNaN(millis) ? undefined : millis
}

/** The trailing digits of a masked number (`XXXX-XXXX-XXXX-1111` → `1111`, `XXX234` → `234`). */
const ending = (masked: string | undefined, at: number): string | undefined => {
  const digits = masked === undefined ? undefined : /([0-9]+)$/.exec(masked)?.[1]
  return digits === undefined ? undefined : digits.slice(-at)
}

/** Month and year as Zai writes them: strings, the month not always zero-padded. */
const expiryOf = (month: string | undefined, year: string | undefined): CardExpiry | undefined => {
  const m = month !== undefined && /^[0-9]{1,2}$/.test(month) ? Number(month) : undefined
  const y = year !== undefined && /^[0-9]{4}$/.test(year) ? Number(year) : undefined
  return m !== undefined && y !== undefined && m >= 1 && m <= 12 ? { month: m, year: y } : undefined
}

/** `A` with every field that may be `undefined` made optional instead, as `exactOptionalPropertyTypes` wants. */
type Defined<A> = { [K in keyof A as undefined extends A[K] ? never : K]: A[K] } & {
  [K in keyof A as undefined extends A[K] ? K : never]?: Exclude<A[K], undefined>
}

/** `value` without its `undefined` fields. */
const defined = <A extends object>(value: A): Defined<A> =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Defined<A>

/** What card and bank accounts share, plus what only one of them shows. */
const accountOf = (
  type: AccountType,
  account: Wire.CardAccount | Wire.BankAccount,
  userId: string,
  shown: Pick<Account, "card" | "bank">,
): Account => ({
  type,
  userId,
  ...defined({
    id: account.id,
    active: account.active,
    verified: account.verification_status === undefined ? undefined : account.verification_status === "verified",
    currency: account.currency,
    createdAt: instant(account.created_at),
    updatedAt: instant(account.updated_at),
  }),
  ...shown,
})

export const fromCardAccount = (account: Wire.CardAccount, userId: string): Account => {
  const card = account.card
  const shown = defined({
    brand: card?.type,
    last4: ending(card?.number, 4),
    expiry: expiryOf(card?.expiry_month, card?.expiry_year),
  })
  return accountOf("card", account, userId, card === undefined ? {} : { card: shown })
}

export const fromBankAccount = (account: Wire.BankAccount, userId: string): Account => {
  const bank = account.bank
  const shown = defined({
    bankName: bank?.bank_name,
    accountName: bank?.account_name,
    accountNumberEnding: ending(bank?.account_number, 4),
    accountType: bank?.account_type,
    holderType: bank?.holder_type,
  })
  return accountOf("bank", account, userId, bank === undefined ? {} : { bank: shown })
}

export const make: Effect.Effect<ZaiAccountsService, never, ZaiCore> = Effect.gen(function* () {
  const core = yield* ZaiCore

  const show = <A, I>(type: AccountType, id: string, what: string, success: Schema.Schema<A, I>) =>
    core.call({
      operation: `show ${what}`,
      resource: `${type} account`,
      request: HttpClientRequest.get(
        what.endsWith("user") ? Wire.paths.accountUser(type, id) : Wire.paths.account(type, id),
      ),
      success,
      idempotent: true,
    })

  const read = (type: AccountType, id: string) => {
    // Both reads at once: the account, and whose it is.
    const account =
      type === "card"
        ? Effect.map(
            show(type, id, "card account", Wire.CardAccountAnswer),
            (answer) => (userId: string) => fromCardAccount(answer.card_accounts, userId),
          )
        : Effect.map(
            show(type, id, "bank account", Wire.BankAccountAnswer),
            (answer) => (userId: string) => fromBankAccount(answer.bank_accounts, userId),
          )
    const user = show(type, id, `${type} account user`, Wire.UserAnswer)
    return Effect.all([account, user], { concurrency: 2 }).pipe(Effect.map(([build, owner]) => build(owner.users.id)))
  }

  return { read }
})

export const layer: Layer.Layer<ZaiAccounts, never, ZaiCore> = Layer.effect(ZaiAccounts, make)
