/**
 * Rebilly's wire format, in one place: paths, the bodies we send (as Schemas carrying the spec's
 * limits, so a body Rebilly would refuse is refused here first), Schemas of every answer we read,
 * and the headers we read (pagination, rate limits). Facts come from the vendored OpenAPI
 * snapshot (`spec/openapi.yaml`); where it leaves a point open (see the package README's open
 * points) the most likely form is taken here, so one module changes the day the API says otherwise.
 *
 * A test validates every request the adapter builds against the snapshot, and checks these
 * Schemas against the spec's field names, types, required fields and read-/write-only marks.
 */
import * as Headers from "@effect/platform/Headers"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/** Operation paths, relative to the organization's base URL (`…/organizations/{organizationId}`). */
export const paths = {
  tokens: "/tokens",
  token: (id: string) => `/tokens/${encodeURIComponent(id)}`,
  digitalWalletValidation: "/digital-wallets/validation",
  transactions: "/transactions",
  paymentInstruments: "/payment-instruments",
} as const

/** "A payment token expires upon first use or within 30 minutes of the token creation" (`PostToken`). */
export const tokenLifetimeMillis = 30 * 60_000

/** `limit` and `offset` of a collection: integers from 0 to 1000 each (`collectionLimit`, `collectionOffset`). */
export const pageBounds = { min: 0, max: 1000 } as const

/** A resource id (`ResourceId`): a string of at most 50 characters. */
export const resourceIdMaxLength = 50

/** An ISO 4217 currency code (`CurrencyCode`: three characters; capital letters by ISO). */
export const currencyPattern = /^[A-Z]{3}$/

// ---------------------------------------------------------------------------
// Requests. Every constraint carries its own message: a refusal never quotes the value.
// ---------------------------------------------------------------------------

/** A pattern as the spec writes it, kept letter for letter so the spec test can compare it. */
const asWritten = (source: string) => new RegExp(source)

/** An optional field that, when present, holds a value: `undefined` is not sent. */
const exactly = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

const atMost = (max: number) => ({ message: () => `must be at most ${max} characters` })

const text = (max: number) => Schema.String.pipe(Schema.maxLength(max, atMost(max)))

/** The spec's pattern for names and addresses: any UTF-16 code unit, at least one. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the spec's own pattern, kept as written
const anyText = /^[\u0000-\uFFFF]+$/

const contactText = (max: number) =>
  Schema.String.pipe(
    Schema.maxLength(max, atMost(max)),
    Schema.pattern(anyText, { message: () => "must not be empty" }),
  )

const Label = text(45)

const Email = Schema.String.pipe(
  Schema.maxLength(255, atMost(255)),
  Schema.pattern(/^[^\s@]+@[^\s@]+$/, { message: () => "must be an email address" }),
  Schema.annotations({ jsonSchema: { format: "email" } }),
)

/** `ContactObject` as we send it (its read-only `hash` left out). */
export const ContactRequest = Schema.Struct({
  firstName: exactly(contactText(45)),
  lastName: exactly(contactText(45)),
  organization: exactly(contactText(255)),
  address: exactly(contactText(60)),
  address2: exactly(contactText(60)),
  city: exactly(contactText(45)),
  region: exactly(contactText(45)),
  country: exactly(
    Schema.String.pipe(
      Schema.maxLength(2, { message: () => "must be an ISO 3166 alpha-2 code such as US" }),
      Schema.pattern(/^[A-Z]{2}$/, { message: () => "must be an ISO 3166 alpha-2 code such as US" }),
    ),
  ),
  postalCode: exactly(
    Schema.String.pipe(
      Schema.maxLength(10, atMost(10)),
      Schema.pattern(asWritten(String.raw`^[\w\s\-]+$`), {
        message: () => "must be letters, digits, spaces and dashes",
      }),
    ),
  ),
  phoneNumbers: exactly(
    Schema.Array(Schema.Struct({ label: Label, value: text(50), primary: exactly(Schema.Boolean) })),
  ),
  emails: exactly(Schema.Array(Schema.Struct({ label: Label, value: Email, primary: exactly(Schema.Boolean) }))),
  dob: exactly(
    Schema.String.pipe(
      Schema.pattern(/^\d{4}-\d{2}-\d{2}$/, { message: () => "must be a date such as 1980-04-01" }),
      Schema.annotations({ jsonSchema: { format: "date" } }),
    ),
  ),
  jobTitle: exactly(contactText(255)),
})
export type ContactRequest = typeof ContactRequest.Type

