/**
 * The Zai simulator in process, driven with plain HTTP requests (never the adapter): the OAuth2
 * issuer and its tokens' lifetime, the core API's users, token auths and accounts, the browser's
 * single-use token, Zai's error bodies, rate limiting, injected faults, signed webhooks, and that
 * no card number, CVV or bank account number leaves it.
 */
import { createHmac } from "node:crypto"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Faults from "../../src/simulators/shared/Faults.js"
import * as ZaiHttpClient from "../../src/simulators/zai/ZaiHttpClient.js"
import * as ZaiRateLimit from "../../src/simulators/zai/ZaiRateLimit.js"
import {
  defaultAuthBaseUrl,
  defaultBaseUrl,
  ZaiBrowserRefusal,
  ZaiSimulator,
  type ZaiSimulatorOptions,
} from "../../src/simulators/zai/ZaiSimulator.js"
import { droppedConnection, exchange as send } from "./Answers.js"
import { clientCredentials } from "./ZaiGrant.js"

const client = { clientId: "10ajtntet1ccghuo8mv9ojglma", clientSecret: "client-secret-a", scope: "im-au-04/aaaa" }
const otherClient = { clientId: "other-client", clientSecret: "client-secret-b", scope: "im-au-04/bbbb" }
const webhookSecret = "a-webhook-secret-of-32-ascii-bytes"

/** Card and bank numbers with distinctive middle digits, so a leak cannot hide in a masked form. */
const pan = "4539578763621486"
const otherPan = "5555559024681358"
const cvv = "917"
const accountNumber = "87654321"
/** Whether any test secret or card datum appears in `text`; a boolean, so a failure never prints one. */
const leaks = (text: string): boolean =>
  [pan, otherPan, accountNumber, client.clientSecret, `"${cvv}"`].some((secret) => text.includes(secret))

const options: ZaiSimulatorOptions = { clients: [client, otherClient], seed: "zai-tests", webhookSecret }
const simulator = (overrides?: Partial<ZaiSimulatorOptions>) =>
  ZaiHttpClient.layerWithSimulator({ ...options, ...overrides })

const postTokens = (body: unknown) =>
  send(HttpClientRequest.post(`${defaultAuthBaseUrl}/tokens`).pipe(HttpClientRequest.bodyUnsafeJson(body)))

const credentials = (c: typeof client = client) => clientCredentials(c)

const accessToken = (c: typeof client = client) =>
  Effect.map(postTokens(credentials(c)), (answer) => {
    expect(answer.status).toBe(200)
    return answer.json.access_token as string
  })

const core = (token: string | undefined, method: "GET" | "POST" | "DELETE", path: string, body?: unknown) => {
  const base = HttpClientRequest.make(method)(`${defaultBaseUrl}${path}`).pipe(HttpClientRequest.acceptJson)
  const withAuth = token === undefined ? base : HttpClientRequest.bearerToken(base, token)
  return send(body === undefined ? withAuth : HttpClientRequest.bodyUnsafeJson(withAuth, body))
}

const userBody = (id: string) => ({
  id,
  first_name: "Bella",
  last_name: "Buyer",
  email: `${id}@example.com`,
  country: "AUS",
  dob: "15/01/1990",
})

const createUser = (token: string, id: string) =>
  Effect.map(core(token, "POST", "/users", userBody(id)), (answer) => {
    expect(answer.status).toBe(201)
    return id
  })

const tokenAuth = (token: string, userId: string, tokenType: "card" | "bank") =>
  Effect.map(core(token, "POST", "/token_auths", { token_type: tokenType, user_id: userId }), (answer) => {
    expect(answer.status).toBe(200)
    return answer.json.token_auth.token as string
  })

const card = { fullName: "Bella Buyer", number: pan, expiryMonth: "7", expiryYear: "2031", cvv }
const bank = {
  bankName: "Bank of Australia",
  accountName: "Bella Buyer",
  routingNumber: "111123",
  accountNumber,
  accountType: "checking",
  holderType: "personal",
  country: "AUS",
} as const

/** A platform with a token and a user, ready to hand token auths to the browser. */
const onboarded = Effect.gen(function* () {
  const token = yield* accessToken()
  const userId = yield* createUser(token, "buyer-1")
  return { token, userId }
})

const sim = ZaiSimulator

/** What the browser's failure callback would be given. */
const said = (refusal: ZaiBrowserRefusal) => {
  expect(refusal).toBeInstanceOf(ZaiBrowserRefusal)
  return { status: refusal.status, errors: refusal.errors }
}

