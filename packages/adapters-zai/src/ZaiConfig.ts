/**
 * What the Zai adapter needs to know: where the token issuer and the core API are, the OAuth2
 * client credentials, the webhook secret, and how long to wait. Read from Effect `Config`
 * (secrets as `Redacted`), or given directly. The auth and core hosts are kept apart because a
 * token from the first is presented to the second (provider notes §1).
 */
import { type LifecyclePolicy, zai } from "@token-lifecycle/domain/Policy"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

export type Environment = "prelive" | "production"

/** The hosts of each environment (provider notes §1). */
export const hosts: Record<Environment, { readonly auth: string; readonly core: string }> = {
  prelive: {
    auth: "https://au-0000.sandbox.auth.assemblypay.com",
    core: "https://test.api.promisepay.com",
  },
  production: {
    auth: "https://au-0000.auth.assemblypay.com",
    core: "https://secure.api.promisepay.com",
  },
}

/** Zai documents no margin; 60 s is the least the provider notes (§2) allow, 5 minutes leaves room for skew. */
export const defaultTokenRefreshMargin = Duration.minutes(5)
export const minimumTokenRefreshMargin = Duration.seconds(60)
/** The tolerance the published clients use on webhook timestamps (provider notes §9.1). */
export const defaultWebhookTolerance = Duration.minutes(5)
/**
 * How long a token auth must still live when it is handed to a browser: the time a user may take
 * to enter a card or bank account. Zai documents none; a quarter of an hour is generous.
 */
export const defaultTokenAuthSafetyMargin = Duration.minutes(15)

export interface ZaiOptions {
  /** The OAuth2 token issuer (`POST /tokens`). */
  readonly authBaseUrl: string
  /** The core API (users, card and bank accounts, `token_auths`). */
  readonly coreBaseUrl: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly scope: string
  /** The shared secret Zai signs webhooks with. */
  readonly webhookSecret: Redacted.Redacted<string>
  /** How long one core API request may take. */
  readonly timeout: Duration.Duration
  /** How long one `POST /tokens` may take. */
  readonly tokenTimeout: Duration.Duration
  /** How long before its expiry an access token is replaced; at least 60 seconds. */
  readonly tokenRefreshMargin: Duration.Duration
  /** How far a webhook's timestamp may be from now, either way. */
  readonly webhookTolerance: Duration.Duration
  /** A token auth expiring sooner than this is never handed to a browser (see `ZaiTokenAuths`). */
  readonly tokenAuthSafetyMargin: Duration.Duration
}

export class ZaiConfig extends Context.Tag("@token-lifecycle/adapters-zai/ZaiConfig")<ZaiConfig, ZaiOptions>() {}

const atLeastMinimumMargin = (margin: Duration.Duration): Duration.Duration =>
  Duration.max(margin, minimumTokenRefreshMargin)

export const layer = (options: {
  readonly environment?: Environment
  readonly authBaseUrl?: string
  readonly coreBaseUrl?: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly scope: string
  readonly webhookSecret: Redacted.Redacted<string>
  readonly timeout?: Duration.DurationInput
  readonly tokenTimeout?: Duration.DurationInput
  readonly tokenRefreshMargin?: Duration.DurationInput
  readonly webhookTolerance?: Duration.DurationInput
  readonly tokenAuthSafetyMargin?: Duration.DurationInput
}): Layer.Layer<ZaiConfig> => {
  const environment = hosts[options.environment ?? "prelive"]
  return Layer.succeed(ZaiConfig, {
    authBaseUrl: options.authBaseUrl ?? environment.auth,
    coreBaseUrl: options.coreBaseUrl ?? environment.core,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scope: options.scope,
    webhookSecret: options.webhookSecret,
    timeout: Duration.decode(options.timeout ?? "30 seconds"),
    tokenTimeout: Duration.decode(options.tokenTimeout ?? "10 seconds"),
    tokenRefreshMargin: atLeastMinimumMargin(Duration.decode(options.tokenRefreshMargin ?? defaultTokenRefreshMargin)),
    webhookTolerance: Duration.decode(options.webhookTolerance ?? defaultWebhookTolerance),
    tokenAuthSafetyMargin: Duration.decode(options.tokenAuthSafetyMargin ?? defaultTokenAuthSafetyMargin),
  })
}

