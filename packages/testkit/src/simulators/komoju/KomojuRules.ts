/**
 * What KOMOJU does with an authenticated request, endpoint by endpoint, as a pure step over the
 * books: the answer (status and body), the books after it, and the webhooks that follow.
 *
 * The rules (komoju.md §3–§5, §7):
 * - a token is made from card or konbini `payment_details`, belongs to its merchant, can be
 *   used once (by a payment, a customer or a session payment) and expires 24 h after creation;
 *   a token naming a `currency` pays only in that currency;
 * - a payment takes exactly one of `payment_details` (a token id or a details object) and
 *   `customer`; `amount` is a positive integer, `metadata` maps keys of at most 30 characters to
 *   strings of at most 2000;
 * - a card's test number decides the outcome, unless `Komoju-Scenario` (on the payment, the
 *   session or the customer) forces a failure; a refused payment is recorded as `failed`, sends
 *   `payment.failed`, and consumes the token unless told otherwise (whether KOMOJU does is an
 *   open question, §11.4);
 * - a card payment is `captured` (`payment.captured`) unless `capture` is false, then
 *   `authorized` (`payment.authorized`) until captured or cancelled; a konbini payment is
 *   `authorized` with a deadline until the customer pays at the store;
 * - a session is paid once; its payment carries the session's order number and metadata.
 */
import * as Either from "effect/Either"
import type * as KomojuBooks from "./KomojuBooks.js"
import {
  type Books,
  type CustomerRecord,
  customerObject,
  instructionsUrl,
  type PaymentRecord,
  paymentObject,
  type SessionRecord,
  sessionObject,
  type TokenRecord,
  tokenObject,
  tokenStatus,
} from "./KomojuBooks.js"
import * as KomojuCards from "./KomojuCards.js"
import type { Endpoint } from "./KomojuEndpoints.js"
import { errorBody, type KomojuRefusal, Refusals } from "./KomojuErrors.js"
import { field, isObject, type JsonObject, textOf } from "./KomojuJson.js"
import * as KomojuPaymentDetails from "./KomojuPaymentDetails.js"
import type { EventDraft } from "./KomojuWebhooks.js"

/** How Session: Pay shows a refusal's `error`: KOMOJU's error object, or its message alone (§5b). */
export type SessionPayErrorForm = "object" | "string"

export interface RuleContext {
  readonly endpoint: Endpoint
  /** The `:id` of the path, or `""`. */
  readonly id: string
  readonly merchantId: string
  readonly body: JsonObject
  /** The `Komoju-Scenario` header. */
  readonly scenario: string | undefined
  readonly now: number
  readonly idempotencyKey: string | undefined
  /** Ids a new resource gets (drawn before the step, so the step stays pure). */
  readonly fresh: {
    readonly token: string
    readonly payment: string
    readonly customer: string
    readonly session: string
  }
  readonly failedPaymentConsumesToken: boolean
  readonly sessionPayErrorForm: SessionPayErrorForm
}

export interface Outcome {
  readonly books: Books
  readonly status: number
  readonly body: unknown
  /** KOMOJU's error code when refused. */
  readonly code?: string
  readonly events: ReadonlyArray<EventDraft>
}

const refused = (books: Books, refusal: KomojuRefusal): Outcome => ({
  books,
  status: refusal.status,
  body: errorBody(refusal),
  code: refusal.code,
  events: [],
})

const ok = (books: Books, body: unknown, events: ReadonlyArray<EventDraft> = []): Outcome => ({
  books,
  status: 200,
  body,
  events,
})

const konbiniDeadlineMillis = 3 * 24 * 60 * 60 * 1000

// ---------------------------------------------------------------------------------------------
// Reading request fields

type Read<A> = Either.Either<A, KomojuRefusal>

const optionalText = (body: JsonObject, key: string, maxLength: number): Read<string | undefined> => {
  const value = field(body, key)
  if (value === undefined || value === null) return Either.right(undefined)
  const text = textOf(value)
  if (text === undefined || text.length > maxLength) {
    return Either.left(Refusals.invalidParameter(key, `${key} must be a string of at most ${maxLength} characters`))
  }
  return Either.right(text)
}

