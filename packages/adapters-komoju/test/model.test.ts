/**
 * Model-based test of the KOMOJU adapter: the real `TokenLifecycle` over `KomojuGateway`, its
 * requests answered in process by the testkit's KOMOJU simulator, and KOMOJU's signed webhooks
 * fed back through `KomojuWebhooks` as often, and in the order, each command chooses. Beside it
 * runs the plain-data model of `KomojuModel.ts`; after every command the tokens, their
 * histories, KOMOJU's books and the webhooks KOMOJU sent must be what the model says.
 *
 * Payments are made through the lifecycle, and also straight through the gateway, as another
 * server holding the token id would: the lifecycle then learns of the use by webhook only.
 *
 * Three properties: the model; invariant 10 (a command list run twice, once delivering every
 * webhook once in order and once as generated, ends in the same states); and the model under
 * injected faults on token creation and payments (5xx, dropped connections before and after
 * KOMOJU acts, answers past the timeout, which KOMOJU keeps in flight and answers 409 to while
 * it does, and garbled answers): no payment is ever made twice for one idempotency key, and no
 * token is spent twice.
 */
import { describe, expect, it } from "@effect/vitest"
import type { LifecycleEvent } from "@token-lifecycle/domain/Event"
import { type TokenKey, UseReference } from "@token-lifecycle/domain/Identifiers"
import * as Policy from "@token-lifecycle/domain/Policy"
import type { Token } from "@token-lifecycle/domain/Token"
import { TokenGateway } from "@token-lifecycle/domain/TokenGateway"
import { layer as lifecycleLayer, TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as InMemoryTokenRepository from "@token-lifecycle/testkit/InMemoryTokenRepository"
import * as ManualClock from "@token-lifecycle/testkit/ManualClock"
import * as Runs from "@token-lifecycle/testkit/Runs"
import * as SequentialIdentity from "@token-lifecycle/testkit/SequentialIdentity"
import type { PaymentRecord, TokenView } from "@token-lifecycle/testkit/simulators/komoju/KomojuBooks"
import * as KomojuHttpClient from "@token-lifecycle/testkit/simulators/komoju/KomojuHttpClient"
import * as KomojuSimulator from "@token-lifecycle/testkit/simulators/komoju/KomojuSimulator"
import * as Faults from "@token-lifecycle/testkit/simulators/shared/Faults"
import type { Delivery } from "@token-lifecycle/testkit/simulators/shared/Outbox"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import * as fc from "fast-check"
import * as KomojuConfig from "../src/KomojuConfig.js"
import * as KomojuGateway from "../src/KomojuGateway.js"
import * as KomojuWebhooks from "../src/KomojuWebhooks.js"
import * as KomojuModel from "./KomojuModel.js"

const { hour, item } = KomojuModel

// ---------------------------------------------------------------------------
// Pools: small, so the same owner, card and token come back often
// ---------------------------------------------------------------------------

const merchant = {
  id: "merchant-model",
  secretKey: Redacted.make("sk_test_model_5d1e9a"),
  publishableKey: Redacted.make("pk_test_model_c07f42"),
  webhookSecret: Redacted.make("model-test-webhook-secret"),
}
const owners = ["customer-a", "customer-b"] as const
/** Redacted, and referred to by index everywhere else: no counterexample or failure prints one. */
const cardNumbers = [
  Redacted.make("4111111111111111"),
  Redacted.make("5555555555554444"),
  // KOMOJU's test number for a card its processor declines.
  Redacted.make("4123111111111059"),
] as const
const decliningCard = 2
const holderName = "TARO YAMADA"
const price = { amount: 2500, currency: "JPY" }
const start = Date.UTC(2026, 0, 1, 12)
/** Around the 24 hours a token lives, and across it. */
const steps = [hour, 6 * hour, 23 * hour, 25 * hour] as const
/** The adapter's timeout per attempt, and how long a slow KOMOJU takes: longer. */
const timeout = "2 seconds"
const slowAnswer = "5 seconds"
/** How far the clock is moved while a call that may meet faults runs: past every retry and timeout. */
const faultWindow = 60_000

/** Whether a text holds any card number of the pool. Only ever the boolean is reported. */
const leaksCardNumber = (text: string): boolean => cardNumbers.some((n) => text.includes(Redacted.value(n)))

// ---------------------------------------------------------------------------
// The real system
// ---------------------------------------------------------------------------

/**
 * Time for the runs without faults: it moves only when told, and nothing on it ever wakes (the
 * adapter's timeout must never fire). Runs with faults need sleeps to wake (retries, timeouts,
 * slow answers), so they take `TestClock` and move it while a call runs.
 */
const steppedClock = (startAt: number) => {
  const manual = ManualClock.make(startAt, { sleeps: "never-wake" })
  return { layer: Layer.setClock(manual.clock), advance: (millis: number) => Effect.runSync(manual.adjust(millis)) }
}

const servicesLayer = (options: {
  readonly seed: number
  readonly written: Set<TokenKey>
  readonly time: Layer.Layer<never>
}) => {
  const config = KomojuConfig.layer({
    secretKey: merchant.secretKey,
    publishableKey: merchant.publishableKey,
    timeout,
  })
  const gateway = KomojuGateway.layer.pipe(Layer.provide(Layer.mergeAll(KomojuHttpClient.layer(), config)))
  return lifecycleLayer({ policy: Policy.komoju }).pipe(
    Layer.provideMerge(
      Layer.mergeAll(gateway, InMemoryTokenRepository.layerNoting(options.written), SequentialIdentity.layer()),
    ),
    Layer.provideMerge(KomojuSimulator.layer({ merchants: [merchant], seed: options.seed })),
    Layer.provide(options.time),
  )
}

type Services = Layer.Layer.Success<ReturnType<typeof servicesLayer>>

interface Real {
  readonly runtime: ManagedRuntime.ManagedRuntime<Services, never>
  /** Moves the lifecycle's and KOMOJU's clock. */
  readonly advance: (millis: number) => Promise<void>
  readonly handle: (
    rawBody: string,
    headers: KomojuWebhooks.WebhookHeaders,
  ) => Effect.Effect<KomojuWebhooks.WebhookReceipt>
  /** Every token key the store wrote, in the order the tokens were created. */
  readonly written: Set<TokenKey>
  /** Every webhook KOMOJU sent, with its headers, in the order sent. */
  readonly sent: Array<Delivery>
  /** Webhooks sent and not yet delivered to the handler. */
  readonly inbox: Array<number>
  /** Webhooks delivered at least once, for a delivery again later. */
  readonly delivered: Array<number>
  /** Whether token creation and payments may meet faults, so the clock moves while they run. */
  readonly faults: boolean
  /** KOMOJU's token id of each model entry, learnt when first seen. */
  readonly entryIds: Map<number, string>
  payments: number
  /** Webhooks already compared with the model. */
  checkedWebhooks: number
}

const setup = async (seed: number, faults: boolean): Promise<Real> => {
  const written = new Set<TokenKey>()
  const stepped = steppedClock(start)
  const runtime = ManagedRuntime.make(
    servicesLayer({ seed, written, time: faults ? TestContext.TestContext : stepped.layer }),
  )
  const sent: Array<Delivery> = []
  const inbox: Array<number> = []
  // KOMOJU's outbox goes out whole after every command; the test then plays the network.
  await runtime.runPromise(
    Effect.gen(function* () {
      if (faults) yield* TestClock.setTime(start)
      const komoju = yield* KomojuSimulator.KomojuSimulator
      yield* komoju.configureWebhooks({
        sink: (delivery) =>
          Effect.sync(() => {
            sent.push(delivery)
            inbox.push(sent.length - 1)
          }),
      })
    }),
  )
  const handle = await runtime.runPromise(KomojuWebhooks.make(merchant.webhookSecret))
  return {
    runtime,
    advance: (millis) =>
      faults ? runtime.runPromise(TestClock.adjust(millis)) : Promise.resolve(stepped.advance(millis)),
    handle,
    written,
    sent,
    inbox,
    delivered: [],
    faults,
    entryIds: new Map(),
    payments: 0,
    checkedWebhooks: 0,
  }
}

const keys = (real: Real): ReadonlyArray<TokenKey> => [...real.written]

/**
 * Run one call, then let KOMOJU send what it queued. A call that may meet faults runs in a fiber
 * while the clock moves by `faultWindow`.
 */
const call = <A, E>(real: Real, effect: Effect.Effect<A, E, Services>, mayMeetFaults: boolean) =>
  real.runtime.runPromise(
    Effect.gen(function* () {
      const exit = mayMeetFaults
        ? yield* Effect.gen(function* () {
            const fiber = yield* Effect.fork(effect)
            yield* TestClock.adjust(faultWindow)
            return yield* Fiber.await(fiber)
          })
        : yield* Effect.exit(effect)
      yield* Effect.flatMap(KomojuSimulator.KomojuSimulator, (komoju) => komoju.deliverDue)
      return exit
    }),
  )

/** What an exit says: `ok`, or the failure's tag. Defects name no value, so no card number can show. */
const outcomeOf = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "ok"
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "defect"
  const error = failure.value
  return typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : typeof error
}