describe("Zai simulator: the OAuth2 issuer", () => {
  it.effect("issues a bearer token for 3600 seconds, from JSON or a form-encoded body", () =>
    Effect.gen(function* () {
      const answer = yield* postTokens(credentials())
      expect(answer.status).toBe(200)
      expect(Object.keys(answer.json).sort()).toEqual(["access_token", "expires_in", "token_type"])
      expect(answer.json.expires_in).toBe(3600)
      expect(answer.json.token_type).toBe("Bearer")
      expect(answer.json.access_token).toMatch(/^ey[\w-]+\.ey[\w-]+\.[\w-]+$/)
      const form = yield* send(
        HttpClientRequest.post(`${defaultAuthBaseUrl}/tokens`).pipe(
          HttpClientRequest.bodyUrlParams(credentials(otherClient)),
        ),
      )
      expect(form.status).toBe(200)
      const tokens = yield* Effect.flatMap(sim, (s) => s.accessTokens)
      expect(tokens.map((t) => t.clientId)).toEqual([client.clientId, otherClient.clientId])
      expect(leaks(JSON.stringify(tokens))).toBe(false)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect(
    "refuses with the spec's bodies: 400 bad request, 401 invalid credentials, 422 invalid client details",
    () =>
      Effect.gen(function* () {
        const { scope: _, ...noScope } = credentials()
        const cases: ReadonlyArray<readonly [unknown, number, string]> = [
          [noScope, 400, "bad request"],
          [{ ...credentials(), grant_type: "password" }, 400, "bad request"],
          [{ ...credentials(), client_secret: "wrong" }, 401, "invalid credentials"],
          [{ ...credentials(), client_id: "nobody" }, 401, "invalid credentials"],
          [{ ...credentials(), scope: otherClient.scope }, 422, "invalid client details"],
        ]
        for (const [body, status, error] of cases) {
          const answer = yield* postTokens(body)
          expect([answer.status, answer.json]).toEqual([status, { error }])
        }
        const notJson = yield* send(
          HttpClientRequest.post(`${defaultAuthBaseUrl}/tokens`).pipe(
            HttpClientRequest.bodyText("{grant_type", "application/json"),
          ),
        )
        expect([notJson.status, notJson.json]).toEqual([400, { error: "bad request" }])
        expect(yield* Effect.flatMap(sim, (s) => s.accessTokens)).toHaveLength(0)
        expect(yield* Effect.flatMap(sim, (s) => s.oauthRequests)).toBe(cases.length + 1)
      }).pipe(Effect.provide(simulator())),
  )

  it.effect("keeps each host to its own paths", () =>
    Effect.gen(function* () {
      const onCore = yield* send(
        HttpClientRequest.post(`${defaultBaseUrl}/tokens`).pipe(HttpClientRequest.bodyUnsafeJson(credentials())),
      )
      expect([onCore.status, onCore.json]).toEqual([404, null])
      const token = yield* accessToken()
      const onAuth = yield* send(
        HttpClientRequest.post(`${defaultAuthBaseUrl}/users`).pipe(
          HttpClientRequest.bearerToken(token),
          HttpClientRequest.bodyUnsafeJson(userBody("u-1")),
        ),
      )
      expect(onAuth.status).toBe(404)
      const elsewhere = yield* Effect.either(send(HttpClientRequest.get("https://example.com/users/u-1")))
      expect(Either.isLeft(elsewhere) && elsewhere.left._tag === "RequestError").toBe(true)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("lets a token serve for 60 minutes on the simulator clock, then answers 401 until a new one is used", () =>
    Effect.gen(function* () {
      const token = yield* accessToken()
      yield* TestClock.adjust("59 minutes")
      yield* TestClock.adjust("59 seconds")
      expect((yield* core(token, "POST", "/users", userBody("u-1"))).status).toBe(201)
      yield* TestClock.adjust("1 second")
      const stale = yield* core(token, "GET", "/users/u-1")
      expect([stale.status, stale.json]).toEqual([401, { errors: { token: ["not authorised"] } }])
      const fresh = yield* accessToken()
      expect((yield* core(fresh, "GET", "/users/u-1")).status).toBe(200)
      const views = yield* Effect.flatMap(sim, (s) => s.accessTokens)
      expect(views.map((v) => v.live)).toEqual([false, true])
      expect(yield* Effect.flatMap(sim, (s) => s.oauthRequests)).toBe(2)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("takes its token lifetime from the options, and can revoke every token at once", () =>
    Effect.gen(function* () {
      const answer = yield* postTokens(credentials())
      expect(answer.json.expires_in).toBe(300)
      const token = answer.json.access_token as string
      expect((yield* core(token, "GET", "/users/nobody")).status).toBe(401)
      expect((yield* core(token, "GET", "/users/nobody")).json).toEqual({
        code: 405,
        message: "Not authorized to access that record.",
      })
      yield* Effect.flatMap(sim, (s) => s.revokeAccessTokens)
      expect((yield* core(token, "GET", "/users/nobody")).json).toEqual({ errors: { token: ["not authorised"] } })
    }).pipe(Effect.provide(simulator({ accessTokenLifetime: "5 minutes" }))),
  )

  it.effect("answers a missing, malformed or unknown bearer token with 401", () =>
    Effect.gen(function* () {
      for (const authorization of [undefined, "Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-token"]) {
        const base = HttpClientRequest.get(`${defaultBaseUrl}/users/u-1`)
        const answer = yield* send(
          authorization === undefined ? base : HttpClientRequest.setHeader(base, "authorization", authorization),
        )
        expect([answer.status, answer.json]).toEqual([401, { errors: { token: ["not authorised"] } }])
      }
    }).pipe(Effect.provide(simulator())),
  )
})

describe("Zai simulator: users", () => {
  it.effect("creates a user and shows it as Zai does: location, encrypted dob, links", () =>
    Effect.gen(function* () {
      const token = yield* accessToken()
      const created = yield* core(token, "POST", "/users", { ...userBody("buyer-7"), mobile: "+61491570156" })
      expect(created.status).toBe(201)
      expect(created.headers["content-type"]).toBe("application/json; charset=utf-8")
      expect(created.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/)
      expect(created.json.users).toMatchObject({
        id: "buyer-7",
        full_name: "Bella Buyer",
        location: "AUS",
        dob: "encrypted",
        government_number: null,
        mobile: "+61491570156",
        verification_state: "pending",
        roles: ["customer"],
        links: { self: "/users/buyer-7", card_accounts: "/users/buyer-7/card_accounts" },
      })
      expect(created.text.includes("15/01/1990")).toBe(false)
      const shown = yield* core(token, "GET", "/users/buyer-7")
      expect(shown.json).toEqual(created.json)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("refuses missing and invalid fields with 422 and Zai's field keys", () =>
    Effect.gen(function* () {
      const token = yield* accessToken()
      const empty = yield* core(token, "POST", "/users", { email: "notAnEmail" })
      expect(empty.status).toBe(422)
      expect(empty.json).toEqual({
        errors: {
          id: ["can't be blank"],
          "address.country": ["can't be blank"],
          firstname: ["can't be blank"],
          lastname: ["can't be blank"],
          email: ["is invalid"],
        },
      })
      const dotted = yield* core(token, "POST", "/users", { ...userBody("a.b"), dob: "1990-01-15", country: "AU" })
      expect(dotted.json).toEqual({
        errors: { id: ["is invalid"], "address.country": ["is invalid"], dob: ["is invalid"] },
      })
      yield* createUser(token, "buyer-1")
      const again = yield* core(token, "POST", "/users", { ...userBody("buyer-1"), email: "else@example.com" })
      expect([again.status, again.json]).toEqual([422, { errors: { base: ["user with this id already exists"] } }])
      const sameEmail = yield* core(token, "POST", "/users", { ...userBody("buyer-2"), email: "buyer-1@example.com" })
      expect(sameEmail.json).toEqual({ errors: { email: ["has already been taken"] } })
      expect(yield* Effect.flatMap(sim, (s) => s.users)).toHaveLength(1)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("keeps marketplaces apart: another one's user is 401 with code 405, its ids are free", () =>
    Effect.gen(function* () {
      const token = yield* accessToken()
      const other = yield* accessToken(otherClient)
      yield* createUser(token, "buyer-1")
      const foreign = yield* core(other, "GET", "/users/buyer-1")
      expect([foreign.status, foreign.json]).toEqual([
        401,
        { code: 405, message: "Not authorized to access that record." },
      ])
      yield* createUser(other, "buyer-1")
      const users = yield* Effect.flatMap(sim, (s) => s.users)
      expect(users.map((u) => u.marketplace)).toEqual([client.clientId, otherClient.clientId])
    }).pipe(Effect.provide(simulator())),
  )
})

describe("Zai simulator: token auths", () => {
  it.effect("answers 200 with exactly token_type, token and user_id: no expiry in the answer", () =>
    Effect.gen(function* () {
      const { token, userId } = yield* onboarded
      for (const tokenType of ["card", "bank"] as const) {
        const answer = yield* core(token, "POST", "/token_auths", { token_type: tokenType, user_id: userId })
        expect(answer.status).toBe(200)
        expect(Object.keys(answer.json)).toEqual(["token_auth"])
        expect(Object.keys(answer.json.token_auth).sort()).toEqual(["token", "token_type", "user_id"])
        expect(answer.json.token_auth).toMatchObject({ token_type: tokenType, user_id: userId })
        expect(answer.json.token_auth.token).toMatch(/^[0-9a-f]{32}$/)
      }
      const views = yield* Effect.flatMap(sim, (s) => s.tokenAuths)
      expect(views.map((v) => [v.type, v.status, v.expiresAt - v.issuedAt])).toEqual([
        ["card", "active", 2 * 60 * 60 * 1000],
        ["bank", "active", 2 * 60 * 60 * 1000],
      ])
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("refuses missing and unknown fields with 422 and the recorded messages", () =>
    Effect.gen(function* () {
      const { token, userId } = yield* onboarded
      const cases: ReadonlyArray<readonly [unknown, unknown]> = [
        [{}, { token_type: ["required field missing"], user_id: ["required field missing"] }],
        [{ token_type: "card", user_id: "  " }, { user_id: ["required field missing"] }],
        [{ token_type: "CARD", user_id: userId }, { token_type: ["is not included in the list"] }],
        [{ token_type: "eui", user_id: userId }, { token_type: ["is not included in the list"] }],
      ]
      for (const [body, errors] of cases) {
        const answer = yield* core(token, "POST", "/token_auths", body)
        expect([answer.status, answer.json]).toEqual([422, { errors }])
      }
      expect(yield* Effect.flatMap(sim, (s) => s.tokenAuths)).toHaveLength(0)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("refuses an unknown or another marketplace's user as a record not yours (401, code 405)", () =>
    Effect.gen(function* () {
      const { token } = yield* onboarded
      const other = yield* accessToken(otherClient)
      for (const [bearer, userId] of [
        [token, "nobody"],
        [other, "buyer-1"],
      ] as const) {
        const answer = yield* core(bearer, "POST", "/token_auths", { token_type: "card", user_id: userId })
        expect([answer.status, answer.json]).toEqual([
          401,
          { code: 405, message: "Not authorized to access that record." },
        ])
      }
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("answers 404 with a null body for unknown records when told to", () =>
    Effect.gen(function* () {
      const { token } = yield* onboarded
      const answer = yield* core(token, "POST", "/token_auths", { token_type: "card", user_id: "nobody" })
      expect([answer.status, answer.text]).toEqual([404, "null"])
      const account = yield* core(token, "GET", "/card_accounts/00000000-0000-4000-8000-000000000000")
      expect(account.status).toBe(404)
    }).pipe(Effect.provide(simulator({ unknownRecord: "not-found" }))),
  )
})

describe("Zai simulator: the browser creates accounts with a token auth", () => {
  it.effect("creates a card account once per token and shows it masked", () =>
    Effect.gen(function* () {
      const s = yield* sim
      yield* s.setTime(Date.UTC(2026, 4, 1, 9, 30, 0, 125))
      const { token, userId } = yield* onboarded
      const cardToken = yield* tokenAuth(token, userId, "card")
      const accountId = yield* s.browserCreatesCardAccount(cardToken, { ...card, number: Redacted.make(pan) })
      expect(accountId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      const shown = yield* core(token, "GET", `/card_accounts/${accountId}`)
      expect(shown.status).toBe(200)
      expect(shown.json).toEqual({
        card_accounts: {
          id: accountId,
          active: true,
          verification_status: "verified",
          currency: "AUD",
          cvv_verified: true,
          created_at: "2026-05-01T09:30:00.125Z",
          updated_at: "2026-05-01T09:30:00.125Z",
          card: {
            type: "visa",
            full_name: "Bella Buyer",
            number: "XXXX-XXXX-XXXX-1486",
            expiry_month: "7",
            expiry_year: "2031",
          },
          links: { self: `/card_accounts/${accountId}`, users: `/card_accounts/${accountId}/users` },
        },
      })
      const owner = yield* core(token, "GET", `/card_accounts/${accountId}/users`)
      expect(owner.json.users.id).toBe(userId)
      const latest = yield* core(token, "GET", `/users/${userId}/card_accounts`)
      expect(latest.json.card_accounts.id).toBe(accountId)

      const again = yield* Effect.flip(s.browserCreatesCardAccount(cardToken, card))
      expect(said(again)).toEqual({ status: 422, errors: { token: ["has already been used"] } })
      const [view] = yield* s.tokenAuths
      expect(view).toMatchObject({ status: "used", accountId, usedAt: Date.UTC(2026, 4, 1, 9, 30, 0, 125) })
      expect(yield* s.cardAccounts).toHaveLength(1)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("refuses a token of the other type, of another user, unknown, or expired", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { token, userId } = yield* onboarded
      const bankToken = yield* tokenAuth(token, userId, "bank")
      const cardToken = yield* tokenAuth(token, userId, "card")
      const refusal = (errors: Record<string, ReadonlyArray<string>>) => ({ status: 422, errors })
      expect(said(yield* Effect.flip(s.browserCreatesCardAccount(bankToken, card)))).toEqual(
        refusal({ token: ["is not a card token"] }),
      )
      expect(said(yield* Effect.flip(s.browserCreatesBankAccount(cardToken, bank)))).toEqual(
        refusal({ token: ["is not a bank token"] }),
      )
      expect(said(yield* Effect.flip(s.browserCreatesCardAccount(cardToken, { ...card, userId: "buyer-2" })))).toEqual(
        refusal({ user_id: ["is invalid"] }),
      )
      expect(said(yield* Effect.flip(s.browserCreatesCardAccount("0".repeat(32), card)))).toEqual(
        refusal({ token: ["is invalid"] }),
      )
      yield* TestClock.adjust("2 hours")
      expect(said(yield* Effect.flip(s.browserCreatesCardAccount(cardToken, card)))).toEqual(
        refusal({ token: ["has expired"] }),
      )
      expect((yield* s.tokenAuths).map((v) => v.status)).toEqual(["expired", "expired"])
      expect(yield* s.cardAccounts).toHaveLength(0)
      expect(yield* s.bankAccounts).toHaveLength(0)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("takes each type's token lifetime from the options", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { token, userId } = yield* onboarded
      const cardToken = yield* tokenAuth(token, userId, "card")
      const bankToken = yield* tokenAuth(token, userId, "bank")
      yield* TestClock.adjust("10 minutes")
      expect(Either.isLeft(yield* Effect.either(s.browserCreatesCardAccount(cardToken, card)))).toBe(true)
      expect(yield* Effect.either(s.browserCreatesBankAccount(bankToken, bank))).toSatisfy(Either.isRight)
    }).pipe(Effect.provide(simulator({ tokenAuthLifetime: { card: "10 minutes", bank: "1 hour" } }))),
  )

  it.effect("refuses bad card data field by field without using the token up", () =>
    Effect.gen(function* () {
      const s = yield* sim
      yield* s.setTime(Date.UTC(2026, 4, 1))
      const { token, userId } = yield* onboarded
      const cardToken = yield* tokenAuth(token, userId, "card")
      const bad = yield* Effect.flip(
        s.browserCreatesCardAccount(cardToken, {
          fullName: "Bella",
          number: "4539578763621487",
          expiryMonth: "13",
          expiryYear: "31",
          cvv: "12",
        }),
      )
      expect(bad.errors).toEqual({
        full_name: ["is invalid"],
        number: ["is invalid"],
        expiry_month: ["is invalid"],
        expiry_year: ["is invalid"],
        cvv: ["is invalid"],
      })
      const expired = yield* Effect.flip(
        s.browserCreatesCardAccount(cardToken, { ...card, expiryMonth: "4", expiryYear: "2026" }),
      )
      expect(expired.errors).toEqual({ expiry_year: ["has expired"] })
      expect(leaks(JSON.stringify([bad, expired]))).toBe(false)
      expect((yield* s.tokenAuths).map((v) => v.status)).toEqual(["active"])
      expect(yield* Effect.either(s.browserCreatesCardAccount(cardToken, card))).toSatisfy(Either.isRight)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("lets exactly one of many concurrent browsers use a token", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { token, userId } = yield* onboarded
      const cardToken = yield* tokenAuth(token, userId, "card")
      const outcomes = yield* Effect.all(
        Array.from({ length: 20 }, () => Effect.either(s.browserCreatesCardAccount(cardToken, card))),
        { concurrency: "unbounded" },
      )
      expect(outcomes.filter(Either.isRight)).toHaveLength(1)
      expect(outcomes.filter(Either.isLeft).map((o) => o.left.errors)).toEqual(
        Array.from({ length: 19 }, () => ({ token: ["has already been used"] })),
      )
      expect(yield* s.cardAccounts).toHaveLength(1)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("creates a bank account with its numbers masked", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { token, userId } = yield* onboarded
      const bankToken = yield* tokenAuth(token, userId, "bank")
      const accountId = yield* s.browserCreatesBankAccount(bankToken, { ...bank, payoutCurrency: "AUD" })
      const shown = yield* core(token, "GET", `/bank_accounts/${accountId}`)
      expect(shown.status).toBe(200)
      expect(shown.json.bank_accounts).toMatchObject({
        id: accountId,
        active: true,
        verification_status: "not_verified",
        currency: "AUD",
        bank: {
          bank_name: "Bank of Australia",
          country: "AUS",
          account_name: "Bella Buyer",
          routing_number: "XXXXX3",
          account_number: "XXXXX321",
          holder_type: "personal",
          account_type: "checking",
        },
      })
      expect(leaks(shown.text)).toBe(false)
      const refused = yield* Effect.flip(
        s.browserCreatesBankAccount(yield* tokenAuth(token, userId, "bank"), {
          ...bank,
          routingNumber: "12345",
          accountType: "current" as "checking",
          holderType: "corporate" as "business",
        }),
      )
      expect(refused.errors).toEqual({
        routing_number: ["is invalid"],
        account_type: ["is not included in the list"],
        holder_type: ["is not included in the list"],
      })
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("answers the browser's own request: POST /card_accounts with the token and no bearer", () =>
    Effect.gen(function* () {
      const { token, userId } = yield* onboarded
      const cardToken = yield* tokenAuth(token, userId, "card")
      const body = {
        token: cardToken,
        full_name: "Bella Buyer",
        number: pan,
        expiry_month: 7,
        expiry_year: 2031,
        cvv,
      }
      const created = yield* core(undefined, "POST", "/card_accounts", body)
      expect(created.status).toBe(201)
      expect(Object.keys(created.json.card_accounts).sort()).toEqual([
        "active",
        "created_at",
        "currency",
        "cvv_verified",
        "id",
        "links",
        "updated_at",
        "verification_status",
      ])
      expect(leaks(created.text)).toBe(false)
      const again = yield* core(undefined, "POST", "/card_accounts", body)
      expect([again.status, again.json]).toEqual([422, { errors: { token: ["has already been used"] } }])
      const requests = yield* Effect.flatMap(sim, (s) => s.requests)
      expect(requests.filter((r) => r.endpoint === "createCardAccount").map((r) => [r.via, r.status])).toEqual([
        ["core", 201],
        ["core", 422],
      ])
    }).pipe(Effect.provide(simulator())),
  )

  it.effect(
    "lets a platform create an account itself with a user_id, and answers only user_id when it is missing",
    () =>
      Effect.gen(function* () {
        const { token, userId } = yield* onboarded
        const missing = yield* core(token, "POST", "/card_accounts", { user_id: null })
        expect([missing.status, missing.json]).toEqual([422, { errors: { user_id: ["required field missing"] } }])
        const bankMissing = yield* core(token, "POST", "/bank_accounts", { user_id: null })
        expect(bankMissing.json).toEqual({ errors: { user_id: ["required field missing"] } })
        const created = yield* core(token, "POST", "/bank_accounts", {
          user_id: userId,
          bank_name: "Bank of Australia",
          account_name: "Bella Buyer",
          routing_number: "111123",
          account_number: accountNumber,
          account_type: "savings",
          holder_type: "business",
          country: "AUS",
        })
        expect(created.status).toBe(201)
        expect(created.json.bank_accounts.bank.account_type).toBe("savings")
        expect(leaks(created.text)).toBe(false)
      }).pipe(Effect.provide(simulator())),
  )
})

describe("Zai simulator: reading and redacting accounts", () => {
  it.effect("answers a malformed id with 422 invalid format, an unknown or foreign one with 401 code 405", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { token, userId } = yield* onboarded
      const accountId = yield* s.browserCreatesCardAccount(yield* tokenAuth(token, userId, "card"), card)
      const malformed = yield* core(token, "GET", "/card_accounts/not_an_id")
      expect([malformed.status, malformed.json]).toEqual([422, { errors: { id: ["invalid format"] } }])
      const unknown = yield* core(token, "GET", "/bank_accounts/00000000-0000-4000-8000-000000000000")
      expect([unknown.status, unknown.json.code]).toEqual([401, 405])
      const other = yield* accessToken(otherClient)
      const foreign = yield* core(other, "GET", `/card_accounts/${accountId}`)
      expect([foreign.status, foreign.json]).toEqual([
        401,
        { code: 405, message: "Not authorized to access that record." },
      ])
      // A card account is not a bank account.
      expect((yield* core(token, "GET", `/bank_accounts/${accountId}`)).json.code).toBe(405)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("redacts an account as recorded (code 808), after which the user has no account", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { token, userId } = yield* onboarded
      const cardId = yield* s.browserCreatesCardAccount(yield* tokenAuth(token, userId, "card"), card)
      const bankId = yield* s.browserCreatesBankAccount(yield* tokenAuth(token, userId, "bank"), bank)
      const redacted = yield* core(token, "DELETE", `/card_accounts/${cardId}`)
      expect([redacted.status, redacted.json]).toEqual([200, { code: 808, message: "Successfully redacted account." }])
      const bankRedacted = yield* core(token, "DELETE", `/bank_accounts/${bankId}`)
      expect(bankRedacted.json).toEqual({ code: 808, message: "Successfully redacted account" })
      expect((yield* core(token, "GET", `/card_accounts/${cardId}`)).json.card_accounts.active).toBe(false)
      const none = yield* core(token, "GET", `/users/${userId}/card_accounts`)
      expect([none.status, none.json]).toEqual([422, { errors: { account: ["no account found"] } }])
      expect((yield* core(token, "GET", `/users/${userId}/bank_accounts`)).json).toEqual({
        errors: { account: ["no account found"] },
      })
    }).pipe(Effect.provide(simulator())),
  )
})

describe("Zai simulator: rate limiting", () => {
  it.effect("refuses calls over the marketplace's budget with 429 and Retry-After, then admits them again", () =>
    Effect.gen(function* () {
      const token = yield* accessToken()
      const other = yield* accessToken(otherClient)
      const statuses: Array<number> = []
      for (let i = 0; i < 3; i++) {
        statuses.push((yield* core(token, "GET", "/users/u")).status)
        yield* TestClock.adjust("10 seconds")
      }
      const limited = yield* core(token, "GET", "/users/u")
      expect(statuses).toEqual([401, 401, 401])
      expect([limited.status, limited.json]).toEqual([429, { errors: { base: ["rate limit exceeded"] } }])
      // The oldest call leaves the window 60 s after it was made: 30 s from now.
      expect(limited.headers["retry-after"]).toBe("30")
      expect((yield* core(other, "GET", "/users/u")).status).toBe(401)
      yield* TestClock.adjust("30 seconds")
      expect((yield* core(token, "GET", "/users/u")).status).toBe(401)
      expect((yield* core(token, "GET", "/users/u")).status).toBe(429)
      yield* Effect.flatMap(sim, (s) => s.setRateLimit(undefined))
      expect((yield* core(token, "GET", "/users/u")).status).toBe(401)
    }).pipe(Effect.provide(simulator({ rateLimit: { requests: 3, per: "1 minute" } }))),
  )

  it.effect("does not count the issuer's requests, and knows pre-live's budget", () =>
    Effect.gen(function* () {
      expect(ZaiRateLimit.prelive).toEqual({ requests: 60, per: ZaiRateLimit.prelive.per })
      for (let i = 0; i < 5; i++) yield* accessToken()
      const token = yield* accessToken()
      expect((yield* core(token, "GET", "/users/u")).status).toBe(401)
      expect((yield* core(token, "GET", "/users/u")).status).toBe(429)
    }).pipe(Effect.provide(simulator({ rateLimit: { requests: 1, per: "1 minute" } }))),
  )
})

describe("Zai simulator: concurrent callers", () => {
  it.effect("counts every OAuth request and gives each caller its own token", () =>
    Effect.gen(function* () {
      const tokens = yield* Effect.all(
        Array.from({ length: 25 }, () => accessToken()),
        { concurrency: "unbounded" },
      )
      expect(new Set(tokens).size).toBe(25)
      expect(yield* Effect.flatMap(sim, (s) => s.oauthRequests)).toBe(25)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("admits exactly the budget of many concurrent calls", () =>
    Effect.gen(function* () {
      const token = yield* accessToken()
      const statuses = yield* Effect.all(
        Array.from({ length: 100 }, () => Effect.map(core(token, "GET", "/users/u"), (answer) => answer.status)),
        { concurrency: "unbounded" },
      )
      expect(statuses.filter((status) => status === 429)).toHaveLength(40)
      expect(statuses.filter((status) => status === 401)).toHaveLength(60)
    }).pipe(Effect.provide(simulator({ rateLimit: ZaiRateLimit.prelive }))),
  )
})

describe("Zai simulator: one base URL for both hosts", () => {
  it.effect("sends /tokens to the issuer and the rest to the core API, as the loopback server does", () =>
    Effect.gen(function* () {
      const base = "http://zai.test/api"
      const issued = yield* send(
        HttpClientRequest.post(`${base}/tokens`).pipe(HttpClientRequest.bodyUnsafeJson(credentials())),
      )
      expect(issued.status).toBe(200)
      const created = yield* send(
        HttpClientRequest.post(`${base}/users`).pipe(
          HttpClientRequest.bearerToken(issued.json.access_token),
          HttpClientRequest.bodyUnsafeJson(userBody("u-1")),
        ),
      )
      expect(created.status).toBe(201)
      expect((yield* Effect.flatMap(sim, (s) => s.requests)).map((r) => r.via)).toEqual(["auth", "core"])
    }).pipe(
      Effect.provide(
        ZaiHttpClient.layerWithSimulator({
          ...options,
          baseUrl: "http://zai.test/api",
          authBaseUrl: "http://zai.test/api/",
        }),
      ),
    ),
  )
})

describe("Zai simulator: injected faults", () => {
  it.effect("answers a 5xx with Zai's body without processing, on either host", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { token, userId } = yield* onboarded
      yield* s.injectFault(Faults.serverError(503), { endpoint: "generateToken", times: 1 })
      yield* s.injectFault(Faults.serverError(), { endpoint: "token", times: 1 })
      const failed = yield* core(token, "POST", "/token_auths", { token_type: "card", user_id: userId })
      expect([failed.status, failed.json]).toEqual([503, { errors: { base: ["something went wrong"] } }])
      expect(yield* s.tokenAuths).toHaveLength(0)
      const issuer = yield* postTokens(credentials())
      expect([issuer.status, issuer.json]).toEqual([500, { error: "something went wrong" }])
      yield* tokenAuth(token, userId, "card")
      expect((yield* s.requests).filter((r) => r.fault !== undefined).map((r) => [r.endpoint, r.status])).toEqual([
        ["generateToken", 503],
        ["token", 500],
      ])
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("answers an injected 429 with Retry-After", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { token } = yield* onboarded
      yield* s.injectFault(Faults.serverError(429), { times: 1 })
      const limited = yield* core(token, "GET", "/users/buyer-1")
      expect([limited.status, limited.headers["retry-after"]]).toEqual([429, "7"])
      expect((yield* core(token, "GET", "/users/buyer-1")).status).toBe(200)
    }).pipe(Effect.provide(simulator({ injectedRetryAfter: "7 seconds" }))),
  )

  it.effect("drops the connection before or after processing", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { token, userId } = yield* onboarded
      yield* s.injectFault(Faults.drop(), { endpoint: "generateToken", times: 1 })
      yield* s.injectFault(Faults.drop({ afterProcessing: true }), { endpoint: "generateToken", times: 1 })
      for (let i = 0; i < 2; i++) {
        const outcome = yield* Effect.either(
          core(token, "POST", "/token_auths", { token_type: "card", user_id: userId }),
        )
        expect(droppedConnection(outcome)).toBe(true)
      }
      // Only the second was processed: its token exists, though its caller never learnt it.
      expect(yield* s.tokenAuths).toHaveLength(1)
      expect((yield* s.requests).slice(-2).map((r) => r.status)).toEqual(["dropped", "dropped"])
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("answers a malformed body after processing, and a slow one after its delay", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { token, userId } = yield* onboarded
      yield* s.injectFault(Faults.malformed("not-json"), { endpoint: "generateToken", times: 1 })
      yield* s.injectFault(Faults.malformed("truncated"), { endpoint: "generateToken", times: 1 })
      yield* s.injectFault(Faults.malformed("wrong-shape"), { endpoint: "generateToken", times: 1 })
      const body = { token_type: "card", user_id: userId }
      const notJson = yield* core(token, "POST", "/token_auths", body)
      expect([notJson.status, notJson.json]).toEqual([200, undefined])
      const truncated = yield* core(token, "POST", "/token_auths", body)
      expect([truncated.status, truncated.json]).toEqual([200, undefined])
      const wrong = yield* core(token, "POST", "/token_auths", body)
      expect(wrong.json?.token_auth).toBeUndefined()
      expect(yield* s.tokenAuths).toHaveLength(3)

      yield* s.injectFault(Faults.slow("20 seconds"), { endpoint: "showUser", times: 1 })
      const fiber = yield* Effect.fork(core(token, "GET", `/users/${userId}`))
      yield* TestClock.adjust("19 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber)).status).toBe(200)
    }).pipe(Effect.provide(simulator())),
  )
})

/** The signature a receiver computes for a header and body, with node's HMAC: not the simulator's code. */
const verifies = (header: string, body: string, secret: string): boolean => {
  const parts = header.split(",").map((part) => part.trim().split("="))
  const t = parts.find(([key]) => key === "t")?.[1]
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("base64url")
  return t !== undefined && parts.some(([key, value]) => key === "v" && value === expected)
}

const timestampOf = (header: string): number => Number(/(?:^|,)t=([0-9]+)/.exec(header)?.[1])

describe("Zai simulator: webhooks", () => {
  it.effect("sends a signed `accounts` webhook with the account's Show representation", () =>
    Effect.gen(function* () {
      const s = yield* sim
      yield* s.setTime(Date.UTC(2026, 4, 1, 12, 0, 0))
      const { token, userId } = yield* onboarded
      const accountId = yield* s.browserCreatesCardAccount(yield* tokenAuth(token, userId, "card"), card)
      const pending = yield* s.pendingWebhooks
      expect(pending.map((p) => [p.kind, p.reference])).toEqual([["accounts", accountId]])
      const [delivered] = yield* s.deliverDue
      if (delivered === undefined) throw new Error("no webhook")
      const header = delivered.headers["webhooks-signature"] ?? ""
      expect(header).toMatch(/^t=[0-9]+,v=[A-Za-z0-9_-]{43}$/)
      expect(timestampOf(header)).toBe(Date.UTC(2026, 4, 1, 12, 0, 0) / 1000)
      expect(verifies(header, delivered.body, webhookSecret)).toBe(true)
      expect(verifies(header, delivered.body.replace("Bella", "Mallory"), webhookSecret)).toBe(false)
      expect(verifies(header, delivered.body, "another-secret")).toBe(false)
      const shown = yield* core(token, "GET", `/card_accounts/${accountId}`)
      expect(JSON.parse(delivered.body)).toEqual(shown.json)
      expect(leaks(delivered.body)).toBe(false)
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("sends users webhooks only when subscribed, and signs with every live secret", () =>
    Effect.gen(function* () {
      const s = yield* sim
      yield* s.setWebhookSecrets(["old-secret", Redacted.make("new-secret")])
      const { token, userId } = yield* onboarded
      yield* s.browserCreatesBankAccount(yield* tokenAuth(token, userId, "bank"), bank)
      const delivered = yield* s.deliverDue
      expect(delivered.map((d) => d.kind)).toEqual(["users", "accounts"])
      for (const d of delivered) {
        const header = d.headers["webhooks-signature"] ?? ""
        expect(header.split(",").filter((part) => part.startsWith("v="))).toHaveLength(2)
        expect(verifies(header, d.body, "old-secret") && verifies(header, d.body, "new-secret")).toBe(true)
      }
      expect(JSON.parse(delivered[0]?.body ?? "{}").users.id).toBe(userId)
    }).pipe(Effect.provide(simulator({ webhookObjectTypes: ["users", "accounts"] }))),
  )

  it.effect(
    "signs each attempt as it leaves: late deliveries carry their own time, as the sink and the books show",
    () =>
      Effect.gen(function* () {
        const s = yield* sim
        yield* s.setTime(Date.UTC(2026, 4, 1, 12, 0, 0))
        const received: Array<string> = []
        yield* s.configureWebhooks({
          delay: "10 minutes",
          sink: (delivery) => Effect.sync(() => void received.push(delivery.headers["webhooks-signature"] ?? "")),
        })
        yield* s.sendTestWebhook
        yield* TestClock.adjust("10 minutes")
        const [sent] = yield* s.deliverDue
        expect(sent?.kind).toBe("test")
        expect(JSON.parse(sent?.body ?? "")).toEqual({ message: "Zai callback test" })
        const header = sent?.headers["webhooks-signature"] ?? ""
        expect(timestampOf(header)).toBe(Date.UTC(2026, 4, 1, 12, 10, 0) / 1000)
        expect(received).toEqual([header])
        expect((yield* s.deliveredWebhooks).map((d) => d.headers["webhooks-signature"])).toEqual([header])
        expect(verifies(header, sent?.body ?? "", webhookSecret)).toBe(true)
      }).pipe(Effect.provide(simulator())),
  )

  it.effect("delivers by itself when due in auto mode", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const received: Array<string> = []
      yield* s.configureWebhooks({
        mode: "auto",
        delay: "30 seconds",
        sink: (delivery) => Effect.sync(() => void received.push(delivery.body)),
      })
      const { token, userId } = yield* onboarded
      const accountId = yield* s.browserCreatesCardAccount(yield* tokenAuth(token, userId, "card"), card)
      yield* TestClock.adjust("29 seconds")
      expect(received).toHaveLength(0)
      yield* TestClock.adjust("1 second")
      expect(received.map((body) => JSON.parse(body).card_accounts.id)).toEqual([accountId])
    }).pipe(Effect.provide(simulator())),
  )

  it.effect("delivers twice and in reverse when told to, and sends a refused webhook again, signed afresh", () =>
    Effect.gen(function* () {
      const s = yield* sim
      const { token, userId } = yield* onboarded
      const received: Array<{ readonly header: string; readonly body: string }> = []
      let accept = true
      yield* s.configureWebhooks({
        duplicate: 2,
        order: "reverse",
        sink: (delivery) =>
          Effect.suspend(() => {
            received.push({ header: delivery.headers["webhooks-signature"] ?? "", body: delivery.body })
            return accept ? Effect.void : Effect.fail("refused")
          }),
      })
      const first = yield* s.browserCreatesCardAccount(yield* tokenAuth(token, userId, "card"), card)
      const second = yield* s.browserCreatesBankAccount(yield* tokenAuth(token, userId, "bank"), bank)
      yield* s.deliverDue
      expect(received.map((r) => JSON.parse(r.body).card_accounts?.id ?? JSON.parse(r.body).bank_accounts.id)).toEqual([
        second,
        second,
        first,
        first,
      ])
      expect(received.every((r) => verifies(r.header, r.body, webhookSecret))).toBe(true)

      received.length = 0
      accept = false
      yield* s.configureWebhooks({ duplicate: 1, order: "sent" })
      yield* core(token, "DELETE", `/card_accounts/${first}`)
      yield* s.deliverDue
      expect(yield* s.pendingWebhooks).toHaveLength(1)
      accept = true
      yield* TestClock.adjust("4 minutes")
      expect(yield* s.deliverDue).toHaveLength(0)
      yield* TestClock.adjust("1 minute")
      const resent = yield* s.deliverDue
      expect(resent.map((d) => [d.attempt, d.accepted])).toEqual([[2, true]])
      expect(received).toHaveLength(2)
      const [refused, accepted] = received
      // Zai signs each attempt when it leaves: the second carries a timestamp five minutes later.
      expect(timestampOf(accepted?.header ?? "") - timestampOf(refused?.header ?? "")).toBe(300)
      expect(verifies(accepted?.header ?? "", accepted?.body ?? "", webhookSecret)).toBe(true)
      expect(JSON.parse(accepted?.body ?? "{}").card_accounts.active).toBe(false)
    }).pipe(Effect.provide(simulator())),
  )
})

describe("Zai simulator: card data", () => {
  it.effect(
    "never shows a card number, CVV or bank account number in answers, webhooks, books or the request log",
    () =>
      Effect.gen(function* () {
        const s = yield* sim
        const { token, userId } = yield* onboarded
        const texts: Array<string> = []
        const cardToken = yield* tokenAuth(token, userId, "card")
        const created = yield* core(undefined, "POST", "/card_accounts", {
          token: cardToken,
          full_name: "Bella Buyer",
          number: otherPan,
          expiry_month: "12",
          expiry_year: "2032",
          cvv,
        })
        texts.push(created.text)
        const refused = yield* core(undefined, "POST", "/card_accounts", {
          token: yield* tokenAuth(token, userId, "card"),
          full_name: "Bella Buyer",
          number: `${otherPan}0`,
          expiry_month: "12",
          expiry_year: "2032",
          cvv,
        })
        texts.push(refused.text)
        const cardId = yield* s.browserCreatesCardAccount(yield* tokenAuth(token, userId, "card"), card)
        const bankId = yield* s.browserCreatesBankAccount(yield* tokenAuth(token, userId, "bank"), bank)
        for (const path of [`/card_accounts/${cardId}`, `/bank_accounts/${bankId}`, `/users/${userId}/card_accounts`]) {
          texts.push((yield* core(token, "GET", path)).text)
        }
        texts.push(JSON.stringify(yield* s.deliverDue))
        texts.push(JSON.stringify(yield* s.cardAccounts), JSON.stringify(yield* s.bankAccounts))
        texts.push(JSON.stringify(yield* s.tokenAuths), JSON.stringify(yield* s.requests))
        texts.push(JSON.stringify(yield* s.accessTokens))
        expect(texts.map(leaks)).toEqual(texts.map(() => false))
        expect((yield* s.cardAccounts).map((a) => a.masked)).toEqual(["XXXX-XXXX-XXXX-1358", "XXXX-XXXX-XXXX-1486"])
      }).pipe(Effect.provide(simulator())),
  )
})
