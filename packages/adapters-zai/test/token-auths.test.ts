/**
 * The token-auth manager over the real lifecycle and the Zai simulator: a fresh token auth per
 * payment session, the same one while it has more than the safety margin to live, never one
 * closer to its expiry; and the account the browser added with it recorded as its one use,
 * judged by the lifecycle on what Zai says of the account.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Policy from "@token-lifecycle/domain/Policy"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import { ZaiSimulator } from "@token-lifecycle/testkit/simulators/zai/ZaiSimulator"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import { ZaiTokenAuths } from "../src/ZaiTokenAuths.js"
import * as ZaiStack from "./ZaiStack.js"

const buyer = "buyer-1"
const other = "buyer-2"
const minute = 60_000

const stack = (seed: string) =>
  ZaiStack.withLifecycle(ZaiStack.withUsers(ZaiStack.inProcess(ZaiStack.simulatorOptions(seed)), [buyer, other]))

const session = (id: string, type: "card" | "bank" = "card", user = buyer) => ({
  session: id,
  account: "marketplace-1",
  user,
  type,
})

describe("a token auth per payment session", () => {
  it.effect("gives each session its own token, and the same one when the session asks again", () =>
    Effect.gen(function* () {
      const tokenAuths = yield* ZaiTokenAuths
      const zai = yield* ZaiSimulator
      const first = yield* tokenAuths.forSession(session("checkout-1"))
      expect(yield* tokenAuths.forSession(session("checkout-1"))).toEqual(first)
      const second = yield* tokenAuths.forSession(session("checkout-2"))
      expect(second.token).not.toBe(first.token)
      const bank = yield* tokenAuths.forSession(session("checkout-1", "bank"))
      expect(bank.token).not.toBe(first.token)
      expect(bank.type).toBe("bank")
      expect((yield* zai.tokenAuths).map((token) => token.token)).toEqual([first.token, second.token, bank.token])
      // Two hours from the answer, Policy.zai's default for both types.
      expect(first.expiresAt - (yield* TestClock.currentTimeMillis)).toBe(120 * minute)
    }).pipe(Effect.provide(stack("per-session"))),
  )

  it.effect("asks Zai once when one session asks many times at once", () =>
    Effect.gen(function* () {
      const tokenAuths = yield* ZaiTokenAuths
      const zai = yield* ZaiSimulator
      const handed = yield* Effect.all(
        Array.from({ length: 20 }, () => tokenAuths.forSession(session("checkout-1"))),
        { concurrency: "unbounded" },
      )
      expect(new Set(handed.map((held) => held.token)).size).toBe(1)
      expect((yield* zai.tokenAuths).length).toBe(1)
    }).pipe(Effect.provide(stack("single-flight"))),
  )

  it.effect("never hands out a token expiring within the safety margin: a new one replaces it", () =>
    Effect.gen(function* () {
      const tokenAuths = yield* ZaiTokenAuths
      const first = yield* tokenAuths.forSession(session("checkout-1"))
      const start = yield* TestClock.currentTimeMillis
      // The default margin is 15 minutes: still handed out at 1 h 44 min 59 s, replaced at 1 h 45 min.
      yield* TestClock.adjust(first.expiresAt - 15 * minute - 1 - start)
      expect((yield* tokenAuths.forSession(session("checkout-1"))).token).toBe(first.token)
      yield* TestClock.adjust(1)
      const replaced = yield* tokenAuths.forSession(session("checkout-1"))
      expect(replaced.token).not.toBe(first.token)
      expect(replaced.expiresAt - (yield* TestClock.currentTimeMillis)).toBe(120 * minute)
    }).pipe(Effect.provide(stack("margin"))),
  )

  it.effect("gives a session a new token once its token is spent", () =>
    Effect.gen(function* () {
      const tokenAuths = yield* ZaiTokenAuths
      const zai = yield* ZaiSimulator
      const first = yield* tokenAuths.forSession(session("checkout-1"))
      const accountId = yield* zai.browserCreatesCardAccount(first.token, ZaiStack.browserCard)
      yield* tokenAuths.recordAccount(first.key, { type: "card", id: accountId })
      const next = yield* tokenAuths.forSession(session("checkout-1"))
      expect(next.token).not.toBe(first.token)
    }).pipe(Effect.provide(stack("spent"))),
  )

  it.effect("refuses a blank session or user, or another type, before asking anyone", () =>
    Effect.gen(function* () {
      const tokenAuths = yield* ZaiTokenAuths
      const zai = yield* ZaiSimulator
      const before = (yield* zai.requests).length
      expect(yield* Effect.flip(tokenAuths.forSession(session(" ")))).toMatchObject({
        _tag: "InvalidInput",
        field: "session",
      })
      expect(yield* Effect.flip(tokenAuths.forSession(session("checkout-1", "card", "")))).toMatchObject({
        message: "user_id is required and cannot be blank",
      })
      const wallet = { ...session("checkout-1"), type: "wallet" as "card" }
      expect(yield* Effect.flip(tokenAuths.forSession(wallet))).toMatchObject({
        message: "token_type must be one of: bank, card",
      })
      expect((yield* zai.requests).length).toBe(before)
    }).pipe(Effect.provide(stack("session-validation"))),
  )

  it.effect("refuses at startup a safety margin no token outlives", () =>
    Effect.gen(function* () {
      const short = ZaiStack.withLifecycle(
        ZaiStack.inProcess(ZaiStack.simulatorOptions("short"), { tokenAuthSafetyMargin: "30 minutes" }),
        Policy.zai({ cardTimeToLive: "30 minutes" }),
      )
      const exit = yield* Effect.exit(Layer.build(short).pipe(Effect.scoped))
      expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toContain("card token auths live 1800000 ms")
    }),
  )
})

describe("recording the account the browser added", () => {
  it.effect("records the account's id as the token's one use, once", () =>
    Effect.gen(function* () {
      const tokenAuths = yield* ZaiTokenAuths
      const lifecycle = yield* TokenLifecycle
      const zai = yield* ZaiSimulator
      const held = yield* tokenAuths.forSession(session("checkout-1"))
      const accountId = yield* zai.browserCreatesCardAccount(held.token, ZaiStack.browserCard)
      const recorded = yield* tokenAuths.recordAccount(held.key, { type: "card", id: accountId })
      expect(recorded.token).toMatchObject({ _tag: "Used", lastUse: { by: buyer, for: "card", reference: accountId } })
      expect(recorded.account).toMatchObject({ id: accountId, userId: buyer, card: { last4: "1111" } })
      expect(yield* ZaiStack.failureTag(tokenAuths.recordAccount(held.key, { type: "card", id: accountId }))).toBe(
        "TokenAlreadyUsed",
      )
      const history = yield* lifecycle.history(held.key)
      expect(history.map(({ event }) => event._tag)).toEqual(["TokenRequested", "TokenIssued", "TokenUsed"])
    }).pipe(Effect.provide(stack("record"))),
  )

  it.effect("refuses a card account for a bank token, another user's account, and an account Zai does not show", () =>
    Effect.gen(function* () {
      const tokenAuths = yield* ZaiTokenAuths
      const lifecycle = yield* TokenLifecycle
      const zai = yield* ZaiSimulator
      const bankHeld = yield* tokenAuths.forSession(session("payout-1", "bank"))
      const cardHeld = yield* tokenAuths.forSession(session("checkout-1"))
      const cardAccount = yield* zai.browserCreatesCardAccount(cardHeld.token, ZaiStack.browserCard)
      expect(
        yield* ZaiStack.failureTag(tokenAuths.recordAccount(bankHeld.key, { type: "card", id: cardAccount })),
      ).toBe("WrongTokenType")
      const othersHeld = yield* tokenAuths.forSession(session("checkout-9", "card", other))
      expect(
        yield* ZaiStack.failureTag(tokenAuths.recordAccount(othersHeld.key, { type: "card", id: cardAccount })),
      ).toBe("WrongOwner")
      expect(
        yield* ZaiStack.failureTag(
          tokenAuths.recordAccount(bankHeld.key, { type: "bank", id: "7c6f0a4e-0000-4000-8000-000000000000" }),
        ),
      ).toBe("ProviderNotFound")
      for (const held of [bankHeld, othersHeld]) expect((yield* lifecycle.get(held.key))._tag).toBe("Active")
      const bankAccount = yield* zai.browserCreatesBankAccount(bankHeld.token, ZaiStack.browserBank)
      const recorded = yield* tokenAuths.recordAccount(bankHeld.key, { type: "bank", id: bankAccount })
      expect(recorded.token._tag).toBe("Used")
    }).pipe(Effect.provide(stack("record-refused"))),
  )

  it.effect("refuses an account added after the token's expiry, and records the expiry", () =>
    Effect.gen(function* () {
      const tokenAuths = yield* ZaiTokenAuths
      const lifecycle = yield* TokenLifecycle
      const zai = yield* ZaiSimulator
      const held = yield* tokenAuths.forSession(session("checkout-1"))
      const late = yield* tokenAuths.forSession(session("checkout-2"))
      const accountId = yield* zai.browserCreatesCardAccount(late.token, ZaiStack.browserCard)
      yield* TestClock.adjust(held.expiresAt - (yield* TestClock.currentTimeMillis))
      expect(yield* ZaiStack.failureTag(tokenAuths.recordAccount(held.key, { type: "card", id: accountId }))).toBe(
        "TokenExpired",
      )
      expect((yield* lifecycle.get(held.key))._tag).toBe("Expired")
    }).pipe(Effect.provide(stack("record-expired"))),
  )
})
