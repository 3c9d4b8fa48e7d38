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
import { type TokenKey, UseReference } from "@token-lifecycle/domain/Identifiers"
import * as Policy from "@token-lifecycle/domain/Policy"
import { TokenGateway } from "@token-lifecycle/domain/TokenGateway"
import { layer as lifecycleLayer, TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as InMemoryTokenRepository from "@token-lifecycle/testkit/InMemoryTokenRepository"
import * as ModelRun from "@token-lifecycle/testkit/ModelRun"
import * as SequentialIdentity from "@token-lifecycle/testkit/SequentialIdentity"
import * as KomojuHttpClient from "@token-lifecycle/testkit/simulators/komoju/KomojuHttpClient"
import * as KomojuSimulator from "@token-lifecycle/testkit/simulators/komoju/KomojuSimulator"
import type { Delivery } from "@token-lifecycle/testkit/simulators/shared/Outbox"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as fc from "fast-check"
import * as KomojuConfig from "../src/KomojuConfig.js"
import * as KomojuGateway from "../src/KomojuGateway.js"
import * as KomojuWebhooks from "../src/KomojuWebhooks.js"
import * as KomojuModel from "./KomojuModel.js"

const { hour } = KomojuModel
const { faultWindow, item, outcomeOf } = ModelRun

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

/** Whether a text holds any card number of the pool. Only ever the boolean is reported. */
const leaksCardNumber = ModelRun.revealsAny(cardNumbers)

// ---------------------------------------------------------------------------
// The real system
// ---------------------------------------------------------------------------

const servicesLayer = (seed: number) => (written: Set<TokenKey>) => {
  const config = KomojuConfig.layer({
    secretKey: merchant.secretKey,
    publishableKey: merchant.publishableKey,
    timeout: ModelRun.callTimeout,
  })
  const gateway = KomojuGateway.layer.pipe(Layer.provide(Layer.mergeAll(KomojuHttpClient.layer(), config)))
  return lifecycleLayer({ policy: Policy.komoju }).pipe(
    Layer.provideMerge(
      Layer.mergeAll(gateway, InMemoryTokenRepository.layerNoting(written), SequentialIdentity.layer()),
    ),
    Layer.provideMerge(KomojuSimulator.layer({ merchants: [merchant], seed })),
  )
}

type Services = Layer.Layer.Success<ReturnType<ReturnType<typeof servicesLayer>>>

/** The lifecycle over KOMOJU's adapter and simulator; KOMOJU's webhooks wait in `mail` for the test to deliver. */
interface Real extends ModelRun.Receiving<Services> {
  /** KOMOJU's token id of each model entry, learnt when first seen. */
  readonly entryIds: ModelRun.Learnt
  payments: number
}

/**
 * KOMOJU's outbox goes out whole after every call; the test then plays the network, handing
 * each webhook to the handler as the commands choose. The model answers every one 200, so none
 * waits once handed on.
 */
const setup = async (seed: number, faults: boolean): Promise<Real> => {
  const mail = ModelRun.mailbox(() => true)
  const system = await ModelRun.start({
    at: start,
    faults,
    layer: servicesLayer(seed),
    afterCall: Effect.flatMap(KomojuSimulator.KomojuSimulator, (komoju) => komoju.deliverDue),
  })
  const handle = await system.runtime.runPromise(
    Effect.zipRight(
      Effect.flatMap(KomojuSimulator.KomojuSimulator, (komoju) => komoju.configureWebhooks({ sink: mail.sink })),
      KomojuWebhooks.make(merchant.webhookSecret),
    ),
  )
  return {
    ...system,
    mail,
    handle: (delivery) => handle(delivery.body, delivery.headers),
    entryIds: new ModelRun.Learnt("KOMOJU token id"),
    payments: 0,
  }
}

/** KOMOJU's own books: its tokens, in the order made, and the payments it took. */
const komojuBooks = Effect.flatMap(KomojuSimulator.KomojuSimulator, (komoju) =>
  Effect.all({ komojuTokens: komoju.tokens, payments: komoju.payments }),
)

/** Everything observable at once: every token written with its history, and KOMOJU's books. */
const observe = (real: Real) => ModelRun.observe(real, komojuBooks)

type Observed = Awaited<ReturnType<typeof observe>>

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

/** What a webhook KOMOJU sent says: its type and the KOMOJU token its payment was made with, by idempotency key. */
const readWebhook = (delivery: Delivery) => {
  const body = JSON.parse(delivery.body) as { type: string; data: { status: string; metadata: Record<string, string> } }
  return { type: body.type, status: body.data.status }
}

const compare = async (m: KomojuModel.Model, real: Real) => {
  expect(real.mail.sent.length, "webhooks KOMOJU sent").toBe(m.webhooks.length)
  for (const { index, delivery } of ModelRun.unchecked(real.mail)) {
    expect(leaksCardNumber(delivery.body), `webhook ${index}: a card number`).toBe(false)
    const expected = item(m.webhooks, index)
    expect(readWebhook(delivery).type, `webhook ${index}: type`).toBe(expected.kind)
  }

  const view = await observe(real)
  checkInvariants(view)

  // KOMOJU's books: its tokens, in the order made, and the payments it took.
  expect(view.komojuTokens.length, "tokens in KOMOJU's books").toBe(m.entries.length)
  m.entries.forEach((entry, i) => {
    const listed = item(view.komojuTokens, i)
    const what = `KOMOJU token #${i}`
    real.entryIds.learn(i, listed.id, what)
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

  ModelRun.expectTokens(
    view.tokens,
    m.tokens,
    (expected) => item(owners, expected.owner),
    (token, expected, what) => {
      if (expected.entry === undefined) {
        expect(token.tokenId, `${what}: a token id without KOMOJU's answer`).toBeUndefined()
        return
      }
      expect(token.tokenId, `${what}: KOMOJU's token id`).toBe(real.entryIds.get(expected.entry))
      expect(token.expiresAt, `${what}: expires at`).toBe(KomojuModel.expiresAt(m, expected))
    },
  )
}

/** Under faults a call KOMOJU was asked may end either way; only a fair failure is allowed. */
const underFaults = new Set(["ok", "ProviderUnavailable", "ProviderTimeout", "ProviderProtocolError"])

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

type KomojuCommand = ModelRun.Command<KomojuModel.Model, Real>

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
    real.call(
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

/** A payment by token, through the lifecycle (`byOwner` or not) or straight through the gateway. */
class Pay implements KomojuCommand {
  constructor(
    readonly pick: number,
    readonly route: "lifecycle" | "stranger" | "elsewhere",
  ) {}
  check = (m: Readonly<KomojuModel.Model>) => m.tokens.length > 0
  /** The idempotency key counts payments within a run, so both runs of invariant 10 use the same keys. */
  act = async (real: Real) => {
    const key = ModelRun.picked(real.keys(), this.pick)
    if (key === undefined) return undefined
    const reference = `${this.route === "elsewhere" ? "elsewhere" : "order"}-${++real.payments}`
    const route = this.route
    const exit = await real.call(
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
          by: route === "lifecycle" ? token.owner : ModelRun.someoneElse(owners, token.owner),
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
    const { reference, exit } = ModelRun.ran(await this.act(real), this.toString())
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

/** Moving the clock, sweeping expiries, delivering KOMOJU's webhooks (again, late), and faults on two endpoints. */
const shared = ModelRun.commands<KomojuModel.Model, Real, "createToken" | "createPayment">({
  compare,
  model: KomojuModel,
  nameDelivery: (m, index) => `webhook ${index} (${item(m.webhooks, index).kind})`,
  reveals: leaksCardNumber,
  injectFault: (real, fault, endpoint) =>
    real.runtime.runPromise(
      Effect.flatMap(KomojuSimulator.KomojuSimulator, (komoju) => komoju.injectFault(fault, { endpoint, times: 1 })),
    ),
})

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
const advanceArb = fc.constantFrom(...steps).map(shared.advance)
const expireDueArb = fc.constant(shared.expireDue)
/** Webhooks in the order sent, reversed, or starting at the `by`-th. */
const orderArb = fc.oneof(
  fc.constant<ModelRun.Order>({ _tag: "sent" }),
  fc.constant<ModelRun.Order>({ _tag: "reverse" }),
  fc.nat({ max: 7 }).map((by): ModelRun.Order => ({ _tag: "rotate", by })),
)
const deliverArb = fc.tuple(orderArb, fc.constantFrom(1, 2)).map(([order, copies]) => shared.deliver(order, copies))
const redeliverArb = fc.nat({ max: 15 }).map(shared.redeliver)
const faultsArb = fc
  .tuple(
    fc.constantFrom<"createToken" | "createPayment">("createToken", "createPayment"),
    fc.array(fc.constantFrom<ModelRun.FaultKind>("500", "503", "drop", "drop after processing", "slow", "garbled"), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([endpoint, kinds]) => shared.injectFaults(endpoint, kinds))

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

// ---------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------

/** A run alone ends with the final tokens and their histories, which must keep the invariants too. */
const run = ModelRun.properties({
  setup,
  empty: () => KomojuModel.empty(start),
  commands: commandArbs,
  observe,
  checkInvariants,
})

describe("KOMOJU adapter against its model", () => {
  it("every command sequence leaves the lifecycle and KOMOJU where the model says", run.model, 120_000)

  it(
    "invariant 10: webhooks duplicated, reordered or repeated later end where delivering each once in order does",
    run.inOrder,
    120_000,
  )

  it(
    "under faults on token creation and payments: no payment made twice for one key, no token spent twice",
    run.underFaults,
    120_000,
  )
})

/** Sequences worth checking on their own, whatever sequences the next run happens to generate. */
describe("KOMOJU adapter against its model: chosen sequences", () => {
  const owner = 0
  const card = 0
  const { advance, deliver, expireDue, injectFaults, redeliver } = shared

  it("a payment whose answer is lost is sent again under the same key and taken once", () =>
    run.sequence(
      [
        new Issue(owner, card),
        injectFaults("createPayment", ["drop after processing", "slow", "500"]),
        new Pay(0, "lifecycle"),
        deliver({ _tag: "reverse" }, 2),
      ],
      0,
      true,
    ))

  it("a payment made elsewhere reaches the lifecycle by webhook; a late copy after the 24 hours changes nothing", () =>
    run.sequence(
      [
        new Issue(owner, card),
        new Pay(0, "elsewhere"),
        new Pay(0, "lifecycle"),
        new Issue(owner, 1),
        new Pay(1, "elsewhere"),
        advance(25 * hour),
        deliver(ModelRun.inSentOrder, 2),
        expireDue,
        redeliver(0),
      ],
      0,
      false,
    ))

  it("a token whose creation KOMOJU answered too late is failed, and its orphan is never paid", () =>
    run.sequence(
      [injectFaults("createToken", ["slow"]), new Issue(owner, card), new Pay(0, "lifecycle"), new Pay(0, "elsewhere")],
      0,
      true,
    ))

  it("a declined card spends the token: the lifecycle's use stands, the webhook changes nothing", () =>
    run.sequence(
      [
        new Issue(owner, decliningCard),
        new Pay(0, "lifecycle"),
        deliver(ModelRun.inSentOrder, 2),
        new Pay(0, "lifecycle"),
      ],
      0,
      false,
    ))
})
