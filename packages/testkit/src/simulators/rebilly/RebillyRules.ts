/**
 * What each operation does to the books once the request is routed, authenticated and within its
 * rate limit: a pure step from the books and the request to an answer and the new books, so the
 * simulator can run it atomically.
 *
 * Tokens (rebilly.md §5, §6): `POST /tokens` mints a `payment-card` token (the only method the
 * simulator mints) and keeps no PAN or CVV. A token is redeemed by `POST /payment-instruments`
 * `{customerId, token}` or `POST /transactions` with `paymentInstruction: {token}`; either marks
 * it used (`isUsed`, `usageTime`), also when the transaction is declined.
 *
 * Choices where Rebilly's behaviour is unknown (rebilly.md §13):
 * - redeeming a token that is unknown, used or expired is 422 with `invalidFields` naming the
 *   token field (`token` or `paymentInstruction.token`); the token stays as it was;
 * - a token without a card number, or (for a transaction) without a billing address on the token
 *   or the request, cannot pay: 422 on the token field, token not consumed;
 * - a transaction repeating a `requestId` seen within 24 hours answers the first transaction again
 *   when the request is the same (a safe retry), and 409 when it differs;
 * - a used or expired token stays readable (`GET /tokens/{token}` 200, with `isUsed` or
 *   `expirationTime`); `GET /tokens` lists newest first; `limit` defaults to 100;
 * - a card already vaulted for the customer is updated and answered 303 with its `Location`.
 */
import { createHash } from "node:crypto"
import * as Entries from "../shared/Entries.js"
import * as SimulatedCard from "../shared/SimulatedCard.js"
import * as Books from "./RebillyBooks.js"
import * as RebillyCard from "./RebillyCard.js"
import type { Endpoint, Scheme } from "./RebillyEndpoints.js"
import { contact, Fields, isObject, type JsonObject, own } from "./RebillyFields.js"
import { type InvalidField, type Problem, Problems } from "./RebillyProblems.js"
import * as Resources from "./RebillyResources.js"

/** Ids drawn for this request, in case it creates something. */
export interface Fresh {
  readonly tokenId: string
  readonly instrumentId: string
  readonly transactionId: string
  readonly sessionId: string
}

export interface RuleContext {
  readonly endpoint: Endpoint
  /** The path id (`/tokens/{token}`, …). */
  readonly id: string | undefined
  readonly query: URLSearchParams
  /** The parsed JSON body of a POST. */
  readonly body: unknown
  readonly now: number
  readonly scheme: Scheme
  readonly fresh: Fresh
  readonly baseUrl: string
  readonly cardDigestKey: string
  readonly liveExtras: boolean
  readonly defaultLimit: number
}

export type Outcome =
  | {
      readonly _tag: "Accepted"
      readonly books: Books.Books
      readonly status: number
      readonly body: unknown
      readonly headers?: Readonly<Record<string, string>>
    }
  | { readonly _tag: "Refused"; readonly problem: Problem }

const accepted = (
  books: Books.Books,
  status: number,
  body: unknown,
  headers?: Readonly<Record<string, string>>,
): Outcome => ({ _tag: "Accepted", books, status, body, ...(headers === undefined ? {} : { headers }) })

const refused = (problem: Problem): Outcome => ({ _tag: "Refused", problem })

const invalid = (invalidFields: ReadonlyArray<InvalidField>): Outcome => refused(Problems.invalid(invalidFields))

const bodyObject = (context: RuleContext): JsonObject | undefined => (isObject(context.body) ? context.body : undefined)

const notAnObject = refused(Problems.badRequest("The request body must be a JSON object."))

// ---- tokens ----------------------------------------------------------------------------------

