/**
 * The adapter's configuration read from Effect `Config`: the base URL built from the
 * environment and organization (or given whole), credentials kept `Redacted`, and a key of the
 * wrong kind refused at start-up without being shown.
 */
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as RebillyConfig from "../src/RebillyConfig.js"

const read = (env: Record<string, string>) =>
  Effect.either(Effect.withConfigProvider(RebillyConfig.config, ConfigProvider.fromMap(new Map(Object.entries(env)))))

const secret = "sk_live_0123456789abcdef"

describe("RebillyConfig.config", () => {
  it.effect("sandbox by default, with the organization in the path; every credential redacted", () =>
    Effect.gen(function* () {
      const options = yield* Effect.flatten(
        read({ REBILLY_ORGANIZATION_ID: "org_42", REBILLY_PUBLISHABLE_KEY: "pk_sandbox_abc" }),
      )
      expect(options.baseUrl).toBe("https://api-sandbox.rebilly.com/organizations/org_42")
      expect(Redacted.isRedacted(options.publishableKey)).toBe(true)
      expect(options.secretKey).toBeUndefined()
      expect(Duration.toMillis(options.timeout)).toBe(20_000)
    }),
  )

  it.effect("live, a website and a timeout; or a full base URL of its own", () =>
    Effect.gen(function* () {
      const live = yield* Effect.flatten(
        read({
          REBILLY_ORGANIZATION_ID: "org_42",
          REBILLY_ENVIRONMENT: "live",
          REBILLY_SECRET_KEY: secret,
          REBILLY_WEBSITE_ID: "web_1",
          REBILLY_TIMEOUT: "5 seconds",
        }),
      )
      expect(live).toMatchObject({ baseUrl: "https://api.rebilly.com/organizations/org_42", websiteId: "web_1" })
      expect(Redacted.value(live.secretKey as Redacted.Redacted<string>)).toBe(secret)
      expect(Duration.toMillis(live.timeout)).toBe(5_000)
      const local = yield* Effect.flatten(
        read({
          REBILLY_ORGANIZATION_ID: "org_42",
          REBILLY_BASE_URL: "http://127.0.0.1:4010/",
          REBILLY_SECRET_KEY: secret,
        }),
      )
      expect(local.baseUrl).toBe("http://127.0.0.1:4010")
    }),
  )

  it.effect("refuses a key of the wrong kind, no credential at all, and an organization id Rebilly cannot hold", () =>
    Effect.gen(function* () {
      for (const env of [
        { REBILLY_ORGANIZATION_ID: "org_42", REBILLY_PUBLISHABLE_KEY: secret },
        { REBILLY_ORGANIZATION_ID: "org_42", REBILLY_SECRET_KEY: "pk_live_abc" },
        { REBILLY_ORGANIZATION_ID: "org_42", REBILLY_JWT: secret },
        { REBILLY_ORGANIZATION_ID: "org_42" },
        { REBILLY_ORGANIZATION_ID: "org/42", REBILLY_SECRET_KEY: secret },
        { REBILLY_ORGANIZATION_ID: "org_42", REBILLY_ENVIRONMENT: "staging", REBILLY_SECRET_KEY: secret },
      ]) {
        const result = yield* read(env)
        expect(result._tag, JSON.stringify(Object.keys(env))).toBe("Left")
        expect(String(result._tag === "Left" ? result.left : "")).not.toContain(secret)
      }
    }),
  )

  it("layer: the sandbox default, or the live host, from the organization", () => {
    expect(RebillyConfig.baseUrlFor("live", "org 1")).toBe("https://api.rebilly.com/organizations/org%201")
    expect(RebillyConfig.baseUrlFor("sandbox", "org_1")).toBe("https://api-sandbox.rebilly.com/organizations/org_1")
  })
})
