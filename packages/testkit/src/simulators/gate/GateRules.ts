/**
 * What Gate does with a request that passed the signature check, endpoint by endpoint, as a
 * pure step over the books: refuse with Gate's code, or accept, change the books and say which
 * callbacks follow.
 *
 * The rules (gate.md §4, §5, §9):
 * - one token per (project, customer, card): the same card for the same customer gets the same
 *   token back, with the expiry updated when it differs; a card whose token was revoked or has
 *   expired gets a new token;
 * - a token is `active` until revoked (`revoke`) or until its card's expiry passes (`expiry`);
 *   it can pay any number of times while active;
 * - a payment id is unique within its project (3041), and is taken only by an accepted payment;
 * - a token belongs to one customer of one project: another project's token is unknown (3027),
 *   another customer's is 3101;
 * - where the project asks for it, a payout needs an earlier purchase with the same token (3107);
 * - revoking is idempotent: a revoked token is accepted again and confirmed again (Gate's answer
 *   to a repeated revoke is not documented).
 */
import * as Either from "effect/Either"
import * as SimulatedCard from "../shared/SimulatedCard.js"
import * as GateBooks from "./GateBooks.js"
import * as GateCallbacks from "./GateCallbacks.js"
import type { Endpoint, PaymentEndpoint } from "./GateEndpoints.js"
import { type GateRefusal, Refusals } from "./GateErrors.js"
import { at, type JsonObject, scalarText } from "./GateJson.js"

export interface RuleContext {
  readonly endpoint: Endpoint
  readonly body: JsonObject
  readonly projectId: number
  readonly now: number
  readonly requestId: string
  /** The token a new card gets (drawn before the step, so the step stays pure). */
  readonly freshToken: string
  /** Keys the card digest. */
  readonly cardDigestKey: string
  /** Whether token callbacks and card-by-token answers carry the masked card. */
  readonly withCard: boolean
  /** Whether a payout needs an earlier accepted purchase with the same token (3107 otherwise). */
  readonly payoutNeedsPurchase: boolean
}

export type Outcome =
  | { readonly _tag: "Refused"; readonly refusal: GateRefusal }
  | {
      readonly _tag: "Accepted"
      readonly books: GateBooks.Books
      /** Fields of the answer besides `status`, `request_id` and `project_id`. */
      readonly answer: Record<string, unknown>
      readonly callbacks: ReadonlyArray<GateCallbacks.CallbackDraft>
    }

const refused = (refusal: GateRefusal): Outcome => ({ _tag: "Refused", refusal })

const field = (body: JsonObject, dotted: string): string | undefined => {
  const text = scalarText(at(body, ...dotted.split(".")))
  return text === undefined || text === "" ? undefined : text
}

/** 2004, naming every missing field. */
const requireFields = (body: JsonObject, fields: ReadonlyArray<string>): Either.Either<void, GateRefusal> => {
  const missing = fields.filter((name) => field(body, name) === undefined)
  if (missing.length === 0) return Either.void
  const base = Refusals.requiredField()
  return Either.left({
    ...base,
    errors: missing.map((name) => ({ code: base.code, message: base.message, field: name })),
  })
}

const integer = (text: string | undefined): number | undefined =>
  text !== undefined && /^[0-9]{1,9}$/.test(text) ? Number(text) : undefined

/** The token named in the request, checked against the project and the customer. */
const ownedToken = (
  books: GateBooks.Books,
  context: RuleContext,
  customerId: string,
): Either.Either<GateBooks.TokenRecord, GateRefusal> => {
  const raw = at(context.body, "token")
  if (raw === undefined || raw === null || raw === "") return Either.left(Refusals.tokenMissing("token"))
  if (typeof raw !== "string" || raw.length !== 64) {
    return Either.left(Refusals.invalidToken("token", "a token is a string of 64 characters"))
  }
  const record = books.tokens.get(raw)
  if (record === undefined || record.projectId !== context.projectId) {
    return Either.left(Refusals.invalidToken("token", "unknown token"))
  }
  if (record.customerId !== customerId) {
    return Either.left(Refusals.cardNotFound("customer.id", "the token belongs to another customer"))
  }
  return Either.right(record)
}

const tokenize = (books: GateBooks.Books, context: RuleContext): Outcome => {
  const { body, now } = context
  const required = requireFields(body, [
    "customer.id",
    "customer.ip_address",
    "customer.project_id",
    "card.pan",
    "card.year",
    "card.month",
    "card.card_holder",
  ])
  if (Either.isLeft(required)) return refused(required.left)
  const customerId = field(body, "customer.id") as string
  const pan = field(body, "card.pan") as string
  const holder = field(body, "card.card_holder") as string
  const month = integer(field(body, "card.month"))
  const year = integer(field(body, "card.year"))
  if (!SimulatedCard.isCardNumber(pan)) {
    return refused(Refusals.validation("card.pan", "not a valid card number (12 to 19 digits, Luhn checksum)"))
  }
  if (month === undefined || month < 1 || month > 12) {
    return refused(Refusals.validation("card.month", "a month from 1 to 12"))
  }
  if (year === undefined || year < 2000 || year > 2099) {
    return refused(Refusals.validation("card.year", "a four-digit year"))
  }
  if (now >= SimulatedCard.validUntil(month, year)) return refused(Refusals.cardExpired("card.year"))

  const cardDigest = SimulatedCard.digest(pan, context.cardDigestKey)
  const key = GateBooks.cardKey(context.projectId, customerId, cardDigest)
  const currentId = books.byCard.get(key)
  const current = currentId === undefined ? undefined : books.tokens.get(currentId)
  const record: GateBooks.TokenRecord =
    current !== undefined && GateBooks.statusOf(current, now) === "active"
      ? // The same card again: the same token; a new expiry replaces the old one.
        { ...current, expMonth: month, expYear: year, holder }
      : {
          token: context.freshToken,
          projectId: context.projectId,
          customerId,
          cardDigest,
          masked: SimulatedCard.mask(pan),
          brand: SimulatedCard.brand(pan),
          holder,
          expMonth: month,
          expYear: year,
          createdAt: now,
        }
  return {
    _tag: "Accepted",
    books: {
      ...books,
      tokens: new Map(books.tokens).set(record.token, record),
      byCard: new Map(books.byCard).set(key, record.token),
    },
    answer: {},
    callbacks: [
      GateCallbacks.tokenCallback({
        record,
        status: "active",
        action: "tokenize",
        requestId: context.requestId,
        withCard: context.withCard,
      }),
    ],
  }
}