const cardOf = (fields: Fields, instrument: JsonObject, context: RuleContext): Books.Card | undefined => {
  const path = "paymentInstrument"
  const pan = fields.string(instrument, "pan", `${path}.pan`)
  const cvv = fields.string(instrument, "cvv", `${path}.cvv`, { pattern: /^[0-9]{3,4}$/ })
  const expMonth = fields.integer(instrument, "expMonth", `${path}.expMonth`, { required: true, min: 1, max: 12 })
  const expYear = fields.integer(instrument, "expYear", `${path}.expYear`, { required: true, min: 1000, max: 9999 })
  if (pan !== undefined && !SimulatedCard.isCardNumber(pan))
    fields.add(`${path}.pan`, "This value is not a valid card number.")
  if (expMonth !== undefined && expYear !== undefined && SimulatedCard.validUntil(expMonth, expYear) <= context.now) {
    fields.add(`${path}.expYear`, "The card has expired.")
  }
  if (!fields.ok || expMonth === undefined || expYear === undefined) return undefined
  return {
    bin: pan === undefined ? null : pan.slice(0, 6),
    last4: pan === undefined ? null : pan.slice(-4),
    brand: pan === undefined ? undefined : RebillyCard.brandOf(pan),
    expMonth,
    expYear,
    digest: pan === undefined ? undefined : SimulatedCard.digest(pan, context.cardDigestKey),
    decline: pan === undefined ? undefined : RebillyCard.declineOf(pan, cvv, expMonth, expYear),
  }
}

const createToken = (books: Books.Books, context: RuleContext): Outcome => {
  const body = bodyObject(context)
  if (body === undefined) return notAnObject
  const fields = new Fields()
  const method = fields.string(body, "method", "method", { required: true })
  if (method !== undefined && method !== "payment-card") {
    fields.add("method", "The simulator mints payment-card tokens only.")
  }
  const instrument = fields.object(body, "paymentInstrument", "paymentInstrument", true)
  const card = instrument === undefined ? undefined : cardOf(fields, instrument, context)
  const address = fields.object(body, "billingAddress", "billingAddress")
  const billingAddress = address === undefined ? undefined : contact(fields, address, "billingAddress")
  const riskMetadata = own(body, "riskMetadata")
  if (riskMetadata !== undefined && riskMetadata !== null && !isObject(riskMetadata)) {
    fields.add("riskMetadata", "This value must be an object or null.")
  }
  fields.object(body, "leadSource", "leadSource")
  if (!fields.ok || card === undefined) return invalid(fields.invalid)

  const token: Books.TokenRecord = {
    id: context.fresh.tokenId,
    card,
    billingAddress,
    riskMetadata: riskMetadata ?? null,
    createdAt: context.now,
    updatedAt: context.now,
    usedAt: undefined,
    usedBy: undefined,
    createdWith: context.scheme,
  }
  return accepted(
    Books.withToken(books, token),
    201,
    Resources.token(token, context.now, context.baseUrl, context.liveExtras),
    { location: Resources.tokenUrl(context.baseUrl, token.id) },
  )
}

const getToken = (books: Books.Books, context: RuleContext): Outcome => {
  const token = context.id === undefined ? undefined : Entries.get(books.tokens, context.id)
  return token === undefined
    ? refused(Problems.notFound("Token not found."))
    : accepted(books, 200, Resources.token(token, context.now, context.baseUrl, context.liveExtras))
}

const pageParameter = (fields: Fields, query: URLSearchParams, name: string, fallback: number): number => {
  const text = query.get(name)
  if (text === null || text === "") return fallback
  if (!/^[0-9]{1,4}$/.test(text) || Number(text) > 1000) {
    fields.add(name, "This value must be an integer between 0 and 1000.")
    return fallback
  }
  return Number(text)
}

const listTokens = (books: Books.Books, context: RuleContext): Outcome => {
  const fields = new Fields()
  const limit = pageParameter(fields, context.query, "limit", context.defaultLimit)
  const offset = pageParameter(fields, context.query, "offset", 0)
  if (!fields.ok) return invalid(fields.invalid)
  const newestFirst = [...Entries.values(books.tokens)].reverse()
  return accepted(
    books,
    200,
    newestFirst
      .slice(offset, offset + limit)
      .map((token) => Resources.token(token, context.now, context.baseUrl, context.liveExtras)),
    {
      "pagination-total": String(newestFirst.length),
      "pagination-limit": String(limit),
      "pagination-offset": String(offset),
    },
  )
}

