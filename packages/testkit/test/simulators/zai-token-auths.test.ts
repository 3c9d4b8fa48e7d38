/**
 * The token-auth rules of the Zai simulator against a model a few lines long, over random
 * sequences: issue card and bank tokens for two users, move the clock, and let the browser try
 * any token for any kind of account, claiming its own user, another or none, with good or bad
 * data. A try succeeds exactly when the token is known, of that kind, unused, younger than its
 * type's lifetime, claimed for its own user (or none) and the data is good; otherwise the
 * refusal names the first rule broken, and nothing but a success uses the token up.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as fc from "fast-check"
import * as Runs from "../../src/Runs.js"
import * as ZaiHttpClient from "../../src/simulators/zai/ZaiHttpClient.js"
import { defaultAuthBaseUrl, defaultBaseUrl, ZaiSimulator } from "../../src/simulators/zai/ZaiSimulator.js"
import { exchange } from "./Answers.js"
import { clientCredentials } from "./ZaiGrant.js"

type Kind = "card" | "bank"

type Command =
  | { readonly _tag: "Issue"; readonly type: Kind; readonly user: 0 | 1 }
  | { readonly _tag: "Advance"; readonly minutes: number }
  | {
      readonly _tag: "Use"
      /** Which issued token, modulo their number; an unknown token when none was issued. */
      readonly token: number
      readonly kind: Kind
      readonly claim: "none" | "own" | "other"
      readonly goodData: boolean
    }

const lifetimeMinutes: Readonly<Record<Kind, number>> = { card: 30, bank: 120 }
const users = ["buyer-0", "buyer-1"] as const
const client = { clientId: "model-client", clientSecret: "model-secret", scope: "im-au-04/model" }

const kind = fc.constantFrom<Kind>("card", "bank")
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ _tag: fc.constant("Issue" as const), type: kind, user: fc.constantFrom<0 | 1>(0, 1) }),
  fc.record({
    _tag: fc.constant("Advance" as const),
    // The lifetimes themselves often, so a token is tried exactly when it lapses.
    minutes: fc.oneof(fc.constantFrom(30, 120), fc.integer({ min: 0, max: 90 })),
  }),
  fc.record({
    _tag: fc.constant("Use" as const),
    token: fc.nat({ max: 20 }),
    kind,
    claim: fc.constantFrom<"none" | "own" | "other">("none", "own", "other"),
    goodData: fc.boolean(),
  }),
)

interface ModelToken {
  readonly token: string
  readonly type: Kind
  readonly user: 0 | 1
  readonly issuedAt: number
  used: boolean
}

/** What the model says a try gets: success, or the field and message of Zai's refusal. */
const expected = (
  token: ModelToken | undefined,
  use: Extract<Command, { _tag: "Use" }>,
  minutes: number,
): "created" | readonly [string, string] => {
  if (token === undefined) return ["token", "is invalid"]
  if (token.type !== use.kind) return ["token", `is not a ${use.kind} token`]
  if (token.used) return ["token", "has already been used"]
  if (minutes >= token.issuedAt + lifetimeMinutes[token.type]) return ["token", "has expired"]
  if (use.claim === "other") return ["user_id", "is invalid"]
  if (!use.goodData) return [use.kind === "card" ? "number" : "routing_number", "is invalid"]
  return "created"
}

/** The answer's JSON body. */
const send = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.map(exchange(request), (answer): Record<string, Record<string, string>> => answer.json)

const run = (commands: ReadonlyArray<Command>) =>
  Effect.gen(function* () {
    const sim = yield* ZaiSimulator
    const accessToken = Effect.map(
      send(
        HttpClientRequest.post(`${defaultAuthBaseUrl}/tokens`).pipe(
          HttpClientRequest.bodyUnsafeJson(clientCredentials(client)),
        ),
      ),
      (issued) => issued.access_token as unknown as string,
    )
    // Renewed whenever the clock moves: it may move past the token's hour.
    let bearer = yield* accessToken
    const post = (path: string, body: unknown) =>
      send(
        HttpClientRequest.post(`${defaultBaseUrl}${path}`).pipe(
          HttpClientRequest.bearerToken(bearer),
          HttpClientRequest.bodyUnsafeJson(body),
        ),
      )
    for (const id of users) {
      yield* post("/users", { id, first_name: "A", last_name: "B", email: `${id}@example.com`, country: "AUS" })
    }
    const tokens: Array<ModelToken> = []
    let minutes = 0
    for (const step of commands) {
      if (step._tag === "Issue") {
        const answer = yield* post("/token_auths", { token_type: step.type, user_id: users[step.user] })
        tokens.push({
          token: answer.token_auth?.token ?? "",
          type: step.type,
          user: step.user,
          issuedAt: minutes,
          used: false,
        })
      } else if (step._tag === "Advance") {
        yield* sim.advanceClock(`${step.minutes} minutes`)
        minutes += step.minutes
        bearer = yield* accessToken
      } else {
        const token = tokens.length === 0 ? undefined : tokens[step.token % tokens.length]
        const owner = token?.user ?? 0
        const userId =
          step.claim === "none" ? {} : { userId: users[step.claim === "own" ? owner : (((owner + 1) % 2) as 0 | 1)] }
        const value = token?.token ?? "f".repeat(32)
        const outcome = yield* Effect.either(
          step.kind === "card"
            ? sim.browserCreatesCardAccount(value, {
                fullName: "A B",
                number: step.goodData ? "4111111111111111" : "4111111111111112",
                expiryMonth: 12,
                expiryYear: 2099,
                cvv: "123",
                ...userId,
              })
            : sim.browserCreatesBankAccount(value, {
                bankName: "Bank",
                accountName: "A B",
                routingNumber: step.goodData ? "111123" : "1",
                accountNumber: "111234",
                accountType: "checking",
                holderType: "personal",
                country: "AUS",
                ...userId,
              }),
        )
        const want = expected(token, step, minutes)
        if (want === "created") {
          expect(Either.isRight(outcome)).toBe(true)
          if (token !== undefined) token.used = true
        } else {
          expect(Either.isLeft(outcome) ? outcome.left.errors : "created").toEqual({ [want[0]]: [want[1]] })
        }
      }
    }
    const views = yield* sim.tokenAuths
    expect(views.map((v) => v.status === "used")).toEqual(tokens.map((t) => t.used))
    expect((yield* sim.cardAccounts).length + (yield* sim.bankAccounts).length).toBe(
      tokens.filter((t) => t.used).length,
    )
  }).pipe(
    Effect.provide(
      ZaiHttpClient.layerWithSimulator({
        clients: [client],
        seed: "zai-model",
        tokenAuthLifetime: { card: `${lifetimeMinutes.card} minutes`, bank: `${lifetimeMinutes.bank} minutes` },
      }),
    ),
  )

describe("Zai simulator: token auths against their model", () => {
  it.effect(
    "uses a token once, for its own type and user, before it expires, and only on success",
    () =>
      Runs.assertEffectProperty([fc.array(command, { minLength: 1, maxLength: 25 })], (commands) =>
        Effect.orDie(run(commands)),
      ),
    120_000,
  )
})
