/**
 * No secret and no card or bank data in anything the adapter lets out: every log line at every
 * level, every error, every token's state and history. A whole flow runs against the simulator,
 * refusals and failures included (a refused access token, Zai down, broken answers, forged and
 * unreadable webhooks, refused uses, a refused client secret), and everything it showed is
 * searched for the secrets it handled.
 */
import { describe, expect, it } from "@effect/vitest"
import { AccountRef, OwnerRef } from "@token-lifecycle/domain/Identifiers"
import { TokenGateway } from "@token-lifecycle/domain/TokenGateway"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as Faults from "@token-lifecycle/testkit/simulators/shared/Faults"
import { ZaiSimulator } from "@token-lifecycle/testkit/simulators/zai/ZaiSimulator"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { ZaiTokenAuths } from "../src/ZaiTokenAuths.js"
import { ZaiUsers } from "../src/ZaiUsers.js"
import * as ZaiWebhooks from "../src/ZaiWebhooks.js"
import * as ZaiStack from "./ZaiStack.js"

const cardNumber = "5555555555554444"
const cvv = "9731"
const bankAccountNumber = "987654321"
const dateOfBirth = "15/01/1990"
const governmentNumber = "123456782"

const buyer = "buyer-1"

describe("what the Zai adapter shows", () => {
  it.effect("holds no secret, signature, access token, card, CVV, bank account or personal number", () => {
    const shown: Array<string> = []
    const capture = Logger.make(({ message, annotations, cause, logLevel }) => {
      shown.push(
        `${logLevel.label} ${JSON.stringify(message)} ${JSON.stringify([...annotations])} ${Cause.pretty(cause)}`,
      )
    })
    const show = (value: unknown) => {
      shown.push(JSON.stringify(value) ?? "", String(value))
      if (value instanceof Error) shown.push(value.message, value.stack ?? "")
    }
    /** Runs a step, keeping what it answered or the error it failed with, whichever it is. */
    const step = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(Effect.exit(effect))
        yield* TestClock.adjust("10 minutes")
        const exit = yield* Fiber.join(fiber)
        if (Exit.isSuccess(exit)) show(exit.value)
        else {
          shown.push(Cause.pretty(exit.cause))
          for (const failure of Cause.failures(exit.cause)) show(failure)
        }
        return exit
      })

    const flow = Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 0, 1))
      const zai = yield* ZaiSimulator
      const users = yield* ZaiUsers
      const tokenAuths = yield* ZaiTokenAuths
      const lifecycle = yield* TokenLifecycle
      const gateway = yield* TokenGateway
      const handle = yield* ZaiWebhooks.make
      yield* zai.configureWebhooks({
        sink: (delivery) => Effect.asVoid(Effect.tap(handle(delivery.body, delivery.headers), show)),
      })
      const personal = { dateOfBirth: Redacted.make(dateOfBirth), governmentNumber: Redacted.make(governmentNumber) }
      yield* step(users.createPayout({ ...ZaiStack.payout("seller-1"), ...personal }))
      yield* step(
        users.createPayout({ ...ZaiStack.payout("seller-2"), ...personal, dateOfBirth: Redacted.make("31/02/1990") }),
      )

      const card = yield* step(tokenAuths.forSession({ session: "s-1", account: "m-1", user: buyer, type: "card" }))
      const bank = yield* step(tokenAuths.forSession({ session: "s-2", account: "m-1", user: buyer, type: "bank" }))
      if (!Exit.isSuccess(card) || !Exit.isSuccess(bank)) return expect.unreachable()
      const browserCard = { ...ZaiStack.browserCard, number: Redacted.make(cardNumber), cvv: Redacted.make(cvv) }
      const browserBank = { ...ZaiStack.browserBank, accountNumber: Redacted.make(bankAccountNumber) }
      // The browser's refusals carry Zai's field errors: the number is refused, never echoed.
      yield* step(
        zai.browserCreatesCardAccount(card.value.token, { ...browserCard, number: Redacted.make("5555555555554443") }),
      )
      const cardAccount = yield* step(zai.browserCreatesCardAccount(card.value.token, browserCard))
      const bankAccount = yield* step(zai.browserCreatesBankAccount(bank.value.token, browserBank))
      if (!Exit.isSuccess(cardAccount) || !Exit.isSuccess(bankAccount)) return expect.unreachable()
      yield* step(tokenAuths.recordAccount(bank.value.key, { type: "card", id: cardAccount.value }))
      yield* step(tokenAuths.recordAccount(card.value.key, { type: "card", id: cardAccount.value }))

      // Zai refuses the access token, is down, answers garbage.
      yield* zai.revokeAccessTokens
      yield* step(tokenAuths.recordAccount(bank.value.key, { type: "bank", id: bankAccount.value }))
      yield* zai.injectFault(Faults.serverError(503), { endpoint: "generateToken", times: 5 })
      yield* step(
        gateway.issue({
          account: AccountRef.make("m-1"),
          owner: OwnerRef.make(buyer),
          type: "card",
          idempotencyKey: "k",
        }),
      )
      for (const shape of ["not-json", "truncated", "wrong-shape"] as const) {
        yield* zai.injectFault(Faults.malformed(shape), { times: 1 })
        yield* step(users.get("seller-1"))
      }

      // Webhooks: delivered, then replayed late, forged and unreadable.
      const delivered = yield* zai.deliverDue
      const [first] = delivered
      if (first === undefined) return expect.unreachable()
      yield* step(handle(first.body.replace('"active":true', '"active":false'), first.headers))
      yield* step(handle("{not json", first.headers))
      yield* TestClock.adjust("1 hour")
      yield* step(handle(first.body, first.headers))

      for (const key of [card.value.key, bank.value.key]) {
        yield* step(lifecycle.get(key))
        yield* step(lifecycle.history(key))
      }
      return {
        accessTokens: (yield* zai.accessTokens).map((view) => Redacted.value(view.token)),
        signatures: delivered.flatMap((delivery) =>
          Object.values(delivery.headers).flatMap((value) =>
            [...value.matchAll(/v=([A-Za-z0-9_-]+)/g)].map((m) => m[1]),
          ),
        ),
      }
    })

    return Effect.gen(function* () {
      const seen = yield* flow.pipe(
        Effect.provide(
          ZaiStack.withLifecycle(
            ZaiStack.withUsers(ZaiStack.inProcess(ZaiStack.simulatorOptions("redaction")), [buyer]),
          ),
        ),
        Effect.provide(Logger.add(capture)),
        Logger.withMinimumLogLevel(LogLevel.All),
      )
      // A client secret Zai refuses: its refusal, logged and returned, does not repeat it.
      const wrongSecret = "zai-wrong-secret-never-shown-9e21"
      yield* step(
        Effect.flatMap(ZaiUsers, (users) => users.get("seller-1")).pipe(
          Effect.provide(
            ZaiStack.inProcess(ZaiStack.simulatorOptions("wrong-secret"), { clientSecret: Redacted.make(wrongSecret) }),
          ),
          Effect.provide(Logger.add(capture)),
          Logger.withMinimumLogLevel(LogLevel.All),
        ),
      )
      const text = shown.join("\n")
      expect(shown.length).toBeGreaterThan(50)
      expect(seen.accessTokens.length).toBeGreaterThan(1)
      expect(seen.signatures.length).toBeGreaterThan(0)
      const secrets = {
        "client secret": Redacted.value(ZaiStack.client.clientSecret),
        "refused client secret": wrongSecret,
        "webhook secret": Redacted.value(ZaiStack.webhookSecret),
        "card number": cardNumber,
        "refused card number": "5555555555554443",
        "bank account number": bankAccountNumber,
        "date of birth": dateOfBirth,
        "government number": governmentNumber,
        ...Object.fromEntries(seen.accessTokens.map((token, i) => [`access token ${i + 1}`, token])),
        ...Object.fromEntries(seen.signatures.map((signature, i) => [`webhook signature ${i + 1}`, signature ?? ""])),
      }
      const leaked = Object.entries(secrets).filter(([, value]) => value !== "" && text.includes(value))
      expect(leaked.map(([name]) => name)).toEqual([])
      expect(text).not.toMatch(new RegExp(`\\b${cvv}\\b`))
    })
  })
})