// ---- redemption ------------------------------------------------------------------------------

/** The token `tokenId` if it can be used now, or why not (on `field`). */
const usableToken = (
  books: Books.Books,
  tokenId: string,
  field: string,
  now: number,
): Books.TokenRecord | InvalidField => {
  const token = Entries.get(books.tokens, tokenId)
  if (token === undefined) return { field, message: "Token not found." }
  switch (Books.stateOf(token, now)) {
    case "used":
      return { field, message: "Token has already been used." }
    case "expired":
      return { field, message: "Token has expired." }
    case "unused":
      return token.card.digest === undefined ? { field, message: "Token has no card number." } : token
  }
}

const isInvalidField = (value: Books.TokenRecord | InvalidField): value is InvalidField => "field" in value

const consume = (token: Books.TokenRecord, now: number, usedBy: string): Books.TokenRecord => ({
  ...token,
  usedAt: now,
  updatedAt: now,
  usedBy,
})

/** The customer's instrument for this card, updated from `token`, or a new one. */
const vault = (
  books: Books.Books,
  customerId: string,
  token: Books.TokenRecord,
  context: RuleContext,
  extra: { readonly useAsBackup?: boolean; readonly customFields?: unknown },
): { readonly instrument: Books.InstrumentRecord; readonly existed: boolean } => {
  const digest = token.card.digest ?? ""
  const existingId = Entries.get(books.instrumentByCard, Books.cardKey(customerId, digest))
  const existing = existingId === undefined ? undefined : Entries.get(books.instruments, existingId)
  if (existing !== undefined) {
    return {
      existed: true,
      instrument: {
        ...existing,
        card: token.card,
        billingAddress: token.billingAddress ?? existing.billingAddress,
        useAsBackup: extra.useAsBackup ?? existing.useAsBackup,
        customFields: extra.customFields ?? existing.customFields,
        token: token.id,
        updatedAt: context.now,
        revision: existing.revision + 1,
      },
    }
  }
  return {
    existed: false,
    instrument: {
      id: context.fresh.instrumentId,
      customerId,
      card: token.card,
      billingAddress: token.billingAddress,
      status: "inactive",
      useAsBackup: extra.useAsBackup ?? false,
      customFields: extra.customFields,
      token: token.id,
      createdAt: context.now,
      updatedAt: context.now,
      revision: 1,
    },
  }
}

const customerIdPattern = /^[@~\-.\w]+$/

const createPaymentInstrument = (books: Books.Books, context: RuleContext): Outcome => {
  const body = bodyObject(context)
  if (body === undefined) return notAnObject
  const fields = new Fields()
  const customerId = fields.string(body, "customerId", "customerId", {
    required: true,
    maxLength: 50,
    pattern: customerIdPattern,
  })
  const tokenId = fields.string(body, "token", "token", { required: true })
  const useAsBackup = fields.boolean(body, "useAsBackup", "useAsBackup")
  const customFields = fields.object(body, "customFields", "customFields")
  if (!fields.ok || customerId === undefined || tokenId === undefined) return invalid(fields.invalid)
  const token = usableToken(books, tokenId, "token", context.now)
  if (isInvalidField(token)) return invalid([token])

  const { instrument, existed } = vault(books, customerId, token, context, {
    ...(useAsBackup === undefined ? {} : { useAsBackup }),
    ...(customFields === undefined ? {} : { customFields }),
  })
  const next = Books.withInstrument(Books.withToken(books, consume(token, context.now, instrument.id)), instrument)
  return accepted(next, existed ? 303 : 201, Resources.instrument(instrument, context.baseUrl), {
    location: Resources.instrumentUrl(context.baseUrl, instrument.id),
  })
}