/** `RiskMetadata` as we send it: its writable fields only. */
export const RiskMetadataRequest = Schema.Struct({
  ipAddress: exactly(Schema.String),
  fingerprint: exactly(text(50)),
  httpHeaders: exactly(Schema.Record({ key: Schema.String, value: Schema.String })),
  browserData: exactly(
    Schema.Struct({
      colorDepth: Schema.Int.pipe(Schema.between(1, 48, { message: () => "must be from 1 to 48" })),
      isJavaEnabled: Schema.Boolean,
      language: text(8),
      screenWidth: Schema.Int.pipe(Schema.between(0, 65535, { message: () => "must be from 0 to 65535" })),
      screenHeight: Schema.Int.pipe(Schema.between(0, 65535, { message: () => "must be from 0 to 65535" })),
      timeZoneOffset: Schema.Int.pipe(Schema.between(-1410, 1410, { message: () => "must be from -1410 to 1410" })),
      isAdBlockEnabled: exactly(Schema.Boolean),
    }),
  ),
  extraData: exactly(
    Schema.Struct({
      kountFraudSessionId: exactly(Schema.String),
      payPalMerchantSessionId: exactly(Schema.String),
      threatMetrixSessionId: exactly(
        Schema.String.pipe(Schema.pattern(/[a-zA-Z0-9_-]+/, { message: () => "must hold letters, digits, _ or -" })),
      ),
    }),
  ),
})
export type RiskMetadataRequest = typeof RiskMetadataRequest.Type

const leadText = exactly(text(512))

/** `LeadSource` as we send it (write-only on a token): where the customer came from. */
export const LeadSourceRequest = Schema.Struct({
  medium: leadText,
  source: leadText,
  campaign: leadText,
  term: leadText,
  content: leadText,
  affiliate: leadText,
  subAffiliate: leadText,
  salesAgent: leadText,
  clickId: leadText,
  path: leadText,
  referrer: exactly(
    Schema.String.pipe(
      Schema.maxLength(2083, atMost(2083)),
      Schema.pattern(/^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/, { message: () => "must be an absolute URI" }),
      Schema.annotations({ jsonSchema: { format: "uri" } }),
    ),
  ),
})
export type LeadSourceRequest = typeof LeadSourceRequest.Type

/** `PaymentCardToken` as `POST /tokens` takes it. `pan` and `cvv` are write-only: never in an answer. */
export const CardTokenRequest = Schema.Struct({
  method: Schema.Literal("payment-card"),
  paymentInstrument: Schema.Struct({
    pan: Schema.String,
    cvv: exactly(Schema.String),
    expMonth: Schema.Int.pipe(Schema.between(1, 12, { message: () => "must be from 1 to 12" })),
    expYear: Schema.Int,
  }),
  billingAddress: exactly(ContactRequest),
  riskMetadata: exactly(RiskMetadataRequest),
  leadSource: exactly(LeadSourceRequest),
})
export type CardTokenRequest = typeof CardTokenRequest.Type

/** `ApplePayValidation` as `POST /digital-wallets/validation` takes it. */
export const DigitalWalletValidationRequest = Schema.Struct({
  type: Schema.Literal("Apple Pay"),
  validationRequest: Schema.Struct({
    validationUrl: Schema.String.pipe(
      Schema.pattern(/^https:\/\/\S+$/, { message: () => "must be the https URL Apple Pay gave" }),
    ),
    domainName: Schema.String.pipe(Schema.minLength(1, { message: () => "must not be empty" })),
    displayName: Schema.String.pipe(Schema.minLength(1, { message: () => "must not be empty" })),
  }),
})
export type DigitalWalletValidationRequest = typeof DigitalWalletValidationRequest.Type

/** A request id: "unique within a 24-hour period", up to 50 letters, digits, `_` and `-`. */
const RequestId = Schema.String.pipe(
  Schema.maxLength(50, atMost(50)),
  Schema.pattern(asWritten(String.raw`^[\-\w]+$`), { message: () => "must be letters, digits, _ and - only" }),
)

/** `POST /transactions` paying with a token (`PaymentInstructionToken`); `requestId` makes it idempotent. */
export const TransactionRequest = Schema.Struct({
  type: Schema.Literal("sale", "authorize", "setup"),
  websiteId: text(50),
  customerId: text(50),
  currency: Schema.String.pipe(
    Schema.length(3, { message: () => "must be an ISO 4217 code such as USD" }),
    Schema.pattern(currencyPattern, { message: () => "must be an ISO 4217 code such as USD" }),
  ),
  amount: Schema.Number.pipe(Schema.positive({ message: () => "must be positive" })),
  paymentInstruction: Schema.Struct({ token: Schema.String }),
  requestId: RequestId,
})
export type TransactionRequest = typeof TransactionRequest.Type