const amountOf = (body: JsonObject): Read<number> => {
  const value = field(body, "amount")
  if (value === undefined || value === null || value === "") return Either.left(Refusals.missingParameter("amount"))
  const text = textOf(value)
  if (text === undefined || !/^[0-9]{1,12}$/.test(text) || Number(text) <= 0) {
    return Either.left(Refusals.invalidParameter("amount", "Amount must be a positive integer"))
  }
  return Either.right(Number(text))
}

const currencyOf = (body: JsonObject): Read<string> => {
  const value = field(body, "currency")
  if (value === undefined || value === null || value === "") return Either.left(Refusals.missingParameter("currency"))
  if (typeof value !== "string" || !/^[A-Za-z]{3}$/.test(value)) {
    return Either.left(Refusals.invalidParameter("currency", "Currency must be an ISO 4217 code"))
  }
  return Either.right(value.toUpperCase())
}

const metadataOf = (value: unknown, at: string): Read<Readonly<Record<string, string>>> => {
  if (value === undefined || value === null) return Either.right({})
  if (!isObject(value)) return Either.left(Refusals.invalidParameter(at, "Metadata must be an object"))
  const entries = Object.entries(value)
  const bad = entries.find(([key, v]) => key.length > 30 || typeof v !== "string" || v.length > 2000)
  if (bad !== undefined) {
    return Either.left(
      Refusals.invalidParameter(at, "Metadata keys are at most 30 characters and values strings of at most 2000"),
    )
  }
  return Either.right(Object.fromEntries(entries) as Record<string, string>)
}

/** `Komoju-Scenario`: the failure it forces, if any. */
const scenarioOf = (context: RuleContext): Read<KomojuCards.CardOutcome | undefined> => {
  if (context.scenario === undefined || context.scenario === "") return Either.right(undefined)
  const outcome = KomojuCards.scenarios.get(context.scenario)
  return outcome === undefined
    ? Either.left(Refusals.invalidParameter("Komoju-Scenario", "Unknown scenario"))
    : Either.right(outcome)
}

// ---------------------------------------------------------------------------------------------
// Tokens

/** The merchant's token `id`, if it can still be used. */
const usableToken = (books: Books, context: RuleContext, id: string): Read<TokenRecord> => {
  const token = books.tokens.get(id)
  if (token === undefined || token.merchantId !== context.merchantId) {
    return Either.left(Refusals.invalidToken("The token does not exist."))
  }
  switch (tokenStatus(token, context.now)) {
    case "used":
      return Either.left(Refusals.invalidToken("The token has already been used."))
    case "expired":
      return Either.left(Refusals.invalidToken("The token has expired."))
    case "usable":
      return Either.right(token)
  }
}

const createToken = (books: Books, context: RuleContext): Outcome => {
  const raw = field(context.body, "payment_details")
  if (raw === undefined || raw === null) return refused(books, Refusals.missingParameter("payment_details"))
  if (!isObject(raw)) {
    return refused(books, Refusals.invalidParameter("payment_details", "payment_details must be an object"))
  }
  const details = KomojuPaymentDetails.read(raw, context.now)
  if (Either.isLeft(details)) return refused(books, details.left)
  const currency = field(context.body, "currency") === undefined ? Either.right(undefined) : currencyOf(context.body)
  if (Either.isLeft(currency)) return refused(books, currency.left)
  const token: TokenRecord = {
    id: context.fresh.token,
    merchantId: context.merchantId,
    createdAt: context.now,
    details: details.right,
    currency: currency.right,
    idempotencyKey: context.idempotencyKey,
    use: undefined,
  }
  return ok({ ...books, tokens: new Map(books.tokens).set(token.id, token) }, tokenObject(token))
}

// ---------------------------------------------------------------------------------------------
// Paying

/** Where a payment's money comes from. */
interface Source {
  readonly details: KomojuPaymentDetails.PaymentDetails
  readonly token: TokenRecord | undefined
  readonly customer: CustomerRecord | undefined
}

