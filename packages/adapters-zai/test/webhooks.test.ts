/**
 * Zai's webhooks through the adapter's handler, as the simulator sends them: signed at send time,
 * late, twice, out of order, and again until answered 200. An account added with a token auth a
 * session holds is that token's use; forged, stale and unreadable deliveries change nothing.
 */
import { describe, expect, it } from "@effect/vitest"
import type { ApplyOutcome } from "@token-lifecycle/domain/TokenLifecycle"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as Faults from "@token-lifecycle/testkit/simulators/shared/Faults"
import type { Delivery } from "@token-lifecycle/testkit/simulators/shared/Outbox"
import { ZaiSimulator } from "@token-lifecycle/testkit/simulators/zai/ZaiSimulator"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import { ZaiTokenAuths } from "../src/ZaiTokenAuths.js"
import * as ZaiWebhookSignature from "../src/ZaiWebhookSignature.js"
import * as ZaiWebhooks from "../src/ZaiWebhooks.js"
import * as ZaiStack from "./ZaiStack.js"

const buyer = "buyer-1"

const stack = (seed: string) =>
  ZaiStack.withLifecycle(ZaiStack.withUsers(ZaiStack.inProcess(ZaiStack.simulatorOptions(seed)), [buyer]))

const session = (id: string, type: "card" | "bank" = "card") => ({
  session: id,
  account: "marketplace-1",
  user: buyer,
  type,
})

const outcomeOf = (outcome: ApplyOutcome): string => (outcome._tag === "Applied" ? "applied" : outcome.reason)

interface Answered {
  readonly status: number
  readonly outcomes: ReadonlyArray<string>
}

/** Zai's webhooks go to the adapter's handler; each answer is kept, and anything but 200 makes Zai send again. */
const receiving = Effect.gen(function* () {
  // Zai signs with the Unix time: the test clock starts where a real one could be.
  yield* TestClock.setTime(Date.UTC(2026, 0, 1))
  const zai = yield* ZaiSimulator
  const handle = yield* ZaiWebhooks.make
  const answered = yield* Ref.make<ReadonlyArray<Answered>>([])
  const sink = (delivery: Delivery) =>
    Effect.flatMap(handle(delivery.body, delivery.headers), (receipt) =>
      Ref.update(answered, (all) => [
        ...all,
        { status: receipt.status, outcomes: receipt.outcomes.map(outcomeOf) },
      ]).pipe(Effect.zipRight(receipt.status === 200 ? Effect.void : Effect.fail(receipt.status))),
    )
  yield* zai.configureWebhooks({ sink })
  return { zai, handle, answers: Ref.getAndSet(answered, []) }
})

