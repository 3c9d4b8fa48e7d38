/**
 * `ModelRun`, the part of the adapters' model tests that is the same for every provider: its
 * clocks, outcomes, learnt ids, the mailbox the test delivers from, and the shared commands,
 * each checked here on its own against the reference gateway, so that an adapter's model test
 * can trust them.
 */
import { describe, expect, it } from "@effect/vitest"
import type { TokenKey } from "@token-lifecycle/domain/Identifiers"
import * as Policy from "@token-lifecycle/domain/Policy"
import { layer as lifecycleLayer, TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as InMemoryTokenRepository from "../src/InMemoryTokenRepository.js"
import * as ModelRun from "../src/ModelRun.js"
import * as ReferenceGateway from "../src/ReferenceGateway.js"
import * as SequentialIdentity from "../src/SequentialIdentity.js"
import type * as Faults from "../src/simulators/shared/Faults.js"

const at = Date.UTC(2026, 0, 1, 12)
const minute = 60_000

/** What an exit holds: its value, or what `outcomeOf` says of it. */
const held = <A>(exit: Exit.Exit<A, unknown>): A | string =>
  Exit.isSuccess(exit) ? exit.value : ModelRun.outcomeOf(exit)

class Refused {
  readonly _tag = "Refused"
}

/** The lifecycle over the reference gateway (Rebilly's policy: issued at once, 30 minutes). */
const lifecycle = (written: Set<TokenKey>) =>
  lifecycleLayer({ policy: Policy.rebilly }).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        ReferenceGateway.layer(Policy.rebilly),
        InMemoryTokenRepository.layerNoting(written),
        SequentialIdentity.layer(),
      ),
    ),
  )

const issue = (owner: string) =>
  Effect.flatMap(TokenLifecycle, (service) =>
    service.issue({
      account: "acct-1",
      owner,
      type: "card",
      card: { number: "4111 1111 1111 1111", cvv: "123", expiry: { month: 12, year: 2030 }, holderName: "Jane Roe" },
    }),
  )

/** A real system whose handler answers each delivery's body as scripted, counting the answers. */
const receiving = async (script: Record<string, ReadonlyArray<ModelRun.Receipt["status"]>>) => {
  const system = await ModelRun.start({ at, faults: false, layer: lifecycle })
  const mail = ModelRun.mailbox()
  const answered = new Map<string, number>()
  const handle = (delivery: { readonly body: string }) =>
    Effect.sync((): ModelRun.Receipt => {
      const n = answered.get(delivery.body) ?? 0
      answered.set(delivery.body, n + 1)
      const statuses = script[delivery.body] ?? [200]
      const status = statuses[Math.min(n, statuses.length - 1)] ?? 200
      return { status, outcomes: [] }
    })
  const send = (body: string) => Effect.runSync(mail.sink({ headers: {}, body }))
  return { real: { ...system, mail, handle }, answered, send }
}