/** `payment_details` as a token id or a details object. */
const detailsSource = (books: Books, context: RuleContext, raw: unknown): Read<Source> => {
  if (typeof raw === "string") {
    return Either.map(usableToken(books, context, raw), (token) => ({
      details: token.details,
      token,
      customer: undefined,
    }))
  }
  if (isObject(raw)) {
    return Either.map(KomojuPaymentDetails.read(raw, context.now), (details) => ({
      details,
      token: undefined,
      customer: undefined,
    }))
  }
  return Either.left(Refusals.invalidParameter("payment_details", "payment_details must be a token id or an object"))
}

/** A payment's source: exactly one of `payment_details` and `customer`. */
const paymentSource = (books: Books, context: RuleContext): Read<Source> => {
  const details = field(context.body, "payment_details")
  const customerId = field(context.body, "customer")
  const hasDetails = details !== undefined && details !== null
  const hasCustomer = customerId !== undefined && customerId !== null
  if (hasDetails && hasCustomer) {
    return Either.left(Refusals.invalidParameter("customer", "Send either payment_details or customer, not both"))
  }
  if (hasDetails) return detailsSource(books, context, details)
  if (!hasCustomer) return Either.left(Refusals.missingParameter("payment_details"))
  const customer = typeof customerId === "string" ? books.customers.get(customerId) : undefined
  if (customer === undefined || customer.merchantId !== context.merchantId || customer.deletedAt !== undefined) {
    return Either.left(Refusals.invalidParameter("customer", "The customer does not exist."))
  }
  return Either.right({ details: customer.details, token: undefined, customer })
}

interface Charge {
  readonly amount: number
  readonly currency: string
  readonly capture: boolean
  readonly externalOrderNum: string | undefined
  readonly description: string | undefined
  readonly metadata: Readonly<Record<string, string>>
  readonly session: string | undefined
  /** A failure forced by `Komoju-Scenario` on the request or the session. */
  readonly forced: KomojuCards.CardOutcome | undefined
}

interface Charged {
  readonly books: Books
  readonly payment: PaymentRecord
  readonly declined: Extract<KomojuCards.CardOutcome, { _tag: "Declined" }> | undefined
  readonly events: ReadonlyArray<EventDraft>
}

const paymentEvent = (type: EventDraft["type"], payment: PaymentRecord, reason: string | null = null): EventDraft => ({
  type,
  merchantId: payment.merchantId,
  reference: payment.id,
  data: paymentObject(payment),
  reason,
})

/** Makes the payment, approved or refused, and spends the token it used. */
const charge = (books: Books, context: RuleContext, source: Source, request: Charge): Read<Charged> => {
  if (source.token?.currency !== undefined && source.token.currency !== request.currency) {
    return Either.left(Refusals.invalidParameter("currency", "The currency differs from the token's"))
  }
  const outcome =
    request.forced ??
    source.customer?.scenario ??
    (source.details.type === "credit_card" ? source.details.outcome : { _tag: "Approved" as const })
  const declined = outcome._tag === "Declined" ? outcome : undefined
  const { now } = context
  const konbini = source.details.type === "konbini"
  const status: KomojuBooks.PaymentStatus =
    declined !== undefined ? "failed" : konbini || !request.capture ? "authorized" : "captured"
  const payment: PaymentRecord = {
    id: context.fresh.payment,
    merchantId: context.merchantId,
    status,
    amount: request.amount,
    currency: request.currency,
    details: source.details,
    token: source.token?.id,
    customer: source.customer?.id,
    session: request.session,
    externalOrderNum: request.externalOrderNum,
    description: request.description,
    metadata: request.metadata,
    createdAt: now,
    capturedAt: status === "captured" ? now : undefined,
    cancelledAt: undefined,
    paymentDeadline: konbini && declined === undefined ? now + konbiniDeadlineMillis : undefined,
    failure: declined === undefined ? undefined : { code: declined.code, message: declined.message },
    idempotencyKey: context.idempotencyKey,
  }
  const spends = source.token !== undefined && (declined === undefined || context.failedPaymentConsumesToken)
  const tokens =
    spends && source.token !== undefined
      ? new Map(books.tokens).set(source.token.id, {
          ...source.token,
          use: { resource: "payment", id: payment.id, at: now },
        })
      : books.tokens
  const event =
    status === "failed"
      ? paymentEvent("payment.failed", payment, declined?.code ?? null)
      : paymentEvent(status === "captured" ? "payment.captured" : "payment.authorized", payment)
  return Either.right({
    books: { ...books, tokens, payments: new Map(books.payments).set(payment.id, payment) },
    payment,
    declined,
    events: [event],
  })
}

