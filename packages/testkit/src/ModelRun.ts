/**
 * Running an adapter beside a plain-data model, as each adapter's `test/model.test.ts` does: the
 * real `TokenLifecycle` over the adapter over the testkit's simulator, in one runtime, driven by
 * fast-check commands and compared with the model after every one.
 *
 * What is the same for every provider lives here: the clock and a call that may meet faults,
 * what an outcome says, ids learnt as they appear, the network between a simulator's outbox and
 * the adapter's handler (which the test plays), the commands that mean the same everywhere
 * (move the clock, sweep expiries, deliver, deliver again late, inject faults) and the three
 * properties (the model; invariant 10; the model under faults). The model, the wiring, the
 * comparison and the provider's own commands stay in the adapter's test.
 *
 * It registers no tests but asserts with vitest's `expect`: import it by its path from test
 * files only, like the conformance suite.
 */
import { expect } from "@effect/vitest"
import type { ProviderDeliveries } from "@token-lifecycle/adapter-kit"
import type { LifecycleEvent } from "@token-lifecycle/domain/Event"
import type { TokenKey } from "@token-lifecycle/domain/Identifiers"
import type { Token } from "@token-lifecycle/domain/Token"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
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
import * as ManualClock from "./ManualClock.js"
import * as Runs from "./Runs.js"
import * as Faults from "./simulators/shared/Faults.js"
import type { Delivery, Sink } from "./simulators/shared/Outbox.js"

/** The `i`-th item, which the caller knows is there. */
export const item = <A>(items: ReadonlyArray<A>, i: number): A => {
  const found = items[i]
  if (found === undefined) throw new Error(`no item ${i} of ${items.length}`)
  return found
}

// ---------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------

/** What an exit says: `ok`, or the failure's tag. Defects name no value, so no card number can show. */
export const outcomeOf = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "ok"
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return Cause.isInterruptedOnly(exit.cause) ? "interrupted" : "defect"
  const error = failure.value
  return typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : typeof error
}

/** Whether a text holds any of these secrets (the card numbers of a test's pool). Only ever the boolean is reported. */
export const revealsAny =
  (secrets: ReadonlyArray<Redacted.Redacted<string>>) =>
  (text: string): boolean =>
    secrets.some((secret) => text.includes(Redacted.value(secret)))

// ---------------------------------------------------------------------------
// The real system and its time
// ---------------------------------------------------------------------------

/** The timeout per attempt a model test gives its adapter; a slow answer (`faultOf("slow")`) comes later. */
export const callTimeout = "2 seconds"
const slowAnswer = "5 seconds"
/** How far the clock is moved while a call that may meet faults runs: past every retry and timeout. */
export const faultWindow = 60_000

/** The lifecycle over the adapter over the simulator, in one runtime, on one clock. */
export interface System<R> {
  readonly runtime: ManagedRuntime.ManagedRuntime<R, never>
  /** Whether calls may meet faults, so that the clock must move while they run. */
  readonly faults: boolean
  /** Every token key the store wrote, in the order the tokens were created. */
  readonly keys: () => ReadonlyArray<TokenKey>
  /** Moves the lifecycle's and the simulator's clock. */
  readonly advance: (millis: number) => Promise<void>
  /**
   * Run one call, then what follows every call (the simulator sending what it queued). A call
   * that may meet faults may retry and time out: it runs in a fiber while the clock moves by
   * `faultWindow`.
   */
  readonly call: <A, E>(effect: Effect.Effect<A, E, R>, mayMeetFaults?: boolean) => Promise<Exit.Exit<A, E>>
}

export interface SystemOptions<R> {
  /** When the clock starts. */
  readonly at: number
  readonly faults: boolean
  /** The services, their store noting in `written` every key it writes; time is provided here. */
  readonly layer: (written: Set<TokenKey>) => Layer.Layer<R>
  /** What follows every call, such as the simulator sending the callbacks it queued. */
  readonly afterCall?: Effect.Effect<unknown, never, NoInfer<R>>
}

/**
 * Build the real system. Time for the runs without faults moves only when told, and nothing on it
 * ever wakes: nothing there sleeps but the adapter's timeout, which must never fire, and
 * `TestClock` would cost a real timer tick per step. Runs with faults need sleeps to wake
 * (retries, timeouts, slow answers), so they take `TestClock` and move it while a call runs.
 */
