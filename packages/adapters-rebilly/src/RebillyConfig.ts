/**
 * What the Rebilly adapter needs to know: the organization, where its API is (one full base URL,
 * the organization's path included), the credentials it may use and how long to wait. Read from
 * Effect `Config` (every credential as `Redacted`), or given directly.
 *
 * Rebilly takes three kinds of credential and each operation accepts only some (see the README):
 * give the ones the operations you call need. A secret key serves everything a server does but
 * retrieving one token, which the spec opens to the publishable key only.
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { type Credentials, kindOf, type Scheme } from "./internal/auth.js"

export type Environment = "sandbox" | "live"

export interface RebillyOptions extends Credentials {
  /** The organization tokens are created in (`organizationId`, at most 50 of `@~-.` and word characters). */
  readonly organizationId: string
  /** The full base URL operation paths are appended to, e.g. `https://api.rebilly.com/organizations/<id>`. */
  readonly baseUrl: string
  /** The website a payment by token is made for (`websiteId` of a transaction); needed only to pay. */
  readonly websiteId?: string
  /** How long one request may take. */
  readonly timeout: Duration.Duration
}

export class RebillyConfig extends Context.Tag("@token-lifecycle/adapters-rebilly/RebillyConfig")<
  RebillyConfig,
  RebillyOptions
>() {}

/** The API hosts, per the spec's `servers`. */
export const hosts: Readonly<Record<Environment, string>> = {
  sandbox: "https://api-sandbox.rebilly.com",
  live: "https://api.rebilly.com",
}

/** The organization's base URL on the sandbox or the live API. */
export const baseUrlFor = (environment: Environment, organizationId: string): string =>
  `${hosts[environment]}/organizations/${encodeURIComponent(organizationId)}`

export const organizationIdPattern = /^[@~\-.\w]{1,50}$/

export const defaultTimeout = Duration.seconds(20)

export const layer = (options: {
  readonly organizationId: string
  /** Default `sandbox`; ignored when `baseUrl` is given. */
  readonly environment?: Environment
  readonly baseUrl?: string
  readonly secretKey?: Redacted.Redacted<string>
  readonly publishableKey?: Redacted.Redacted<string>
  readonly jwt?: Redacted.Redacted<string>
  readonly websiteId?: string
  readonly timeout?: Duration.DurationInput
}): Layer.Layer<RebillyConfig> => {
  const { environment, timeout, ...rest } = options
  return Layer.succeed(RebillyConfig, {
    ...rest,
    baseUrl: options.baseUrl ?? baseUrlFor(environment ?? "sandbox", options.organizationId),
    timeout: Duration.decode(timeout ?? defaultTimeout),
  })
}

const credential = (name: string, kind: Scheme, description: string) =>
  Config.option(
    Config.redacted(name).pipe(
      Config.validate({
        message: `must be ${description}`,
        validation: (value) => kindOf(Redacted.value(value)) === kind,
      }),
    ),
  )

const present = <K extends string, A>(key: K, value: Option.Option<A>): { readonly [P in K]?: A } =>
  (Option.isSome(value) ? { [key]: value.value } : {}) as { readonly [P in K]?: A }

/**
 * `REBILLY_ORGANIZATION_ID`; `REBILLY_ENVIRONMENT` (`sandbox`, the default, or `live`) or a full
 * `REBILLY_BASE_URL`; at least one of `REBILLY_SECRET_KEY` (`sk_…`), `REBILLY_PUBLISHABLE_KEY`
 * (`pk_…`) and `REBILLY_JWT`; optionally `REBILLY_WEBSITE_ID` and `REBILLY_TIMEOUT` (`20 seconds`).
 */
export const config: Config.Config<RebillyOptions> = Config.all({
  organizationId: Config.string("REBILLY_ORGANIZATION_ID").pipe(
    Config.validate({
      message: "must be at most 50 of letters, digits, _ @ ~ - .",
      validation: (id) => organizationIdPattern.test(id),
    }),
  ),
  environment: Config.literal("sandbox", "live")("REBILLY_ENVIRONMENT").pipe(Config.withDefault("sandbox" as const)),
  baseUrl: Config.option(Config.url("REBILLY_BASE_URL")),
  secretKey: credential("REBILLY_SECRET_KEY", "secret", "a secret key (sk_…)"),
  publishableKey: credential("REBILLY_PUBLISHABLE_KEY", "publishable", "a publishable key (pk_…)"),
  jwt: credential("REBILLY_JWT", "jwt", "a JWT"),
  websiteId: Config.option(Config.string("REBILLY_WEBSITE_ID")),
  timeout: Config.duration("REBILLY_TIMEOUT").pipe(Config.withDefault(defaultTimeout)),
}).pipe(
  Config.validate({
    message: "needs at least one of REBILLY_SECRET_KEY, REBILLY_PUBLISHABLE_KEY and REBILLY_JWT",
    validation: (read) =>
      Option.isSome(read.secretKey) || Option.isSome(read.publishableKey) || Option.isSome(read.jwt),
  }),
  Config.map(
    (read): RebillyOptions => ({
      organizationId: read.organizationId,
      baseUrl: Option.match(read.baseUrl, {
        onNone: () => baseUrlFor(read.environment, read.organizationId),
        onSome: (url) => url.href.replace(/\/+$/, ""),
      }),
      timeout: read.timeout,
      ...present("secretKey", read.secretKey),
      ...present("publishableKey", read.publishableKey),
      ...present("jwt", read.jwt),
      ...present("websiteId", read.websiteId),
    }),
  ),
)

export const layerConfig = (from: Config.Config<RebillyOptions> = config) => Layer.effect(RebillyConfig, from)