describe("ModelRun", () => {
  it("outcomeOf says ok, the failure's tag, or defect and interrupted without naming any value", () => {
    expect(ModelRun.outcomeOf(Exit.succeed(1))).toBe("ok")
    expect(ModelRun.outcomeOf(Exit.fail(new Refused()))).toBe("Refused")
    expect(ModelRun.outcomeOf(Exit.fail("4111111111111111"))).toBe("string")
    expect(ModelRun.outcomeOf(Exit.die(new Error("4111111111111111")))).toBe("defect")
    expect(ModelRun.outcomeOf(Exit.interrupt(FiberId.none))).toBe("interrupted")
  })

  it("revealsAny tells whether a text holds a secret of the pool", () => {
    const reveals = ModelRun.revealsAny([Redacted.make("4111111111111111"), Redacted.make("5555555555554444")])
    expect(reveals('{"pan":"5555555555554444"}')).toBe(true)
    expect(reveals('{"last4":"4444"}')).toBe(false)
  })

  it("without faults, time moves only when told and a sleep never wakes, even once the clock is past it", async () => {
    const real = await ModelRun.start({ at, faults: false, layer: () => Layer.empty })
    try {
      const exit = await real.call(
        Effect.gen(function* () {
          const sleeper = yield* Effect.fork(Effect.as(Effect.sleep("1 second"), "woke"))
          yield* Effect.promise(() => real.advance(10 * minute))
          yield* Effect.repeatN(Effect.yieldNow(), 20)
          const woke = yield* Fiber.poll(sleeper)
          yield* Fiber.interrupt(sleeper)
          return { woke: Option.isSome(woke), now: yield* Clock.currentTimeMillis }
        }),
      )
      expect(held(exit)).toEqual({ woke: false, now: at + 10 * minute })
    } finally {
      await real.runtime.dispose()
    }
  })

  it("with faults, a call runs while the clock moves by the fault window, then what follows every call", async () => {
    let after = 0
    const real = await ModelRun.start({
      at,
      faults: true,
      layer: () => Layer.empty,
      afterCall: Effect.sync(() => after++),
    })
    try {
      // An answer slower than the adapters' timeout still comes within the window.
      const slow = await real.call(Effect.zipRight(Effect.sleep("5 seconds"), Clock.currentTimeMillis), true)
      expect(held(slow)).toBe(at + 5_000)
      expect(after).toBe(1)
      await real.advance(minute)
      expect(held(await real.call(Clock.currentTimeMillis))).toBe(at + ModelRun.faultWindow + minute)
      expect(after).toBe(2)
    } finally {
      await real.runtime.dispose()
    }
  })

  it("keys are those the store wrote, in order; observe and expectTokens hold each against the model", async () => {
    const real = await ModelRun.start({ at, faults: false, layer: lifecycle })
    try {
      const first = await real.call(issue("cus-a"))
      const second = await real.call(issue("cus-b"))
      const keys = [first, second].map((exit) => (Exit.isSuccess(exit) ? exit.value.key : undefined))
      expect(real.keys()).toEqual(keys)
      expect(ModelRun.picked(real.keys(), 3)).toBe(keys[1])
      expect(ModelRun.picked([], 3)).toBeUndefined()

      const view = await ModelRun.observe(real, Effect.succeed({ books: "the simulator's" }))
      expect(view.books).toBe("the simulator's")
      const model = [
        { history: ["TokenRequested", "TokenIssued"], status: "Active", uses: 0, owner: "cus-a" },
        { history: ["TokenRequested", "TokenIssued"], status: "Active", uses: 0, owner: "cus-b" },
      ]
      const more: Array<string> = []
      ModelRun.expectTokens(
        view.tokens,
        model,
        (token) => token.owner,
        (_token, _expected, what) => more.push(what),
      )
      expect(more).toEqual(["token #0", "token #1"])
      const wrong = [model[0], { ...model[1], status: "Used" }] as typeof model
      expect(() =>
        ModelRun.expectTokens(
          view.tokens,
          wrong,
          (token) => token.owner,
          () => {},
        ),
      ).toThrow("token #1: status")
      expect(() =>
        ModelRun.expectTokens(
          view.tokens,
          model.slice(1),
          (token) => token.owner,
          () => {},
        ),
      ).toThrow("tokens")
    } finally {
      await real.runtime.dispose()
    }
  })

  it("ids are learnt when first seen: a new entry must bring a new id, a known one must keep its own", () => {
    const ids = new ModelRun.Learnt("token id")
    ids.learn(0, "tok-a", "callback 0")
    ids.learn(0, "tok-a", "token #0")
    ids.learn(1, "tok-b", "callback 1")
    expect(ids.get(1)).toBe("tok-b")
    expect(() => ids.learn(2, "tok-a", "callback 2")).toThrow("callback 2: another's token id")
    expect(() => ids.learn(1, "tok-c", "token #1")).toThrow("token #1: its token id changed")
  })

  it("the mailbox keeps every delivery; one waits until accepted, and settling gives up after three rounds", async () => {
    const { real, answered, send } = await receiving({ late: [503, 200], never: [503] })
    try {
      send("late")
      send("on-time")
      send("never")
      expect(real.mail.waiting).toEqual([0, 1, 2])
      expect(ModelRun.unchecked(real.mail).map(({ index, delivery }) => [index, delivery.body])).toEqual([
        [0, "late"],
        [1, "on-time"],
        [2, "never"],
      ])
      expect(ModelRun.unchecked(real.mail)).toEqual([])

      const first = await ModelRun.hand(real, [1, 0, 1])
      expect(first.map(({ index, receipt }) => [index, receipt.status])).toEqual([
        [1, 200],
        [0, 503],
        [1, 200],
      ])
      expect(real.mail.waiting).toEqual([0, 2])
      expect(real.mail.accepted).toEqual([1])

      await ModelRun.settle(real)
      expect(real.mail.waiting).toEqual([2])
      expect(real.mail.accepted).toEqual([1, 0])
      expect(answered.get("never")).toBe(3)
    } finally {
      await real.runtime.dispose()
    }
  })

  it("a mailbox may take every answer as final", async () => {
    const { real } = await receiving({ refused: [503] })
    const mail = ModelRun.mailbox(() => true)
    try {
      Effect.runSync(mail.sink({ headers: {}, body: "refused" }))
      await ModelRun.hand({ ...real, mail }, [0])
      expect(mail.waiting).toEqual([])
      expect(mail.accepted).toEqual([0])
    } finally {
      await real.runtime.dispose()
    }
  })

  it("orders: as sent, reversed, rotated, or shuffled into a permutation the same numbers replay", () => {
    const items = ["a", "b", "c", "d", "e"]
    expect(ModelRun.ordered(items, ModelRun.inSentOrder)).toEqual(items)
    expect(ModelRun.ordered(items, { _tag: "reverse" })).toEqual(["e", "d", "c", "b", "a"])
    expect(ModelRun.ordered(items, { _tag: "rotate", by: 7 })).toEqual(["c", "d", "e", "a", "b"])
    expect(ModelRun.ordered([], { _tag: "rotate", by: 7 })).toEqual([])
    const shuffle: ModelRun.Order = { _tag: "shuffle", draws: [3, 1, 4] }
    const once = ModelRun.ordered(items, shuffle)
    expect([...once].sort()).toEqual(items)
    expect(once).not.toEqual(items)
    expect(ModelRun.ordered(items, shuffle)).toEqual(once)
    expect(items).toEqual(["a", "b", "c", "d", "e"])
  })

  it("each kind of fault is the simulator fault it names", () => {
    expect(ModelRun.faultOf("500")).toEqual({ _tag: "ServerError", status: 500 })
    expect(ModelRun.faultOf("503")).toEqual({ _tag: "ServerError", status: 503 })
    expect(ModelRun.faultOf("drop")).toEqual({ _tag: "Drop", afterProcessing: false })
    expect(ModelRun.faultOf("drop after processing")).toEqual({ _tag: "Drop", afterProcessing: true })
    expect(ModelRun.faultOf("garbled")).toEqual({ _tag: "Malformed", shape: "truncated" })
    const slow = ModelRun.faultOf("slow")
    expect(slow._tag === "Slow" && Duration.toMillis(slow.delay)).toBe(5_000)
  })
})