export const start = async <R>(options: SystemOptions<R>): Promise<System<R>> => {
  const written = new Set<TokenKey>()
  const stepped = ManualClock.make(options.at, { sleeps: "never-wake" })
  const time: Layer.Layer<never> = options.faults ? TestContext.TestContext : Layer.setClock(stepped.clock)
  const runtime = ManagedRuntime.make(options.layer(written).pipe(Layer.provide(time)))
  if (options.faults) await runtime.runPromise(TestClock.setTime(options.at))
  const afterCall = options.afterCall ?? Effect.void
  return {
    runtime,
    faults: options.faults,
    keys: () => [...written],
    advance: (millis) =>
      options.faults
        ? runtime.runPromise(TestClock.adjust(millis))
        : Promise.resolve(Effect.runSync(stepped.adjust(millis))),
    call: (effect, mayMeetFaults = false) =>
      runtime.runPromise(
        Effect.gen(function* () {
          const exit = mayMeetFaults
            ? yield* Effect.gen(function* () {
                const fiber = yield* Effect.fork(effect)
                yield* TestClock.adjust(faultWindow)
                return yield* Fiber.await(fiber)
              })
            : yield* Effect.exit(effect)
          yield* afterCall
          return exit
        }),
      ),
  }
}

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

/** One token the lifecycle holds, with the events of its history. */
export interface Seen {
  readonly token: Token
  readonly events: ReadonlyArray<LifecycleEvent>
}

/**
 * Everything observable at once: every token the store wrote, with its history, in the order
 * written, and what `books` reads of the simulator's own books.
 */
export const observe = <B extends object, R>(
  real: System<NoInfer<R> | TokenLifecycle>,
  books: Effect.Effect<B, unknown, R>,
): Promise<{ readonly tokens: ReadonlyArray<Seen> } & B> =>
  real.runtime.runPromise(
    Effect.gen(function* () {
      const lifecycle = yield* TokenLifecycle
      const tokens = yield* Effect.forEach(real.keys(), (key) =>
        Effect.all({
          token: lifecycle.get(key),
          events: Effect.map(lifecycle.history(key), (history) => history.map(({ event }) => event)),
        }),
      )
      return { tokens, ...(yield* books) }
    }).pipe(Effect.orDie),
  )

/** What every model says of a token, besides its owner: its history's event tags, its status and its uses. */
export interface ExpectedToken {
  readonly history: ReadonlyArray<string>
  readonly status: string
  readonly uses: number
}

/**
 * As many tokens as the model holds, each, in the order written, with the history, status, uses
 * and owner (`ownerOf`) the model says; `more` then checks what else the adapter's model says of it.
 */
export const expectTokens = <T extends ExpectedToken>(
  seen: ReadonlyArray<Seen>,
  expected: ReadonlyArray<T>,
  ownerOf: (expected: T) => string,
  more: (token: Token, expected: T, what: string) => void,
): void => {
  expect(seen.length, "tokens").toBe(expected.length)
  expected.forEach((model, i) => {
    const { token, events } = item(seen, i)
    const what = `token #${i}`
    expect(
      events.map((event) => event._tag),
      `${what}: history`,
    ).toEqual(model.history)
    expect(token._tag, `${what}: status`).toBe(model.status)
    expect(token.uses, `${what}: uses`).toBe(model.uses)
    expect(token.owner, `${what}: owner`).toBe(ownerOf(model))
    more(token, model, what)
  })
}

/** A token picked by a generated number from those the store wrote, in the order they were created. */
export const picked = (keys: ReadonlyArray<TokenKey>, pick: number): TokenKey | undefined =>
  keys.length === 0 ? undefined : keys[pick % keys.length]

/** What a command acting on a picked token returned; the model gave it a token, so the real system must have one. */
export const ran = <A>(result: A | undefined, what: string): A => {
  if (result === undefined) throw new Error(`${what}: no token to act on`)
  return result
}

/** Someone of the pool other than `owner`. */
export const someoneElse = (pool: ReadonlyArray<string>, owner: string): string =>
  pool.find((other) => other !== owner) ?? "nobody"

/**
 * Ids the model cannot know beforehand (a provider's token ids, card fingerprints), learnt the
 * first time each is seen: a new entry must bring a new one, a known entry must keep its own.
 */
export class Learnt {
  private readonly known = new Map<number, string>()
  /** What the ids are, for failure messages: "Gate token id". */
  constructor(readonly of: string) {}

  get = (entry: number): string | undefined => this.known.get(entry)

  learn = (entry: number, seen: string, what: string): void => {
    const known = this.known.get(entry)
    if (known === undefined) {
      expect([...this.known.values()].includes(seen), `${what}: another's ${this.of}`).toBe(false)
      this.known.set(entry, seen)
    } else {
      expect(seen === known, `${what}: its ${this.of} changed`).toBe(true)
    }
  }
}

