/**
 * The adapter's calls to Zai's core API against the testkit's Zai simulator: token auths, users
 * and accounts; the access token shared by concurrent callers and renewed once when Zai refuses
 * it; refusals, rate limits, outages, slow and broken answers mapped to the typed errors, with
 * retries only where repeating is safe; and input refused before any request.
 */
import { describe, expect, it } from "@effect/vitest"
import { AccountRef, OwnerRef, UseReference } from "@token-lifecycle/domain/Identifiers"
import { TokenGateway } from "@token-lifecycle/domain/TokenGateway"
import * as Faults from "@token-lifecycle/testkit/simulators/shared/Faults"
import { ZaiSimulator } from "@token-lifecycle/testkit/simulators/zai/ZaiSimulator"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { ZaiAccounts } from "../src/ZaiAccounts.js"
import { ZaiUsers } from "../src/ZaiUsers.js"
import * as ZaiStack from "./ZaiStack.js"

const buyer = "buyer-1"
const seller = "seller-1"

const issueRequest = (owner: string, type: "card" | "bank" | "other" = "card") => ({
  account: AccountRef.make("marketplace-1"),
  owner: OwnerRef.make(owner),
  type,
  idempotencyKey: "unused-by-zai",
})

/** Runs `effect` in a fiber while the test clock moves past every retry, backoff and timeout. */
const settle = <A, E, R>(effect: Effect.Effect<A, E, R>, by: Duration.DurationInput = "10 minutes") =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust(by)
    return yield* Fiber.join(fiber)
  })

const stack = (seed: string, config: Parameters<typeof ZaiStack.inProcess>[1] = {}) =>
  ZaiStack.withUsers(ZaiStack.inProcess(ZaiStack.simulatorOptions(seed), config), [buyer])

describe("token auths", () => {
  it.effect("asks Zai for a token of one type for one user, and hands back the token Zai minted", () =>
    Effect.gen(function* () {
      const gateway = yield* TokenGateway
      const zai = yield* ZaiSimulator
      for (const type of ["card", "bank"] as const) {
        const outcome = yield* gateway.issue(issueRequest(buyer, type))
        expect(outcome._tag).toBe("Issued")
        const minted = (yield* zai.tokenAuths).at(-1)
        expect(outcome).toEqual({ _tag: "Issued", tokenId: minted?.token })
        expect(minted).toMatchObject({ userId: buyer, type, status: "active" })
      }
    }).pipe(Effect.provide(stack("token-auths"))),
  )

  it.effect("refuses what Zai would refuse before sending anything, with the messages users know", () =>
    Effect.gen(function* () {
      const gateway = yield* TokenGateway
      const zai = yield* ZaiSimulator
      const before = (yield* zai.requests).length
      const blank = yield* Effect.flip(gateway.issue({ ...issueRequest(buyer), owner: "  " as OwnerRef }))
      expect(blank).toMatchObject({
        _tag: "ProviderValidationError",
        message: "user_id is required and cannot be blank",
        fields: [{ field: "user_id", message: "is required and cannot be blank" }],
      })
      const other = yield* Effect.flip(gateway.issue(issueRequest(buyer, "other")))
      expect(other).toMatchObject({
        _tag: "ProviderValidationError",
        message: "token_type must be one of: bank, card",
        fields: [{ field: "token_type", message: "must be one of: bank, card" }],
      })
      expect((yield* zai.requests).length).toBe(before)
    }).pipe(Effect.provide(stack("validation"))),
  )

  it.effect("reads Zai's 401 for a user it does not know as that user not found, without a new access token", () =>
    Effect.gen(function* () {
      const gateway = yield* TokenGateway
      const zai = yield* ZaiSimulator
      const oauth = yield* zai.oauthRequests
      const error = yield* Effect.flip(gateway.issue(issueRequest("nobody")))
      expect(error).toMatchObject({ _tag: "ProviderNotFound", resource: "user" })
      expect(yield* zai.oauthRequests).toBe(oauth)
    }).pipe(Effect.provide(stack("unknown-user"))),
  )

  it.effect("offers nothing but issuance: use, retrieve, list and revoke are typed Unsupported", () =>
    Effect.gen(function* () {
      const gateway = yield* TokenGateway
      const issued = yield* gateway.issue(issueRequest(buyer))
      if (issued._tag !== "Issued") return expect.unreachable()
      const tokenId = issued.tokenId
      const owner = OwnerRef.make(buyer)
      const attempts = [
        gateway.retrieve(tokenId, owner),
        gateway.list({ offset: 0, limit: 10 }),
        gateway.revoke(tokenId, owner),
        gateway.use({
          tokenId,
          owner,
          type: "card",
          operation: "instrument",
          reference: UseReference.make("card-account-1"),
        }),
      ]
      for (const attempt of attempts) expect(yield* ZaiStack.failureTag(attempt)).toBe("Unsupported")
    }).pipe(Effect.provide(stack("unsupported"))),
  )
})