const getPaymentInstrument = (books: Books.Books, context: RuleContext): Outcome => {
  const instrument = context.id === undefined ? undefined : Entries.get(books.instruments, context.id)
  return instrument === undefined
    ? refused(Problems.notFound("Payment instrument not found."))
    : accepted(books, 200, Resources.instrument(instrument, context.baseUrl))
}

const transactionTypes = ["sale", "authorize", "setup"] as const
type TransactionType = (typeof transactionTypes)[number]
const isTransactionType = (value: string): value is TransactionType =>
  (transactionTypes as ReadonlyArray<string>).includes(value)

const createTransaction = (books: Books.Books, context: RuleContext): Outcome => {
  const body = bodyObject(context)
  if (body === undefined) return notAnObject
  const fields = new Fields()
  const type = fields.string(body, "type", "type", { required: true })
  if (type !== undefined && !isTransactionType(type)) fields.add("type", "This value must be sale, authorize or setup.")
  const websiteId = fields.string(body, "websiteId", "websiteId", { required: true, maxLength: 50 })
  const customerId = fields.string(body, "customerId", "customerId", {
    required: true,
    maxLength: 50,
    pattern: customerIdPattern,
  })
  const currency = fields.string(body, "currency", "currency", { required: true, pattern: /^[A-Z]{3}$/ })
  const amount = own(body, "amount")
  if (amount === undefined || amount === null) fields.add("amount", "This value is required.")
  else if (typeof amount !== "number" || !Number.isFinite(amount) || amount < 0) {
    fields.add("amount", "This value must be a number not below 0.")
  } else if (amount === 0 && type !== "setup") fields.add("amount", "This value must be above 0.")
  const requestId = fields.string(body, "requestId", "requestId", { maxLength: 50, pattern: /^[-\w]+$/ })
  const address = own(body, "billingAddress")
  let billingAddress: JsonObject | undefined
  if (address !== undefined && address !== null) {
    if (isObject(address)) billingAddress = contact(fields, address, "billingAddress")
    else fields.add("billingAddress", "This value must be an object or null.")
  }
  const instruction = fields.object(body, "paymentInstruction", "paymentInstruction")
  if (instruction === undefined && fields.ok) {
    fields.add("paymentInstruction", "The customer has no default payment instrument.")
  }
  const tokenId =
    instruction === undefined ? undefined : fields.string(instruction, "token", "paymentInstruction.token")
  const instrumentId =
    instruction === undefined || tokenId !== undefined
      ? undefined
      : fields.string(instruction, "paymentInstrumentId", "paymentInstruction.paymentInstrumentId", {
          required: true,
          maxLength: 50,
        })
  if (
    !fields.ok ||
    type === undefined ||
    !isTransactionType(type) ||
    websiteId === undefined ||
    customerId === undefined ||
    currency === undefined ||
    typeof amount !== "number"
  ) {
    return invalid(fields.invalid)
  }

  const requestDigest = createHash("sha256")
    .update(JSON.stringify([type, websiteId, customerId, currency, amount, tokenId ?? null, instrumentId ?? null]))
    .digest("hex")
  if (requestId !== undefined) {
    const earlierId = Entries.get(books.transactionByRequestId, requestId)
    const earlier = earlierId === undefined ? undefined : Entries.get(books.transactions, earlierId)
    if (earlier !== undefined && context.now - earlier.createdAt < Books.requestIdWindowMillis) {
      if (earlier.requestDigest !== requestDigest) {
        return refused(Problems.conflict("A different transaction was already made with this requestId."))
      }
      return accepted(books, 201, Resources.transaction(earlier, context.baseUrl), {
        location: Resources.transactionUrl(context.baseUrl, earlier.id),
      })
    }
  }

  let paid: { readonly books: Books.Books; readonly instrument: Books.InstrumentRecord; readonly token?: string }
  if (tokenId !== undefined) {
    const token = usableToken(books, tokenId, "paymentInstruction.token", context.now)
    if (isInvalidField(token)) return invalid([token])
    if (token.billingAddress === undefined && billingAddress === undefined) {
      return invalid([{ field: "paymentInstruction.token", message: "Token has no billing address." }])
    }
    const { instrument } = vault(books, customerId, token, context, {})
    paid = {
      books: Books.withToken(books, consume(token, context.now, context.fresh.transactionId)),
      instrument,
      token: token.id,
    }
  } else {
    const instrument = instrumentId === undefined ? undefined : Entries.get(books.instruments, instrumentId)
    if (instrument === undefined || instrument.customerId !== customerId) {
      return invalid([{ field: "paymentInstruction.paymentInstrumentId", message: "Payment instrument not found." }])
    }
    paid = { books, instrument }
  }

  const decline = paid.instrument.card.decline
  const transaction: Books.TransactionRecord = {
    id: context.fresh.transactionId,
    requestId,
    requestDigest,
    type,
    websiteId,
    customerId,
    currency,
    amount,
    token: paid.token,
    paymentInstrumentId: paid.instrument.id,
    card: paid.instrument.card,
    billingAddress: billingAddress ?? paid.instrument.billingAddress,
    result: decline === undefined ? "approved" : "declined",
    decline,
    createdAt: context.now,
  }
  const instrument: Books.InstrumentRecord =
    decline === undefined ? { ...paid.instrument, status: "active" } : paid.instrument
  const next = Books.withTransaction(Books.withInstrument(paid.books, instrument), transaction)
  return accepted(next, 201, Resources.transaction(transaction, context.baseUrl), {
    location: Resources.transactionUrl(context.baseUrl, transaction.id),
  })
}

