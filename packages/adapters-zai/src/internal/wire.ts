/**
 * Zai's wire format, in one place: the paths, the bodies sent (as Schemas, so a test can hold
 * them against the vendored OpenAPI file), and Schemas of every answer read. Where the answers
 * recorded from the real API disagree with the spec (provider notes §4, §8), the recordings win;
 * where nothing is confirmed, the most likely form is taken here and listed in the README.
 */
import { TokenId } from "@token-lifecycle/domain/Identifiers"
import * as Schema from "effect/Schema"

/** Paths on the auth host and the core host; ids are escaped, as they come from callers. */
export const paths = {
  accessToken: "/tokens",
  tokenAuths: "/token_auths",
  users: "/users",
  user: (id: string) => `/users/${encodeURIComponent(id)}`,
  account: (type: AccountType, id: string) => `/${type}_accounts/${encodeURIComponent(id)}`,
  accountUser: (type: AccountType, id: string) => `/${type}_accounts/${encodeURIComponent(id)}/users`,
} as const

/** The two kinds of account a token auth adds, and the two token types: lowercase on the wire. */
export const AccountType = Schema.Literal("card", "bank")
export type AccountType = typeof AccountType.Type

/** The header carrying Zai's id of a request, worth keeping for support. */
export const requestIdHeader = "x-request-id"

// ---------------------------------------------------------------------------
// OAuth2 (auth host)
// ---------------------------------------------------------------------------

/** `POST /tokens` (SPEC `tokens_request_body`): all four fields required. */
export const AccessTokenRequest = Schema.Struct({
  grant_type: Schema.Literal("client_credentials"),
  client_id: Schema.String,
  client_secret: Schema.String,
  scope: Schema.String,
})

/** The issuer's answer (SPEC `tokens_response`). `token_type` is the constant `Bearer`; another scheme is refused. */
export const AccessTokenAnswer = Schema.Struct({
  access_token: Schema.NonEmptyString,
  expires_in: Schema.Number.pipe(Schema.finite(), Schema.positive()),
  token_type: Schema.String.pipe(Schema.filter((type) => type.toLowerCase() === "bearer")),
})

/** How the issuer says no (§2): a different shape from the core API's. */
export const AccessTokenRefusal = Schema.Struct({ error: Schema.String })

// ---------------------------------------------------------------------------
// Token auths (core host)
// ---------------------------------------------------------------------------

/** `POST /token_auths` (SPEC `token_auth_requestBody`). */
export const TokenAuthRequest = Schema.Struct({
  token_type: AccountType,
  user_id: Schema.String,
})

/**
 * The answer: `200` with the token under the singular `token_auth`, the type and user echoed.
 * Nothing else: no expiry, no creation time, no id (the recording of §4 and the spec agree).
 */
export const TokenAuthAnswer = Schema.Struct({
  token_auth: Schema.Struct({
    token_type: AccountType,
    /** 32 lowercase hex characters in every example; only a usable token id is required. */
    token: TokenId,
    user_id: Schema.String,
  }),
})

// ---------------------------------------------------------------------------
// Users (core host)
// ---------------------------------------------------------------------------

const optionalText = Schema.optional(Schema.String)

/** `POST /users` (SPEC `user_requestBody`): the fields this adapter sends. */
export const UserRequest = Schema.Struct({
  id: Schema.String,
  first_name: Schema.String,
  last_name: Schema.String,
  email: Schema.String,
  country: Schema.String,
  mobile: optionalText,
  address_line1: optionalText,
  address_line2: optionalText,
  city: optionalText,
  state: optionalText,
  zip: optionalText,
  dob: optionalText,
  government_number: optionalText,
  ip_address: optionalText,
})
export type UserRequest = typeof UserRequest.Encoded

