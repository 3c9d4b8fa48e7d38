/**
 * Who is calling (rebilly.md §3): a secret key in `REB-APIKEY`, a publishable key as the raw
 * value of `Authorization` (no `Bearer `), or a JWT as `Authorization: Bearer <jwt>`. The server
 * tells a publishable key from a JWT by the `Bearer ` prefix (the likeliest reading; unconfirmed).
 * A client may send `REB-APIKEY` and `Authorization` together (the JS SDK does after
 * `setPublishableKey`): the request is let in when any credential it carries is known and of a
 * kind the operation accepts.
 *
 * Refusals: no known credential at all is 401 (invalid credentials); a known credential of a kind
 * the operation does not accept is 403 (access forbidden). Both are choices where Rebilly's
 * behaviour is unknown.
 */
import * as Secrets from "../shared/Secrets.js"
import type { Scheme } from "./RebillyEndpoints.js"

export type Secret = Secrets.Secret

export interface Keys {
  readonly secretKeys: ReadonlyArray<Secret>
  readonly publishableKeys: ReadonlyArray<Secret>
  readonly jwts: ReadonlyArray<Secret>
}

export interface Presented {
  readonly scheme: Scheme
  readonly value: string
}

export type Verdict =
  | { readonly _tag: "Allowed"; readonly scheme: Scheme }
  | { readonly _tag: "Unauthorized" }
  | { readonly _tag: "Forbidden"; readonly scheme: Scheme }

/** The credentials a request carries (header names in lower case). */
export const presented = (headers: Readonly<Record<string, string>>): ReadonlyArray<Presented> => {
  const found: Array<Presented> = []
  const apiKey = headers["reb-apikey"]?.trim()
  if (apiKey) found.push({ scheme: "secret", value: apiKey })
  const authorization = headers.authorization?.trim()
  if (authorization) {
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization)
    found.push(
      bearer?.[1] === undefined
        ? { scheme: "publishable", value: authorization }
        : { scheme: "jwt", value: bearer[1].trim() },
    )
  }
  return found
}

const listOf = (keys: Keys, scheme: Scheme): ReadonlyArray<Secret> =>
  scheme === "secret" ? keys.secretKeys : scheme === "publishable" ? keys.publishableKeys : keys.jwts

const isKnown = (keys: Keys, credential: Presented): boolean =>
  listOf(keys, credential.scheme).some((known) => Secrets.sameText(Secrets.reveal(known), credential.value))

/** Whether a request carrying `credentials` may call an operation that accepts `accepted`. */
export const authorize = (
  keys: Keys,
  credentials: ReadonlyArray<Presented>,
  accepted: ReadonlyArray<Scheme>,
): Verdict => {
  const known = credentials.filter((credential) => isKnown(keys, credential))
  const allowed = known.find((credential) => accepted.includes(credential.scheme))
  if (allowed !== undefined) return { _tag: "Allowed", scheme: allowed.scheme }
  const first = known[0]
  return first === undefined ? { _tag: "Unauthorized" } : { _tag: "Forbidden", scheme: first.scheme }
}