/**
 * `ZAI_CLIENT_ID`, `ZAI_CLIENT_SECRET`, `ZAI_SCOPE`, `ZAI_WEBHOOK_SECRET`; optionally
 * `ZAI_ENVIRONMENT` (`prelive`, the default, or `production`), `ZAI_AUTH_BASE_URL` and
 * `ZAI_CORE_BASE_URL` (overriding the environment's hosts), `ZAI_TIMEOUT` (30 seconds),
 * `ZAI_TOKEN_TIMEOUT` (10 seconds), `ZAI_TOKEN_REFRESH_MARGIN` (5 minutes, at least 60 seconds),
 * `ZAI_WEBHOOK_TOLERANCE` (5 minutes) and `ZAI_TOKEN_AUTH_SAFETY_MARGIN` (15 minutes).
 */
const positive = (duration: Duration.Duration) => Duration.toMillis(duration) > 0

export const config: Config.Config<ZaiOptions> = Config.all({
  environment: Config.literal(
    "prelive",
    "production",
  )("ZAI_ENVIRONMENT").pipe(Config.withDefault<Environment>("prelive")),
  authBaseUrl: Config.option(Config.string("ZAI_AUTH_BASE_URL")),
  coreBaseUrl: Config.option(Config.string("ZAI_CORE_BASE_URL")),
  clientId: Config.nonEmptyString("ZAI_CLIENT_ID"),
  clientSecret: Config.redacted("ZAI_CLIENT_SECRET"),
  scope: Config.nonEmptyString("ZAI_SCOPE"),
  webhookSecret: Config.redacted("ZAI_WEBHOOK_SECRET"),
  timeout: Config.duration("ZAI_TIMEOUT").pipe(Config.withDefault(Duration.seconds(30))),
  tokenTimeout: Config.duration("ZAI_TOKEN_TIMEOUT").pipe(Config.withDefault(Duration.seconds(10))),
  tokenRefreshMargin: Config.duration("ZAI_TOKEN_REFRESH_MARGIN").pipe(
    Config.withDefault(defaultTokenRefreshMargin),
    Config.validate({
      message: "must be at least 60 seconds",
      validation: (margin) => Duration.greaterThanOrEqualTo(margin, minimumTokenRefreshMargin),
    }),
  ),
  webhookTolerance: Config.duration("ZAI_WEBHOOK_TOLERANCE").pipe(
    Config.withDefault(defaultWebhookTolerance),
    Config.validate({ message: "must be positive", validation: positive }),
  ),
  tokenAuthSafetyMargin: Config.duration("ZAI_TOKEN_AUTH_SAFETY_MARGIN").pipe(
    Config.withDefault(defaultTokenAuthSafetyMargin),
    Config.validate({ message: "must be positive", validation: positive }),
  ),
}).pipe(
  Config.map(({ environment, authBaseUrl, coreBaseUrl, ...rest }) => ({
    ...rest,
    authBaseUrl: Option.getOrElse(authBaseUrl, () => hosts[environment].auth),
    coreBaseUrl: Option.getOrElse(coreBaseUrl, () => hosts[environment].core),
  })),
)

export const layerConfig = (from: Config.Config<ZaiOptions> = config) => Layer.effect(ZaiConfig, from)

/**
 * The token-auth policy, its lifetimes from `ZAI_CARD_TOKEN_AUTH_LIFETIME` and
 * `ZAI_BANK_TOKEN_AUTH_LIFETIME`. Zai's answer carries no expiry: it documents 2 hours for a bank
 * token and nothing for a card token, so both default to 2 hours (`Policy.zai`); set the card's
 * shorter to be conservative.
 */
export const policyConfig: Config.Config<LifecyclePolicy> = Config.all({
  card: Config.option(Config.duration("ZAI_CARD_TOKEN_AUTH_LIFETIME")),
  bank: Config.option(Config.duration("ZAI_BANK_TOKEN_AUTH_LIFETIME")),
}).pipe(
  Config.validate({
    message: "token auth lifetimes must be positive",
    validation: ({ card, bank }) =>
      [card, bank].every((lifetime) => Option.match(lifetime, { onNone: () => true, onSome: positive })),
  }),
  Config.map(({ card, bank }) =>
    zai({
      ...Option.match(card, { onNone: () => ({}), onSome: (cardTimeToLive) => ({ cardTimeToLive }) }),
      ...Option.match(bank, { onNone: () => ({}), onSome: (bankTimeToLive) => ({ bankTimeToLive }) }),
    }),
  ),
)
