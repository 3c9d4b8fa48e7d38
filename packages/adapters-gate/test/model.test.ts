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
import type { LifecycleEvent } from "@token-lifecycle/domain/Event"
import type { TokenKey } from "@token-lifecycle/domain/Identifiers"
import * as Policy from "@token-lifecycle/domain/Policy"
import type { Token } from "@token-lifecycle/domain/Token"
import { layer as lifecycleLayer, TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as InMemoryTokenRepository from "@token-lifecycle/testkit/InMemoryTokenRepository"
import * as ManualClock from "@token-lifecycle/testkit/ManualClock"
import * as Runs from "@token-lifecycle/testkit/Runs"
import * as SequentialIdentity from "@token-lifecycle/testkit/SequentialIdentity"
import type { PaymentRecord, TokenView } from "@token-lifecycle/testkit/simulators/gate/GateBooks"
import * as GateHttpClient from "@token-lifecycle/testkit/simulators/gate/GateHttpClient"
import * as GateSimulator from "@token-lifecycle/testkit/simulators/gate/GateSimulator"
import * as Faults from "@token-lifecycle/testkit/simulators/shared/Faults"
import type { Sink } from "@token-lifecycle/testkit/simulators/shared/Outbox"
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
import * as GateCallbacks from "../src/GateCallbacks.js"
import * as GateConfig from "../src/GateConfig.js"
import * as GateGateway from "../src/GateGateway.js"
import * as GateModel from "./GateModel.js"

const { cardEnd, formatExpiry, item } = GateModel

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
/** The adapter's timeout per attempt, and how long a slow Gate takes: longer. */
const timeout = "2 seconds"
const slowAnswer = "5 seconds"
/** How far the clock is moved while a call that may meet faults runs: past every retry and timeout. */
const faultWindow = 60_000

const last4 = (card: number) => Redacted.value(item(cardNumbers, card)).slice(-4)

/** Whether a text holds any card number of the pool. Only ever the boolean is reported. */
const leaksCardNumber = (text: string): boolean => cardNumbers.some((n) => text.includes(Redacted.value(n)))

// ---------------------------------------------------------------------------
// The real system
// ---------------------------------------------------------------------------

/**
 * Time for the runs without faults: it moves only when told, and nothing on it ever wakes. Nothing
 * there sleeps but the adapter's timeout, which must never fire; `TestClock` would cost a real
 * timer tick per step. Runs with faults need sleeps to wake (retries, timeouts, slow answers), so
 * they take `TestClock` and move it while a call runs.
 */
const steppedClock = (startAt: number) => {
  const manual = ManualClock.make(startAt, { sleeps: "never-wake" })
  return { layer: Layer.setClock(manual.clock), advance: (millis: number) => Effect.runSync(manual.adjust(millis)) }
}

const servicesLayer = (options: {
  readonly seed: number
  readonly sink: Sink
  readonly written: Set<TokenKey>
  readonly time: Layer.Layer<never>
}) => {
  const config = GateConfig.layer({ projectId: project.id, secretKey: project.secret, timeout })
  const gateway = GateGateway.layer.pipe(Layer.provide(Layer.mergeAll(GateHttpClient.layer(), config)))
  return lifecycleLayer({ policy: Policy.gate }).pipe(
    Layer.provideMerge(
      Layer.mergeAll(gateway, InMemoryTokenRepository.layerNoting(options.written), SequentialIdentity.layer(), config),
    ),
    Layer.provideMerge(
      GateSimulator.layer({ projects: [project], seed: options.seed, callbacks: { sink: options.sink } }),
    ),
    Layer.provide(options.time),
  )
}

type Services = Layer.Layer.Success<ReturnType<typeof servicesLayer>>

interface Real {
  readonly runtime: ManagedRuntime.ManagedRuntime<Services, never>
  /** Moves the lifecycle's and Gate's clock. */
  readonly advance: (millis: number) => Promise<void>
  readonly handle: (rawBody: string) => Effect.Effect<GateCallbacks.CallbackReceipt>
  /** Every token key the store wrote, in the order the tokens were created. */
  readonly written: Set<TokenKey>
  /** Every callback Gate sent, as the signed bytes, in the order sent. */
  readonly bodies: Array<string>
  /** Callbacks sent and not yet answered 200: Gate sends them again. */
  readonly inbox: Array<number>
  /** Callbacks answered 200 at least once, for a delivery again later. */
  readonly accepted: Array<number>
  /** Whether tokenize and purchase may meet faults, so the clock moves while they run. */
  readonly faults: boolean
  /** Gate's token id of each model entry, learnt when first seen. */
  readonly entryIds: Map<number, string>
  /** Each card's fingerprint, learnt when first seen. */
  readonly fingerprints: Map<number, string>
  purchases: number
  /** Callbacks already compared with the model. */
  checkedBodies: number
}

const setup = async (seed: number, faults: boolean): Promise<Real> => {
  const written = new Set<TokenKey>()
  const bodies: Array<string> = []
  const inbox: Array<number> = []
  // Gate's outbox goes out whole after every command; the test then plays the network.
  const sink: Sink = ({ body: rawBody }) =>
    Effect.sync(() => {
      bodies.push(rawBody)
      inbox.push(bodies.length - 1)
    })
  const stepped = steppedClock(start)
  const runtime = ManagedRuntime.make(
    servicesLayer({ seed, sink, written, time: faults ? TestContext.TestContext : stepped.layer }),
  )
  if (faults) await runtime.runPromise(TestClock.setTime(start))
  const handle = await runtime.runPromise(GateCallbacks.make)
  return {
    runtime,
    advance: (millis) =>
      faults ? runtime.runPromise(TestClock.adjust(millis)) : Promise.resolve(stepped.advance(millis)),
    handle,
    written,
    bodies,
    inbox,
    accepted: [],
    faults,
    entryIds: new Map(),
    fingerprints: new Map(),
    purchases: 0,
    checkedBodies: 0,
  }
}

const keys = (real: Real): ReadonlyArray<TokenKey> => [...real.written]

/**
 * Run one lifecycle call, then let Gate send what it queued. A call that may meet faults (a
 * tokenize or a purchase in the faulty variant) may retry and time out: it runs in a fiber while
 * the clock moves by `faultWindow`.
 */
const call = <A, E>(
  real: Real,
  effect: Effect.Effect<A, E, Services>,
  mayMeetFaults: boolean,
): Promise<Exit.Exit<A, E>> =>
  real.runtime.runPromise(
    Effect.gen(function* () {
      const exit = mayMeetFaults
        ? yield* Effect.gen(function* () {
            const fiber = yield* Effect.fork(effect)
            yield* TestClock.adjust(faultWindow)
            return yield* Fiber.await(fiber)
          })
        : yield* Effect.exit(effect)
      yield* Effect.flatMap(GateSimulator.GateSimulator, (gate) => gate.deliverDue)
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

const receiptOutcome = (receipt: GateCallbacks.CallbackReceipt): string => {
  const first = receipt.outcomes[0]
  if (first === undefined) return "none"
  return first._tag === "Applied" ? "applied" : first.reason
}

interface Observed {
  readonly tokens: ReadonlyArray<{ readonly token: Token; readonly events: ReadonlyArray<LifecycleEvent> }>
  readonly gateTokens: ReadonlyArray<TokenView>
  readonly payments: ReadonlyArray<PaymentRecord>
}

/** Everything observable at once: every token written with its history, and Gate's books. */
const observe = (real: Real): Promise<Observed> =>
  real.runtime.runPromise(
    Effect.gen(function* () {
      const lifecycle = yield* TokenLifecycle
      const gate = yield* GateSimulator.GateSimulator
      const tokens = yield* Effect.forEach(keys(real), (key) =>
        Effect.all({
          token: lifecycle.get(key),
          events: Effect.map(lifecycle.history(key), (history) => history.map(({ event }) => event)),
        }),
      )
      return { tokens, gateTokens: yield* gate.tokens, payments: yield* gate.payments }
    }).pipe(Effect.orDie),
  )

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

/** Gate's token id for a model entry: a new entry has a new id, a known one keeps its id. */
const entryId = (real: Real, entry: number, seen: string, what: string) => {
  const known = real.entryIds.get(entry)
  if (known === undefined) {
    expect([...real.entryIds.values()].includes(seen), `${what}: a new Gate token reuses another's id`).toBe(false)
    real.entryIds.set(entry, seen)
  } else {
    expect(seen === known, `${what}: Gate's token id changed`).toBe(true)
  }
}

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
  expect(real.bodies.length, "callbacks Gate sent").toBe(m.callbacks.length)
  for (let i = real.checkedBodies; i < real.bodies.length; i++) {
    const body = item(real.bodies, i)
    expect(leaksCardNumber(body), `callback ${i}: a card number`).toBe(false)
    const sent = readCallback(body)
    const expected = item(m.callbacks, i)
    expect(sent.kind, `callback ${i}: kind`).toBe(expected.kind)
    expect(sent.expiry, `callback ${i}: the card's expiry`).toEqual(expected.expiry)
    entryId(real, expected.entry, sent.token, `callback ${i}`)
  }
  real.checkedBodies = real.bodies.length

  const view = await observe(real)
  checkInvariants(view)
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
    expect(token.owner, `${what}: owner`).toBe(item(customers, expected.customer))
    expect(token.card?.expiry, `${what}: card expiry`).toEqual(expected.expiry)
    expect(token.card?.masked.last4 === last4(expected.card), `${what}: the masked card`).toBe(true)
    const fingerprint = token.card?.fingerprint
    const known = real.fingerprints.get(expected.card)
    if (known === undefined) {
      expect([...real.fingerprints.values()].includes(fingerprint ?? ""), `${what}: another card's fingerprint`).toBe(
        false,
      )
      if (fingerprint !== undefined) real.fingerprints.set(expected.card, fingerprint)
    } else expect(fingerprint === known, `${what}: the card's fingerprint`).toBe(true)
    expect(token.ending?.cause, `${what}: why its life ended`).toBe(expected.endCause)
    if (expected.issued) {
      const entry = item(m.entries, expected.entry ?? -1)
      expect(token.tokenId, `${what}: Gate's token id`).toBeDefined()
      entryId(real, expected.entry ?? -1, token.tokenId ?? "", what)
      // Gate's creation time, as its callbacks give it: to the second.
      const issuedAt = token.issuedAt ?? Number.NaN
      expect(issuedAt, `${what}: issued at`).toBeGreaterThanOrEqual(Math.floor(entry.created.from / 1000) * 1000)
      expect(issuedAt, `${what}: issued at`).toBeLessThanOrEqual(entry.created.to)
      expect(token.expiresAt, `${what}: expires at`).toBe(cardEnd(expected.expiry))
    } else {
      expect(token.tokenId, `${what}: a token id before Gate's answer`).toBeUndefined()
      expect(token.expiresAt, `${what}: expires at`).toBeUndefined()
    }
  })

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
  expect(exit.value.key, `${what}: the token returned`).toBe(item(keys(real), expected.token))
}

/** Under faults a call Gate was asked may end either way; only a transient failure is a fair one. */
const transient = new Set(["ok", "ProviderUnavailable", "ProviderTimeout"])

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

interface GateCommand extends fc.AsyncCommand<GateModel.Model, Real, false> {
  /** The command on the real system alone, for runs without the model. */
  readonly act: (real: Real) => Promise<unknown>
  /** This command with every callback delivered once, in the order sent; `undefined` to leave it out. */
  readonly inOrder: () => GateCommand | undefined
}

class Tokenize implements GateCommand {
  constructor(
    readonly customer: number,
    readonly card: number,
    readonly expiry: number,
  ) {}
  check = () => true
  act = (real: Real) =>
    call(
      real,
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
    const before = real.bodies.length
    const from = m.now
    const exit = await this.act(real)
    const outcome = outcomeOf(exit)
    expect(leaksCardNumber(JSON.stringify(exit)), `${this}: a card number in the outcome`).toBe(false)
    const observed = real.faults
      ? {
          // Each tokenize attempt Gate processes sends a callback.
          processed: real.bodies.length - before,
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

const otherCustomer = (owner: string): string => customers.find((c) => c !== owner) ?? "nobody"

/** A token picked from those the store wrote, in the order they were created. */
const picked = (real: Real, pick: number): TokenKey | undefined => {
  const all = keys(real)
  return all.length === 0 ? undefined : item(all, pick % all.length)
}

const ran = <A>(result: A | undefined, what: string): A => {
  if (result === undefined) throw new Error(`${what}: no token to act on`)
  return result
}

class Purchase implements GateCommand {
  constructor(
    readonly pick: number,
    readonly byOwner: boolean,
  ) {}
  check = (m: Readonly<GateModel.Model>) => m.tokens.length > 0
  /** The payment id counts purchases within a run, so both runs of invariant 10 use the same ids. */
  act = async (real: Real) => {
    const key = picked(real, this.pick)
    if (key === undefined) return undefined
    const reference = `payment-${++real.purchases}`
    const byOwner = this.byOwner
    const exit = await call(
      real,
      Effect.gen(function* () {
        const lifecycle = yield* TokenLifecycle
        const { owner } = yield* lifecycle.get(key)
        return yield* lifecycle.use(key, {
          by: byOwner ? owner : otherCustomer(owner),
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
    const { reference, exit } = ran(await this.act(real), this.toString())
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
    const key = picked(real, this.pick)
    if (key === undefined) return undefined
    return call(
      real,
      Effect.flatMap(TokenLifecycle, (lifecycle) => lifecycle.revoke(key)),
      false,
    )
  }
  async run(m: GateModel.Model, real: Real) {
    const expected = GateModel.revoke(m, this.pick % m.tokens.length)
    const exit = ran(await this.act(real), this.toString())
    expect(outcomeOf(exit), this.toString()).toBe(expected.outcome)
    await compare(m, real)
  }
  inOrder = () => this
  toString = () => `revoke(#${this.pick})`
}

class Advance implements GateCommand {
  constructor(readonly millis: number) {}
  check = () => true
  act = (real: Real) => real.advance(this.millis)
  async run(m: GateModel.Model, real: Real) {
    m.now += this.millis
    await this.act(real)
    await compare(m, real)
  }
  inOrder = () => this
  toString = () => `advance(${this.millis / hour} h)`
}

class ExpireDue implements GateCommand {
  check = () => true
  act = (real: Real) => real.runtime.runPromise(Effect.flatMap(TokenLifecycle, (lifecycle) => lifecycle.expireDue))
  async run(m: GateModel.Model, real: Real) {
    const expected = GateModel.expireDue(m).map((i) => item(keys(real), i))
    const expired = await this.act(real)
    expect([...expired].sort(), this.toString()).toEqual([...expected].sort())
    await compare(m, real)
  }
  inOrder = () => this
  toString = () => "expireDue"
}

type Order = "sent" | "reverse" | "shuffle"

/** Fisher–Yates driven by the command's own numbers, so a run replays exactly from its seed. */
const shuffled = <A>(items: ReadonlyArray<A>, draws: ReadonlyArray<number>): Array<A> => {
  const result = [...items]
  for (let i = result.length - 1; i > 0; i--) {
    const j = (draws[i % draws.length] ?? 0) % (i + 1)
    const a = result[i] as A
    result[i] = result[j] as A
    result[j] = a
  }
  return result
}

interface Delivery {
  readonly index: number
  readonly receipt: GateCallbacks.CallbackReceipt
}

/** Hand callbacks to the handler one by one; a 200 ends Gate's resending, anything else keeps it. */
const deliverAll = async (real: Real, sequence: ReadonlyArray<number>): Promise<ReadonlyArray<Delivery>> => {
  const deliveries: Array<Delivery> = []
  for (const index of sequence) {
    const receipt = await real.runtime.runPromise(real.handle(item(real.bodies, index)))
    if (receipt.status === 200) {
      const waiting = real.inbox.indexOf(index)
      if (waiting >= 0) real.inbox.splice(waiting, 1)
      if (!real.accepted.includes(index)) real.accepted.push(index)
    }
    deliveries.push({ index, receipt })
  }
  return deliveries
}

const checkDeliveries = (m: GateModel.Model, deliveries: ReadonlyArray<Delivery>, what: string) => {
  for (const { index, receipt } of deliveries) {
    const expected = GateModel.deliver(m, index)
    expect(leaksCardNumber(JSON.stringify(receipt)), `${what}: a card number in a receipt`).toBe(false)
    expect(
      { status: receipt.status, outcome: receiptOutcome(receipt) },
      `${what}: callback ${index} (${item(m.callbacks, index).kind})`,
    ).toEqual(expected)
  }
}

/** Deliver every callback Gate is (re)sending, in an order, each once or twice. */
class Deliver implements GateCommand {
  constructor(
    readonly order: Order,
    readonly copies: number,
    readonly draws: ReadonlyArray<number>,
  ) {}
  check = () => true
  sequence = (real: Real) => {
    const copies = real.inbox.flatMap((index) => Array.from({ length: this.copies }, () => index))
    if (this.order === "reverse") return copies.reverse()
    return this.order === "shuffle" ? shuffled(copies, this.draws) : copies
  }
  act = (real: Real) => deliverAll(real, this.sequence(real))
  async run(m: GateModel.Model, real: Real) {
    checkDeliveries(m, await this.act(real), this.toString())
    await compare(m, real)
  }
  inOrder = () => new Deliver("sent", 1, [])
  toString = () =>
    `deliver(${this.order}${this.order === "shuffle" ? ` [${this.draws.join(", ")}]` : ""}${this.copies > 1 ? `, each ×${this.copies}` : ""})`
}

/** Deliver once more a callback already answered 200: Gate's late duplicate. */
class Redeliver implements GateCommand {
  constructor(readonly pick: number) {}
  check = () => true
  act = (real: Real) =>
    real.accepted.length === 0
      ? Promise.resolve([])
      : deliverAll(real, [item(real.accepted, this.pick % real.accepted.length)])
  async run(m: GateModel.Model, real: Real) {
    checkDeliveries(m, await this.act(real), this.toString())
    await compare(m, real)
  }
  inOrder = () => undefined
  toString = () => `redeliver(#${this.pick} of those answered)`
}

type FaultKind = "500" | "503" | "drop" | "drop after processing" | "slow"

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
  }
}

/** The next requests to one endpoint meet these faults, one each, in order. */
class InjectFaults implements GateCommand {
  constructor(
    readonly endpoint: "tokenize" | "sale",
    readonly kinds: ReadonlyArray<FaultKind>,
  ) {}
  check = () => true
  act = (real: Real) =>
    real.runtime.runPromise(
      Effect.flatMap(GateSimulator.GateSimulator, (gate) =>
        Effect.forEach(this.kinds, (kind) => gate.injectFault(faultOf(kind), { endpoint: this.endpoint, times: 1 }), {
          discard: true,
        }),
      ),
    )
  async run(_m: GateModel.Model, real: Real) {
    await this.act(real)
  }
  inOrder = () => this
  toString = () => `faults(${this.endpoint}: ${this.kinds.join(", ")})`
}

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
const advanceArb = fc.constantFrom(...steps).map((millis) => new Advance(millis))
const expireDueArb = fc.constant(new ExpireDue())
const deliverArb = fc
  .tuple(
    fc.constantFrom<Order>("sent", "reverse", "shuffle"),
    fc.constantFrom(1, 2),
    fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 8 }),
  )
  .map(([order, copies, draws]) => new Deliver(order, copies, draws))
const redeliverArb = fc.nat({ max: 15 }).map((n) => new Redeliver(n))
const faultsArb = fc
  .tuple(
    fc.constantFrom<"tokenize" | "sale">("tokenize", "sale"),
    fc.array(fc.constantFrom<FaultKind>("500", "503", "drop", "drop after processing", "slow"), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([endpoint, kinds]) => new InjectFaults(endpoint, kinds))

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

const maxCommands = 30

// ---------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------

/** Run one command sequence against the model, always releasing the runtime. */
const runWithModel = async (
  commands: Iterable<fc.AsyncCommand<GateModel.Model, Real, boolean>>,
  seed: number,
  faults: boolean,
) => {
  const real = await setup(seed, faults)
  try {
    await fc.asyncModelRun(() => ({ model: GateModel.empty(start), real }), commands)
  } finally {
    await real.runtime.dispose()
  }
}

/**
 * Run commands on the real system alone, then deliver every callback still unanswered, in the
 * order sent, until none is left or none more is taken; the final tokens with their histories,
 * which must keep the invariants too.
 */
const runAlone = async (commands: ReadonlyArray<GateCommand>, seed: number): Promise<Observed["tokens"]> => {
  const real = await setup(seed, false)
  try {
    for (const command of commands) await command.act(real)
    for (let round = 0; round < 3 && real.inbox.length > 0; round++) await deliverAll(real, [...real.inbox])
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

describe("Gate adapter against its model", () => {
  it(
    "every command sequence leaves the lifecycle and Gate where the model says",
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
    "invariant 10: callbacks duplicated, reordered or repeated later end where delivering each once in order does",
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
    "under faults on tokenize and purchase: no payment id paid twice, no tokenize half-written",
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

/**
 * Sequences the properties found, kept as examples so each is checked on its own, whatever
 * sequences the next run happens to generate. Expiries by index: 1 is 01/2026, 2 is 03/2026,
 * 3 is 06/2026, 4 is 12/2027.
 */
describe("Gate adapter against its model: found sequences", () => {
  const customerA = 0
  const card = 0

  it("a payment callback from before the card came back with an earlier expiry does not move it back", () =>
    runWithModel(
      [
        new Tokenize(customerA, card, 4),
        new Deliver("sent", 1, []),
        new Purchase(0, true),
        new Tokenize(customerA, card, 3),
        new Deliver("sent", 1, []),
      ],
      0,
      false,
    ))

  it("a callback answered before changes nothing when it comes again after its token lapsed", () =>
    runWithModel(
      [
        new Tokenize(customerA, card, 2),
        new Deliver("sent", 1, []),
        new Tokenize(customerA, card, 1),
        new Deliver("sent", 1, []),
        new Advance(92 * day),
        new Redeliver(1),
      ],
      0,
      false,
    ))

  it("a purchase whose answer is lost is sent again under the same payment id and paid once", () =>
    runWithModel(
      [
        new Tokenize(customerA, card, 4),
        new Deliver("sent", 1, []),
        new InjectFaults("sale", ["drop after processing", "slow"]),
        new Purchase(0, true),
        new Deliver("reverse", 2, []),
      ],
      0,
      true,
    ))

  it("a tokenize no attempt of which is answered fails; Gate's answers wait, refused 503, until the card returns", () =>
    runWithModel(
      [
        new InjectFaults("tokenize", ["slow", "drop after processing", "503", "slow"]),
        new Tokenize(customerA, card, 4),
        new Deliver("shuffle", 1, [3, 1]),
        new Tokenize(customerA, card, 4),
        new Deliver("reverse", 1, []),
        new Deliver("sent", 1, []),
      ],
      0,
      true,
    ))

  it("a refresh Gate took, whose answer was lost, does not leave the lifecycle using a token Gate has expired", () =>
    runWithModel(
      [
        new Tokenize(customerA, card, 3),
        new Deliver("sent", 1, []),
        new InjectFaults("tokenize", ["500", "500", "500", "drop after processing"]),
        new Tokenize(customerA, card, 2),
        new Advance(92 * day),
        new Purchase(0, true),
      ],
      0,
      true,
    ))
})
