/**
 * What Zai's core API does with a request it has authenticated, endpoint by endpoint, as a pure
 * step over the books: refuse with Zai's body, or accept, say what changes in the books and
 * which webhooks follow.
 *
 * The rules (provider notes §4–§8):
 * - a record belongs to one marketplace; an unknown record and another marketplace's are the
 *   same to the caller: 401 `{"code":405,…}` (or 404 where the simulator is told so);
 * - a malformed account id is 422 `{"errors":{"id":["invalid format"]}}`;
 * - `POST /token_auths` mints a token for one existing user and one type (`card` or `bank`),
 *   answered 200 `{"token_auth":{token_type, token, user_id}}` with no expiry in it; the token
 *   lives `tokenAuthLifetime[type]` on the simulator's clock (2 h documented for bank tokens);
 * - a card or bank account is created by the browser with a token auth (the PromisePay.js /
 *   Hosted Fields side): the token serves once, only for its own type and its own user, and not
 *   after it expires; an attempt refused for the account's data does not use the token up (not
 *   documented either way); a platform may also create one itself with its bearer token and a
 *   `user_id` (the spec's `POST /card_accounts`, `POST /bank_accounts`);
 * - `POST /card_accounts` and `/bank_accounts` without `user_id` answer only
 *   `{"errors":{"user_id":["required field missing"]}}`, as recorded;
 * - user ids are the platform's, unique in its marketplace and without `.`; emails are unique.
 */
import * as SimulatedCard from "../shared/SimulatedCard.js"
import * as ZaiBooks from "./ZaiBooks.js"
import type { Endpoint } from "./ZaiEndpoints.js"
import { type FieldErrors, invalid, Messages, type Refusal, Refusals, validation } from "./ZaiErrors.js"
import * as ZaiRepresentations from "./ZaiRepresentations.js"
import type { ObjectType } from "./ZaiWebhooks.js"

/** Who is asking: a platform with its bearer token, or a browser with a token auth. */
export type Caller = { readonly _tag: "Platform"; readonly marketplace: string } | { readonly _tag: "Browser" }

export type JsonObject = Readonly<Record<string, unknown>>

/** Values the step may need, drawn before it so the step stays pure. */
export interface Fresh {
  readonly uuid: string
  readonly addressId: string
  readonly token: string
}

export interface Settings {
  readonly currency: string
  readonly tokenAuthLifetimeMillis: Readonly<Record<ZaiBooks.TokenType, number>>
  /** How an unknown or foreign record is refused: as recorded (401, code 405), or 404. */
  readonly unknownRecord: "not-authorized" | "not-found"
}

export interface RuleContext {
  readonly endpoint: Endpoint
  readonly caller: Caller
  /** The path's `{id}`. */
  readonly id: string | undefined
  readonly body: JsonObject
  readonly now: number
  readonly fresh: Fresh
  readonly settings: Settings
}

/** A webhook to send: the object's Show representation, to its marketplace's subscribers. */
export interface Notice {
  readonly kind: ObjectType
  readonly marketplace: string
  /** The object's id. */
  readonly reference: string
  readonly body: unknown
}

export type Outcome =
  | { readonly _tag: "Refused"; readonly refusal: Refusal }
  | {
      readonly _tag: "Accepted"
      readonly changes: ZaiBooks.Changes
      readonly status: number
      readonly body: unknown
      readonly notices: ReadonlyArray<Notice>
    }

const refused = (refusal: Refusal): Outcome => ({ _tag: "Refused", refusal })

const accepted = (
  changes: ZaiBooks.Changes,
  status: number,
  body: unknown,
  notices: ReadonlyArray<Notice> = [],
): Outcome => ({ _tag: "Accepted", changes, status, body, notices })

/** An answer that changes nothing. */
const answered = (status: number, body: unknown): Outcome => accepted({}, status, body)

/** A field's text when it is a string or a number; `undefined` when absent, null, blank or another type. */
const text = (body: JsonObject, name: string): string | undefined => {
  const value = Object.hasOwn(body, name) ? body[name] : undefined
  const written = typeof value === "string" ? value.trim() : typeof value === "number" ? String(value) : undefined
  return written === undefined || written === "" ? undefined : written
}