const byToken = (books: GateBooks.Books, context: RuleContext): Outcome => {
  const required = requireFields(context.body, ["customer.id"])
  if (Either.isLeft(required)) return refused(required.left)
  const owned = ownedToken(books, context, field(context.body, "customer.id") as string)
  if (Either.isLeft(owned)) return refused(owned.left)
  const record = owned.right
  return {
    _tag: "Accepted",
    books,
    answer: GateCallbacks.tokenFields(record, GateBooks.statusOf(record, context.now), context.withCard),
    callbacks: [],
  }
}

const revoke = (books: GateBooks.Books, context: RuleContext): Outcome => {
  const required = requireFields(context.body, ["customer.id"])
  if (Either.isLeft(required)) return refused(required.left)
  const owned = ownedToken(books, context, field(context.body, "customer.id") as string)
  if (Either.isLeft(owned)) return refused(owned.left)
  const record: GateBooks.TokenRecord = { ...owned.right, revokedAt: owned.right.revokedAt ?? context.now }
  return {
    _tag: "Accepted",
    books: { ...books, tokens: new Map(books.tokens).set(record.token, record) },
    answer: {},
    callbacks: [
      GateCallbacks.tokenCallback({
        record,
        status: "revoke",
        action: "revoke",
        requestId: context.requestId,
        withCard: context.withCard,
      }),
    ],
  }
}

const pay =
  (endpoint: PaymentEndpoint) =>
  (books: GateBooks.Books, context: RuleContext): Outcome => {
    const { body, now } = context
    // Verification checks the card without moving money, so it needs no amount.
    const needsAmount = endpoint !== "account_verification"
    const required = requireFields(body, [
      "general.payment_id",
      "customer.id",
      "customer.ip_address",
      ...(needsAmount ? ["payment.amount", "payment.currency"] : []),
    ])
    if (Either.isLeft(required)) return refused(required.left)
    const paymentId = field(body, "general.payment_id") as string
    const customerId = field(body, "customer.id") as string
    const amountText = field(body, "payment.amount")
    const currency = field(body, "payment.currency")
    const amount = integer(amountText)
    if (amountText !== undefined && (amount === undefined || (needsAmount && amount === 0))) {
      return refused(Refusals.validation("payment.amount", "a positive integer in minor units"))
    }
    if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) {
      return refused(Refusals.validation("payment.currency", "an ISO 4217 code"))
    }
    if (books.payments.has(GateBooks.paymentKey(context.projectId, paymentId))) {
      return refused(Refusals.duplicatePaymentId("general.payment_id"))
    }
    const owned = ownedToken(books, context, customerId)
    if (Either.isLeft(owned)) return refused(owned.left)
    const token = owned.right
    const status = GateBooks.statusOf(token, now)
    if (status === "revoke") return refused(Refusals.invalidToken("token", "the token is revoked"))
    if (status === "expiry") return refused(Refusals.cardExpired("token", "the card behind the token has expired"))
    if (
      endpoint === "payout" &&
      context.payoutNeedsPurchase &&
      ![...books.payments.values()].some((p) => p.token === token.token && p.endpoint === "sale")
    ) {
      return refused(Refusals.payoutWithoutPurchase("token"))
    }

    const operationId = books.operations + 1
    const payment: GateBooks.PaymentRecord = {
      projectId: context.projectId,
      paymentId,
      endpoint,
      token: token.token,
      customerId,
      ...(amount === undefined ? {} : { amount }),
      ...(currency === undefined ? {} : { currency }),
      operationId,
      requestId: context.requestId,
      acceptedAt: now,
    }
    return {
      _tag: "Accepted",
      books: {
        ...books,
        operations: operationId,
        payments: new Map(books.payments).set(GateBooks.paymentKey(context.projectId, paymentId), payment),
      },
      answer: { payment_id: paymentId },
      callbacks: [GateCallbacks.paymentCallback(payment, token)],
    }
  }

const rules: Readonly<Record<Endpoint, (books: GateBooks.Books, context: RuleContext) => Outcome>> = {
  tokenize,
  bytoken: byToken,
  revoke,
  sale: pay("sale"),
  payout: pay("payout"),
  account_verification: pay("account_verification"),
}

export const apply = (books: GateBooks.Books, context: RuleContext): Outcome => rules[context.endpoint](books, context)
