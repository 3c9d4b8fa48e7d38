/**
 * What the KOMOJU adapter needs to know: its keys, where KOMOJU is, which API version to ask
 * for and how long to wait. Read from Effect `Config` (keys as `Redacted`), or given directly.
 *
 * KOMOJU gives each merchant a secret key (every resource, server only) and a publishable key
 * (a few resources, safe in a browser). The adapter sends the publishable key only where KOMOJU
 * takes it and the server has no reason to use more (creating a token), and the secret key
 * everywhere else; without a publishable key, the secret key creates tokens too.
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import { type KeyKind, kindOfKey } from "./internal/auth.js"

export interface KomojuOptions {
  readonly secretKey: Redacted.Redacted<string>
  /** Used for token creation when given; the secret key otherwise. */
  readonly publishableKey?: Redacted.Redacted<string>
  /** Default `https://komoju.com/api/v1`: test and live share the host, the key decides the mode. */
  readonly baseUrl: string
  /** Sent as `X-KOMOJU-API-VERSION` on every request, so the dashboard's default version cannot change answers. */
  readonly apiVersion: string
  /** Whether payments are captured at once (`capture: true`) or only authorized. Default true. */
  readonly capture: boolean
  /** How long one attempt may take. */
  readonly timeout: Duration.Duration
}

export class KomojuConfig extends Context.Tag("@token-lifecycle/adapters-komoju/KomojuConfig")<
  KomojuConfig,
  KomojuOptions
>() {}

export const defaultBaseUrl = "https://komoju.com/api/v1"

/** The newest version an official client pins (the Node SDK's default). */
export const defaultApiVersion = "2025-01-28"

export const layer = (options: {
  readonly secretKey: Redacted.Redacted<string>
  readonly publishableKey?: Redacted.Redacted<string>
  readonly baseUrl?: string
  readonly apiVersion?: string
  readonly capture?: boolean
  readonly timeout?: Duration.DurationInput
}): Layer.Layer<KomojuConfig> =>
  Layer.succeed(KomojuConfig, {
    secretKey: options.secretKey,
    ...(options.publishableKey === undefined ? {} : { publishableKey: options.publishableKey }),
    baseUrl: options.baseUrl ?? defaultBaseUrl,
    apiVersion: options.apiVersion ?? defaultApiVersion,
    capture: options.capture ?? true,
    timeout: Duration.decode(options.timeout ?? "30 seconds"),
  })

/** A key read from `name`, refused at start-up when its prefix names the other kind of key. */
const key = (name: string, kind: KeyKind) =>
  Config.redacted(name).pipe(
    Config.validate({
      message: `is not a ${kind} key: its prefix names the other kind`,
      validation: (value) => {
        const named = kindOfKey(value)
        return named === undefined || named === kind
      },
    }),
  )

/**
 * `KOMOJU_SECRET_KEY`, and optionally `KOMOJU_PUBLISHABLE_KEY`, `KOMOJU_BASE_URL`,
 * `KOMOJU_API_VERSION`, `KOMOJU_CAPTURE` (`true`/`false`) and `KOMOJU_TIMEOUT` (e.g. `20 seconds`).
 */
export const config: Config.Config<KomojuOptions> = Config.all({
  secretKey: key("KOMOJU_SECRET_KEY", "secret"),
  publishableKey: Config.option(key("KOMOJU_PUBLISHABLE_KEY", "publishable")),
  baseUrl: Config.string("KOMOJU_BASE_URL").pipe(Config.withDefault(defaultBaseUrl)),
  apiVersion: Config.string("KOMOJU_API_VERSION").pipe(Config.withDefault(defaultApiVersion)),
  capture: Config.boolean("KOMOJU_CAPTURE").pipe(Config.withDefault(true)),
  timeout: Config.duration("KOMOJU_TIMEOUT").pipe(Config.withDefault(Duration.seconds(30))),
}).pipe(
  Config.map(({ publishableKey, ...rest }) =>
    publishableKey._tag === "Some" ? { ...rest, publishableKey: publishableKey.value } : rest,
  ),
)

export const layerConfig = (from: Config.Config<KomojuOptions> = config) => Layer.effect(KomojuConfig, from)

/** The webhook endpoint's secret token, from `KOMOJU_WEBHOOK_SECRET`. */
export const webhookSecret: Config.Config<Redacted.Redacted<string>> = Config.redacted("KOMOJU_WEBHOOK_SECRET")