const getTransaction = (books: Books.Books, context: RuleContext): Outcome => {
  const transaction = context.id === undefined ? undefined : Entries.get(books.transactions, context.id)
  return transaction === undefined
    ? refused(Problems.notFound("Transaction not found."))
    : accepted(books, 200, Resources.transaction(transaction, context.baseUrl))
}

// ---- digital wallets -------------------------------------------------------------------------

const validateDigitalWallet = (books: Books.Books, context: RuleContext): Outcome => {
  const body = bodyObject(context)
  if (body === undefined) return notAnObject
  const fields = new Fields()
  const type = fields.string(body, "type", "type", { required: true })
  if (type !== undefined && type !== "Apple Pay") fields.add("type", "This value must be Apple Pay.")
  const request = fields.object(body, "validationRequest", "validationRequest", true)
  const validationUrl =
    request === undefined
      ? undefined
      : fields.string(request, "validationUrl", "validationRequest.validationUrl", { required: true })
  if (validationUrl !== undefined && !/^https:\/\/[^/\s]+/.test(validationUrl)) {
    fields.add("validationRequest.validationUrl", "This value must be an https URL.")
  }
  const domainName =
    request === undefined
      ? undefined
      : fields.string(request, "domainName", "validationRequest.domainName", { required: true, maxLength: 255 })
  const displayName =
    request === undefined
      ? undefined
      : fields.string(request, "displayName", "validationRequest.displayName", { maxLength: 128 })
  if (!fields.ok || domainName === undefined) return invalid(fields.invalid)
  return accepted(
    books,
    201,
    {
      type: "Apple Pay",
      validationResponse: Resources.applePaySession(
        context.now,
        domainName,
        displayName ?? "",
        context.fresh.sessionId,
      ),
    },
    { location: `${context.baseUrl}/digital-wallets/validation` },
  )
}

const rules: Readonly<Record<Endpoint, (books: Books.Books, context: RuleContext) => Outcome>> = {
  createToken,
  listTokens,
  getToken,
  validateDigitalWallet,
  createPaymentInstrument,
  getPaymentInstrument,
  createTransaction,
  getTransaction,
}

export const apply = (books: Books.Books, context: RuleContext): Outcome => rules[context.endpoint](books, context)