// ---------------------------------------------------------------------------
// Deliveries: the network between the simulator's outbox and the adapter's handler
// ---------------------------------------------------------------------------

export type Receipt = ProviderDeliveries.DeliveryReceipt

/** Every callback or webhook the provider sent, kept for the test to hand on as it chooses. */
export interface Mailbox {
  /** Every delivery the provider sent, in the order sent. */
  readonly sent: Array<Delivery>
  /** Deliveries not yet accepted: the provider sends them again. */
  readonly waiting: Array<number>
  /** Deliveries accepted at least once, for a late duplicate. */
  readonly accepted: Array<number>
  /** Whether the provider takes an answer as final. */
  readonly accepts: (receipt: Receipt) => boolean
  /** Where the simulator sends: the test then plays the network. */
  readonly sink: Sink
  /** Deliveries already compared with the model. */
  checked: number
}

/** An empty mailbox; by default the provider sends a delivery again until it is answered 200. */
export const mailbox = (accepts: (receipt: Receipt) => boolean = (receipt) => receipt.status === 200): Mailbox => {
  const sent: Array<Delivery> = []
  const waiting: Array<number> = []
  return {
    sent,
    waiting,
    accepted: [],
    accepts,
    sink: (delivery) =>
      Effect.sync(() => {
        sent.push(delivery)
        waiting.push(sent.length - 1)
      }),
    checked: 0,
  }
}

/** The deliveries sent since the last look, with their indexes; they count as looked at from now. */
export const unchecked = (mail: Mailbox): ReadonlyArray<{ readonly index: number; readonly delivery: Delivery }> => {
  const fresh = mail.sent.slice(mail.checked).map((delivery, i) => ({ index: mail.checked + i, delivery }))
  mail.checked = mail.sent.length
  return fresh
}

/** A real system whose provider sends callbacks or webhooks, kept in `mail`, for `handle`. */
export interface Receiving<R> extends System<R> {
  readonly mail: Mailbox
  /** The adapter's handler, answering one delivery as it would answer the provider. */
  readonly handle: (delivery: Delivery) => Effect.Effect<Receipt>
}

export interface Handled {
  readonly index: number
  readonly receipt: Receipt
}

/** Hand deliveries to the handler one by one; one accepted is not sent again. */
export const hand = async (
  real: Receiving<never>,
  sequence: ReadonlyArray<number>,
): Promise<ReadonlyArray<Handled>> => {
  const { mail } = real
  const handled: Array<Handled> = []
  for (const index of sequence) {
    const receipt = await real.runtime.runPromise(real.handle(item(mail.sent, index)))
    if (mail.accepts(receipt)) {
      const waiting = mail.waiting.indexOf(index)
      if (waiting >= 0) mail.waiting.splice(waiting, 1)
      if (!mail.accepted.includes(index)) mail.accepted.push(index)
    }
    handled.push({ index, receipt })
  }
  return handled
}

/** Hand on every delivery still waiting, in the order sent, until none is left (three rounds at most). */
export const settle = async (real: Receiving<never>): Promise<void> => {
  for (let round = 0; round < 3 && real.mail.waiting.length > 0; round++) await hand(real, [...real.mail.waiting])
}

/** What a receipt says of the delivery's first event: `applied`, why it changed nothing, or `none`. */
const receiptOutcome = (receipt: Receipt): string => {
  const first = receipt.outcomes[0]
  if (first === undefined) return "none"
  return first._tag === "Applied" ? "applied" : first.reason
}

/** An order to deliver in: as sent, reversed, shuffled by the command's own numbers, or starting at the `by`-th. */
export type Order =
  | { readonly _tag: "sent" }
  | { readonly _tag: "reverse" }
  | { readonly _tag: "shuffle"; readonly draws: ReadonlyArray<number> }
  | { readonly _tag: "rotate"; readonly by: number }

export const inSentOrder: Order = { _tag: "sent" }

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

export const ordered = <A>(items: ReadonlyArray<A>, order: Order): Array<A> => {
  switch (order._tag) {
    case "sent":
      return [...items]
    case "reverse":
      return [...items].reverse()
    case "shuffle":
      return shuffled(items, order.draws)
    case "rotate": {
      const at = items.length === 0 ? 0 : order.by % items.length
      return [...items.slice(at), ...items.slice(0, at)]
    }
  }
}

const orderName = (order: Order): string => {
  switch (order._tag) {
    case "shuffle":
      return `shuffle [${order.draws.join(", ")}]`
    case "rotate":
      return `rotate ${order.by}`
    default:
      return order._tag
  }
}

// ---------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------