interface Observed {
  readonly tokens: ReadonlyArray<{ readonly token: Token; readonly events: ReadonlyArray<LifecycleEvent> }>
  readonly komojuTokens: ReadonlyArray<TokenView>
  readonly payments: ReadonlyArray<PaymentRecord>
}

/** Everything observable at once: every token written with its history, and KOMOJU's books. */
const observe = (real: Real): Promise<Observed> =>
  real.runtime.runPromise(
    Effect.gen(function* () {
      const lifecycle = yield* TokenLifecycle
      const komoju = yield* KomojuSimulator.KomojuSimulator
      const tokens = yield* Effect.forEach(keys(real), (key) =>
        Effect.all({
          token: lifecycle.get(key),
          events: Effect.map(lifecycle.history(key), (history) => history.map(({ event }) => event)),
        }),
      )
      return { tokens, komojuTokens: yield* komoju.tokens, payments: yield* komoju.payments }
    }).pipe(Effect.orDie),
  )

// ---------------------------------------------------------------------------
// Invariants that hold whatever the model says
// ---------------------------------------------------------------------------

const countBy = <A>(items: ReadonlyArray<A>, key: (a: A) => string | undefined): Map<string, number> => {
  const counts = new Map<string, number>()
  for (const a of items) {
    const k = key(a)
    if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  return counts
}

/**
 * - no payment made twice for one idempotency key, and no KOMOJU token made twice for one;
 * - no token spent twice: at most one payment per KOMOJU token;
 * - every payment made through the lifecycle is the reference of exactly one recorded use, of
 *   the token it paid with;
 * - nothing half-written: an active or used token has KOMOJU's token id, its issue time and an
 *   expiry 24 hours after it; a failed one has no token id;
 * - no card number in any state, history or book (invariant 9).
 */
const checkInvariants = (view: Observed) => {
  for (const [key, count] of countBy(view.payments, (p) => p.idempotencyKey)) {
    expect(count, `payments made for idempotency key ${key}`).toBe(1)
  }
  for (const [key, count] of countBy(view.komojuTokens, (t) => t.idempotencyKey)) {
    expect(count, `KOMOJU tokens made for idempotency key ${key}`).toBe(1)
  }
  for (const [token, count] of countBy(view.payments, (p) => p.token)) {
    expect(count, `payments with KOMOJU token ${token}`).toBe(1)
  }
  const uses = new Map<string, string | undefined>()
  for (const { token, events } of view.tokens) {
    const what = `token ${token.key}`
    if (token._tag === "Active" || token._tag === "Used") {
      expect(token.tokenId, `${what}: ${token._tag} without KOMOJU's token id`).toBeDefined()
      expect(token.expiresAt, `${what}: expiry`).toBe((token.issuedAt ?? Number.NaN) + KomojuModel.tokenLifetime)
    }
    if (token._tag === "Failed") expect(token.tokenId, `${what}: failed with a token id`).toBeUndefined()
    for (const event of events) {
      if (event._tag !== "TokenUsed") continue
      expect(uses.has(event.reference), `${what}: two uses under reference ${event.reference}`).toBe(false)
      uses.set(event.reference, token.tokenId)
    }
  }
  for (const payment of view.payments) {
    if (!payment.idempotencyKey?.startsWith("order-")) continue
    expect(uses.has(payment.idempotencyKey), `payment ${payment.idempotencyKey}: no recorded use under its key`).toBe(
      true,
    )
    expect(uses.get(payment.idempotencyKey) === payment.token, `payment ${payment.idempotencyKey}: another token`).toBe(
      true,
    )
  }
  expect(leaksCardNumber(JSON.stringify(view)), "a card number in a state, a history or KOMOJU's books").toBe(false)
}

// ---------------------------------------------------------------------------
// Comparing with the model
// ---------------------------------------------------------------------------

/** KOMOJU's token id for a model entry: a new entry has a new id, a known one keeps its id. */
const entryId = (real: Real, entry: number, seen: string, what: string) => {
  const known = real.entryIds.get(entry)
  if (known === undefined) {
    expect([...real.entryIds.values()].includes(seen), `${what}: a new KOMOJU token reuses another's id`).toBe(false)
    real.entryIds.set(entry, seen)
  } else {
    expect(seen === known, `${what}: KOMOJU's token id changed`).toBe(true)
  }
}

/** What a webhook KOMOJU sent says: its type and the KOMOJU token its payment was made with, by idempotency key. */
const readWebhook = (delivery: Delivery) => {
  const body = JSON.parse(delivery.body) as { type: string; data: { status: string; metadata: Record<string, string> } }
  return { type: body.type, status: body.data.status }
}

const compare = async (m: KomojuModel.Model, real: Real) => {
  expect(real.sent.length, "webhooks KOMOJU sent").toBe(m.webhooks.length)
  for (let i = real.checkedWebhooks; i < real.sent.length; i++) {
    const delivery = item(real.sent, i)
    expect(leaksCardNumber(delivery.body), `webhook ${i}: a card number`).toBe(false)
    const expected = item(m.webhooks, i)
    expect(readWebhook(delivery).type, `webhook ${i}: type`).toBe(expected.kind)
  }
  real.checkedWebhooks = real.sent.length

  const view = await observe(real)
  checkInvariants(view)

  // KOMOJU's books: its tokens, in the order made, and the payments it took.
  expect(view.komojuTokens.length, "tokens in KOMOJU's books").toBe(m.entries.length)
  m.entries.forEach((entry, i) => {
    const listed = item(view.komojuTokens, i)
    const what = `KOMOJU token #${i}`
    entryId(real, i, listed.id, what)
    expect(listed.createdAt, `${what}: created at`).toBe(entry.createdAt)
    const spent =
      entry.spentBy === undefined ? undefined : view.payments.find((p) => p.idempotencyKey === entry.spentBy)
    expect(listed.use?.id, `${what}: the payment that spent it`).toBe(spent?.id)
  })
  expect(view.payments.length, "payments in KOMOJU's books").toBe(m.payments.length)
  for (const payment of m.payments) {
    const taken = view.payments.find((p) => p.idempotencyKey === payment.key)
    expect(taken?.status, `payment ${payment.key}: status`).toBe(payment.status)
    expect(taken?.token, `payment ${payment.key}: token`).toBe(real.entryIds.get(payment.entry))
  }

  expect(view.tokens.length, "tokens").toBe(m.tokens.length)
  m.tokens.forEach((expected, i) => {
    const { token, events } = item(view.tokens, i)
    const what = `token #${i}`
    expect(
      events.map((event) => event._tag),
      `${what}: history`,
    ).toEqual(expected.history)
    expect(token._tag, `${what}: status`).toBe(expected.status)
    expect(token.uses, `${what}: uses`).toBe(expected.uses)
    expect(token.owner, `${what}: owner`).toBe(item(owners, expected.owner))
    if (expected.entry === undefined) {
      expect(token.tokenId, `${what}: a token id without KOMOJU's answer`).toBeUndefined()
      return
    }
    expect(token.tokenId, `${what}: KOMOJU's token id`).toBe(real.entryIds.get(expected.entry))
    expect(token.expiresAt, `${what}: expires at`).toBe(KomojuModel.expiresAt(m, expected))
  })
}

/** Under faults a call KOMOJU was asked may end either way; only a fair failure is allowed. */
const underFaults = new Set(["ok", "ProviderUnavailable", "ProviderTimeout", "ProviderProtocolError"])

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

interface KomojuCommand extends fc.AsyncCommand<KomojuModel.Model, Real, false> {
  /** The command on the real system alone, for runs without the model. */
  readonly act: (real: Real) => Promise<unknown>
  /** This command with every webhook delivered once, in the order sent; `undefined` to leave it out. */
  readonly inOrder: () => KomojuCommand | undefined
}

/** KOMOJU's tokens, in the order made. */
const komojuTokens = (real: Real) =>
  real.runtime.runPromise(Effect.flatMap(KomojuSimulator.KomojuSimulator, (komoju) => komoju.tokens))

const komojuPayments = (real: Real) =>
  real.runtime.runPromise(Effect.flatMap(KomojuSimulator.KomojuSimulator, (komoju) => komoju.payments))

const paymentRequests = (real: Real) =>
  real.runtime.runPromise(
    Effect.map(
      Effect.flatMap(KomojuSimulator.KomojuSimulator, (komoju) => komoju.requests),
      (requests) => requests.filter((r) => r.endpoint === "createPayment").length,
    ),
  )

class Issue implements KomojuCommand {
  constructor(
    readonly owner: number,
    readonly card: number,
  ) {}
  check = () => true
  act = (real: Real) =>
    call(
      real,
      Effect.flatMap(TokenLifecycle, (lifecycle) =>
        lifecycle.issue({
          account: merchant.id,
          owner: item(owners, this.owner),
          type: "card",
          card: { number: item(cardNumbers, this.card), expiry: { month: 12, year: 2030 }, holderName },
        }),
      ),
      real.faults,
    )
  async run(m: KomojuModel.Model, real: Real) {
    const before = (await komojuTokens(real)).length
    const exit = await this.act(real)
    const outcome = outcomeOf(exit)
    expect(leaksCardNumber(JSON.stringify(exit)), `${this}: a card number in the outcome`).toBe(false)
    const made = (await komojuTokens(real)).slice(before)
    expect(made.length, `${this}: KOMOJU tokens made by one issue`).toBeLessThanOrEqual(1)
    const observed = real.faults
      ? {
          processed: made.length === 1,
          failure: outcome === "ok" ? undefined : outcome,
          createdAt: made[0]?.createdAt ?? m.now,
        }
      : KomojuModel.clean(m.now)
    const expected = KomojuModel.issue(m, this.owner, this.card, observed)
    if (real.faults) {
      m.now += faultWindow
      expect(underFaults.has(outcome), `${this}: ${outcome}`).toBe(true)
      if (outcome === "ok") expect(observed.processed, `${this}: answered, yet KOMOJU made no token`).toBe(true)
    } else expect(outcome, this.toString()).toBe(expected.outcome)
    await compare(m, real)
  }
  inOrder = () => this
  toString = () => `issue(${item(owners, this.owner)}, card #${this.card})`
}

const otherOwner = (owner: string): string => owners.find((o) => o !== owner) ?? "nobody"

/** A token picked from those the store wrote, in the order they were created. */
const picked = (real: Real, pick: number): TokenKey | undefined => {
  const all = keys(real)
  return all.length === 0 ? undefined : item(all, pick % all.length)
}

const ran = <A>(result: A | undefined, what: string): A => {
  if (result === undefined) throw new Error(`${what}: no token to act on`)
  return result
}

/** A payment by token, through the lifecycle (`byOwner` or not) or straight through the gateway. */
class Pay implements KomojuCommand {
  constructor(
    readonly pick: number,
    readonly route: "lifecycle" | "stranger" | "elsewhere",
  ) {}
  check = (m: Readonly<KomojuModel.Model>) => m.tokens.length > 0
  /** The idempotency key counts payments within a run, so both runs of invariant 10 use the same keys. */
  act = async (real: Real) => {
    const key = picked(real, this.pick)
    if (key === undefined) return undefined
    const reference = `${this.route === "elsewhere" ? "elsewhere" : "order"}-${++real.payments}`
    const route = this.route
    const exit = await call(
      real,
      Effect.gen(function* () {
        const lifecycle = yield* TokenLifecycle
        const token = yield* lifecycle.get(key)
        if (route === "elsewhere") {
          // Another server holding the token id pays with it: the lifecycle is not told.
          if (token.tokenId === undefined) return undefined
          const gateway = yield* TokenGateway
          return yield* gateway.use({
            tokenId: token.tokenId,
            owner: token.owner,
            type: "card",
            operation: "payment",
            reference: UseReference.make(reference),
            amount: price,
          })
        }
        return yield* lifecycle.use(key, {
          by: route === "lifecycle" ? token.owner : otherOwner(token.owner),
          for: "card",
          reference,
          operation: "payment",
          amount: price,
        })
      }),
      real.faults,
    )
    return { reference, exit }
  }
  async run(m: KomojuModel.Model, real: Real) {
    const index = this.pick % m.tokens.length
    const requestsBefore = await paymentRequests(real)
    const { reference, exit } = ran(await this.act(real), this.toString())
    const outcome = outcomeOf(exit)
    expect(leaksCardNumber(JSON.stringify(exit)), `${this}: a card number in the outcome`).toBe(false)
    const made = (await komojuPayments(real)).filter((p) => p.idempotencyKey === reference)
    const observed = real.faults
      ? { processed: made.length > 0, failure: outcome === "ok" ? undefined : outcome, createdAt: m.now }
      : KomojuModel.clean(m.now)
    const declines = item(m.tokens, index).card === decliningCard
    const expected =
      this.route === "elsewhere"
        ? KomojuModel.payElsewhere(m, index, reference, declines, observed)
        : KomojuModel.pay(m, index, this.route === "lifecycle", reference, declines, observed)
    if (real.faults) m.now += faultWindow
    if (expected === undefined) {
      // No KOMOJU token to pay with: nothing was asked.
      expect(outcome, this.toString()).toBe("ok")
    } else if (real.faults && expected.asksKomoju) {
      const fair = underFaults.has(outcome) || outcome === expected.outcome
      expect(fair, `${this}: ${outcome}`).toBe(true)
      if (outcome === "ok") expect(observed.processed, `${this}: answered, yet KOMOJU took no payment`).toBe(true)
    } else expect(outcome, this.toString()).toBe(expected.outcome)
    // A payment the lifecycle refuses never reaches KOMOJU: an ended token is never used.
    if (expected === undefined || !expected.asksKomoju) {
      expect(await paymentRequests(real), `${this}: reached KOMOJU`).toBe(requestsBefore)
    }
    await compare(m, real)
  }
  inOrder = () => this
  toString = () =>
    `pay(#${this.pick}${this.route === "lifecycle" ? "" : this.route === "stranger" ? ", by another customer" : ", elsewhere"})`
}

class Advance implements KomojuCommand {
  constructor(readonly millis: number) {}
  check = () => true
  act = (real: Real) => real.advance(this.millis)
  async run(m: KomojuModel.Model, real: Real) {
    m.now += this.millis
    await this.act(real)
    await compare(m, real)
  }
  inOrder = () => this
  toString = () => `advance(${this.millis / hour} h)`
}

class ExpireDue implements KomojuCommand {
  check = () => true
  act = (real: Real) => real.runtime.runPromise(Effect.flatMap(TokenLifecycle, (lifecycle) => lifecycle.expireDue))
  async run(m: KomojuModel.Model, real: Real) {
    const expected = KomojuModel.expireDue(m).map((i) => item(keys(real), i))
    const expired = await this.act(real)
    expect([...expired].sort(), this.toString()).toEqual([...expected].sort())
    await compare(m, real)
  }
  inOrder = () => this
  toString = () => "expireDue"
}

/** Webhooks in the order sent, reversed, or starting at the `rotate`-th. */
type Order = { readonly _tag: "sent" } | { readonly _tag: "reverse" } | { readonly _tag: "rotate"; readonly by: number }

const ordered = <A>(items: ReadonlyArray<A>, order: Order): Array<A> => {
  if (order._tag === "sent") return [...items]
  if (order._tag === "reverse") return [...items].reverse()
  const at = items.length === 0 ? 0 : order.by % items.length
  return [...items.slice(at), ...items.slice(0, at)]
}

interface Handled {
  readonly index: number
  readonly receipt: KomojuWebhooks.WebhookReceipt
}

/** Hand webhooks to the handler one by one; each leaves the inbox once delivered. */
const deliverAll = async (real: Real, sequence: ReadonlyArray<number>): Promise<ReadonlyArray<Handled>> => {
  const handled: Array<Handled> = []
  for (const index of sequence) {
    const delivery = item(real.sent, index)
    const receipt = await real.runtime.runPromise(real.handle(delivery.body, delivery.headers))
    const waiting = real.inbox.indexOf(index)
    if (waiting >= 0) real.inbox.splice(waiting, 1)
    if (!real.delivered.includes(index)) real.delivered.push(index)
    handled.push({ index, receipt })
  }
  return handled
}

const receiptOutcome = (receipt: KomojuWebhooks.WebhookReceipt): string => {
  const first = receipt.outcomes[0]
  if (first === undefined) return "none"
  return first._tag === "Applied" ? "applied" : first.reason
}

const checkDeliveries = (m: KomojuModel.Model, handled: ReadonlyArray<Handled>, what: string) => {
  for (const { index, receipt } of handled) {
    const expected = KomojuModel.deliver(m, index)
    expect(leaksCardNumber(JSON.stringify(receipt)), `${what}: a card number in a receipt`).toBe(false)
    expect(
      { status: receipt.status, outcome: receiptOutcome(receipt) },
      `${what}: webhook ${index} (${item(m.webhooks, index).kind})`,
    ).toEqual(expected)
  }
}

/** Deliver every webhook KOMOJU sent and the handler has not had, in an order, each once or twice. */
class Deliver implements KomojuCommand {
  constructor(
    readonly order: Order,
    readonly copies: number,
  ) {}
  check = () => true
  sequence = (real: Real) =>
    ordered(
      real.inbox.flatMap((index) => Array.from({ length: this.copies }, () => index)),
      this.order,
    )
  act = (real: Real) => deliverAll(real, this.sequence(real))
  async run(m: KomojuModel.Model, real: Real) {
    checkDeliveries(m, await this.act(real), this.toString())
    await compare(m, real)
  }
  inOrder = () => new Deliver({ _tag: "sent" }, 1)
  toString = () =>
    `deliver(${this.order._tag}${this.order._tag === "rotate" ? ` ${this.order.by}` : ""}${this.copies > 1 ? `, each ×${this.copies}` : ""})`
}

/** Deliver once more a webhook already delivered: KOMOJU's late duplicate. */
class Redeliver implements KomojuCommand {
  constructor(readonly pick: number) {}
  check = () => true
  act = (real: Real) =>
    real.delivered.length === 0
      ? Promise.resolve([])
      : deliverAll(real, [item(real.delivered, this.pick % real.delivered.length)])
  async run(m: KomojuModel.Model, real: Real) {
    checkDeliveries(m, await this.act(real), this.toString())
    await compare(m, real)
  }
  inOrder = () => undefined
  toString = () => `redeliver(#${this.pick} of those delivered)`
}

type FaultKind = "500" | "503" | "drop" | "drop after processing" | "slow" | "garbled"

const faultOf = (kind: FaultKind): Faults.Fault => {
  switch (kind) {
    case "500":
      return Faults.serverError(500)
    case "503":
      return Faults.serverError(503)
    case "drop":
      return Faults.drop()
    case "drop after processing":
      return Faults.drop({ afterProcessing: true })
    case "slow":
      return Faults.slow(slowAnswer)
    case "garbled":
      return Faults.malformed("truncated")
  }
}

/** The next requests to one endpoint meet these faults, one each, in order. */
class InjectFaults implements KomojuCommand {
  constructor(
    readonly endpoint: "createToken" | "createPayment",
    readonly kinds: ReadonlyArray<FaultKind>,
  ) {}
  check = () => true
  act = (real: Real) =>
    real.runtime.runPromise(
      Effect.flatMap(KomojuSimulator.KomojuSimulator, (komoju) =>
        Effect.forEach(this.kinds, (kind) => komoju.injectFault(faultOf(kind), { endpoint: this.endpoint, times: 1 }), {
          discard: true,
        }),
      ),
    )
  async run(_m: KomojuModel.Model, real: Real) {
    await this.act(real)
  }
  inOrder = () => this
  toString = () => `faults(${this.endpoint}: ${this.kinds.join(", ")})`
}

// ---------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------

const pick = fc.nat({ max: 7 })
const issueArb = fc
  .tuple(fc.nat({ max: owners.length - 1 }), fc.nat({ max: cardNumbers.length - 1 }))
  .map(([owner, card]) => new Issue(owner, card))
const routeArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant("lifecycle" as const) },
  { weight: 1, arbitrary: fc.constant("stranger" as const) },
  { weight: 2, arbitrary: fc.constant("elsewhere" as const) },
)
const payArb = fc.tuple(pick, routeArb).map(([token, route]) => new Pay(token, route))
const advanceArb = fc.constantFrom(...steps).map((millis) => new Advance(millis))
const expireDueArb = fc.constant(new ExpireDue())
const orderArb: fc.Arbitrary<Order> = fc.oneof(
  fc.constant({ _tag: "sent" } as const),
  fc.constant({ _tag: "reverse" } as const),
  fc.nat({ max: 7 }).map((by) => ({ _tag: "rotate", by }) as const),
)
const deliverArb = fc.tuple(orderArb, fc.constantFrom(1, 2)).map(([order, copies]) => new Deliver(order, copies))
const redeliverArb = fc.nat({ max: 15 }).map((n) => new Redeliver(n))
const faultsArb = fc
  .tuple(
    fc.constantFrom<"createToken" | "createPayment">("createToken", "createPayment"),
    fc.array(fc.constantFrom<FaultKind>("500", "503", "drop", "drop after processing", "slow", "garbled"), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([endpoint, kinds]) => new InjectFaults(endpoint, kinds))

const commandArbs = (faults: boolean): Array<fc.Arbitrary<KomojuCommand>> => [
  issueArb,
  issueArb,
  payArb,
  payArb,
  payArb,
  advanceArb,
  expireDueArb,
  deliverArb,
  deliverArb,
  redeliverArb,
  ...(faults ? [faultsArb, faultsArb] : []),
]

const maxCommands = 30

// ---------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------

/** Run one command sequence against the model, always releasing the runtime. */
const runWithModel = async (
  commands: Iterable<fc.AsyncCommand<KomojuModel.Model, Real, boolean>>,
  seed: number,
  faults: boolean,
) => {
  const real = await setup(seed, faults)
  try {
    await fc.asyncModelRun(() => ({ model: KomojuModel.empty(start), real }), commands)
  } finally {
    await real.runtime.dispose()
  }
}

/** Run commands on the real system alone, then deliver every webhook still undelivered, in the order sent. */
const runAlone = async (commands: ReadonlyArray<KomojuCommand>, seed: number): Promise<Observed["tokens"]> => {
  const real = await setup(seed, false)
  try {
    for (const command of commands) await command.act(real)
    await deliverAll(real, [...real.inbox])
    const view = await observe(real)
    checkInvariants(view)
    return view.tokens
  } finally {
    await real.runtime.dispose()
  }
}

/** A fifth of the configured runs: each run builds a runtime and plays up to 30 commands. */
const parameters = { ...Runs.parameters(), numRuns: Math.max(1, Math.ceil(Runs.numRuns() / 5)) }
const simulatorSeed = fc.integer()

describe("KOMOJU adapter against its model", () => {
  it(
    "every command sequence leaves the lifecycle and KOMOJU where the model says",
    () =>
      fc.assert(
        fc.asyncProperty(
          fc.commands(commandArbs(false), { maxCommands, size: "max" }),
          simulatorSeed,
          (commands, seed) => runWithModel(commands, seed, false),
        ),
        parameters,
      ),
    120_000,
  )

  it(
    "invariant 10: webhooks duplicated, reordered or repeated later end where delivering each once in order does",
    () =>
      fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(...commandArbs(false)), { maxLength: maxCommands, size: "max" }),
          simulatorSeed,
          async (commands, seed) => {
            const inOrder = commands.flatMap((command) => command.inOrder() ?? [])
            const expected = await runAlone(inOrder, seed)
            const actual = await runAlone(commands, seed)
            expect(actual).toEqual(expected)
          },
        ),
        parameters,
      ),
    120_000,
  )

  it(
    "under faults on token creation and payments: no payment made twice for one key, no token spent twice",
    () =>
      fc.assert(
        fc.asyncProperty(
          fc.commands(commandArbs(true), { maxCommands, size: "max" }),
          simulatorSeed,
          (commands, seed) => runWithModel(commands, seed, true),
        ),
        parameters,
      ),
    120_000,
  )
})