const declinedRefusal = (declined: NonNullable<Charged["declined"]>): KomojuRefusal => ({
  status: declined.status,
  code: declined.code,
  message: declined.message,
  param: null,
})

const captureFlag = (body: JsonObject): Read<boolean> => {
  const value = field(body, "capture")
  if (value === undefined || value === null) return Either.right(true)
  if (typeof value === "boolean") return Either.right(value)
  return Either.left(Refusals.invalidParameter("capture", "capture must be true or false"))
}

const createPayment = (books: Books, context: RuleContext): Outcome => {
  const { body } = context
  const request = Either.all({
    amount: amountOf(body),
    currency: currencyOf(body),
    capture: captureFlag(body),
    externalOrderNum: optionalText(body, "external_order_num", 255),
    description: optionalText(body, "description", 255),
    metadata: metadataOf(field(body, "metadata"), "metadata"),
    forced: scenarioOf(context),
  })
  if (Either.isLeft(request)) return refused(books, request.left)
  const source = paymentSource(books, context)
  if (Either.isLeft(source)) return refused(books, source.left)
  const charged = charge(books, context, source.right, { ...request.right, session: undefined })
  if (Either.isLeft(charged)) return refused(books, charged.left)
  const { declined, events, payment } = charged.right
  if (declined !== undefined) return { ...refused(charged.right.books, declinedRefusal(declined)), events }
  return ok(charged.right.books, paymentObject(payment), events)
}

/** The merchant's payment `id`. */
const ownPayment = (books: Books, context: RuleContext): PaymentRecord | undefined => {
  const payment = books.payments.get(context.id)
  return payment?.merchantId === context.merchantId ? payment : undefined
}

const showPayment = (books: Books, context: RuleContext): Outcome => {
  const payment = ownPayment(books, context)
  return payment === undefined ? refused(books, Refusals.notFound()) : ok(books, paymentObject(payment))
}

const settle = (
  books: Books,
  context: RuleContext,
  allowed: (payment: PaymentRecord) => boolean,
  refusal: KomojuRefusal,
  change: (payment: PaymentRecord) => PaymentRecord,
  event: EventDraft["type"],
): Outcome => {
  const payment = ownPayment(books, context)
  if (payment === undefined) return refused(books, Refusals.notFound())
  if (!allowed(payment)) return refused(books, refusal)
  const next = change(payment)
  return ok({ ...books, payments: new Map(books.payments).set(next.id, next) }, paymentObject(next), [
    paymentEvent(event, next),
  ])
}

const capturePayment = (books: Books, context: RuleContext): Outcome =>
  settle(
    books,
    context,
    (p) => p.status === "authorized" && p.details.type === "credit_card",
    Refusals.notCapturable(),
    (p) => ({ ...p, status: "captured", capturedAt: context.now }),
    "payment.captured",
  )

const cancelPayment = (books: Books, context: RuleContext): Outcome =>
  settle(
    books,
    context,
    (p) => p.status === "pending" || p.status === "authorized",
    Refusals.notCancellable(),
    (p) => ({ ...p, status: "cancelled", cancelledAt: context.now }),
    "payment.cancelled",
  )

/**
 * The customer pays a konbini payment at the store before its deadline: it is captured and
 * `payment.captured` follows. `undefined` when there is no such payment waiting.
 */
export const payAtStore = (
  books: Books,
  paymentId: string,
  now: number,
): { readonly books: Books; readonly events: ReadonlyArray<EventDraft> } | undefined => {
  const payment = books.payments.get(paymentId)
  if (
    payment === undefined ||
    payment.details.type !== "konbini" ||
    payment.status !== "authorized" ||
    (payment.paymentDeadline !== undefined && now >= payment.paymentDeadline)
  ) {
    return undefined
  }
  const paid: PaymentRecord = { ...payment, status: "captured", capturedAt: now }
  return {
    books: { ...books, payments: new Map(books.payments).set(paid.id, paid) },
    events: [paymentEvent("payment.captured", paid)],
  }
}