/** Collects field errors in the order found. */
class Problems {
  private readonly found: Record<string, Array<string>> = {}
  add(field: string, message: string): void {
    const messages = this.found[field] ?? []
    messages.push(message)
    this.found[field] = messages
  }
  /** Adds `message` under `field` when `value` is missing; says whether it was there. */
  require(field: string, value: string | undefined, message: string = Messages.requiredFieldMissing): boolean {
    if (value === undefined) this.add(field, message)
    return value !== undefined
  }
  get errors(): FieldErrors | undefined {
    return Object.keys(this.found).length === 0 ? undefined : this.found
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const emailPattern = /^[^@\s]+@[^@\s]+\.[^@\s]+$/
const alpha3 = /^[A-Z]{3}$/
const currencyPattern = /^[A-Z]{3}$/

const unknownRecord = (settings: Settings): Refusal =>
  settings.unknownRecord === "not-found" ? Refusals.notFound : Refusals.notAuthorizedRecord

const platformOf = (caller: Caller): string | undefined => (caller._tag === "Platform" ? caller.marketplace : undefined)

const userOf = (books: ZaiBooks.Books, marketplace: string, id: string | undefined): ZaiBooks.UserRecord | undefined =>
  id === undefined ? undefined : books.users.get(ZaiBooks.userKey(marketplace, id))

// ---------------------------------------------------------------------------------------------
// Users

const createUser = (books: ZaiBooks.Books, context: RuleContext, marketplace: string): Outcome => {
  const { body } = context
  const problems = new Problems()
  const id = text(body, "id")
  const country = text(body, "country")
  const firstName = text(body, "first_name")
  const lastName = text(body, "last_name")
  const email = text(body, "email")
  const mobile = text(body, "mobile")
  const dob = text(body, "dob")
  if (problems.require("id", id, Messages.cantBeBlank) && id?.includes(".")) problems.add("id", Messages.isInvalid)
  if (problems.require("address.country", country, Messages.cantBeBlank) && !alpha3.test(country ?? "")) {
    problems.add("address.country", Messages.isInvalid)
  }
  problems.require("firstname", firstName, Messages.cantBeBlank)
  problems.require("lastname", lastName, Messages.cantBeBlank)
  if (problems.require("email", email, Messages.cantBeBlank)) {
    if (!emailPattern.test(email ?? "")) problems.add("email", Messages.isInvalid)
    else if ([...books.users.values()].some((u) => u.marketplace === marketplace && u.email === email)) {
      problems.add("email", Messages.taken)
    }
  }
  if (mobile !== undefined && !/^\+[0-9]{6,15}$/.test(mobile)) problems.add("mobile", Messages.isInvalid)
  if (dob !== undefined && !/^(0[1-9]|[12][0-9]|3[01])\/(0[1-9]|1[0-2])\/[0-9]{4}$/.test(dob)) {
    problems.add("dob", Messages.isInvalid)
  }
  if (problems.errors !== undefined) return refused(validation(problems.errors))
  const userId = id as string
  if (userOf(books, marketplace, userId) !== undefined) {
    return refused(invalid("base", "user with this id already exists"))
  }
  const customDescriptor = text(body, "custom_descriptor")
  const record: ZaiBooks.UserRecord = {
    marketplace,
    id: userId,
    firstName: firstName as string,
    lastName: lastName as string,
    email: email as string,
    country: country as string,
    ...(mobile === undefined ? {} : { mobile }),
    hasDob: dob !== undefined,
    hasGovernmentNumber: text(body, "government_number") !== undefined,
    ...(customDescriptor === undefined ? {} : { customDescriptor }),
    addressId: context.fresh.addressId,
    createdAt: context.now,
  }
  const shown = { users: ZaiRepresentations.user(record) }
  return accepted({ users: [record] }, 201, shown, [{ kind: "users", marketplace, reference: userId, body: shown }])
}

const showUser = (books: ZaiBooks.Books, context: RuleContext, marketplace: string): Outcome => {
  const record = userOf(books, marketplace, context.id)
  return record === undefined
    ? refused(unknownRecord(context.settings))
    : answered(200, { users: ZaiRepresentations.user(record) })
}

// ---------------------------------------------------------------------------------------------
// Token auths

const tokenTypes: ReadonlyArray<string> = ["bank", "card"]

const generateToken = (books: ZaiBooks.Books, context: RuleContext, marketplace: string): Outcome => {
  const { body } = context
  const problems = new Problems()
  const type = text(body, "token_type")
  const userId = text(body, "user_id")
  if (problems.require("token_type", type) && !tokenTypes.includes(type as string)) {
    problems.add("token_type", Messages.notIncluded)
  }
  problems.require("user_id", userId)
  if (problems.errors !== undefined) return refused(validation(problems.errors))
  const user = userOf(books, marketplace, userId)
  if (user === undefined) return refused(unknownRecord(context.settings))
  const tokenType = type as ZaiBooks.TokenType
  const record: ZaiBooks.TokenAuthRecord = {
    token: context.fresh.token,
    marketplace,
    userId: user.id,
    type: tokenType,
    issuedAt: context.now,
    expiresAt: context.now + context.settings.tokenAuthLifetimeMillis[tokenType],
  }
  return accepted({ tokenAuths: [record] }, 200, {
    token_auth: { token_type: record.type, token: record.token, user_id: record.userId },
  })
}

// ---------------------------------------------------------------------------------------------
// Who an account is for: the platform's `user_id`, or the browser's token auth

interface Owner {
  readonly marketplace: string
  readonly user: ZaiBooks.UserRecord
  /** The token auth to use up, for the browser's requests. */
  readonly tokenAuth?: ZaiBooks.TokenAuthRecord
}

const ownerOf = (
  books: ZaiBooks.Books,
  context: RuleContext,
  type: ZaiBooks.TokenType,
): { readonly owner: Owner } | { readonly refusal: Refusal } => {
  const { body, caller, now } = context
  const userId = text(body, "user_id")
  if (caller._tag === "Platform") {
    if (userId === undefined) return { refusal: invalid("user_id", Messages.requiredFieldMissing) }
    const user = userOf(books, caller.marketplace, userId)
    return user === undefined
      ? { refusal: unknownRecord(context.settings) }
      : { owner: { marketplace: caller.marketplace, user } }
  }
  const token = text(body, "token")
  if (token === undefined) return { refusal: invalid("token", Messages.requiredFieldMissing) }
  const record = books.tokenAuths.get(token)
  if (record === undefined) return { refusal: invalid("token", Messages.isInvalid) }
  if (record.type !== type) return { refusal: invalid("token", `is not a ${type} token`) }
  const status = ZaiBooks.tokenAuthStatus(record, now)
  if (status === "used") return { refusal: invalid("token", Messages.tokenUsed) }
  if (status === "expired") return { refusal: invalid("token", Messages.expired) }
  // The browser may name the user too (Hosted Fields sends it): it must be the token's.
  if (userId !== undefined && userId !== record.userId) return { refusal: invalid("user_id", Messages.isInvalid) }
  const user = userOf(books, record.marketplace, record.userId)
  if (user === undefined) return { refusal: invalid("token", Messages.isInvalid) }
  return { owner: { marketplace: record.marketplace, user, tokenAuth: record } }
}

// ---------------------------------------------------------------------------------------------
// Accounts: what card and bank accounts have in common

interface AccountRecord {
  readonly id: string
  readonly marketplace: string
  readonly userId: string
  readonly active: boolean
  readonly updatedAt: number
}

/** Where a kind of account lives in the books and how Zai shows it. */
interface AccountKind<A extends AccountRecord> {
  readonly of: (books: ZaiBooks.Books) => ReadonlyMap<string, A>
  readonly changes: (record: A) => ZaiBooks.Changes
  /** The Show representation, wrapped in its plural key. */
  readonly show: (record: A) => unknown
  /** The recorded answer to a redaction. */
  readonly redacted: unknown
}

const cards: AccountKind<ZaiBooks.CardAccountRecord> = {
  of: (books) => books.cardAccounts,
  changes: (record) => ({ cardAccounts: [record] }),
  show: (record) => ({ card_accounts: ZaiRepresentations.cardAccount(record) }),
  redacted: { code: 808, message: "Successfully redacted account." },
}

const banks: AccountKind<ZaiBooks.BankAccountRecord> = {
  of: (books) => books.bankAccounts,
  changes: (record) => ({ bankAccounts: [record] }),
  show: (record) => ({ bank_accounts: ZaiRepresentations.bankAccount(record) }),
  redacted: { code: 808, message: "Successfully redacted account" },
}

const accountNotice = <A extends AccountRecord>(kind: AccountKind<A>, record: A): Notice => ({
  kind: "accounts",
  marketplace: record.marketplace,
  reference: record.id,
  body: kind.show(record),
})

/** The fields every new account has: its id, its owner, when, and the token auth it was created with. */
const newAccount = (context: RuleContext, owner: Owner) => ({
  id: context.fresh.uuid,
  marketplace: owner.marketplace,
  userId: owner.user.id,
  createdAt: context.now,
  updatedAt: context.now,
  active: true,
  ...(owner.tokenAuth === undefined ? {} : { tokenAuth: owner.tokenAuth.token }),
})

/**
 * Creating an account of a kind: find its owner (the platform's user, or the browser's token
 * auth of `type`), let `build` check the kind's own fields (adding what is wrong to `problems`)
 * and make the record, then keep it, use the token auth up and send the webhook.
 */
const createAccount =
  <A extends AccountRecord>(
    kind: AccountKind<A>,
    type: ZaiBooks.TokenType,
    build: (context: RuleContext, owner: Owner, problems: Problems) => A | undefined,
    answer: (record: A) => unknown,
  ) =>
  (books: ZaiBooks.Books, context: RuleContext): Outcome => {
    const found = ownerOf(books, context, type)
    if ("refusal" in found) return refused(found.refusal)
    const { owner } = found
    const problems = new Problems()
    const record = build(context, owner, problems)
    if (record === undefined) return refused(validation(problems.errors ?? {}))
    const used =
      owner.tokenAuth === undefined
        ? {}
        : { tokenAuths: [{ ...owner.tokenAuth, usedAt: context.now, accountId: record.id }] }
    return accepted({ ...kind.changes(record), ...used }, 201, answer(record), [accountNotice(kind, record)])
  }

/** The account `context.id` names, if it is the caller's; the refusal otherwise. */
const ownAccount = <A extends AccountRecord>(
  kind: AccountKind<A>,
  books: ZaiBooks.Books,
  context: RuleContext,
  marketplace: string,
): { readonly account: A } | { readonly refusal: Refusal } => {
  const id = context.id ?? ""
  if (!uuidPattern.test(id)) return { refusal: invalid("id", Messages.invalidFormat) }
  const account = kind.of(books).get(id.toLowerCase())
  return account === undefined || account.marketplace !== marketplace
    ? { refusal: unknownRecord(context.settings) }
    : { account }
}

type PlatformRule = (books: ZaiBooks.Books, context: RuleContext, marketplace: string) => Outcome

const showAccount =
  <A extends AccountRecord>(kind: AccountKind<A>): PlatformRule =>
  (books, context, marketplace) => {
    const found = ownAccount(kind, books, context, marketplace)
    return "refusal" in found ? refused(found.refusal) : answered(200, kind.show(found.account))
  }

const showAccountUser =
  <A extends AccountRecord>(kind: AccountKind<A>): PlatformRule =>
  (books, context, marketplace) => {
    const found = ownAccount(kind, books, context, marketplace)
    if ("refusal" in found) return refused(found.refusal)
    const user = userOf(books, marketplace, found.account.userId)
    return user === undefined
      ? refused(unknownRecord(context.settings))
      : answered(200, { users: ZaiRepresentations.user(user) })
  }

/** As recorded: 200 with code 808. The account stays readable, inactive; redacting it again changes nothing. */
const redactAccount =
  <A extends AccountRecord>(kind: AccountKind<A>): PlatformRule =>
  (books, context, marketplace) => {
    const found = ownAccount(kind, books, context, marketplace)
    if ("refusal" in found) return refused(found.refusal)
    if (!found.account.active) return answered(200, kind.redacted)
    const record: A = { ...found.account, active: false, updatedAt: context.now }
    return accepted(kind.changes(record), 200, kind.redacted, [accountNotice(kind, record)])
  }

/** The user's active account of a kind, the latest one; 422 `no account found` when there is none (recorded). */
const showUserAccount =
  <A extends AccountRecord>(kind: AccountKind<A>): PlatformRule =>
  (books, context, marketplace) => {
    const user = userOf(books, marketplace, context.id)
    if (user === undefined) return refused(unknownRecord(context.settings))
    const latest = [...kind.of(books).values()]
      .filter((a) => a.marketplace === marketplace && a.userId === user.id && a.active)
      .at(-1)
    return latest === undefined
      ? refused(invalid("account", Messages.noAccountFound))
      : answered(200, kind.show(latest))
  }

// ---------------------------------------------------------------------------------------------
// Card accounts

/** `XXXX-XXXX-XXXX-1111`: the only form of a card number the simulator keeps or writes. */
export const maskCardNumber = (number: string): string => `XXXX-XXXX-XXXX-${number.slice(-4)}`

const cardAccount = (
  context: RuleContext,
  owner: Owner,
  problems: Problems,
): ZaiBooks.CardAccountRecord | undefined => {
  const { body, now } = context
  const fullName = text(body, "full_name")
  const number = text(body, "number")
  const month = text(body, "expiry_month")
  const year = text(body, "expiry_year")
  const cvv = text(body, "cvv")
  if (problems.require("full_name", fullName) && !/\S\s+\S/.test(fullName ?? "")) {
    problems.add("full_name", Messages.isInvalid)
  }
  if (problems.require("number", number) && !SimulatedCard.isCardNumber(number ?? "")) {
    problems.add("number", Messages.isInvalid)
  }
  const monthValue = month !== undefined && /^[0-9]{1,2}$/.test(month) ? Number(month) : undefined
  if (problems.require("expiry_month", month) && (monthValue === undefined || monthValue < 1 || monthValue > 12)) {
    problems.add("expiry_month", Messages.isInvalid)
  }
  const yearValue = year !== undefined && /^[0-9]{4}$/.test(year) ? Number(year) : undefined
  if (problems.require("expiry_year", year) && yearValue === undefined) problems.add("expiry_year", Messages.isInvalid)
  if (problems.require("cvv", cvv) && !/^[0-9]{3,4}$/.test(cvv ?? "")) problems.add("cvv", Messages.isInvalid)
  if (problems.errors === undefined && now >= SimulatedCard.validUntil(monthValue as number, yearValue as number)) {
    problems.add("expiry_year", Messages.expired)
  }
  if (problems.errors !== undefined) return undefined
  const pan = number as string
  return {
    ...newAccount(context, owner),
    brand: SimulatedCard.brand(pan),
    fullName: fullName as string,
    masked: maskCardNumber(pan),
    expiryMonth: String(monthValue),
    expiryYear: String(yearValue),
    currency: context.settings.currency,
  }
}

// The spec's 201 example has no `card`; the Show representation (and the webhook) has it.
const createCardAccount = createAccount(cards, "card", cardAccount, (record) => ({
  card_accounts: ZaiRepresentations.cardAccount(record, false),
}))

// ---------------------------------------------------------------------------------------------
// Bank accounts

const accountTypes: ReadonlyArray<string> = ["savings", "checking"]
const holderTypes: ReadonlyArray<string> = ["personal", "business"]

/** Every character but the last `shown` written as `X`. */
const maskKeeping = (value: string, shown: number): string =>
  "X".repeat(Math.max(value.length - shown, 0)) + value.slice(-shown)

const bankAccount = (
  context: RuleContext,
  owner: Owner,
  problems: Problems,
): ZaiBooks.BankAccountRecord | undefined => {
  const { body } = context
  const bankName = text(body, "bank_name")
  const accountName = text(body, "account_name")
  const routing = text(body, "routing_number")
  const accountNumber = text(body, "account_number")
  const accountType = text(body, "account_type")
  const holderType = text(body, "holder_type")
  const country = text(body, "country")
  const currency = text(body, "currency")
  const payoutCurrency = text(body, "payout_currency")
  // Australian BSBs have 6 digits and account numbers up to 9; elsewhere IBANs and SWIFT codes.
  const australian = country === "AUS"
  problems.require("bank_name", bankName)
  problems.require("account_name", accountName)
  if (
    problems.require("routing_number", routing) &&
    !(australian ? /^[0-9]{6}$/ : /^[0-9A-Za-z]{1,34}$/).test(routing ?? "")
  ) {
    problems.add("routing_number", Messages.isInvalid)
  }
  if (
    problems.require("account_number", accountNumber) &&
    !(australian ? /^[0-9]{4,9}$/ : /^[0-9A-Za-z]{1,34}$/).test(accountNumber ?? "")
  ) {
    problems.add("account_number", Messages.isInvalid)
  }
  if (problems.require("account_type", accountType) && !accountTypes.includes(accountType as string)) {
    problems.add("account_type", Messages.notIncluded)
  }
  if (problems.require("holder_type", holderType) && !holderTypes.includes(holderType as string)) {
    problems.add("holder_type", Messages.notIncluded)
  }
  if (problems.require("country", country) && !alpha3.test(country ?? "")) problems.add("country", Messages.isInvalid)
  if (currency !== undefined && !currencyPattern.test(currency)) problems.add("currency", Messages.isInvalid)
  if (payoutCurrency !== undefined && !currencyPattern.test(payoutCurrency)) {
    problems.add("payout_currency", Messages.isInvalid)
  }
  if (problems.errors !== undefined) return undefined
  return {
    ...newAccount(context, owner),
    bankName: bankName as string,
    accountName: accountName as string,
    routingNumber: maskKeeping(routing as string, 1),
    accountNumber: maskKeeping(accountNumber as string, 3),
    accountType: accountType as ZaiBooks.AccountType,
    holderType: holderType as ZaiBooks.HolderType,
    country: country as string,
    currency: currency ?? context.settings.currency,
    ...(payoutCurrency === undefined ? {} : { payoutCurrency }),
  }
}

const createBankAccount = createAccount(banks, "bank", bankAccount, banks.show)

// ---------------------------------------------------------------------------------------------

const platformRules: Readonly<
  Record<Exclude<Endpoint, "token" | "createCardAccount" | "createBankAccount">, PlatformRule>
> = {
  generateToken,
  createUser,
  showUser,
  showCardAccount: showAccount(cards),
  showCardAccountUser: showAccountUser(cards),
  redactCardAccount: redactAccount(cards),
  showBankAccount: showAccount(banks),
  showBankAccountUser: showAccountUser(banks),
  redactBankAccount: redactAccount(banks),
  showUserCardAccount: showUserAccount(cards),
  showUserBankAccount: showUserAccount(banks),
}

/** Whether the browser (a token auth, no bearer token) may call `endpoint`. */
export const browserMayCall = (endpoint: Endpoint): boolean =>
  endpoint === "createCardAccount" || endpoint === "createBankAccount"

/** One core API request. The issuer's `token` endpoint is not a core rule. */
export const apply = (books: ZaiBooks.Books, context: RuleContext): Outcome => {
  const { endpoint } = context
  if (endpoint === "createCardAccount") return createCardAccount(books, context)
  if (endpoint === "createBankAccount") return createBankAccount(books, context)
  const marketplace = platformOf(context.caller)
  if (endpoint === "token" || marketplace === undefined) return refused(Refusals.unauthorized)
  return platformRules[endpoint](books, context, marketplace)
}