/** Sequences worth checking on their own, whatever sequences the next run happens to generate. */
describe("KOMOJU adapter against its model: chosen sequences", () => {
  const owner = 0
  const card = 0

  it("a payment whose answer is lost is sent again under the same key and taken once", () =>
    runWithModel(
      [
        new Issue(owner, card),
        new InjectFaults("createPayment", ["drop after processing", "slow", "500"]),
        new Pay(0, "lifecycle"),
        new Deliver({ _tag: "reverse" }, 2),
      ],
      0,
      true,
    ))

  it("a payment made elsewhere reaches the lifecycle by webhook; a late copy after the 24 hours changes nothing", () =>
    runWithModel(
      [
        new Issue(owner, card),
        new Pay(0, "elsewhere"),
        new Pay(0, "lifecycle"),
        new Issue(owner, 1),
        new Pay(1, "elsewhere"),
        new Advance(25 * hour),
        new Deliver({ _tag: "sent" }, 2),
        new ExpireDue(),
        new Redeliver(0),
      ],
      0,
      false,
    ))

  it("a token whose creation KOMOJU answered too late is failed, and its orphan is never paid", () =>
    runWithModel(
      [
        new InjectFaults("createToken", ["slow"]),
        new Issue(owner, card),
        new Pay(0, "lifecycle"),
        new Pay(0, "elsewhere"),
      ],
      0,
      true,
    ))

  it("a declined card spends the token: the lifecycle's use stands, the webhook changes nothing", () =>
    runWithModel(
      [
        new Issue(owner, decliningCard),
        new Pay(0, "lifecycle"),
        new Deliver({ _tag: "sent" }, 2),
        new Pay(0, "lifecycle"),
      ],
      0,
      false,
    ))
})
