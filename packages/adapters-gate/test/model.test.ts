/**
 * Model-based test of the Gate adapter: the real `TokenLifecycle` over `GateGateway`, its signed
 * requests answered in process by the testkit's Gate simulator, and Gate's signed callbacks fed
 * back through `GateCallbacks` as often, and in the order, each command chooses (in order,
 * reversed, shuffled, each twice, one again later). Beside it runs the plain-data model of
 * `GateModel.ts`; after every command the tokens, their histories, Gate's books and the
 * callbacks Gate sent must be what the model says.
 *
 * Three properties: the model; invariant 10 (a command list run twice, once delivering every
 * callback once in order and once as generated, ends in the same states); and the model under
 * injected faults on tokenize and purchase (5xx, dropped connections, answers past the timeout),
 * where no payment id is paid twice and no tokenize is half-written.
 */
import { describe, expect, it } from "@effect/vitest"
import type { TokenKey } from "@token-lifecycle/domain/Identifiers"
import * as Policy from "@token-lifecycle/domain/Policy"
import type { Token } from "@token-lifecycle/domain/Token"
import { layer as lifecycleLayer, TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as InMemoryTokenRepository from "@token-lifecycle/testkit/InMemoryTokenRepository"
import * as ModelRun from "@token-lifecycle/testkit/ModelRun"
import * as SequentialIdentity from "@token-lifecycle/testkit/SequentialIdentity"
import * as GateHttpClient from "@token-lifecycle/testkit/simulators/gate/GateHttpClient"
import * as GateSimulator from "@token-lifecycle/testkit/simulators/gate/GateSimulator"
import type { Sink } from "@token-lifecycle/testkit/simulators/shared/Outbox"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as fc from "fast-check"
import * as GateCallbacks from "../src/GateCallbacks.js"
import * as GateConfig from "../src/GateConfig.js"
import * as GateGateway from "../src/GateGateway.js"
import * as GateModel from "./GateModel.js"

const { cardEnd, formatExpiry } = GateModel
const { faultWindow, item, outcomeOf } = ModelRun

// ---------------------------------------------------------------------------
// Pools: small, so the same customer, card and token come back often
// ---------------------------------------------------------------------------

const project = { id: 4711, secret: Redacted.make("model-test-project-secret") }
const customers = ["customer-a", "customer-b"] as const
/** Redacted, and referred to by index everywhere else: no counterexample or failure prints one. */
const cardNumbers = [
  Redacted.make("4111111111111111"),
  Redacted.make("5555555555554444"),
  Redacted.make("4000056655665556"),
] as const
const holderName = "JANE ROE"
const ipAddress = "198.51.100.47"
/** Every step is whole minutes, so a faulty call's retries, seconds long, never straddle a month's first instant. */
const start = Date.UTC(2026, 0, 1, 12)
/** One over at the start, one ending within a month, two in 2026, one in 2027. */
const expiries: ReadonlyArray<GateModel.Expiry> = [
  { month: 12, year: 2025 },
  { month: 1, year: 2026 },
  { month: 3, year: 2026 },
  { month: 6, year: 2026 },
  { month: 12, year: 2027 },
]
const hour = 3_600_000
const day = 24 * hour
const steps = [hour, day, 10 * day, 31 * day, 92 * day] as const

const last4 = (card: number) => Redacted.value(item(cardNumbers, card)).slice(-4)

/** Whether a text holds any card number of the pool. Only ever the boolean is reported. */
const leaksCardNumber = ModelRun.revealsAny(cardNumbers)

// ---------------------------------------------------------------------------
// The real system
// ---------------------------------------------------------------------------

const servicesLayer = (seed: number, sink: Sink) => (written: Set<TokenKey>) => {
  const config = GateConfig.layer({ projectId: project.id, secretKey: project.secret, timeout: ModelRun.callTimeout })
  const gateway = GateGateway.layer.pipe(Layer.provide(Layer.mergeAll(GateHttpClient.layer(), config)))
  return lifecycleLayer({ policy: Policy.gate }).pipe(
    Layer.provideMerge(
      Layer.mergeAll(gateway, InMemoryTokenRepository.layerNoting(written), SequentialIdentity.layer(), config),
    ),
    Layer.provideMerge(GateSimulator.layer({ projects: [project], seed, callbacks: { sink } })),
  )
}

type Services = Layer.Layer.Success<ReturnType<ReturnType<typeof servicesLayer>>>

/** The lifecycle over Gate's adapter and simulator; Gate's callbacks wait in `mail` for the test to deliver. */
interface Real extends ModelRun.Receiving<Services> {
  /** Gate's token id of each model entry, learnt when first seen. */
  readonly entryIds: ModelRun.Learnt
  /** Each card's fingerprint, learnt when first seen. */
  readonly fingerprints: ModelRun.Learnt
  purchases: number
}

/** Gate's outbox goes out whole after every call; the test then plays the network, and Gate sends again what is not answered 200. */
const setup = async (seed: number, faults: boolean): Promise<Real> => {
  const mail = ModelRun.mailbox()
  const system = await ModelRun.start({
    at: start,
    faults,
    layer: servicesLayer(seed, mail.sink),
    afterCall: Effect.flatMap(GateSimulator.GateSimulator, (gate) => gate.deliverDue),
  })
  const handle = await system.runtime.runPromise(GateCallbacks.make)
  return {
    ...system,
    mail,
    handle: (delivery) => handle(delivery.body),
    entryIds: new ModelRun.Learnt("Gate token id"),
    fingerprints: new ModelRun.Learnt("card fingerprint"),
    purchases: 0,
  }
}

/** Gate's own books: its tokens and the payments it took. */
const gateBooks = Effect.flatMap(GateSimulator.GateSimulator, (gate) =>
  Effect.all({ gateTokens: gate.tokens, payments: gate.payments }),
)

/** Everything observable at once: every token written with its history, and Gate's books. */
const observe = (real: Real) => ModelRun.observe(real, gateBooks)

type Observed = Awaited<ReturnType<typeof observe>>

// ---------------------------------------------------------------------------
// Invariants that hold whatever the model says
// ---------------------------------------------------------------------------

/**
 * - at most one live token per (customer, card) (invariant 4);
 * - nothing half-written: an active token has Gate's token id and its issue time, a pending or
 *   failed one has no token id;
 * - no purchase made twice, and a revoked token never used: every payment Gate took is the
 *   reference of exactly one recorded use, of the token it paid with, made before any revocation;
 * - no card number in any state, history or book (invariant 9).
 */
const checkInvariants = (view: Observed) => {
  const live = new Map<string, TokenKey>()
  const uses = new Map<string, { readonly tokenId: string | undefined; readonly afterRevocation: boolean }>()
  const payments = view.payments.map((p) => p.paymentId)
  for (const { token, events } of view.tokens) {
    const what = `token ${token.key}`
    if (token._tag === "Active") {
      expect(token.tokenId, `${what}: active without Gate's token id`).toBeDefined()
      expect(token.issuedAt, `${what}: active without an issue time`).toBeDefined()
    }
    if (token._tag === "Pending" || token._tag === "Failed") {
      expect(token.tokenId, `${what}: ${token._tag} with a token id`).toBeUndefined()
    }
    if (token._tag === "Pending" || token._tag === "Active") {
      const card = `${token.owner}/${token.card?.fingerprint}`
      expect(live.get(card), `${what}: a second live token for one customer's card`).toBeUndefined()
      live.set(card, token.key)
    }
    let revoked = false
    for (const event of events) {
      if (event._tag === "TokenRevoked") revoked = true
      if (event._tag !== "TokenUsed") continue
      expect(uses.has(event.reference), `${what}: two uses under reference ${event.reference}`).toBe(false)
      uses.set(event.reference, { tokenId: token.tokenId, afterRevocation: revoked })
    }
  }
  expect(new Set(payments).size, "a payment id Gate took twice").toBe(payments.length)
  for (const payment of view.payments) {
    const use = uses.get(payment.paymentId)
    expect(use, `payment ${payment.paymentId}: no recorded use under its id`).toBeDefined()
    expect(use?.tokenId === payment.token, `payment ${payment.paymentId}: paid with another token`).toBe(true)
    expect(use?.afterRevocation, `payment ${payment.paymentId}: a use after a revocation`).toBe(false)
  }
  expect(leaksCardNumber(JSON.stringify(view)), "a card number in a state, a history or Gate's books").toBe(false)
}

// ---------------------------------------------------------------------------
// Comparing with the model
// ---------------------------------------------------------------------------

type Json = Record<string, unknown>

/** What a raw callback says: its kind, Gate's token id, and the card expiry it carries. */
const readCallback = (body: string) => {
  const json = JSON.parse(body) as Json
  if ("token_status" in json) {
    const request = json.request as Json
    const card = json.card as Json
    return {
      kind: request.action === "revoke" ? "revoke" : "tokenize",
      token: String(json.token),
      expiry: { month: Number(card.exp_month), year: Number(card.exp_year) },
    }
  }
  const account = json.account as Json
  return {
    kind: "payment",
    token: String(account.token),
    expiry: { month: Number(account.expiry_month), year: Number(account.expiry_year) },
  }
}

const compare = async (m: GateModel.Model, real: Real) => {
  // The callbacks Gate sent since the last look: what the model says Gate sent.
  expect(real.mail.sent.length, "callbacks Gate sent").toBe(m.callbacks.length)
  for (const { index, delivery } of ModelRun.unchecked(real.mail)) {
    expect(leaksCardNumber(delivery.body), `callback ${index}: a card number`).toBe(false)
    const sent = readCallback(delivery.body)
    const expected = item(m.callbacks, index)
    expect(sent.kind, `callback ${index}: kind`).toBe(expected.kind)
    expect(sent.expiry, `callback ${index}: the card's expiry`).toEqual(expected.expiry)
    real.entryIds.learn(expected.entry, sent.token, `callback ${index}`)
  }

  const view = await observe(real)
  checkInvariants(view)
  ModelRun.expectTokens(
    view.tokens,
    m.tokens,
    (expected) => item(customers, expected.customer),
    (token, expected, what) => {
      expect(token.card?.expiry, `${what}: card expiry`).toEqual(expected.expiry)
      expect(token.card?.masked.last4 === last4(expected.card), `${what}: the masked card`).toBe(true)
      const fingerprint = token.card?.fingerprint
      if (fingerprint !== undefined) real.fingerprints.learn(expected.card, fingerprint, what)
      else expect(real.fingerprints.get(expected.card), `${what}: the card's fingerprint`).toBeUndefined()
      expect(token.ending?.cause, `${what}: why its life ended`).toBe(expected.endCause)
      if (expected.issued) {
        const entry = item(m.entries, expected.entry ?? -1)
        expect(token.tokenId, `${what}: Gate's token id`).toBeDefined()
        real.entryIds.learn(expected.entry ?? -1, token.tokenId ?? "", what)
        // Gate's creation time, as its callbacks give it: to the second.
        const issuedAt = token.issuedAt ?? Number.NaN
        expect(issuedAt, `${what}: issued at`).toBeGreaterThanOrEqual(Math.floor(entry.created.from / 1000) * 1000)
        expect(issuedAt, `${what}: issued at`).toBeLessThanOrEqual(entry.created.to)
        expect(token.expiresAt, `${what}: expires at`).toBe(cardEnd(expected.expiry))
      } else {
        expect(token.tokenId, `${what}: a token id before Gate's answer`).toBeUndefined()
        expect(token.expiresAt, `${what}: expires at`).toBeUndefined()
      }
    },
  )

  // Gate's books: its tokens and the payments it took.
  expect(view.gateTokens.length, "tokens in Gate's books").toBe(m.entries.length)
  m.entries.forEach((entry, i) => {
    const id = real.entryIds.get(i)
    const listed = view.gateTokens.find((t) => t.token === id)
    const what = `Gate token #${i}`
    expect(listed?.status, `${what}: status`).toBe(GateModel.gateStatus(m, entry))
    expect(listed && { month: listed.expMonth, year: listed.expYear }, `${what}: expiry`).toEqual(entry.expiry)
    expect(listed?.customerId, `${what}: customer`).toBe(item(customers, entry.customer))
  })
  expect(view.payments.length, "payments in Gate's books").toBe(m.payments.length)
  for (const payment of m.payments) {
    const taken = view.payments.find((p) => p.paymentId === payment.paymentId)
    expect(taken?.token, `payment ${payment.paymentId}: token`).toBe(real.entryIds.get(payment.entry))
    expect(taken?.customerId, `payment ${payment.paymentId}: customer`).toBe(item(customers, payment.customer))
  }
}

/** The index of a new token must be the model's: an existing token's key, or the next one written. */
const checkReturned = (real: Real, expected: GateModel.Expectation, exit: Exit.Exit<Token, unknown>, what: string) => {
  if (!Exit.isSuccess(exit) || expected.token === undefined) return
  expect(exit.value.key, `${what}: the token returned`).toBe(item(real.keys(), expected.token))
}

/** Under faults a call Gate was asked may end either way; only a transient failure is a fair one. */
const transient = new Set(["ok", "ProviderUnavailable", "ProviderTimeout"])

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

type GateCommand = ModelRun.Command<GateModel.Model, Real>

class Tokenize implements GateCommand {
  constructor(
    readonly customer: number,
    readonly card: number,
    readonly expiry: number,
  ) {}
  check = () => true
  act = (real: Real) =>
    real.call(
      Effect.flatMap(TokenLifecycle, (lifecycle) =>
        lifecycle.issue({
          account: String(project.id),
          owner: item(customers, this.customer),
          type: "card",
          card: { number: item(cardNumbers, this.card), expiry: item(expiries, this.expiry), holderName },
          customer: { ipAddress },
        }),
      ),
      real.faults,
    )
  async run(m: GateModel.Model, real: Real) {
    const before = real.mail.sent.length
    const from = m.now
    const exit = await this.act(real)
    const outcome = outcomeOf(exit)
    expect(leaksCardNumber(JSON.stringify(exit)), `${this}: a card number in the outcome`).toBe(false)
    const observed = real.faults
      ? {
          // Each tokenize attempt Gate processes sends a callback.
          processed: real.mail.sent.length - before,
          failure: outcome === "ok" ? undefined : outcome,
          window: { from, to: from + faultWindow },
        }
      : GateModel.clean(m.now)
    const expected = GateModel.tokenize(m, this.customer, this.card, item(expiries, this.expiry), observed)
    if (real.faults) m.now += faultWindow
    if (real.faults && expected.asksGate) {
      expect(transient.has(outcome), `${this}: ${outcome}`).toBe(true)
      if (outcome === "ok") expect(observed.processed, `${this}: answered, yet Gate processed none`).toBeGreaterThan(0)
    } else expect(outcome, this.toString()).toBe(expected.outcome)
    checkReturned(real, expected, exit, this.toString())
    await compare(m, real)
  }
  inOrder = () => this
  toString = () =>
    `tokenize(${item(customers, this.customer)}, card #${this.card} expiring ${formatExpiry(item(expiries, this.expiry))})`
}

class Purchase implements GateCommand {
  constructor(
    readonly pick: number,
    readonly byOwner: boolean,
  ) {}
  check = (m: Readonly<GateModel.Model>) => m.tokens.length > 0
  /** The payment id counts purchases within a run, so both runs of invariant 10 use the same ids. */
  act = async (real: Real) => {
    const key = ModelRun.picked(real.keys(), this.pick)
    if (key === undefined) return undefined
    const reference = `payment-${++real.purchases}`
    const byOwner = this.byOwner
    const exit = await real.call(
      Effect.gen(function* () {
        const lifecycle = yield* TokenLifecycle
        const { owner } = yield* lifecycle.get(key)
        return yield* lifecycle.use(key, {
          by: byOwner ? owner : ModelRun.someoneElse(customers, owner),
          for: "card",
          reference,
          operation: "payment",
          amount: { amount: 1000, currency: "EUR" },
          customer: { ipAddress },
        })
      }),
      real.faults,
    )
    return { reference, exit }
  }
  async run(m: GateModel.Model, real: Real) {
    const index = this.pick % m.tokens.length
    const from = m.now
    const sales = await countSales(real)
    const { reference, exit } = ModelRun.ran(await this.act(real), this.toString())
    const outcome = outcomeOf(exit)
    expect(leaksCardNumber(JSON.stringify(exit)), `${this}: a card number in the outcome`).toBe(false)
    const paid = (await gatePayments(real)).filter((p) => p.paymentId === reference).length
    const observed = real.faults
      ? { processed: paid, failure: outcome === "ok" ? undefined : outcome, window: { from, to: from + faultWindow } }
      : GateModel.clean(m.now)
    const expected = GateModel.purchase(m, index, this.byOwner, reference, observed)
    if (real.faults) m.now += faultWindow
    // The lifecycle judged the token usable; so must Gate, or their books have parted.
    expect(
      expected.gateRefuses,
      `${this}: the lifecycle took a use of a token Gate holds as ${expected.gateRefuses}: their expiries differ`,
    ).toBeUndefined()
    if (real.faults && expected.asksGate) expect(transient.has(outcome), `${this}: ${outcome}`).toBe(true)
    else expect(outcome, this.toString()).toBe(expected.outcome)
    // A purchase the lifecycle refuses never reaches Gate: a revoked or ended token is never used.
    if (!expected.asksGate) expect(await countSales(real), `${this}: reached Gate`).toBe(sales)
    await compare(m, real)
  }
  inOrder = () => this
  toString = () => `purchase(#${this.pick}${this.byOwner ? "" : ", by another customer"})`
}

const gatePayments = (real: Real) =>
  real.runtime.runPromise(Effect.flatMap(GateSimulator.GateSimulator, (gate) => gate.payments))

const countSales = (real: Real) =>
  real.runtime.runPromise(
    Effect.map(
      Effect.flatMap(GateSimulator.GateSimulator, (gate) => gate.requests),
      (requests) => requests.filter((r) => r.endpoint === "sale").length,
    ),
  )

class Revoke implements GateCommand {
  constructor(readonly pick: number) {}
  check = (m: Readonly<GateModel.Model>) => m.tokens.length > 0
  act = async (real: Real) => {
    const key = ModelRun.picked(real.keys(), this.pick)
    if (key === undefined) return undefined
    return real.call(Effect.flatMap(TokenLifecycle, (lifecycle) => lifecycle.revoke(key)))
  }
  async run(m: GateModel.Model, real: Real) {
    const expected = GateModel.revoke(m, this.pick % m.tokens.length)
    const exit = ModelRun.ran(await this.act(real), this.toString())
    expect(outcomeOf(exit), this.toString()).toBe(expected.outcome)
    await compare(m, real)
  }
  inOrder = () => this
  toString = () => `revoke(#${this.pick})`
}

/** Moving the clock, sweeping expiries, delivering Gate's callbacks (again, late), and faults on two endpoints. */
const shared = ModelRun.commands<GateModel.Model, Real, "tokenize" | "sale">({
  compare,
  model: GateModel,
  nameDelivery: (m, index) => `callback ${index} (${item(m.callbacks, index).kind})`,
  reveals: leaksCardNumber,
  injectFault: (real, fault, endpoint) =>
    real.runtime.runPromise(
      Effect.flatMap(GateSimulator.GateSimulator, (gate) => gate.injectFault(fault, { endpoint, times: 1 })),
    ),
})

// ---------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------

const pick = fc.nat({ max: 7 })
const tokenizeArb = fc
  .tuple(
    fc.nat({ max: customers.length - 1 }),
    fc.nat({ max: cardNumbers.length - 1 }),
    fc.nat({ max: expiries.length - 1 }),
  )
  .map(([customer, card, expiry]) => new Tokenize(customer, card, expiry))
const mostly = fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) })
const purchaseArb = fc.tuple(pick, mostly).map(([token, byOwner]) => new Purchase(token, byOwner))
const revokeArb = pick.map((token) => new Revoke(token))
const advanceArb = fc.constantFrom(...steps).map(shared.advance)
const expireDueArb = fc.constant(shared.expireDue)
const orderArb = fc.oneof(
  fc.constant<ModelRun.Order>({ _tag: "sent" }),
  fc.constant<ModelRun.Order>({ _tag: "reverse" }),
  fc
    .array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 8 })
    .map((draws): ModelRun.Order => ({ _tag: "shuffle", draws })),
)
const deliverArb = fc.tuple(orderArb, fc.constantFrom(1, 2)).map(([order, copies]) => shared.deliver(order, copies))
const redeliverArb = fc.nat({ max: 15 }).map(shared.redeliver)
const faultsArb = fc
  .tuple(
    fc.constantFrom<"tokenize" | "sale">("tokenize", "sale"),
    fc.array(fc.constantFrom<ModelRun.FaultKind>("500", "503", "drop", "drop after processing", "slow"), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([endpoint, kinds]) => shared.injectFaults(endpoint, kinds))

const commandArbs = (faults: boolean): Array<fc.Arbitrary<GateCommand>> => [
  tokenizeArb,
  tokenizeArb,
  tokenizeArb,
  purchaseArb,
  purchaseArb,
  revokeArb,
  advanceArb,
  advanceArb,
  expireDueArb,
  deliverArb,
  deliverArb,
  deliverArb,
  redeliverArb,
  redeliverArb,
  ...(faults ? [faultsArb, faultsArb] : []),
]

// ---------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------

/** A run alone ends with the final tokens and their histories, which must keep the invariants too. */
const run = ModelRun.properties({
  setup,
  empty: () => GateModel.empty(start),
  commands: commandArbs,
  observe,
  checkInvariants,
})

describe("Gate adapter against its model", () => {
  it("every command sequence leaves the lifecycle and Gate where the model says", run.model, 120_000)

  it(
    "invariant 10: callbacks duplicated, reordered or repeated later end where delivering each once in order does",
    run.inOrder,
    120_000,
  )

  it(
    "under faults on tokenize and purchase: no payment id paid twice, no tokenize half-written",
    run.underFaults,
    120_000,
  )
})

/**
 * Sequences the properties found, kept as examples so each is checked on its own, whatever
 * sequences the next run happens to generate. Expiries by index: 1 is 01/2026, 2 is 03/2026,
 * 3 is 06/2026, 4 is 12/2027.
 */
describe("Gate adapter against its model: found sequences", () => {
  const customerA = 0
  const card = 0
  const { advance, deliver, injectFaults, redeliver } = shared
  const inSentOrder = ModelRun.inSentOrder

  it("a payment callback from before the card came back with an earlier expiry does not move it back", () =>
    run.sequence(
      [
        new Tokenize(customerA, card, 4),
        deliver(inSentOrder, 1),
        new Purchase(0, true),
        new Tokenize(customerA, card, 3),
        deliver(inSentOrder, 1),
      ],
      0,
      false,
    ))

  it("a callback answered before changes nothing when it comes again after its token lapsed", () =>
    run.sequence(
      [
        new Tokenize(customerA, card, 2),
        deliver(inSentOrder, 1),
        new Tokenize(customerA, card, 1),
        deliver(inSentOrder, 1),
        advance(92 * day),
        redeliver(1),
      ],
      0,
      false,
    ))

  it("a purchase whose answer is lost is sent again under the same payment id and paid once", () =>
    run.sequence(
      [
        new Tokenize(customerA, card, 4),
        deliver(inSentOrder, 1),
        injectFaults("sale", ["drop after processing", "slow"]),
        new Purchase(0, true),
        deliver({ _tag: "reverse" }, 2),
      ],
      0,
      true,
    ))

  it("a tokenize no attempt of which is answered fails; Gate's answers wait, refused 503, until the card returns", () =>
    run.sequence(
      [
        injectFaults("tokenize", ["slow", "drop after processing", "503", "slow"]),
        new Tokenize(customerA, card, 4),
        deliver({ _tag: "shuffle", draws: [3, 1] }, 1),
        new Tokenize(customerA, card, 4),
        deliver({ _tag: "reverse" }, 1),
        deliver(inSentOrder, 1),
      ],
      0,
      true,
    ))

  it("a refresh Gate took, whose answer was lost, does not leave the lifecycle using a token Gate has expired", () =>
    run.sequence(
      [
        new Tokenize(customerA, card, 3),
        deliver(inSentOrder, 1),
        injectFaults("tokenize", ["500", "500", "500", "drop after processing"]),
        new Tokenize(customerA, card, 2),
        advance(92 * day),
        new Purchase(0, true),
      ],
      0,
      true,
    ))
})