describe("account webhooks", () => {
  it.effect("record the use of the token a session holds when the browser's answer never came, once", () =>
    Effect.gen(function* () {
      const { zai, answers } = yield* receiving
      const tokenAuths = yield* ZaiTokenAuths
      const lifecycle = yield* TokenLifecycle
      yield* zai.configureWebhooks({ duplicate: 2 })
      const held = yield* tokenAuths.forSession(session("checkout-1"))
      const accountId = yield* zai.browserCreatesCardAccount(held.token, ZaiStack.browserCard)
      yield* zai.deliverDue
      expect(yield* answers).toEqual([
        { status: 200, outcomes: ["applied"] },
        { status: 200, outcomes: ["duplicate"] },
      ])
      expect(yield* lifecycle.get(held.key)).toMatchObject({
        _tag: "Used",
        lastUse: { by: buyer, for: "card", reference: accountId },
      })
      // The browser's answer, late: the use is on record already.
      const late = yield* Effect.either(tokenAuths.recordAccount(held.key, { type: "card", id: accountId }))
      expect(late).toMatchObject({ _tag: "Left", left: { _tag: "TokenAlreadyUsed" } })
    }).pipe(Effect.provide(stack("webhook-records"))),
  )

  it.effect("change nothing when the browser's answer was recorded first", () =>
    Effect.gen(function* () {
      const { zai, answers } = yield* receiving
      const tokenAuths = yield* ZaiTokenAuths
      const lifecycle = yield* TokenLifecycle
      const held = yield* tokenAuths.forSession(session("checkout-1", "bank"))
      const accountId = yield* zai.browserCreatesBankAccount(held.token, ZaiStack.browserBank)
      yield* tokenAuths.recordAccount(held.key, { type: "bank", id: accountId })
      yield* zai.deliverDue
      expect(yield* answers).toEqual([{ status: 200, outcomes: ["already-final"] }])
      const history = yield* lifecycle.history(held.key)
      expect(history.map(({ event }) => event._tag)).toEqual(["TokenRequested", "TokenIssued", "TokenUsed"])
    }).pipe(Effect.provide(stack("webhook-after-browser"))),
  )

  it.effect("are recognised as the use already recorded, whatever other tokens the user holds", () =>
    Effect.gen(function* () {
      const { zai, answers } = yield* receiving
      const tokenAuths = yield* ZaiTokenAuths
      const lifecycle = yield* TokenLifecycle
      const spent = yield* tokenAuths.forSession(session("checkout-1"))
      const unspent = yield* tokenAuths.forSession(session("checkout-2"))
      const accountId = yield* zai.browserCreatesCardAccount(spent.token, ZaiStack.browserCard)
      yield* tokenAuths.recordAccount(spent.key, { type: "card", id: accountId })
      yield* zai.deliverDue
      expect(yield* answers).toEqual([{ status: 200, outcomes: ["already-final"] }])
      expect((yield* lifecycle.get(unspent.key))._tag).toBe("Active")
    }).pipe(Effect.provide(stack("webhook-recognised"))),
  )

  it.effect("claim nothing when two sessions hold a token that could have added the account", () =>
    Effect.gen(function* () {
      const { zai, answers } = yield* receiving
      const tokenAuths = yield* ZaiTokenAuths
      const lifecycle = yield* TokenLifecycle
      const first = yield* tokenAuths.forSession(session("checkout-1"))
      const second = yield* tokenAuths.forSession(session("checkout-2"))
      yield* zai.browserCreatesCardAccount(first.token, ZaiStack.browserCard)
      yield* zai.deliverDue
      expect(yield* answers).toEqual([{ status: 200, outcomes: [] }])
      for (const held of [first, second]) expect((yield* lifecycle.get(held.key))._tag).toBe("Active")
    }).pipe(Effect.provide(stack("webhook-ambiguous"))),
  )

  it.effect("come again (503) while Zai cannot be read, and apply when it can", () =>
    Effect.gen(function* () {
      const { zai, answers } = yield* receiving
      const tokenAuths = yield* ZaiTokenAuths
      const lifecycle = yield* TokenLifecycle
      const held = yield* tokenAuths.forSession(session("checkout-1"))
      yield* zai.browserCreatesCardAccount(held.token, ZaiStack.browserCard)
      yield* zai.injectFault(Faults.serverError(503), { endpoint: "showCardAccount" })
      const delivering = yield* Effect.fork(zai.deliverDue)
      yield* TestClock.adjust("1 minute")
      yield* delivering.await
      expect(yield* answers).toEqual([{ status: 503, outcomes: [] }])
      expect((yield* lifecycle.get(held.key))._tag).toBe("Active")
      yield* zai.clearFaults
      // Zai's second attempt comes 5 minutes later, signed afresh.
      yield* TestClock.adjust("5 minutes")
      yield* zai.deliverDue
      expect(yield* answers).toEqual([{ status: 200, outcomes: ["applied"] }])
      expect((yield* lifecycle.get(held.key))._tag).toBe("Used")
    }).pipe(Effect.provide(stack("webhook-retry"))),
  )

  it.effect("of every order and repetition, end where delivering each once in order ends (invariant 10)", () =>
    Effect.gen(function* () {
      const { zai } = yield* receiving
      const tokenAuths = yield* ZaiTokenAuths
      const lifecycle = yield* TokenLifecycle
      yield* zai.configureWebhooks({ duplicate: 3, order: "shuffle" })
      const card = yield* tokenAuths.forSession(session("checkout-1"))
      const bank = yield* tokenAuths.forSession(session("payout-1", "bank"))
      const cardAccount = yield* zai.browserCreatesCardAccount(card.token, ZaiStack.browserCard)
      const bankAccount = yield* zai.browserCreatesBankAccount(bank.token, ZaiStack.browserBank)
      yield* zai.deliverDue
      expect(yield* lifecycle.get(card.key)).toMatchObject({ _tag: "Used", lastUse: { reference: cardAccount } })
      expect(yield* lifecycle.get(bank.key)).toMatchObject({ _tag: "Used", lastUse: { reference: bankAccount } })
      for (const held of [card, bank]) expect((yield* lifecycle.history(held.key)).length).toBe(3)
    }).pipe(Effect.provide(stack("webhook-shuffled"))),
  )
})