describe("ModelRun's shared commands", () => {
  interface Model {
    now: number
    /** The receipts the model expects, by delivery index; the tokens its sweep expires. */
    readonly receipts: Array<{ readonly status: number; readonly outcome: string }>
    readonly due: Array<number>
  }
  type Real = Awaited<ReturnType<typeof receiving>>["real"]

  const make = () => {
    const compared: Array<number> = []
    const injected: Array<[Faults.Fault, string]> = []
    const commands = ModelRun.commands<Model, Real, "sale">({
      compare: async (m) => {
        compared.push(m.now)
      },
      model: {
        expireDue: (m) => m.due.splice(0),
        deliver: (m, index) => ModelRun.item(m.receipts, index),
      },
      nameDelivery: (_m, index) => `delivery ${index}`,
      reveals: ModelRun.revealsAny([Redacted.make("4111111111111111")]),
      injectFault: async (_real, fault, endpoint) => {
        injected.push([fault, endpoint])
      },
    })
    return { commands, compared, injected }
  }

  it("deliver hands on what waits, in its order and copies, and holds each receipt against the model", async () => {
    const { real, answered, send } = await receiving({ b: [503, 200] })
    const { commands, compared } = make()
    try {
      send("a")
      send("b")
      const none = { status: 200, outcome: "none" }
      const m: Model = { now: at, receipts: [none, { status: 503, outcome: "none" }], due: [] }
      const twiceReversed = commands.deliver({ _tag: "reverse" }, 2)
      expect(twiceReversed.toString()).toBe("deliver(reverse, each ×2)")
      // b answered 503 then 200, a 200 twice: the model says 503 for b, so the run must fail.
      await expect(twiceReversed.run(m, real)).rejects.toThrow("deliver(reverse, each ×2): delivery 1")
      expect(answered.get("b")).toBe(2)
      expect(real.mail.waiting).toEqual([])

      send("c")
      const fine: Model = { now: at, receipts: [none, none, none], due: [] }
      await commands.deliver(ModelRun.inSentOrder, 1).run(fine, real)
      expect(compared).toEqual([at])
      expect(answered.get("c")).toBe(1)
      expect(twiceReversed.inOrder()?.toString()).toBe("deliver(sent)")
    } finally {
      await real.runtime.dispose()
    }
  })

  it("redeliver hands on once more one delivery already accepted, and is left out of the in-order run", async () => {
    const { real, answered, send } = await receiving({})
    const { commands } = make()
    try {
      const none = { status: 200, outcome: "none" }
      const m: Model = { now: at, receipts: [none, none], due: [] }
      await commands.redeliver(1).run(m, real)
      expect(answered.size).toBe(0)
      send("a")
      send("b")
      await ModelRun.hand(real, [1, 0])
      await commands.redeliver(3).run(m, real)
      expect([answered.get("a"), answered.get("b")]).toEqual([2, 1])
      expect(commands.redeliver(3).inOrder()).toBeUndefined()
    } finally {
      await real.runtime.dispose()
    }
  })

  it("advance moves both clocks; expireDue expires the tokens the model says; faults go in, one each, in order", async () => {
    const { real } = await receiving({})
    const { commands, compared, injected } = make()
    try {
      const exit = await real.call(issue("cus-a"))
      const m: Model = { now: at, receipts: [], due: [] }
      await commands.advance(31 * minute).run(m, real)
      expect(m.now).toBe(at + 31 * minute)
      expect(held(await real.call(Clock.currentTimeMillis))).toBe(at + 31 * minute)
      // The model forgets the token it should expire: the sweep must disagree.
      await expect(commands.expireDue.run(m, real)).rejects.toThrow("expireDue")
      const later = await ModelRun.start({ at: at + 31 * minute, faults: false, layer: lifecycle })
      try {
        await later.call(issue("cus-a"))
        await later.advance(31 * minute)
        const agreeing: Model = { now: at, receipts: [], due: [0] }
        await commands.expireDue.run(agreeing, { ...real, ...later })
      } finally {
        await later.runtime.dispose()
      }
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(compared).toEqual([at + 31 * minute, at])

      const faults = commands.injectFaults("sale", ["503", "slow"])
      await faults.run(m, real)
      expect(injected.map(([fault, endpoint]) => [fault._tag, endpoint])).toEqual([
        ["ServerError", "sale"],
        ["Slow", "sale"],
      ])
      expect(faults.toString()).toBe("faults(sale: 503, slow)")
    } finally {
      await real.runtime.dispose()
    }
  })
})
