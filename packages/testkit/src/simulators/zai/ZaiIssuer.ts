/**
 * The OAuth2 token issuer (`POST {auth}/tokens`, provider notes §2) and the bearer check the
 * core API makes with what it issued.
 *
 * The request carries `grant_type` (the constant `client_credentials`), `client_id`,
 * `client_secret` and `scope`, as JSON (documented) or form-encoded (what one published client
 * sends). A body that cannot be read, a missing field or another grant type is 400 `bad
 * request`; an unknown client or a wrong secret is 401 `invalid credentials`; the client's
 * secret with a scope that is not its own is 422 `invalid client details`. An accepted request
 * gets `{access_token, expires_in, token_type: "Bearer"}`, the token living `expires_in`
 * seconds on the simulator's clock (3600 unless configured).
 *
 * A core API request is authenticated by `Authorization: Bearer <token>` with a token this
 * issuer gave and that has not expired; anything else is 401 (`ZaiErrors.Refusals.unauthorized`).
 */
import * as Secrets from "../shared/Secrets.js"
import type { AccessTokenRecord, Books } from "./ZaiBooks.js"
import { type Refusal, TokenRefusals } from "./ZaiErrors.js"

/** An OAuth2 client the issuer knows; each client is one marketplace with its own records. */
export interface ZaiClient {
  readonly clientId: string
  readonly clientSecret: Secrets.Secret
  readonly scope: string
}

export interface Credentials {
  readonly grantType: string
  readonly clientId: string
  readonly clientSecret: string
  readonly scope: string
}

const fields = ["grant_type", "client_id", "client_secret", "scope"] as const

/** The four fields from a JSON or form-encoded body; `undefined` when the body cannot be read or one is missing. */
export const readCredentials = (body: string, contentType: string | undefined): Credentials | undefined => {
  let read: (name: string) => unknown
  if (contentType?.toLowerCase().includes("application/x-www-form-urlencoded")) {
    const form = new URLSearchParams(body)
    read = (name) => form.get(name) ?? undefined
  } else {
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      return undefined
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined
    const object = parsed as Record<string, unknown>
    read = (name) => (Object.hasOwn(object, name) ? object[name] : undefined)
  }
  const values = fields.map(read)
  if (!values.every((value): value is string => typeof value === "string" && value !== "")) return undefined
  const [grantType, clientId, clientSecret, scope] = values as [string, string, string, string]
  return { grantType, clientId, clientSecret, scope }
}

export type IssueOutcome =
  | { readonly _tag: "Refused"; readonly refusal: Refusal }
  | { readonly _tag: "Issued"; readonly record: AccessTokenRecord; readonly expiresIn: number }

/**
 * One `POST /tokens`, as a pure step: `clientOf` gives a known client's secret and scope,
 * `freshToken` is the token to hand out (drawn before the step).
 */
export const issue = (request: {
  readonly credentials: Credentials | undefined
  readonly clientOf: (clientId: string) => { readonly secret: string; readonly scope: string } | undefined
  readonly now: number
  readonly lifetimeSeconds: number
  readonly freshToken: string
}): IssueOutcome => {
  const { credentials } = request
  if (credentials === undefined || credentials.grantType !== "client_credentials") {
    return { _tag: "Refused", refusal: TokenRefusals.badRequest }
  }
  const client = request.clientOf(credentials.clientId)
  if (client === undefined || !Secrets.sameText(client.secret, credentials.clientSecret)) {
    return { _tag: "Refused", refusal: TokenRefusals.invalidCredentials }
  }
  if (client.scope !== credentials.scope) return { _tag: "Refused", refusal: TokenRefusals.invalidClientDetails }
  const record: AccessTokenRecord = {
    token: request.freshToken,
    clientId: credentials.clientId,
    issuedAt: request.now,
    expiresAt: request.now + request.lifetimeSeconds * 1000,
  }
  return { _tag: "Issued", record, expiresIn: request.lifetimeSeconds }
}

/** The marketplace (client id) a live bearer token speaks for, or `undefined`. */
export const authenticate = (books: Books, authorization: string | undefined, now: number): string | undefined => {
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization)
  const record = match?.[1] === undefined ? undefined : books.accessTokens.get(match[1])
  return record !== undefined && now < record.expiresAt ? record.clientId : undefined
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value), "utf8").toString("base64url")

/**
 * A token shaped like the JWT Zai's issuer (AWS Cognito) gives: a header, the claims, and a
 * signature that is only random bytes (nothing checks it but this simulator, by lookup).
 */
export const jwtShaped = (claims: {
  readonly clientId: string
  readonly scope: string
  readonly issuedAt: number
  readonly expiresAt: number
  readonly jti: string
  readonly signature: string
}): string =>
  [
    base64url({ kid: "simulator", alg: "RS256" }),
    base64url({
      sub: claims.clientId,
      token_use: "access",
      scope: claims.scope,
      auth_time: Math.floor(claims.issuedAt / 1000),
      iss: "https://cognito-idp.ap-southeast-2.amazonaws.com/simulator",
      exp: Math.floor(claims.expiresAt / 1000),
      iat: Math.floor(claims.issuedAt / 1000),
      version: 2,
      jti: claims.jti,
      client_id: claims.clientId,
    }),
    claims.signature,
  ].join(".")