describe("the access token", () => {
  it.effect("many concurrent calls with an expired access token cause exactly one OAuth request", () =>
    Effect.gen(function* () {
      const gateway = yield* TokenGateway
      const zai = yield* ZaiSimulator
      yield* gateway.issue(issueRequest(buyer))
      expect(yield* zai.oauthRequests).toBe(1)
      // Past its 60 minutes: every caller finds it expired at once.
      yield* TestClock.adjust("61 minutes")
      const outcomes = yield* Effect.all(
        Array.from({ length: 50 }, () => gateway.issue(issueRequest(buyer))),
        { concurrency: "unbounded" },
      )
      expect(outcomes.every((outcome) => outcome._tag === "Issued")).toBe(true)
      expect(yield* zai.oauthRequests).toBe(2)
    }).pipe(Effect.provide(stack("expired-access-token"))),
  )

  it.effect("re-authenticates once when Zai refuses a token the adapter still holds good, for all its callers", () =>
    Effect.gen(function* () {
      const gateway = yield* TokenGateway
      const zai = yield* ZaiSimulator
      yield* gateway.issue(issueRequest(buyer))
      yield* zai.revokeAccessTokens
      const outcomes = yield* Effect.all(
        Array.from({ length: 50 }, () => gateway.issue(issueRequest(buyer))),
        { concurrency: "unbounded" },
      )
      expect(outcomes.every((outcome) => outcome._tag === "Issued")).toBe(true)
      expect(yield* zai.oauthRequests).toBe(2)
      const refused = (yield* zai.requests).filter((request) => request.status === 401)
      expect(refused.length).toBe(50)
    }).pipe(Effect.provide(stack("revoked-access-token"))),
  )

  it.effect("gives up after one re-authentication when Zai keeps refusing", () =>
    Effect.gen(function* () {
      const gateway = yield* TokenGateway
      const zai = yield* ZaiSimulator
      yield* gateway.issue(issueRequest(buyer))
      yield* zai.injectFault(Faults.serverError(401), { endpoint: "generateToken" })
      const before = (yield* zai.requests).length
      const error = yield* Effect.flip(gateway.issue(issueRequest(buyer)))
      expect(error._tag).toBe("ProviderUnauthorized")
      const calls = (yield* zai.requests).slice(before).map((request) => `${request.endpoint} ${request.status}`)
      expect(calls).toEqual(["generateToken 401", "token 200", "generateToken 401"])
    }).pipe(Effect.provide(stack("refused-twice"))),
  )
})

describe("refusals, limits and failures", () => {
  it.effect("a 429 is rate limited with Zai's Retry-After, not waited out when it asks for long", () =>
    Effect.gen(function* () {
      const gateway = yield* TokenGateway
      const zai = yield* ZaiSimulator
      yield* gateway.issue(issueRequest(buyer))
      yield* zai.setRateLimit({ requests: 1, per: "1 minute" })
      yield* gateway.issue(issueRequest(buyer))
      const error = yield* Effect.flip(gateway.issue(issueRequest(buyer)))
      expect(error).toMatchObject({ _tag: "ProviderRateLimited", retryAfterMillis: 60_000 })
    }).pipe(Effect.provide(stack("rate-limited"))),
  )

  it.effect("a passing outage is retried, for calls safe to repeat; a lasting one is unavailable", () =>
    Effect.gen(function* () {
      const gateway = yield* TokenGateway
      const zai = yield* ZaiSimulator
      yield* gateway.issue(issueRequest(buyer))
      yield* zai.injectFault(Faults.serverError(503), { endpoint: "generateToken", times: 2 })
      expect((yield* settle(gateway.issue(issueRequest(buyer))))._tag).toBe("Issued")
      yield* zai.injectFault(Faults.serverError(502), { endpoint: "generateToken" })
      const error = yield* settle(Effect.flip(gateway.issue(issueRequest(buyer))))
      expect(error).toMatchObject({ _tag: "ProviderUnavailable", status: 502 })
    }).pipe(Effect.provide(stack("outage"))),
  )

  it.effect("an answer past the timeout, or a broken connection, is a timeout; a broken answer a protocol error", () =>
    Effect.gen(function* () {
      const gateway = yield* TokenGateway
      const zai = yield* ZaiSimulator
      yield* gateway.issue(issueRequest(buyer))
      yield* zai.injectFault(Faults.slow("1 minute"), { endpoint: "generateToken" })
      expect(yield* settle(Effect.flip(gateway.issue(issueRequest(buyer))))).toMatchObject({
        _tag: "ProviderTimeout",
        afterMillis: 5_000,
      })
      yield* zai.clearFaults
      yield* zai.injectFault(Faults.drop(), { endpoint: "generateToken" })
      expect((yield* settle(Effect.flip(gateway.issue(issueRequest(buyer)))))._tag).toBe("ProviderTimeout")
      yield* zai.clearFaults
      for (const shape of ["not-json", "truncated", "wrong-shape"] as const) {
        yield* zai.injectFault(Faults.malformed(shape), { endpoint: "generateToken", times: 1 })
        expect([shape, (yield* Effect.flip(gateway.issue(issueRequest(buyer))))._tag]).toEqual([
          shape,
          "ProviderProtocolError",
        ])
      }
    }).pipe(Effect.provide(stack("slow", { timeout: "5 seconds" }))),
  )
})