// ---------------------------------------------------------------------------------------------
// Customers

const createCustomer = (books: Books, context: RuleContext): Outcome => {
  const { body } = context
  const raw = field(body, "payment_details")
  if (raw === undefined || raw === null) return refused(books, Refusals.missingParameter("payment_details"))
  const fields = Either.all({
    email: optionalText(body, "email", 255),
    metadata: metadataOf(field(body, "metadata"), "metadata"),
    scenario: scenarioOf(context),
    currency: field(body, "currency") === undefined ? Either.right(undefined) : currencyOf(body),
  })
  if (Either.isLeft(fields)) return refused(books, fields.left)
  const source = detailsSource(books, context, raw)
  if (Either.isLeft(source)) return refused(books, source.left)
  const { token, details } = source.right
  const currency = fields.right.currency ?? token?.currency
  if (token?.currency !== undefined && currency !== token.currency) {
    return refused(books, Refusals.invalidParameter("currency", "The currency differs from the token's"))
  }
  const customer: CustomerRecord = {
    id: context.fresh.customer,
    merchantId: context.merchantId,
    email: fields.right.email ?? details.email,
    currency,
    details,
    metadata: fields.right.metadata,
    token: token?.id,
    scenario: fields.right.scenario,
    createdAt: context.now,
    deletedAt: undefined,
    idempotencyKey: context.idempotencyKey,
  }
  const tokens =
    token === undefined
      ? books.tokens
      : new Map(books.tokens).set(token.id, {
          ...token,
          use: { resource: "customer", id: customer.id, at: context.now },
        })
  const object = customerObject(customer)
  return ok({ ...books, tokens, customers: new Map(books.customers).set(customer.id, customer) }, object, [
    { type: "customer.created", merchantId: customer.merchantId, reference: customer.id, data: object, reason: null },
  ])
}

const ownCustomer = (books: Books, context: RuleContext): CustomerRecord | undefined => {
  const customer = books.customers.get(context.id)
  return customer?.merchantId === context.merchantId && customer.deletedAt === undefined ? customer : undefined
}

const showCustomer = (books: Books, context: RuleContext): Outcome => {
  const customer = ownCustomer(books, context)
  return customer === undefined ? refused(books, Refusals.notFound()) : ok(books, customerObject(customer))
}

const deleteCustomer = (books: Books, context: RuleContext): Outcome => {
  const customer = ownCustomer(books, context)
  if (customer === undefined) return refused(books, Refusals.notFound())
  const deleted: CustomerRecord = { ...customer, deletedAt: context.now }
  const object = customerObject(deleted)
  return ok({ ...books, customers: new Map(books.customers).set(deleted.id, deleted) }, object, [
    { type: "customer.deleted", merchantId: deleted.merchantId, reference: deleted.id, data: object, reason: null },
  ])
}

// ---------------------------------------------------------------------------------------------
// Sessions

const defaultPaymentTypes = ["credit_card", "konbini"]

const paymentTypesOf = (body: JsonObject): Read<ReadonlyArray<string>> => {
  const value = field(body, "payment_types")
  if (value === undefined || value === null) return Either.right(defaultPaymentTypes)
  if (!Array.isArray(value) || value.length === 0 || !value.every((t) => typeof t === "string")) {
    return Either.left(Refusals.invalidParameter("payment_types", "payment_types must be a list of payment types"))
  }
  return Either.right(value as ReadonlyArray<string>)
}

