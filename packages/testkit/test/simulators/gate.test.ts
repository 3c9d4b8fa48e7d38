/**
 * The Gate simulator in process, driven with plain HTTP requests (never the adapter): signature
 * checks, the token rules, payments, callbacks and their delivery options, injected faults, and
 * that no card number leaves it.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as GateDelivery from "../../src/simulators/gate/GateDelivery.js"
import * as GateHttpClient from "../../src/simulators/gate/GateHttpClient.js"
import * as GateJson from "../../src/simulators/gate/GateJson.js"
import * as GateSignature from "../../src/simulators/gate/GateSignature.js"
import { defaultBaseUrl, GateSimulator } from "../../src/simulators/gate/GateSimulator.js"
import * as Faults from "../../src/simulators/shared/Faults.js"
import { droppedConnection, jsonOf } from "./Answers.js"

const project = { id: 123, secret: "simulator-secret" }
const otherProject = { id: 456, secret: "other-secret" }

const luhnDigit = (body: string): string => {
  for (let d = 0; d <= 9; d++) {
    const digits = body + d
    let sum = 0
    for (let i = 0; i < digits.length; i++) {
      let n = digits.charCodeAt(digits.length - 1 - i) - 48
      if (i % 2 === 1) n = n * 2 > 9 ? n * 2 - 9 : n * 2
      sum += n
    }
    if (sum % 10 === 0) return String(d)
  }
  throw new Error("unreachable")
}

/** Card numbers with distinctive middle digits, so a leak cannot hide in a masked form. */
const pan = `453957812345678${luhnDigit("453957812345678")}`
const otherPan = `555555902468135${luhnDigit("555555902468135")}`
const cvv = "918"

/** Replaces the test card numbers, so a failing assertion never prints one. */
const scrub = <A>(value: A): A =>
  JSON.parse(JSON.stringify(value).replaceAll(pan, "<card number>").replaceAll(otherPan, "<card number>"))

const paths = {
  tokenize: "/v2/customer/card/tokenize",
  bytoken: "/v2/customer/card/bytoken",
  revoke: "/v2/customer/card/token/revoke",
  sale: "/v2/payment/card/sale/token",
  payout: "/v2/payment/card/payout/token",
  verification: "/v2/payment/card/account_verification/token",
}

type Body = Record<string, Record<string, unknown> | string | undefined>

/** Signs `body` as a Gate client does: `general.signature` when there is a `general`, else `customer.signature`. */
const signed = (body: Body, secret = project.secret): Body => {
  const signature = GateSignature.sign(body, secret)
  const at = body.general !== undefined ? "general" : "customer"
  return { ...body, [at]: { ...(body[at] as Record<string, unknown>), signature } }
}

interface Answer {
  readonly status: number
  readonly text: string
  readonly json: Record<string, unknown>
}

const sendRaw = (path: string, text: string, contentType = "application/json") =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(
      HttpClientRequest.post(`${defaultBaseUrl}${path}`).pipe(HttpClientRequest.bodyText(text, contentType)),
    )
    const body = yield* response.text
    // Left empty when not JSON: the malformed-body tests look at the text.
    const json = scrub((jsonOf(body) ?? {}) as Record<string, unknown>)
    return { status: response.status, text: body, json } satisfies Answer
  }).pipe(Effect.scoped)

const send = (path: string, body: Body) => sendRaw(path, JSON.stringify(body))

const tokenizeBody = (options?: {
  readonly customer?: string
  readonly pan?: string
  readonly month?: number
  readonly year?: number
  readonly projectId?: number
}): Body => ({
  customer: {
    id: options?.customer ?? "customer_1",
    ip_address: "198.51.100.47",
    project_id: options?.projectId ?? project.id,
  },
  card: {
    pan: options?.pan ?? pan,
    year: options?.year ?? 2030,
    month: options?.month ?? 12,
    card_holder: "JANE ROE",
    cvv,
  },
})

const tokenBody = (token: string, customer = "customer_1"): Body => ({
  customer: { id: customer, project_id: project.id },
  token,
})

const paymentBody = (token: string, paymentId: string, customer = "customer_1"): Body => ({
  general: { project_id: project.id, payment_id: paymentId },
  customer: { id: customer, ip_address: "198.51.100.47" },
  payment: { amount: 1000, currency: "EUR" },
  token,
})

