/**
 * Rebilly's credentials, as its spec defines them: a secret key in `REB-APIKEY`, a publishable
 * key as the raw value of `Authorization` (no `Bearer `), a JWT as `Authorization: Bearer <jwt>`.
 * Each operation accepts the kinds its `security` lists (the root default being a secret key or a
 * JWT). The choice is made once per operation when the adapter is built: a call whose operation
 * takes no credential the adapter holds, or whose credential is of the wrong kind (an `sk_` key
 * given as the publishable one, a sandbox key against the live host), is refused before it is sent.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { ProviderUnauthorized } from "@token-lifecycle/domain/GatewayError"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { provider } from "./refusal.js"

export type Scheme = "secret" | "publishable" | "jwt"

export type Operation =
  | "createToken"
  | "listTokens"
  | "getToken"
  | "validateDigitalWallet"
  | "createTransaction"
  | "createPaymentInstrument"

/** Each operation's name in errors and logs, and the kinds of credential its `security` accepts. */
export const operations: Readonly<
  Record<Operation, { readonly label: string; readonly accepts: ReadonlyArray<Scheme> }>
> = {
  createToken: { label: "create token", accepts: ["publishable", "secret", "jwt"] },
  listTokens: { label: "list tokens", accepts: ["secret", "jwt"] },
  getToken: { label: "retrieve token", accepts: ["publishable"] },
  validateDigitalWallet: { label: "validate digital wallet", accepts: ["publishable", "secret", "jwt"] },
  createTransaction: { label: "create transaction", accepts: ["secret", "jwt"] },
  createPaymentInstrument: { label: "create payment instrument", accepts: ["secret", "jwt"] },
}

export interface Credentials {
  readonly secretKey?: Redacted.Redacted<string>
  readonly publishableKey?: Redacted.Redacted<string>
  readonly jwt?: Redacted.Redacted<string>
}

const slots = { secret: "secretKey", publishable: "publishableKey", jwt: "jwt" } as const satisfies Record<
  Scheme,
  keyof Credentials
>

/** Server-side first: a secret key, then a JWT, then the publishable key meant for browsers. */
const preference: ReadonlyArray<Scheme> = ["secret", "jwt", "publishable"]

const names: Readonly<Record<Scheme, string>> = {
  secret: "a secret key",
  publishable: "a publishable key",
  jwt: "a JWT",
}

/** Rebilly keys read `type_environment_payload` (`sk_sandbox_…`, `pk_live_…`); a JWT is three dot-separated parts. */
export const kindOf = (value: string): Scheme | undefined => {
  if (value.startsWith("sk_")) return "secret"
  if (value.startsWith("pk_")) return "publishable"
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(value) ? "jwt" : undefined
}

const keyEnvironment = (value: string): string | undefined => /^(?:sk|pk)_(sandbox|live)_/.exec(value)?.[1]

const hostEnvironments: Readonly<Record<string, string>> = {
  "api-sandbox.rebilly.com": "sandbox",
  "api.rebilly.com": "live",
}

const urlEnvironment = (baseUrl: string): string | undefined => {
  try {
    return hostEnvironments[new URL(baseUrl).hostname]
  } catch {
    return undefined
  }
}

const listed = (schemes: ReadonlyArray<Scheme>): string =>
  schemes.length === 0
    ? "no credential"
    : schemes.length === 1
      ? (names[schemes[0] as Scheme] as string)
      : `${schemes
          .slice(0, -1)
          .map((scheme) => names[scheme])
          .join(", ")} or ${names[schemes.at(-1) as Scheme]}`

/** The header carrying a credential of this kind. */
export const header = (scheme: Scheme, value: string): readonly [string, string] =>
  scheme === "secret"
    ? ["REB-APIKEY", value]
    : scheme === "publishable"
      ? ["Authorization", value]
      : ["Authorization", `Bearer ${value}`]

/** Puts the operation's credential on a request. */
export type Sign = (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest

export type Authorizations = Readonly<Record<Operation, Either.Either<Sign, ProviderUnauthorized>>>

/** For every operation, how its requests are signed, or why none may be sent. */
export const authorizations = (credentials: Credentials, baseUrl: string): Authorizations => {
  const held = preference.filter((scheme) => credentials[slots[scheme]] !== undefined)
  const environment = urlEnvironment(baseUrl)
  const refuse = (label: string, why: string) =>
    Either.left(new ProviderUnauthorized({ provider, message: `${label}: ${why}; not sent` }))
  const authorize = (operation: Operation): Either.Either<Sign, ProviderUnauthorized> => {
    const { label, accepts } = operations[operation]
    const scheme = held.find((candidate) => accepts.includes(candidate))
    const secret = scheme === undefined ? undefined : credentials[slots[scheme]]
    if (scheme === undefined || secret === undefined) {
      return refuse(label, `Rebilly accepts ${listed(accepts)} only, and the adapter holds ${listed(held)}`)
    }
    const value = Redacted.value(secret)
    const kind = kindOf(value)
    if (kind !== scheme) {
      return refuse(
        label,
        `the credential configured as ${names[scheme]} is ${kind === undefined ? "not a Rebilly credential" : names[kind]}`,
      )
    }
    const keyIn = keyEnvironment(value)
    if (keyIn !== undefined && environment !== undefined && keyIn !== environment) {
      return refuse(label, `${names[scheme]} for ${keyIn} cannot call the ${environment} API`)
    }
    const [name, headerValue] = header(scheme, value)
    return Either.right(HttpClientRequest.setHeader(name, headerValue))
  }
  const all = Object.keys(operations) as ReadonlyArray<Operation>
  return Object.fromEntries(all.map((operation) => [operation, authorize(operation)])) as Authorizations
}

/** The header that carries a secret besides `Authorization`, kept out of logs and traces. */
export const secretHeaders: ReadonlyArray<string> = ["REB-APIKEY"]
