import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as ZaiConfig from "../src/ZaiConfig.js"

const required = {
  ZAI_CLIENT_ID: "client",
  ZAI_CLIENT_SECRET: "client-secret-value",
  ZAI_SCOPE: "im-au-04/scope",
  ZAI_WEBHOOK_SECRET: "webhook-secret-value",
}

const read = (env: Record<string, string>) =>
  Effect.either(Effect.withConfigProvider(ZaiConfig.config, ConfigProvider.fromMap(new Map(Object.entries(env)))))

describe("the Zai configuration", () => {
  it.effect("defaults to the pre-live hosts, with the secrets redacted", () =>
    Effect.gen(function* () {
      const options = Either.getOrThrow(yield* read(required))
      expect(options.authBaseUrl).toBe("https://au-0000.sandbox.auth.assemblypay.com")
      expect(options.coreBaseUrl).toBe("https://test.api.promisepay.com")
      expect(Duration.toMillis(options.tokenRefreshMargin)).toBe(300_000)
      expect(Duration.toMillis(options.webhookTolerance)).toBe(300_000)
      expect(Duration.toMillis(options.tokenAuthSafetyMargin)).toBe(900_000)
      expect(Redacted.value(options.clientSecret)).toBe("client-secret-value")
      expect(`${String(options.clientSecret)} ${String(options.webhookSecret)}`).not.toContain("secret-value")
    }),
  )

  it.effect("takes the production hosts, or explicit ones", () =>
    Effect.gen(function* () {
      const production = Either.getOrThrow(yield* read({ ...required, ZAI_ENVIRONMENT: "production" }))
      expect([production.authBaseUrl, production.coreBaseUrl]).toEqual([
        "https://au-0000.auth.assemblypay.com",
        "https://secure.api.promisepay.com",
      ])
      const explicit = Either.getOrThrow(
        yield* read({ ...required, ZAI_ENVIRONMENT: "production", ZAI_AUTH_BASE_URL: "http://localhost:1" }),
      )
      expect([explicit.authBaseUrl, explicit.coreBaseUrl]).toEqual([
        "http://localhost:1",
        "https://secure.api.promisepay.com",
      ])
    }),
  )

  it.effect("refuses an unknown environment, a missing secret and a refresh margin under 60 seconds", () =>
    Effect.gen(function* () {
      expect(Either.isLeft(yield* read({ ...required, ZAI_ENVIRONMENT: "sandbox" }))).toBe(true)
      const { ZAI_CLIENT_SECRET: _omitted, ...withoutSecret } = required
      expect(Either.isLeft(yield* read(withoutSecret))).toBe(true)
      expect(Either.isLeft(yield* read({ ...required, ZAI_TOKEN_REFRESH_MARGIN: "59 seconds" }))).toBe(true)
      expect(Either.isRight(yield* read({ ...required, ZAI_TOKEN_REFRESH_MARGIN: "60 seconds" }))).toBe(true)
    }),
  )

  it("raises a margin given directly to the 60-second minimum", () => {
    const options = Effect.runSync(
      Effect.provide(
        ZaiConfig.ZaiConfig,
        ZaiConfig.layer({
          clientId: "client",
          clientSecret: Redacted.make("s"),
          scope: "scope",
          webhookSecret: Redacted.make("w"),
          tokenRefreshMargin: "10 seconds",
        }),
      ),
    )
    expect(Duration.toMillis(options.tokenRefreshMargin)).toBe(60_000)
  })
})

describe("the Zai token-auth policy from configuration", () => {
  const readPolicy = (env: Record<string, string>) =>
    Effect.either(
      Effect.withConfigProvider(ZaiConfig.policyConfig, ConfigProvider.fromMap(new Map(Object.entries(env)))),
    )

  it.effect("lives 2 hours for both types unless told, and takes each lifetime given", () =>
    Effect.gen(function* () {
      const defaults = Either.getOrThrow(yield* readPolicy({}))
      expect(defaults.timeToLive).toEqual({ card: 7_200_000, bank: 7_200_000, other: null })
      const set = Either.getOrThrow(yield* readPolicy({ ZAI_CARD_TOKEN_AUTH_LIFETIME: "45 minutes" }))
      expect(set.timeToLive).toEqual({ card: 2_700_000, bank: 7_200_000, other: null })
      expect(set.maxUses).toBe(1)
    }),
  )

  it.effect("refuses a lifetime that is not a positive duration, and a safety margin that is not positive", () =>
    Effect.gen(function* () {
      expect(Either.isLeft(yield* readPolicy({ ZAI_BANK_TOKEN_AUTH_LIFETIME: "0 seconds" }))).toBe(true)
      expect(Either.isLeft(yield* readPolicy({ ZAI_CARD_TOKEN_AUTH_LIFETIME: "soon" }))).toBe(true)
      expect(Either.isLeft(yield* read({ ...required, ZAI_TOKEN_AUTH_SAFETY_MARGIN: "0 minutes" }))).toBe(true)
      const set = Either.getOrThrow(yield* read({ ...required, ZAI_TOKEN_AUTH_SAFETY_MARGIN: "20 minutes" }))
      expect(Duration.toMillis(set.tokenAuthSafetyMargin)).toBe(1_200_000)
    }),
  )
})