const createSession = (books: Books, context: RuleContext): Outcome => {
  const { body } = context
  const paymentData = field(body, "payment_data")
  const data = isObject(paymentData) ? paymentData : {}
  const fields = Either.all({
    amount: amountOf(body),
    currency: currencyOf(body),
    returnUrl: optionalText(body, "return_url", 2000),
    paymentTypes: paymentTypesOf(body),
    externalOrderNum: optionalText(data, "external_order_num", 255),
    metadata: metadataOf(field(data, "metadata"), "payment_data[metadata]"),
    scenario: scenarioOf(context),
  })
  if (Either.isLeft(fields)) return refused(books, fields.left)
  const session: SessionRecord = {
    id: context.fresh.session,
    merchantId: context.merchantId,
    ...fields.right,
    status: "pending",
    payment: undefined,
    createdAt: context.now,
    completedAt: undefined,
    idempotencyKey: context.idempotencyKey,
  }
  return ok({ ...books, sessions: new Map(books.sessions).set(session.id, session) }, sessionObject(session, undefined))
}

const ownSession = (books: Books, context: RuleContext): SessionRecord | undefined => {
  const session = books.sessions.get(context.id)
  return session?.merchantId === context.merchantId ? session : undefined
}

const showSession = (books: Books, context: RuleContext): Outcome => {
  const session = ownSession(books, context)
  if (session === undefined) return refused(books, Refusals.notFound())
  const payment = session.payment === undefined ? undefined : books.payments.get(session.payment)
  return ok(books, sessionObject(session, payment))
}

/** A refused Session: Pay: `{status: "error", error}` with the error as an object or its message (§5b). */
const payRefused = (books: Books, context: RuleContext, refusal: KomojuRefusal): Outcome => ({
  ...refused(books, refusal),
  body: {
    status: "error",
    redirect_url: null,
    error: context.sessionPayErrorForm === "string" ? refusal.message : errorBody(refusal).error,
  },
})

const sessionCapture = (body: JsonObject): Read<boolean> => {
  const value = field(body, "capture")
  if (value === undefined || value === null || value === "auto") return Either.right(true)
  if (value === "manual") return Either.right(false)
  return Either.left(Refusals.invalidParameter("capture", "capture must be auto or manual"))
}

const paySession = (books: Books, context: RuleContext): Outcome => {
  const session = ownSession(books, context)
  if (session === undefined) return payRefused(books, context, Refusals.notFound())
  if (session.status !== "pending") return payRefused(books, context, Refusals.alreadyCompleted())
  const raw = field(context.body, "payment_details")
  if (raw === undefined || raw === null) {
    return payRefused(books, context, Refusals.missingParameter("payment_details"))
  }
  const capture = sessionCapture(context.body)
  if (Either.isLeft(capture)) return payRefused(books, context, capture.left)
  const source = detailsSource(books, context, raw)
  if (Either.isLeft(source)) return payRefused(books, context, source.left)
  if (!session.paymentTypes.includes(source.right.details.type)) {
    return payRefused(
      books,
      context,
      Refusals.invalidParameter("payment_details[type]", "The session does not accept this payment type"),
    )
  }
  const charged = charge(books, context, source.right, {
    amount: session.amount,
    currency: session.currency,
    capture: capture.right,
    externalOrderNum: session.externalOrderNum,
    description: undefined,
    metadata: session.metadata,
    session: session.id,
    forced: session.scenario,
  })
  if (Either.isLeft(charged)) return payRefused(books, context, charged.left)
  const { declined, events, payment } = charged.right
  if (declined !== undefined) {
    return { ...payRefused(charged.right.books, context, declinedRefusal(declined)), events }
  }
  const completed: SessionRecord = { ...session, status: "completed", payment: payment.id, completedAt: context.now }
  const after = { ...charged.right.books, sessions: new Map(charged.right.books.sessions).set(session.id, completed) }
  const konbini = payment.details.type === "konbini"
  return ok(
    after,
    {
      status: konbini ? "pending" : "completed",
      redirect_url: konbini
        ? instructionsUrl(payment.id)
        : (session.returnUrl ?? `https://komoju.com/sessions/${session.id}/complete`),
      payment: paymentObject(payment),
    },
    events,
  )
}

const rules: Readonly<Record<Endpoint, (books: Books, context: RuleContext) => Outcome>> = {
  createToken,
  createPayment,
  showPayment,
  capturePayment,
  cancelPayment,
  createCustomer,
  showCustomer,
  deleteCustomer,
  createSession,
  showSession,
  paySession,
}

export const apply = (books: Books, context: RuleContext): Outcome => rules[context.endpoint](books, context)
