/**
 * How Zai says no, body by body (provider notes §2, §8). Two shapes:
 *
 * - the token issuer's `{"error": "<string>"}` (spec: 400 `bad request`, 401 `invalid
 *   credentials`, 422 `invalid client details`, 500 `something went wrong`);
 * - the core API's `{"errors": {"<field>": ["<message>", …]}}` for validation (422), and
 *   `{"code": 405, "message": "Not authorized to access that record."}` with status 401 for a
 *   record that is unknown or belongs to another marketplace (recorded, REC).
 *
 * Recorded verbatim: `required field missing`, `can't be blank` (under `firstname` and
 * `address.country`), `is invalid` (email), `invalid format` (a malformed id), `no account
 * found`, the 405 body, and 404 with the body `null`.
 *
 * The simulator's choices where nothing was recorded (UNCONFIRMED, kept in this module):
 * - an expired, unknown or missing bearer token: 401 `{"errors": {"token": ["not authorised"]}}`
 *   (Zai's support page calls the error "token not authorised");
 * - an invalid enum value: `is not included in the list` (the Rails wording the recorded
 *   messages follow); a taken id or email: `has already been taken`;
 * - a token auth refused by the browser side: 422 under `token` (`is invalid`, `has expired`,
 *   `has already been used`, `is not a card token` / `is not a bank token`);
 * - 429: `{"errors": {"base": ["rate limit exceeded"]}}` with `Retry-After` in seconds;
 * - a core 5xx: `{"errors": {"base": ["something went wrong"]}}`.
 */

/** Field → messages, in the order found. */
export type FieldErrors = Readonly<Record<string, ReadonlyArray<string>>>

export interface Refusal {
  readonly status: number
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
}

export const Messages = {
  requiredFieldMissing: "required field missing",
  cantBeBlank: "can't be blank",
  isInvalid: "is invalid",
  invalidFormat: "invalid format",
  notIncluded: "is not included in the list",
  taken: "has already been taken",
  noAccountFound: "no account found",
  expired: "has expired",
  tokenUsed: "has already been used",
  notAuthorised: "not authorised",
} as const

/** The issuer's refusals (spec `/tokens`). */
export const TokenRefusals = {
  badRequest: { status: 400, body: { error: "bad request" } },
  invalidCredentials: { status: 401, body: { error: "invalid credentials" } },
  invalidClientDetails: { status: 422, body: { error: "invalid client details" } },
  serverError: (status: number): Refusal => ({ status, body: { error: "something went wrong" } }),
  notFound: { status: 404, body: { error: "not found" } },
} as const satisfies Record<string, Refusal | ((status: number) => Refusal)>

/** 422 with every field's messages. */
export const validation = (errors: FieldErrors): Refusal => ({ status: 422, body: { errors } })

/** 422 naming one field. */
export const invalid = (field: string, message: string): Refusal => validation({ [field]: [message] })

export const Refusals = {
  /** A bearer token that is missing, unknown or expired. */
  unauthorized: { status: 401, body: { errors: { token: [Messages.notAuthorised] } } },
  /** A record that is unknown or not the caller's (recorded). */
  notAuthorizedRecord: { status: 401, body: { code: 405, message: "Not authorized to access that record." } },
  /** 404 as recorded (`GET /tools/routing_number` with an unknown number): the body is `null`. */
  notFound: { status: 404, body: null },
  rateLimited: (retryAfterSeconds: number): Refusal => ({
    status: 429,
    body: { errors: { base: ["rate limit exceeded"] } },
    headers: { "retry-after": String(retryAfterSeconds) },
  }),
  serverError: (status: number): Refusal => ({ status, body: { errors: { base: ["something went wrong"] } } }),
} as const satisfies Record<string, Refusal | ((n: number) => Refusal)>
