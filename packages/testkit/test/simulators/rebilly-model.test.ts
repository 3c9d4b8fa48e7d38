/**
 * The Rebilly simulator's token rules against a model small enough to be obviously right: for
 * any sequence of mints, clock moves, redemptions (payment instrument or transaction) and reads,
 * a redemption succeeds exactly when its token is unused and younger than 30 minutes (and, for a
 * transaction, has a billing address), and every answer and the books agree with the model on
 * `isUsed`, `usageTime` and `expirationTime`. Runs and seed come from `Runs`.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fc from "fast-check"
import * as Runs from "../../src/Runs.js"
import { RebillyResources } from "../../src/simulators/rebilly/index.js"
import * as RebillyHttpClient from "../../src/simulators/rebilly/RebillyHttpClient.js"
import { defaultBaseUrl, RebillySimulator } from "../../src/simulators/rebilly/RebillySimulator.js"

const secretKey = "sk_sandbox_model"
const publishableKey = "pk_sandbox_model"
const startedAt = Date.UTC(2026, 5, 1, 12, 0, 0)
const lifetime = 30 * 60 * 1000

type Command =
  | { readonly _tag: "Mint"; readonly withAddress: boolean }
  | { readonly _tag: "Advance"; readonly millis: number }
  | { readonly _tag: "Redeem"; readonly token: number; readonly customer: number; readonly by: "instrument" | "sale" }
  | { readonly _tag: "Read"; readonly token: number }

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ _tag: fc.constant("Mint" as const), withAddress: fc.boolean() }),
  fc.record({
    _tag: fc.constant("Advance" as const),
    millis: fc.oneof(fc.integer({ min: 0, max: 20 * 60 * 1000 }), fc.constantFrom(1, 999, 1000, lifetime)),
  }),
  fc.record({
    _tag: fc.constant("Redeem" as const),
    token: fc.nat(9),
    customer: fc.nat(2),
    by: fc.constantFrom("instrument" as const, "sale" as const),
  }),
  fc.record({ _tag: fc.constant("Read" as const), token: fc.nat(9) }),
)

interface ModelToken {
  readonly id: string
  readonly createdAt: number
  readonly withAddress: boolean
  usedAt: number | undefined
}

const card = (withAddress: boolean) => ({
  method: "payment-card",
  paymentInstrument: { pan: "4111111111111111", cvv: "123", expMonth: 12, expYear: 2031 },
  ...(withAddress ? { billingAddress: { firstName: "Jane", country: "US" } } : {}),
})

const post = (path: string, headers: Record<string, string>, body: unknown) =>
  Effect.flatMap(HttpClient.HttpClient, (client) =>
    client.execute(
      HttpClientRequest.post(`${defaultBaseUrl}${path}`).pipe(
        HttpClientRequest.setHeaders(headers),
        HttpClientRequest.bodyUnsafeJson(body),
      ),
    ),
  )

const run = (commands: ReadonlyArray<Command>) =>
  Effect.gen(function* () {
    const sim = yield* RebillySimulator
    yield* sim.setTime(startedAt)
    const tokens: Array<ModelToken> = []
    const expectToken = (model: ModelToken, answer: Record<string, unknown>, now: number) => {
      const expired = model.usedAt === undefined && now >= model.createdAt + lifetime
      expect(answer).toMatchObject({
        id: model.id,
        isUsed: model.usedAt !== undefined,
        usageTime: model.usedAt === undefined ? null : RebillyResources.time(model.usedAt),
        expirationTime: expired ? RebillyResources.time(model.createdAt + lifetime) : null,
      })
    }
    for (const step of commands) {
      const now = yield* sim.now
      switch (step._tag) {
        case "Mint": {
          const answer = yield* post("/tokens", { Authorization: publishableKey }, card(step.withAddress))
          expect(answer.status).toBe(201)
          const body = (yield* answer.json) as Record<string, unknown>
          const model: ModelToken = {
            id: String(body.id),
            createdAt: now,
            withAddress: step.withAddress,
            usedAt: undefined,
          }
          expectToken(model, body, now)
          tokens.push(model)
          break
        }
        case "Advance":
          yield* sim.advanceClock(step.millis)
          break
        case "Redeem": {
          const model = tokens[step.token % Math.max(tokens.length, 1)]
          if (model === undefined) break
          const customerId = `cus_${step.customer}`
          const answer =
            step.by === "instrument"
              ? yield* post("/payment-instruments", { "REB-APIKEY": secretKey }, { customerId, token: model.id })
              : yield* post(
                  "/transactions",
                  { "REB-APIKEY": secretKey },
                  {
                    type: "sale",
                    websiteId: "web_1",
                    customerId,
                    currency: "USD",
                    amount: 1,
                    paymentInstruction: { token: model.id },
                  },
                )
          const body = (yield* answer.json) as { readonly invalidFields?: ReadonlyArray<{ readonly message: string }> }
          const expected =
            model.usedAt !== undefined
              ? "Token has already been used."
              : now >= model.createdAt + lifetime
                ? "Token has expired."
                : step.by === "sale" && !model.withAddress
                  ? "Token has no billing address."
                  : undefined
          if (expected === undefined) {
            expect([201, 303]).toContain(answer.status)
            model.usedAt = now
          } else {
            expect(answer.status).toBe(422)
            expect(body.invalidFields?.map((f) => f.message)).toEqual([expected])
          }
          break
        }
        case "Read": {
          const model = tokens[step.token % Math.max(tokens.length, 1)]
          if (model === undefined) break
          const answer = yield* Effect.flatMap(HttpClient.HttpClient, (client) =>
            client.execute(
              HttpClientRequest.get(`${defaultBaseUrl}/tokens/${model.id}`).pipe(
                HttpClientRequest.setHeader("Authorization", publishableKey),
              ),
            ),
          )
          expect(answer.status).toBe(200)
          expectToken(model, (yield* answer.json) as Record<string, unknown>, now)
          break
        }
      }
    }
    const now = yield* sim.now
    expect((yield* sim.tokens).map((t) => [t.id, t.state])).toEqual(
      tokens.map((t) => [t.id, t.usedAt !== undefined ? "used" : now >= t.createdAt + lifetime ? "expired" : "unused"]),
    )
  }).pipe(
    Effect.provide(
      RebillyHttpClient.layerWithSimulator({
        secretKeys: [secretKey],
        publishableKeys: [publishableKey],
        rateLimit: { limit: 1000 },
      }),
    ),
  )

describe("Rebilly simulator: token rules against a model", () => {
  it.effect(
    "single use and 30-minute expiry hold for any sequence of mints, clock moves, redemptions and reads",
    () =>
      Runs.assertEffectProperty([fc.array(command, { minLength: 1, maxLength: 20 })], (commands) =>
        Effect.orDie(run(commands)),
      ),
    120_000,
  )
})