/** A user (SPEC `user`), as far as this adapter reads it. `country` comes back as `location`. */
export const User = Schema.Struct({
  id: Schema.String,
  email: optionalText,
  first_name: optionalText,
  last_name: optionalText,
  location: Schema.optional(Schema.NullOr(Schema.String)),
  created_at: optionalText,
})
export type User = typeof User.Type

/** One user, wrapped in the plural key (SPEC `single_user`): `POST /users`, `GET /users/{id}`, an account's user. */
export const UserAnswer = Schema.Struct({ users: User })

// ---------------------------------------------------------------------------
// Card and bank accounts (core host)
// ---------------------------------------------------------------------------

const Links = Schema.Struct({ self: optionalText, users: optionalText })

/** The fields card and bank accounts share in the spec. */
const accountFields = {
  id: Schema.String,
  active: Schema.Boolean,
  created_at: optionalText,
  updated_at: optionalText,
  currency: optionalText,
  verification_status: optionalText,
  links: Schema.optional(Links),
}

/** A card account (SPEC `card_account`). Expiry month and year are strings; the number is masked. */
export const CardAccount = Schema.Struct({
  ...accountFields,
  cvv_verified: Schema.optional(Schema.Boolean),
  card: Schema.optional(
    Schema.Struct({
      type: optionalText,
      full_name: optionalText,
      number: optionalText,
      expiry_month: optionalText,
      expiry_year: optionalText,
    }),
  ),
})
export type CardAccount = typeof CardAccount.Type

export const CardAccountAnswer = Schema.Struct({ card_accounts: CardAccount })

/** A bank account (SPEC `bank_account`). Routing and account numbers come back masked. */
export const BankAccount = Schema.Struct({
  ...accountFields,
  bank: Schema.optional(
    Schema.Struct({
      bank_name: optionalText,
      country: optionalText,
      account_name: optionalText,
      routing_number: optionalText,
      account_number: optionalText,
      holder_type: optionalText,
      account_type: optionalText,
    }),
  ),
})
export type BankAccount = typeof BankAccount.Type

export const BankAccountAnswer = Schema.Struct({ bank_accounts: BankAccount })

// ---------------------------------------------------------------------------
// Refusals (core host)
// ---------------------------------------------------------------------------

/**
 * How the core API says no (§8.1), every field optional: `{"errors": {field: [messages]}}` for
 * validation (a message alone is tolerated), `{"code": 405, "message": …}` or
 * `{"errors": {"not_authorized": […]}}` for a record that is unknown or not yours.
 */
export const CoreRefusal = Schema.Struct({
  errors: Schema.optional(
    Schema.Record({ key: Schema.String, value: Schema.Union(Schema.Array(Schema.String), Schema.String) }),
  ),
  code: Schema.optional(Schema.Number),
  message: Schema.optional(Schema.String),
})
export type CoreRefusal = typeof CoreRefusal.Type

/** The historical code of "not authorized to access that record": a record unknown or not yours, not a bad token. */
export const recordNotAccessibleCode = 405
/** The same, in the older `errors` form. */
export const recordNotAccessibleField = "not_authorized"

// ---------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------

/**
 * An `accounts` webhook (§9.3): the account's Show representation, under the key its own answer
 * uses (UNCONFIRMED: the one recorded job payload, a wallet's, has another shape). It names no
 * user and no token auth, so only the account's type and id are read; the rest is read again
 * from Zai, as its best-practice page advises (deliveries come in no guaranteed order).
 */
export const AccountWebhook = Schema.Union(
  Schema.Struct({ card_accounts: Schema.Struct({ id: Schema.NonEmptyString }) }),
  Schema.Struct({ bank_accounts: Schema.Struct({ id: Schema.NonEmptyString }) }),
)
export type AccountWebhook = typeof AccountWebhook.Type

/** The keys an account webhook comes under. */
export const accountWebhookKeys: Readonly<Record<AccountType, "card_accounts" | "bank_accounts">> = {
  card: "card_accounts",
  bank: "bank_accounts",
}