/** `POST /payment-instruments` with a token (`PaymentInstrumentCreateToken`). */
export const PaymentInstrumentRequest = Schema.Struct({
  customerId: text(50),
  token: Schema.String,
})
export type PaymentInstrumentRequest = typeof PaymentInstrumentRequest.Type

// ---------------------------------------------------------------------------
// Answers. Unknown fields are tolerated; a missing required one is a protocol error.
// ---------------------------------------------------------------------------

/** An RFC 3339 instant, `Z` or an offset (`2025-11-15T13:42:36+00:00`, as the sandbox writes them). */
export const Instant = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i),
  Schema.filter((value) => !Number.isNaN(Date.parse(value)), { message: () => "must be a valid instant" }),
  Schema.annotations({ jsonSchema: { format: "date-time" } }),
)

export const instantMillis = (value: string): number => Date.parse(value)

const Id = Schema.Trimmed.pipe(Schema.nonEmptyString(), Schema.maxLength(resourceIdMaxLength))

/** What we read of a card token's `paymentInstrument`: the masked card and its expiry. */
const CardOnToken = Schema.Struct({
  expMonth: Schema.Int,
  expYear: Schema.Int,
  bin: Schema.optional(Schema.NullOr(Schema.String)),
  last4: Schema.optional(Schema.NullOr(Schema.String)),
})

/** The life of a token, whatever its method: what `isUsed`, `usageTime` and `expirationTime` say. */
const tokenLife = {
  id: Id,
  isUsed: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  createdTime: Instant,
  updatedTime: Schema.optional(Instant),
  usageTime: Schema.optional(Schema.NullOr(Instant)),
  expirationTime: Schema.optional(Schema.NullOr(Instant)),
}

/** A `payment-card` token as answered. */
export const CardToken = Schema.Struct({
  method: Schema.Literal("payment-card"),
  paymentInstrument: CardOnToken,
  ...tokenLife,
})
export type CardToken = typeof CardToken.Type

/** A token of any other method (PayPal, bank account, digital wallet, …): listed, never issued here. */
export const OtherToken = Schema.Struct({
  method: Schema.String.pipe(Schema.filter((method) => method !== "payment-card")),
  ...tokenLife,
})
export type OtherToken = typeof OtherToken.Type

export const Token = Schema.Union(CardToken, OtherToken)
export type Token = typeof Token.Type

/** Write-only fields the API must never send back: the card number and its verification value. */
const writeOnlyCardFields = ["pan", "cvv"] as const

const carriesCardData = (answer: unknown): ReadonlyArray<string> => {
  if (typeof answer !== "object" || answer === null || !("paymentInstrument" in answer)) return []
  const instrument = answer.paymentInstrument
  if (typeof instrument !== "object" || instrument === null) return []
  return writeOnlyCardFields.filter((field) => field in instrument).map((field) => `paymentInstrument.${field}`)
}

/** What a refusal of card data shows in place of the answer: never the answer itself. */
const withheld = Redacted.make("<answer withheld: it carries card data>")

/**
 * A token answer, refused as a protocol error when it carries the write-only `pan` or `cvv`
 * (the Prism mock does, the live API does not). The failure names the fields, never the values.
 */
export const guardCardData = <A, I>(schema: Schema.Schema<A, I>): Schema.Schema<A, unknown> =>
  Schema.compose(
    Schema.transformOrFail(Schema.Unknown, Schema.Unknown, {
      strict: true,
      decode: (answer, _options, ast) => {
        const fields = carriesCardData(answer)
        return fields.length === 0
          ? ParseResult.succeed(answer)
          : ParseResult.fail(
              new ParseResult.Type(ast, withheld, `the answer carries write-only card data (${fields.join(", ")})`),
            )
      },
      encode: ParseResult.succeed,
    }),
    schema,
    { strict: false },
  )

export const TokenAnswer = guardCardData(Token)
export const CardTokenAnswer = guardCardData(CardToken)
export const TokenListAnswer = Schema.Array(TokenAnswer)

export const DigitalWalletValidationAnswer = Schema.Struct({
  type: Schema.Literal("Apple Pay"),
  /** Apple's merchant session, to hand to Apple Pay JS as it is. */
  validationResponse: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
})
export type DigitalWalletValidationAnswer = typeof DigitalWalletValidationAnswer.Type

export const TransactionResult = Schema.Literal("abandoned", "approved", "canceled", "declined", "unknown")
export type TransactionResult = typeof TransactionResult.Type