describe("users", () => {
  it.effect("creates pay-in and pay-out users with the fields Zai needs", () =>
    Effect.gen(function* () {
      const users = yield* ZaiUsers
      const zai = yield* ZaiSimulator
      const payout = yield* users.createPayout({
        ...ZaiStack.payout(seller),
        mobile: "+61491570156",
        dateOfBirth: Redacted.make("15/01/1990"),
        governmentNumber: Redacted.make("123456782"),
      })
      expect(payout).toMatchObject({ id: seller, email: `${seller}@example.com`, country: "AUS" })
      expect((yield* users.get(seller)).id).toBe(seller)
      const recorded = (yield* zai.users).find((user) => user.id === seller)
      expect(recorded).toMatchObject({ country: "AUS", hasDob: true, hasGovernmentNumber: true })
    }).pipe(Effect.provide(stack("users"))),
  )

  it.effect("refuses, before sending, every field Zai would refuse; a pay-out user needs an address", () =>
    Effect.gen(function* () {
      const users = yield* ZaiUsers
      const zai = yield* ZaiSimulator
      const before = (yield* zai.requests).length
      const error = yield* Effect.flip(
        users.createPayout({
          id: "seller.2",
          firstName: "",
          lastName: "Seller",
          email: "not-an-email",
          country: "Australia",
          mobile: "+61 491 570 156",
          dateOfBirth: Redacted.make("31/02/1990"),
        }),
      )
      expect(error._tag).toBe("ProviderValidationError")
      expect(error._tag === "ProviderValidationError" && error.fields.map((problem) => problem.field)).toEqual([
        "id",
        "first_name",
        "email",
        "country",
        "mobile",
        "dob",
        "address_line1",
        "city",
        "state",
        "zip",
      ])
      expect(JSON.stringify(error)).not.toContain("31/02/1990")
      expect((yield* zai.requests).length).toBe(before)
    }).pipe(Effect.provide(stack("user-validation"))),
  )

  it.effect("keeps Zai's own refusal of a user, field by field", () =>
    Effect.gen(function* () {
      const users = yield* ZaiUsers
      const fieldsOf = (error: { readonly _tag: string }) =>
        error._tag === "ProviderValidationError" && "fields" in error ? error.fields : []
      const takenId = yield* Effect.flip(users.createPayin({ ...ZaiStack.payin(buyer), email: "other@example.com" }))
      expect(fieldsOf(takenId)).toEqual([{ field: "base", message: "user with this id already exists" }])
      const takenEmail = yield* Effect.flip(
        users.createPayin({ ...ZaiStack.payin("buyer-2"), email: `${buyer}@example.com` }),
      )
      expect(fieldsOf(takenEmail)).toEqual([{ field: "email", message: "has already been taken" }])
      expect(yield* ZaiStack.failureTag(users.get("nobody"))).toBe("ProviderNotFound")
    }).pipe(Effect.provide(stack("user-taken"))),
  )
})

describe("accounts", () => {
  it.effect("reads a card or bank account by id with its user, as masked as Zai shows it", () =>
    Effect.gen(function* () {
      const gateway = yield* TokenGateway
      const accounts = yield* ZaiAccounts
      const zai = yield* ZaiSimulator
      const cardToken = yield* gateway.issue(issueRequest(buyer, "card"))
      const bankToken = yield* gateway.issue(issueRequest(buyer, "bank"))
      if (cardToken._tag !== "Issued" || bankToken._tag !== "Issued") return expect.unreachable()
      const cardId = yield* zai.browserCreatesCardAccount(cardToken.tokenId, ZaiStack.browserCard)
      const bankId = yield* zai.browserCreatesBankAccount(bankToken.tokenId, ZaiStack.browserBank)
      const cardAccount = yield* accounts.read("card", cardId)
      expect(cardAccount).toMatchObject({
        type: "card",
        id: cardId,
        userId: buyer,
        active: true,
        card: { last4: "1111", expiry: { month: 12, year: 2031 } },
      })
      const bankAccount = yield* accounts.read("bank", bankId)
      expect(bankAccount).toMatchObject({ type: "bank", id: bankId, userId: buyer, active: true })
      expect(bankAccount.bank?.accountNumberEnding).toBe("321")
      expect(JSON.stringify([cardAccount, bankAccount])).not.toMatch(/4111111111111111|987654321/)
      expect(yield* ZaiStack.failureTag(accounts.read("card", bankId))).toBe("ProviderNotFound")
      expect(yield* Effect.flip(accounts.read("bank", "7c6f0a4e-0000-4000-8000-000000000000"))).toMatchObject({
        _tag: "ProviderNotFound",
        resource: "bank account",
      })
      expect(yield* ZaiStack.failureTag(accounts.read("card", "not an id"))).toBe("ProviderValidationError")
    }).pipe(Effect.provide(stack("accounts"))),
  )
})
