/**
 * How KOMOJU knows the caller (provider notes §2): HTTP Basic, the API key as the user name and
 * an empty password. Which key goes with which call is decided here, and a key configured in the
 * wrong place is refused before anything is sent.
 *
 * Keys are opaque, but their kind shows in their prefix wherever KOMOJU's documentation prints
 * one (`sk_…`, `pk_…`). A key whose prefix names the other kind is a configuration mistake: a
 * publishable key where the secret one belongs fails every server call, and a secret key where
 * the publishable one belongs is one step from being shipped to a browser. The live/test mode is
 * never read from a key.
 */
import { ProviderUnauthorized } from "@token-lifecycle/domain/GatewayError"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { provider } from "./refusal.js"

export type KeyKind = "secret" | "publishable"

/** The kind a key's prefix names, if it names one. */
export const kindOfKey = (key: Redacted.Redacted<string>): KeyKind | undefined => {
  const value = Redacted.value(key)
  if (value.startsWith("sk_")) return "secret"
  if (value.startsWith("pk_")) return "publishable"
  return undefined
}

/** An `Authorization` value ready to send, or why the key may not be sent. */
export type Authorization = Either.Either<Redacted.Redacted<string>, ProviderUnauthorized>

const basic = (key: Redacted.Redacted<string>): Redacted.Redacted<string> =>
  Redacted.make(`Basic ${Buffer.from(`${Redacted.value(key)}:`, "utf8").toString("base64")}`)

const checked = (key: Redacted.Redacted<string>, kind: KeyKind): Authorization => {
  const named = kindOfKey(key)
  return named === undefined || named === kind
    ? Either.right(basic(key))
    : Either.left(
        new ProviderUnauthorized({
          provider,
          message: `the key configured as the ${kind} key is a ${named} key; nothing was sent`,
        }),
      )
}

export interface Authorizations {
  /** For `POST /tokens`: the publishable key when there is one, the secret key otherwise. */
  readonly tokens: Authorization
  /** For every other call: the secret key. */
  readonly secret: Authorization
}

/** Each `Authorization` header, computed once. */
export const authorizations = (keys: {
  readonly secretKey: Redacted.Redacted<string>
  readonly publishableKey?: Redacted.Redacted<string> | undefined
}): Authorizations => {
  const secret = checked(keys.secretKey, "secret")
  return {
    tokens: keys.publishableKey === undefined ? secret : checked(keys.publishableKey, "publishable"),
    secret,
  }
}