describe("deliveries that are not Zai's, or not for now", () => {
  it.effect("refuse a forged, unsigned or stale delivery (401) and an unreadable one (400), changing nothing", () =>
    Effect.gen(function* () {
      const { zai, handle } = yield* receiving
      const tokenAuths = yield* ZaiTokenAuths
      const lifecycle = yield* TokenLifecycle
      yield* zai.configureWebhooks({ sink: () => Effect.void })
      const held = yield* tokenAuths.forSession(session("checkout-1"))
      yield* zai.browserCreatesCardAccount(held.token, ZaiStack.browserCard)
      const [sent] = yield* zai.deliverDue
      if (sent === undefined) return expect.unreachable()
      const header = sent.headers[ZaiWebhookSignature.headerName.toLowerCase()] ?? ""
      const forged = header.replace(/v=./, (prefix) => (prefix.endsWith("A") ? "v=B" : "v=A"))
      const receipts = [
        yield* handle(sent.body, { "Webhooks-signature": forged }),
        yield* handle(sent.body, {}),
        yield* handle(sent.body.replace('"active":true', '"active":false'), sent.headers),
      ]
      expect(receipts.map((receipt) => receipt.status)).toEqual([401, 401, 401])
      // Signed by Zai, but six minutes old: a replay.
      yield* TestClock.adjust("6 minutes")
      expect((yield* handle(sent.body, sent.headers)).status).toBe(401)
      const now = String(Math.floor((yield* TestClock.currentTimeMillis) / 1000))
      const notJson = "{not json"
      const signature = ZaiWebhookSignature.sign(ZaiStack.webhookSecret, now, notJson)
      const unreadable = yield* handle(notJson, { "Webhooks-signature": `t=${now},v=${Redacted.value(signature)}` })
      expect(unreadable.status).toBe(400)
      expect((yield* lifecycle.get(held.key))._tag).toBe("Active")
    }).pipe(Effect.provide(stack("webhook-forged"))),
  )

  it.effect("answer 200 to object types that concern no token, and to Zai's subscription test", () =>
    Effect.gen(function* () {
      const { handle } = yield* receiving
      const now = String(Math.floor((yield* TestClock.currentTimeMillis) / 1000))
      for (const body of ['{"message":"Zai callback test"}', '{"users":{"id":"buyer-1"}}', '{"items":{"id":"i-1"}}']) {
        const signature = ZaiWebhookSignature.sign(ZaiStack.webhookSecret, now, body)
        const receipt = yield* handle(body, { "webhooks-signature": `t=${now},v=${Redacted.value(signature)}` })
        expect([body, receipt]).toEqual([body, { status: 200, outcomes: [] }])
      }
      const malformed = '{"card_accounts":{"id":""}}'
      const signature = ZaiWebhookSignature.sign(ZaiStack.webhookSecret, now, malformed)
      const receipt = yield* handle(malformed, { "webhooks-signature": `t=${now},v=${Redacted.value(signature)}` })
      expect(receipt.status).toBe(400)
    }).pipe(Effect.provide(stack("webhook-other"))),
  )
})