/** 5xx, a connection dropped before or after the provider acts, an answer past the timeout, a garbled answer. */
export type FaultKind = "500" | "503" | "drop" | "drop after processing" | "slow" | "garbled"

export const faultOf = (kind: FaultKind): Faults.Fault => {
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

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

/** What every model holds: its clock. */
export interface Model {
  now: number
}

/** A command of a model run that can also act on the real system alone, for invariant 10. */
export interface Command<M extends object, S> extends fc.AsyncCommand<M, S, false> {
  /** The command on the real system alone, for runs without the model. */
  readonly act: (real: S) => Promise<unknown>
  /** This command with every delivery handed on once, in the order sent; `undefined` to leave it out. */
  readonly inOrder: () => Command<M, S> | undefined
}

/** What the shared commands need of an adapter's test. */
export interface Spec<M extends Model, S extends Receiving<TokenLifecycle>, E extends string> {
  /** After every command: the real system is where the model says. */
  readonly compare: (m: M, real: S) => Promise<void>
  /** The model's own commands: its expiry sweep (the indexes of the tokens it expires), one delivery of the `index`-th sent. */
  readonly model: {
    readonly expireDue: (m: M) => ReadonlyArray<number>
    readonly deliver: (m: M, index: number) => { readonly status: number; readonly outcome: string }
  }
  /** The `index`-th delivery as failures name it: "callback 3 (revoke)". */
  readonly nameDelivery: (m: M, index: number) => string
  /** Whether a text holds a card number of the test's pool. */
  readonly reveals: (text: string) => boolean
  /** The next request to `endpoint` meets `fault`. */
  readonly injectFault: (real: S, fault: Faults.Fault, endpoint: E) => Promise<void>
}

const hour = 3_600_000

/** The commands that mean the same for every provider, for one adapter's test. */
export const commands = <M extends Model, S extends Receiving<TokenLifecycle>, E extends string>(
  spec: Spec<M, S, E>,
) => {
  const checkDeliveries = (m: M, handled: ReadonlyArray<Handled>, what: string) => {
    for (const { index, receipt } of handled) {
      const expected = spec.model.deliver(m, index)
      expect(spec.reveals(JSON.stringify(receipt)), `${what}: a card number in a receipt`).toBe(false)
      expect(
        { status: receipt.status, outcome: receiptOutcome(receipt) },
        `${what}: ${spec.nameDelivery(m, index)}`,
      ).toEqual(expected)
    }
  }

  /** Move the clock, the model's and the real one. */
  const advance = (millis: number): Command<M, S> => {
    const command: Command<M, S> = {
      check: () => true,
      act: (real) => real.advance(millis),
      run: async (m, real) => {
        m.now += millis
        await command.act(real)
        await spec.compare(m, real)
      },
      inOrder: () => command,
      toString: () => `advance(${millis / hour} h)`,
    }
    return command
  }

  /** The lifecycle's expiry sweep: it expires the tokens the model says, no more. */
  const sweep = (real: S) => real.runtime.runPromise(Effect.flatMap(TokenLifecycle, (lifecycle) => lifecycle.expireDue))
  const expireDue: Command<M, S> = {
    check: () => true,
    act: sweep,
    run: async (m, real) => {
      const keys = real.keys()
      const expected = spec.model.expireDue(m).map((i) => item(keys, i))
      const expired = await sweep(real)
      expect([...expired].sort(), "expireDue").toEqual([...expected].sort())
      await spec.compare(m, real)
    },
    inOrder: () => expireDue,
    toString: () => "expireDue",
  }

  /** Hand deliveries on, in the sequence `sequenceOf` picks; each must be answered as the model says. */
  const handing = (
    sequenceOf: (real: S) => ReadonlyArray<number>,
    inOrder: () => Command<M, S> | undefined,
    name: string,
  ): Command<M, S> => ({
    check: () => true,
    act: (real) => hand(real, sequenceOf(real)),
    run: async (m, real) => {
      checkDeliveries(m, await hand(real, sequenceOf(real)), name)
      await spec.compare(m, real)
    },
    inOrder,
    toString: () => name,
  })

  /** Hand on every delivery still waiting, in an order, each `copies` times. */
  const deliver = (order: Order, copies: number): Command<M, S> =>
    handing(
      (real) =>
        ordered(
          real.mail.waiting.flatMap((index) => Array.from({ length: copies }, () => index)),
          order,
        ),
      () => deliver(inSentOrder, 1),
      `deliver(${orderName(order)}${copies > 1 ? `, each ×${copies}` : ""})`,
    )

  /** Hand on once more a delivery already accepted: the provider's late duplicate. */
  const redeliver = (pick: number): Command<M, S> =>
    handing(
      ({ mail: { accepted } }) => (accepted.length === 0 ? [] : [item(accepted, pick % accepted.length)]),
      () => undefined,
      `redeliver(#${pick} of those accepted)`,
    )

  /** The next requests to one endpoint meet these faults, one each, in order. */
  const injectFaults = (endpoint: E, kinds: ReadonlyArray<FaultKind>): Command<M, S> => {
    const command: Command<M, S> = {
      check: () => true,
      act: async (real) => {
        for (const kind of kinds) await spec.injectFault(real, faultOf(kind), endpoint)
      },
      run: async (_m, real) => {
        await command.act(real)
      },
      inOrder: () => command,
      toString: () => `faults(${endpoint}: ${kinds.join(", ")})`,
    }
    return command
  }

  return { advance, expireDue, deliver, redeliver, injectFaults }
}

// ---------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------

/** A fifth of the configured runs: each run builds a runtime and plays up to 30 commands. */
export const parameters = (): Runs.RunParameters => ({
  ...Runs.parameters(),
  numRuns: Math.max(1, Math.ceil(Runs.numRuns() / 5)),
})

/** Run one command sequence beside the model, always releasing the runtime. */
export const besideModel = async <
  M extends object,
  S extends { readonly runtime: { readonly dispose: () => Promise<void> } },
>(
  real: S,
  model: M,
  commands: Iterable<fc.AsyncCommand<M, S, boolean>>,
): Promise<void> => {
  try {
    await fc.asyncModelRun(() => ({ model, real }), commands)
  } finally {
    await real.runtime.dispose()
  }
}

export interface Runner<M extends object, S, V extends { readonly tokens: ReadonlyArray<Seen> }> {
  /** A fresh real system on a simulator of this seed, whose calls may meet faults or not. */
  readonly setup: (seed: number, faults: boolean) => Promise<S>
  /** The model at the start of a run. */
  readonly empty: () => M
  /** The commands to draw from, with those that inject faults or without. */
  readonly commands: (faults: boolean) => Array<fc.Arbitrary<Command<M, S>>>
  /** Everything observable: the tokens, compared at the end of a run alone, and the provider's books. */
  readonly observe: (real: S) => Promise<V>
  /** What holds whatever the model says; a run alone must keep it too. */
  readonly checkInvariants: (view: V) => void
}

const maxCommands = 30

/**
 * The three properties of an adapter whose provider calls back, each a thunk for `it`, and
 * `sequence` to run one chosen sequence beside the model:
 *
 * - `model`: every command sequence leaves the real system where the model says;
 * - `inOrder`: invariant 10, a command list run alone twice, once handing every delivery on once
 *   in the order sent and once as generated (duplicated, reordered, late), ends the same;
 * - `underFaults`: the model again, with commands that inject faults.
 */
export const properties = <
  M extends object,
  S extends Receiving<never>,
  V extends { readonly tokens: ReadonlyArray<Seen> },
>(
  runner: Runner<M, S, V>,
) => {
  const sequence = async (commands: Iterable<fc.AsyncCommand<M, S, boolean>>, seed: number, faults: boolean) =>
    besideModel(await runner.setup(seed, faults), runner.empty(), commands)

  /** Run commands on the real system alone, then hand on every delivery still waiting; the final tokens. */
  const alone = async (commands: ReadonlyArray<Command<M, S>>, seed: number): Promise<ReadonlyArray<Seen>> => {
    const real = await runner.setup(seed, false)
    try {
      for (const command of commands) await command.act(real)
      await settle(real)
      const view = await runner.observe(real)
      runner.checkInvariants(view)
      return view.tokens
    } finally {
      await real.runtime.dispose()
    }
  }

  const simulatorSeed = fc.integer()
  const withModel = (faults: boolean) => () =>
    fc.assert(
      fc.asyncProperty(
        fc.commands(runner.commands(faults), { maxCommands, size: "max" }),
        simulatorSeed,
        (commands, seed) => sequence(commands, seed, faults),
      ),
      parameters(),
    )

  return {
    sequence,
    model: withModel(false),
    inOrder: () =>
      fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(...runner.commands(false)), { maxLength: maxCommands, size: "max" }),
          simulatorSeed,
          async (commands, seed) => {
            const inOrder = commands.flatMap((command) => command.inOrder() ?? [])
            const expected = await alone(inOrder, seed)
            const actual = await alone(commands, seed)
            expect(actual).toEqual(expected)
          },
        ),
        parameters(),
      ),
    underFaults: withModel(true),
  }
}