export const TransactionAnswer = Schema.Struct({
  id: Id,
  result: TransactionResult,
  status: Schema.optional(Schema.String),
})
export type TransactionAnswer = typeof TransactionAnswer.Type

export const PaymentInstrumentAnswer = Schema.Struct({
  id: Id,
  method: Schema.String,
  customerId: Schema.optional(Schema.String),
})
export type PaymentInstrumentAnswer = typeof PaymentInstrumentAnswer.Type

/**
 * Fields these answer Schemas require that the spec leaves optional (its schemas serve requests
 * and answers alike): without them an answer cannot be read. The spec test holds this list.
 */
export const requiredBeyondSpec = {
  CardToken: ["id", "createdTime"],
  OtherToken: ["id", "createdTime"],
  TransactionAnswer: ["id", "result"],
  PaymentInstrumentAnswer: ["id"],
  DigitalWalletValidationAnswer: ["validationResponse"],
} as const

/** RFC 9457 problem details (`BaseProblem`, `ValidationError`), read leniently: every member optional. */
export const Problem = Schema.Struct({
  type: Schema.optional(Schema.String),
  title: Schema.optional(Schema.String),
  status: Schema.optional(Schema.Int),
  detail: Schema.optional(Schema.String),
  instance: Schema.optional(Schema.String),
  invalidFields: Schema.optional(
    Schema.Array(Schema.Struct({ field: Schema.optional(Schema.String), message: Schema.optional(Schema.String) })),
  ),
  /** Deprecated (`Error.error`), still read as a message. */
  error: Schema.optional(Schema.String),
})
export type Problem = typeof Problem.Type

// ---------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------

const integerHeader = (headers: Headers.Headers, names: ReadonlyArray<string>): Option.Option<string> => {
  for (const name of names) {
    const value = Headers.get(headers, name)
    if (Option.isSome(value)) return value
  }
  return Option.none()
}

const readInteger = (text: string): number | undefined => {
  const trimmed = text.trim()
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined
}

/** What the `Pagination-*` headers of a collection say; a header present but not an integer is `invalid`. */
export const pagination = (
  headers: Headers.Headers,
):
  | { readonly _tag: "Read"; readonly total?: number; readonly limit?: number; readonly offset?: number }
  | { readonly _tag: "Invalid"; readonly header: string } => {
  const read: { total?: number; limit?: number; offset?: number } = {}
  for (const [key, name] of [
    ["total", "Pagination-Total"],
    ["limit", "Pagination-Limit"],
    ["offset", "Pagination-Offset"],
  ] as const) {
    const value = Headers.get(headers, name)
    if (Option.isNone(value)) continue
    const number = readInteger(value.value)
    if (number === undefined) return { _tag: "Invalid", header: name }
    read[key] = number
  }
  return { _tag: "Read", ...read }
}

/** The rate-limit budget an answer reports: the current `X-RateLimit-*` names, else the older `Rate-Limit-*`. */
export interface RateLimit {
  readonly limit?: number
  readonly remaining?: number
}

export const rateLimit = (headers: Headers.Headers): RateLimit => {
  const limit = Option.flatMapNullable(integerHeader(headers, ["X-RateLimit-Limit", "Rate-Limit-Limit"]), readInteger)
  const remaining = Option.flatMapNullable(
    integerHeader(headers, ["X-RateLimit-Remaining", "Rate-Limit-Remaining"]),
    readInteger,
  )
  return {
    ...(Option.isSome(limit) ? { limit: limit.value } : {}),
    ...(Option.isSome(remaining) ? { remaining: remaining.value } : {}),
  }
}

/**
 * Where a 429 says when to retry, first match wins: `X-RateLimit-Retry-After` (the spec: a Unix
 * time in seconds), `Retry-After` (delay-seconds or an HTTP date; the PHP SDK reads it), and the
 * older `Rate-Limit-Reset` (an RFC 822 date).
 */
export const retryAfterHeaders = ["X-RateLimit-Retry-After", "Retry-After", "Rate-Limit-Reset"] as const

// ---------------------------------------------------------------------------
// Money
// ---------------------------------------------------------------------------

/**
 * Rebilly's `amount` is in major units (`97.97`); the port's is in minor units (`9797`). The
 * decimals of each currency's minor unit are ISO 4217's, as the runtime's ICU data knows them.
 * `undefined` for a currency code that is not three capital letters.
 */
export const majorUnits = (minor: number, currency: string): number | undefined => {
  if (!currencyPattern.test(currency)) return undefined
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits
  return minor / 10 ** (digits ?? 2)
}