const simulator = GateHttpClient.layerWithSimulator({ projects: [project, otherProject], seed: "gate-tests" })

const parseCallback = (body: string) => scrub(JSON.parse(body)) as Record<string, Record<string, unknown> | string>

/** Tokenizes, delivers the token callback and returns the token it carries. */
const tokenize = (options?: Parameters<typeof tokenizeBody>[0]) =>
  Effect.gen(function* () {
    const answer = yield* send(paths.tokenize, signed(tokenizeBody(options)))
    expect(answer.status).toBe(200)
    const delivered = yield* Effect.flatMap(GateSimulator, (s) => s.deliverDue)
    const callback = delivered.at(-1)
    if (callback === undefined) throw new Error("no token callback")
    return parseCallback(callback.body).token as string
  })

describe("Gate simulator: authentication", () => {
  it.effect("refuses an unsigned request with 3262 Empty signature", () =>
    Effect.gen(function* () {
      const answer = yield* send(paths.tokenize, tokenizeBody())
      expect(answer.status).toBe(403)
      expect(answer.json).toMatchObject({ status: "error", code: 3262, message: "Empty signature", project_id: 123 })
      expect(typeof answer.json.request_id).toBe("string")
      expect(yield* Effect.flatMap(GateSimulator, (s) => s.tokens)).toHaveLength(0)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("refuses a tampered body and a wrong secret with 3261 Invalid signature", () =>
    Effect.gen(function* () {
      const body = signed(tokenizeBody())
      const tampered = { ...body, card: { ...(body.card as Record<string, unknown>), card_holder: "MALLORY" } }
      const first = yield* send(paths.tokenize, tampered)
      expect(first.status).toBe(403)
      expect(first.json).toMatchObject({ status: "error", code: 3261, message: "Invalid signature" })
      const second = yield* send(paths.tokenize, signed(tokenizeBody(), otherProject.secret))
      expect(second.json.code).toBe(3261)
      // A payment signed in `customer` instead of `general` has no signature where Gate looks.
      const misplaced = paymentBody("t".repeat(64), "p-1")
      const sig = GateSignature.sign(misplaced, project.secret)
      const third = yield* send(paths.sale, {
        ...misplaced,
        customer: { ...(misplaced.customer as object), signature: sig },
      })
      expect(third.json.code).toBe(3262)
      expect(yield* Effect.flatMap(GateSimulator, (s) => s.tokens)).toHaveLength(0)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("refuses an unknown project (303), a missing project id (2442), a non-JSON body (2003)", () =>
    Effect.gen(function* () {
      const unknown = yield* send(paths.tokenize, signed(tokenizeBody({ projectId: 999 })))
      expect([unknown.status, unknown.json.code]).toEqual([403, 303])
      const { customer, ...rest } = tokenizeBody()
      const noProject = yield* send(paths.tokenize, {
        ...rest,
        customer: { id: (customer as Record<string, unknown>).id },
      })
      expect([noProject.status, noProject.json.code]).toEqual([400, 2442])
      const notJson = yield* sendRaw(paths.tokenize, "{not json")
      expect([notJson.status, notJson.json.code]).toEqual([400, 2003])
      const form = yield* sendRaw(paths.tokenize, JSON.stringify(signed(tokenizeBody())), "text/plain")
      expect(form.json.code).toBe(2003)
      const nowhere = yield* send("/v2/customer/card/nothing", signed(tokenizeBody()))
      expect(nowhere.status).toBe(404)
    }).pipe(Effect.provide(simulator)),
  )
})

describe("Gate simulator: tokenize", () => {
  it.effect("answers accepted, then sends a signed token callback with the masked card", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      yield* sim.setTime(Date.UTC(2026, 3, 5, 10, 20, 30))
      const answer = yield* send(paths.tokenize, signed(tokenizeBody()))
      expect(answer.status).toBe(200)
      expect(Object.keys(answer.json).sort()).toEqual(["project_id", "request_id", "status"])
      expect(answer.json).toMatchObject({ status: "success", project_id: 123 })

      expect(yield* sim.pendingCallbacks).toHaveLength(1)
      const [delivered] = yield* sim.deliverDue
      if (delivered === undefined) throw new Error("no callback")
      expect(delivered.kind).toBe("token")
      const callback = GateJson.parse(delivered.body)
      const signature = GateJson.at(callback, "general", "signature")
      expect(GateSignature.verify(callback, signature as string, project.secret)).toBe(true)
      expect(GateSignature.verify(callback, signature as string, otherProject.secret)).toBe(false)
      const plain = parseCallback(delivered.body)
      expect(plain).toMatchObject({
        general: { project_id: 123 },
        request: { id: answer.json.request_id, action: "tokenize", status: "success" },
        customer: { id: "customer_1" },
        token_status: "active",
        token_created_at: "2026-04-05T10:20:30+0000",
        card: { number: `${pan.slice(0, 6)}******${pan.slice(-4)}`, exp_month: 12, exp_year: 2030, holder: "JANE ROE" },
      })
      expect(plain.token).toMatch(/^[0-9a-f]{64}$/)
      expect(yield* sim.pendingCallbacks).toHaveLength(0)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("the same card for the same customer keeps its token; a new expiry updates it", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      const first = yield* tokenize()
      const again = yield* tokenize()
      expect(again).toBe(first)
      const renewed = yield* tokenize({ month: 3, year: 2033 })
      expect(renewed).toBe(first)
      const tokens = yield* sim.tokens
      expect(tokens).toHaveLength(1)
      expect(tokens[0]).toMatchObject({ token: first, expMonth: 3, expYear: 2033, status: "active" })

      const otherCustomer = yield* tokenize({ customer: "customer_2" })
      const otherCard = yield* tokenize({ pan: otherPan })
      expect(new Set([first, otherCustomer, otherCard]).size).toBe(3)
      expect(yield* sim.tokens).toHaveLength(3)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("refuses missing fields (2004), a Luhn-invalid number (502), an expired card (3021)", () =>
    Effect.gen(function* () {
      const missing = yield* send(paths.tokenize, signed({ customer: { id: "c", project_id: 123 }, card: { pan } }))
      expect([missing.status, missing.json.code]).toEqual([400, 2004])
      expect((missing.json.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual([
        "card.card_holder",
        "card.month",
        "card.year",
        "customer.ip_address",
      ])
      const luhn = yield* send(
        paths.tokenize,
        signed(tokenizeBody({ pan: `${pan.slice(0, -1)}${(Number(pan.at(-1)) + 1) % 10}` })),
      )
      expect([luhn.status, luhn.json.code]).toEqual([400, 502])
      expect((luhn.json.errors as Array<{ field: string }>)[0]?.field).toBe("card.pan")
      const sim = yield* GateSimulator
      yield* sim.setTime(Date.UTC(2030, 0, 1))
      const expired = yield* send(paths.tokenize, signed(tokenizeBody({ month: 12, year: 2029 })))
      expect([expired.status, expired.json.code, expired.json.message]).toEqual([400, 3021, "Card expired"])
      const badMonth = yield* send(paths.tokenize, signed(tokenizeBody({ month: 13 })))
      expect(badMonth.json.code).toBe(502)
      expect(yield* sim.tokens).toHaveLength(0)
      expect(yield* sim.pendingCallbacks).toHaveLength(0)
    }).pipe(Effect.provide(simulator)),
  )
})

describe("Gate simulator: tokens in use", () => {
  it.effect("a token pays any number of times; each payment sends a signed payment callback", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      const token = yield* tokenize()
      for (const [path, id, type] of [
        [paths.sale, "order-1", "sale"],
        [paths.sale, "order-2", "sale"],
        [paths.payout, "payout-1", "payout"],
        [paths.verification, "verify-1", "account_verification"],
      ] as const) {
        const answer = yield* send(path, signed(paymentBody(token, id)))
        expect(answer.status).toBe(200)
        expect(answer.json).toMatchObject({ status: "success", project_id: 123, payment_id: id })
        const [delivered] = yield* sim.deliverDue
        if (delivered === undefined) throw new Error("no callback")
        expect(delivered.kind).toBe("payment")
        const callback = GateJson.parse(delivered.body)
        expect(GateSignature.verify(callback, GateJson.at(callback, "signature") as string, project.secret)).toBe(true)
        expect(parseCallback(delivered.body)).toMatchObject({
          project_id: 123,
          payment: { id, status: "success", sum: { amount: 1000, currency: "EUR" } },
          customer: { id: "customer_1" },
          account: {
            token,
            number: `${pan.slice(0, 6)}******${pan.slice(-4)}`,
            type: "visa",
            expiry_month: "12",
            expiry_year: "2030",
          },
          operation: { type, status: "success", code: "0", request_id: answer.json.request_id },
        })
      }
      expect(yield* sim.payments).toHaveLength(4)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("a payment id is taken once per project, only by an accepted payment", () =>
    Effect.gen(function* () {
      const token = yield* tokenize()
      const refused = yield* send(paths.sale, signed(paymentBody("f".repeat(64), "order-1")))
      expect(refused.json.code).toBe(3027)
      const first = yield* send(paths.sale, signed(paymentBody(token, "order-1")))
      expect(first.status).toBe(200)
      const duplicate = yield* send(paths.payout, signed(paymentBody(token, "order-1")))
      expect([duplicate.status, duplicate.json.code, duplicate.json.message]).toEqual([
        400,
        3041,
        "Payment ID already exists",
      ])
      expect(yield* Effect.flatMap(GateSimulator, (s) => s.payments)).toHaveLength(1)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("token errors: none (3221), malformed or unknown (3027), another customer's (3101)", () =>
    Effect.gen(function* () {
      const token = yield* tokenize()
      const { token: _, ...withoutToken } = paymentBody(token, "p-1")
      const none = yield* send(paths.sale, signed(withoutToken))
      expect([none.status, none.json.code]).toEqual([400, 3221])
      const short = yield* send(paths.sale, signed(paymentBody(token.slice(1), "p-2")))
      expect(short.json.code).toBe(3027)
      const unknown = yield* send(paths.bytoken, signed(tokenBody("0".repeat(64))))
      expect(unknown.json.code).toBe(3027)
      const foreign = yield* send(paths.sale, signed(paymentBody(token, "p-3", "customer_2")))
      expect([foreign.status, foreign.json.code, foreign.json.message]).toEqual([400, 3101, "Card not found"])
      const foreignRevoke = yield* send(paths.revoke, signed(tokenBody(token, "customer_2")))
      expect(foreignRevoke.json.code).toBe(3101)
      const otherProjectBody = { customer: { id: "customer_1", project_id: otherProject.id }, token }
      const otherProjectAnswer = yield* send(paths.bytoken, signed(otherProjectBody, otherProject.secret))
      expect(otherProjectAnswer.json.code).toBe(3027)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("card by token answers at once with the token's status and masked card", () =>
    Effect.gen(function* () {
      const token = yield* tokenize()
      const answer = yield* send(paths.bytoken, signed(tokenBody(token)))
      expect(answer.status).toBe(200)
      expect(answer.json).toMatchObject({
        status: "success",
        project_id: 123,
        customer: { id: "customer_1" },
        token,
        token_status: "active",
        card: { number: `${pan.slice(0, 6)}******${pan.slice(-4)}`, exp_month: 12, exp_year: 2030 },
      })
      expect(yield* Effect.flatMap(GateSimulator, (s) => s.pendingCallbacks)).toHaveLength(0)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("revoke: accepted, confirmed by a `revoke` callback, then payments are refused", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      const token = yield* tokenize()
      const answer = yield* send(paths.revoke, signed(tokenBody(token)))
      expect(answer.status).toBe(200)
      const [delivered] = yield* sim.deliverDue
      if (delivered === undefined) throw new Error("no callback")
      const callback = GateJson.parse(delivered.body)
      expect(
        GateSignature.verify(callback, GateJson.at(callback, "general", "signature") as string, project.secret),
      ).toBe(true)
      expect(parseCallback(delivered.body)).toMatchObject({
        request: { action: "revoke", status: "success", id: answer.json.request_id },
        token,
        token_status: "revoke",
      })
      const sale = yield* send(paths.sale, signed(paymentBody(token, "after-revoke")))
      expect([sale.status, sale.json.code]).toEqual([400, 3027])
      const read = yield* send(paths.bytoken, signed(tokenBody(token)))
      expect(read.json.token_status).toBe("revoke")
      // Revoking again is accepted and confirmed again.
      const again = yield* send(paths.revoke, signed(tokenBody(token)))
      expect(again.status).toBe(200)
      // The same card afterwards gets a new token.
      const fresh = yield* tokenize()
      expect(fresh).not.toBe(token)
      expect((yield* sim.tokens).map((t) => t.status).sort()).toEqual(["active", "revoke"])
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("a token expires with its card: valid through the month's last day (UTC), then `expiry`", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      yield* TestClock.setTime(Date.UTC(2030, 11, 15))
      const token = yield* tokenize({ month: 12, year: 2030 })
      yield* TestClock.setTime(Date.UTC(2030, 11, 31, 23, 59, 59))
      const lastDay = yield* send(paths.sale, signed(paymentBody(token, "last-day")))
      expect(lastDay.status).toBe(200)
      yield* sim.advanceClock("1 second")
      const expired = yield* send(paths.sale, signed(paymentBody(token, "too-late")))
      expect([expired.status, expired.json.code]).toEqual([400, 3021])
      const read = yield* send(paths.bytoken, signed(tokenBody(token)))
      expect(read.json.token_status).toBe("expiry")
      expect((yield* sim.tokens)[0]?.status).toBe("expiry")
      // A renewed card (same number, later expiry) gets a new token: the old one is no longer valid.
      const renewed = yield* tokenize({ month: 12, year: 2034 })
      expect(renewed).not.toBe(token)
    }).pipe(Effect.provide(simulator)),
  )
})

describe("Gate simulator: callback delivery", () => {
  it.effect("the sink receives exactly the signed bytes, duplicated as configured", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      const received = yield* Ref.make<ReadonlyArray<string>>([])
      yield* sim.configureCallbacks({
        duplicate: 3,
        sink: ({ body }) => Ref.update(received, (all) => [...all, body]),
      })
      yield* send(paths.tokenize, signed(tokenizeBody()))
      const delivered = yield* sim.deliverDue
      const bodies = yield* Ref.get(received)
      expect(bodies).toHaveLength(3)
      expect(new Set(bodies).size).toBe(1)
      expect(bodies[0]).toBe(delivered[0]?.body)
      const callback = GateJson.parse(bodies[0] as string)
      expect(
        GateSignature.verify(callback, GateJson.at(callback, "general", "signature") as string, project.secret),
      ).toBe(true)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("a batch is delivered reversed or shuffled when asked", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      const customers = ["c1", "c2", "c3", "c4", "c5", "c6"]
      for (const customer of customers) yield* send(paths.tokenize, signed(tokenizeBody({ customer })))
      yield* sim.configureCallbacks({ order: "reverse" })
      const reversed = yield* sim.deliverDue
      expect(reversed.map((d) => (parseCallback(d.body).customer as { id: string }).id)).toEqual(
        [...customers].reverse(),
      )

      for (const customer of customers) yield* send(paths.tokenize, signed(tokenizeBody({ customer, pan: otherPan })))
      yield* sim.configureCallbacks({ order: "shuffle" })
      const shuffled = (yield* sim.deliverDue).map((d) => (parseCallback(d.body).customer as { id: string }).id)
      expect([...shuffled].sort()).toEqual(customers)
      expect(shuffled).not.toEqual(customers)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("delayed callbacks wait for the clock; the request's callback.delay and force_disable are honoured", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      yield* sim.configureCallbacks({ delay: "30 seconds" })
      yield* send(paths.tokenize, signed(tokenizeBody()))
      expect(yield* sim.deliverDue).toHaveLength(0)
      yield* sim.advanceClock("29 seconds")
      expect(yield* sim.deliverDue).toHaveLength(0)
      yield* sim.advanceClock("1 second")
      expect(yield* sim.deliverDue).toHaveLength(1)

      yield* sim.configureCallbacks({ delay: 0 })
      yield* send(paths.tokenize, signed({ ...tokenizeBody({ customer: "c2" }), callback: { delay: 60 } } as Body))
      yield* sim.advanceClock("59 seconds")
      expect(yield* sim.deliverDue).toHaveLength(0)
      yield* sim.advanceClock("1 second")
      expect(yield* sim.deliverDue).toHaveLength(1)

      yield* send(
        paths.tokenize,
        signed({ ...tokenizeBody({ customer: "c3" }), callback: { force_disable: 1 } } as Body),
      )
      expect(yield* sim.pendingCallbacks).toHaveLength(0)
      expect(yield* sim.tokens).toHaveLength(3)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("a refused delivery is sent again after 10 seconds", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      const calls = yield* Ref.make(0)
      yield* sim.configureCallbacks({
        sink: () =>
          Effect.flatMap(
            Ref.updateAndGet(calls, (n) => n + 1),
            (n) => (n === 1 ? Effect.fail("503") : Effect.void),
          ),
      })
      yield* send(paths.tokenize, signed(tokenizeBody()))
      const [first] = yield* sim.deliverDue
      expect(first?.accepted).toBe(false)
      expect((yield* sim.pendingCallbacks)[0]?.attempts).toBe(1)
      yield* sim.advanceClock("9 seconds")
      expect(yield* sim.deliverDue).toHaveLength(0)
      yield* sim.advanceClock("1 second")
      const [second] = yield* sim.deliverDue
      expect(second).toMatchObject({ accepted: true, attempt: 2, body: first?.body })
      expect(yield* sim.pendingCallbacks).toHaveLength(0)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("in auto mode callbacks go out by themselves when due", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      const received = yield* Ref.make<ReadonlyArray<string>>([])
      yield* sim.configureCallbacks({
        mode: "auto",
        delay: "5 seconds",
        sink: ({ body }) => Ref.update(received, (all) => [...all, body]),
      })
      yield* send(paths.tokenize, signed(tokenizeBody()))
      yield* TestClock.adjust("4 seconds")
      expect(yield* Ref.get(received)).toHaveLength(0)
      yield* TestClock.adjust("1 second")
      expect(yield* Ref.get(received)).toHaveLength(1)
    }).pipe(Effect.provide(simulator)),
  )
})

describe("Gate simulator: options", () => {
  it.effect("signAnswers adds a verifiable top-level signature to accepted answers", () =>
    Effect.gen(function* () {
      const answer = yield* send(paths.tokenize, signed(tokenizeBody()))
      expect(answer.status).toBe(200)
      const parsed = GateJson.parse(answer.text)
      const signature = GateJson.at(parsed, "signature")
      expect(typeof signature).toBe("string")
      expect(GateSignature.verify(parsed, signature as string, project.secret)).toBe(true)
      const refused = yield* send(paths.tokenize, tokenizeBody())
      expect(refused.json.signature).toBeUndefined()
    }).pipe(Effect.provide(GateHttpClient.layerWithSimulator({ projects: [project], signAnswers: true }))),
  )

  it.effect("cardInTokenCallbacks: false leaves the card out of token callbacks and card-by-token answers", () =>
    Effect.gen(function* () {
      const token = yield* tokenize()
      const delivered = yield* Effect.flatMap(GateSimulator, (s) => s.deliveredCallbacks)
      expect(delivered.map((d) => parseCallback(d.body).card)).toEqual([undefined])
      const read = yield* send(paths.bytoken, signed(tokenBody(token)))
      expect(read.status).toBe(200)
      expect(read.json.card).toBeUndefined()
    }).pipe(Effect.provide(GateHttpClient.layerWithSimulator({ projects: [project], cardInTokenCallbacks: false }))),
  )

  it.effect("payoutNeedsPurchase refuses a payout (3107) until the token has paid a purchase", () =>
    Effect.gen(function* () {
      const token = yield* tokenize()
      const early = yield* send(paths.payout, signed(paymentBody(token, "payout-1")))
      expect([early.status, early.json.code]).toEqual([400, 3107])
      expect((yield* send(paths.sale, signed(paymentBody(token, "sale-1")))).status).toBe(200)
      expect((yield* send(paths.payout, signed(paymentBody(token, "payout-1")))).status).toBe(200)
    }).pipe(Effect.provide(GateHttpClient.layerWithSimulator({ projects: [project], payoutNeedsPurchase: true }))),
  )

  it.effect("a callback never accepted is sent 120 times on Gate's schedule, then abandoned", () =>
    Effect.gen(function* () {
      expect([2, 7].map(GateDelivery.resendDelayMillis)).toEqual([10_000, 10_000])
      expect(GateDelivery.resendDelayMillis(8)).toBeCloseTo((70 + 10 * 1.12 ** 4) * 1000)
      expect(GateDelivery.resendDelayMillis(100)).toBe(4 * 60 * 60 * 1000)
      const sim = yield* GateSimulator
      yield* sim.configureCallbacks({ sink: () => Effect.fail("refused") })
      yield* send(paths.tokenize, signed(tokenizeBody()))
      for (let i = 0; i < 130; i++) {
        yield* sim.deliverDue
        yield* sim.advanceClock("4 hours")
      }
      const attempts = (yield* sim.deliveredCallbacks).map((d) => d.attempt)
      expect(attempts).toHaveLength(GateDelivery.maxAttempts)
      expect(attempts.at(-1)).toBe(120)
      expect(yield* sim.pendingCallbacks).toHaveLength(0)
      expect(yield* sim.abandonedCallbacks).toHaveLength(1)
    }).pipe(Effect.provide(simulator)),
  )
})

describe("Gate simulator: faults", () => {
  it.effect("server errors: 500/503 with Gate-like bodies, for the next N requests, nothing processed", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      yield* sim.injectFault(Faults.serverError(503), { endpoint: "tokenize", times: 1 })
      yield* sim.injectFault(Faults.serverError(500), { endpoint: "tokenize", times: 1 })
      const first = yield* send(paths.tokenize, signed(tokenizeBody()))
      expect(first.status).toBe(503)
      expect(first.json).toMatchObject({ status: "error", code: 601, message: "Try again" })
      const second = yield* send(paths.tokenize, signed(tokenizeBody()))
      expect(second.status).toBe(500)
      expect(second.json).toMatchObject({ status: "error", code: 501, message: "Internal error" })
      expect(yield* sim.tokens).toHaveLength(0)
      const third = yield* send(paths.tokenize, signed(tokenizeBody()))
      expect(third.status).toBe(200)
      expect((yield* sim.requests).map((r) => r.fault)).toEqual(["ServerError", "ServerError", undefined])
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("faults scoped to an endpoint leave the others alone", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      yield* sim.injectFault(Faults.serverError(), { endpoint: "sale" })
      const token = yield* tokenize()
      expect((yield* send(paths.sale, signed(paymentBody(token, "a")))).status).toBe(500)
      expect((yield* send(paths.sale, signed(paymentBody(token, "b")))).status).toBe(500)
      expect((yield* send(paths.payout, signed(paymentBody(token, "c")))).status).toBe(200)
      yield* sim.clearFaults
      expect((yield* send(paths.sale, signed(paymentBody(token, "a")))).status).toBe(200)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("slow answers: processed at once, answered after the delay (TestClock)", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      yield* sim.injectFault(Faults.slow("10 seconds"), { times: 1 })
      const fiber = yield* Effect.fork(send(paths.tokenize, signed(tokenizeBody())))
      yield* TestClock.adjust("9 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      expect(yield* sim.tokens).toHaveLength(1)
      yield* TestClock.adjust("1 second")
      const answer = yield* Fiber.join(fiber)
      expect(answer.status).toBe(200)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("dropped connections fail with a Transport RequestError, before or after processing", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      yield* sim.injectFault(Faults.drop(), { times: 1 })
      const before = yield* Effect.either(send(paths.tokenize, signed(tokenizeBody())))
      expect(droppedConnection(before)).toBe(true)
      expect(yield* sim.tokens).toHaveLength(0)

      yield* sim.injectFault(Faults.drop({ afterProcessing: true }), { times: 1 })
      const after = yield* Effect.either(send(paths.tokenize, signed(tokenizeBody())))
      expect(droppedConnection(after)).toBe(true)
      expect(yield* sim.tokens).toHaveLength(1)
      expect(yield* sim.pendingCallbacks).toHaveLength(1)
      expect((yield* sim.requests).map((r) => r.status)).toEqual(["dropped", "dropped"])
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("malformed bodies: not JSON, truncated JSON, JSON of the wrong shape", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      yield* sim.injectFault(Faults.malformed("not-json"), { times: 1 })
      yield* sim.injectFault(Faults.malformed("truncated"), { times: 1 })
      yield* sim.injectFault(Faults.malformed("wrong-shape"), { times: 1 })
      const notJson = yield* send(paths.tokenize, signed(tokenizeBody()))
      expect(notJson.status).toBe(200)
      expect(() => JSON.parse(notJson.text)).toThrow()
      const truncated = yield* send(paths.tokenize, signed(tokenizeBody()))
      expect(() => JSON.parse(truncated.text)).toThrow()
      expect(truncated.text.startsWith('{"status":"success"')).toBe(true)
      const wrongShape = yield* send(paths.tokenize, signed(tokenizeBody()))
      expect(wrongShape.status).toBe(200)
      expect(typeof wrongShape.json.status).not.toBe("string")
      expect(typeof wrongShape.json.request_id).not.toBe("string")
      // Each was processed: one token, three callbacks.
      expect(yield* sim.tokens).toHaveLength(1)
      expect(yield* sim.pendingCallbacks).toHaveLength(3)
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("faults by probability follow the seed: the same seed, the same failures", () => {
    const run = Effect.gen(function* () {
      const sim = yield* GateSimulator
      yield* sim.injectFault(Faults.serverError(503), { probability: 0.5 })
      const statuses: Array<number> = []
      for (let i = 0; i < 40; i++) statuses.push((yield* send(paths.tokenize, signed(tokenizeBody()))).status)
      return statuses
    })
    const seeded = (seed: string) =>
      run.pipe(Effect.provide(GateHttpClient.layerWithSimulator({ projects: [project], seed })))
    return Effect.gen(function* () {
      const first = yield* seeded("faults")
      const again = yield* seeded("faults")
      const other = yield* seeded("other-faults")
      expect(again).toEqual(first)
      expect(other).not.toEqual(first)
      const failures = first.filter((s) => s === 503).length
      expect(failures).toBeGreaterThan(5)
      expect(failures).toBeLessThan(35)
      expect(first.filter((s) => s !== 503).every((s) => s === 200)).toBe(true)
    })
  })
})

describe("Gate simulator: card data", () => {
  it.effect("no answer, callback, record or log holds the card number or the CVV", () =>
    Effect.gen(function* () {
      const sim = yield* GateSimulator
      yield* sim.setTime(Date.UTC(2026, 0, 1))
      const texts: Array<string> = []
      const keep = (answer: Answer) => {
        texts.push(answer.text)
        return answer
      }
      keep(yield* send(paths.tokenize, tokenizeBody()))
      keep(yield* send(paths.tokenize, signed(tokenizeBody({ year: 2020 }))))
      keep(yield* send(paths.tokenize, signed({ customer: { id: "c", project_id: 123 }, card: { pan, cvv } })))
      const token = yield* tokenize()
      keep(yield* send(paths.tokenize, signed(tokenizeBody({ month: 6, year: 2031 }))))
      keep(yield* send(paths.bytoken, signed(tokenBody(token))))
      keep(yield* send(paths.sale, signed(paymentBody(token, "s-1"))))
      keep(yield* send(paths.payout, signed(paymentBody(token, "s-1"))))
      keep(yield* send(paths.verification, signed(paymentBody(token, "v-1"))))
      keep(yield* send(paths.revoke, signed(tokenBody(token))))
      yield* sim.deliverDue
      for (const delivered of yield* sim.deliveredCallbacks) texts.push(delivered.body)
      texts.push(JSON.stringify(yield* sim.tokens), JSON.stringify(yield* sim.payments))
      texts.push(JSON.stringify(yield* sim.requests))
      expect(texts.length).toBeGreaterThan(12)
      const leaks = texts.filter(
        (text) => text.includes(pan) || text.includes(pan.slice(6, 12)) || text.includes(`"${cvv}"`),
      )
      // Counted, not printed: a failure message must not carry card data.
      expect(leaks.length).toBe(0)
      expect(texts.some((text) => text.includes(`${pan.slice(0, 6)}******${pan.slice(-4)}`))).toBe(true)
    }).pipe(Effect.provide(simulator)),
  )
})
