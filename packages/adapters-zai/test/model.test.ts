/**
 * Model-based test of the Zai adapter: the real lifecycle, token-auth manager and webhook
 * handler over the Zai simulator in process, beside the plain-data model of `ZaiModel.ts`.
 * Commands ask sessions for token auths, let the browser add accounts with them (or fail to),
 * report accounts as uses (right or wrong ones), deliver Zai's webhooks (duplicated, in any
 * order), move the clock, sweep expiries and revoke the access token at Zai. After every command
 * the outcome, every token's state, Zai's view of every token auth and the number of OAuth
 * requests must be what the model says.
 */
import { describe, expect, it } from "@effect/vitest"
import type { TokenKey } from "@token-lifecycle/domain/Identifiers"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as ManualClock from "@token-lifecycle/testkit/ManualClock"
import * as ModelRun from "@token-lifecycle/testkit/ModelRun"
import { ZaiSimulator } from "@token-lifecycle/testkit/simulators/zai/ZaiSimulator"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as fc from "fast-check"
import { ZaiTokenAuths } from "../src/ZaiTokenAuths.js"
import * as ZaiWebhooks from "../src/ZaiWebhooks.js"
import * as M from "./ZaiModel.js"
import * as ZaiStack from "./ZaiStack.js"

const start = Date.UTC(2026, 0, 1, 9)
const { outcomeOf } = ModelRun

// ---------------------------------------------------------------------------
// The real system
// ---------------------------------------------------------------------------

interface Real {
  readonly runtime: ManagedRuntime.ManagedRuntime<ZaiStack.WithLifecycle, never>
  readonly advance: (millis: number) => void
  /** Keys of the tokens, learnt in the order the model creates them. */
  readonly keys: Array<TokenKey>
  readonly tokens: Array<string>
  /** Account ids, learnt in the order the model adds them. */
  readonly accounts: Array<string>
}

const setup = async (seed: number): Promise<Real> => {
  // Nothing sleeps but timeouts that must not fire: a clock that moves only when told.
  const manual = ManualClock.make(start, { sleeps: "never-wake" })
  const stack = ZaiStack.withLifecycle(
    ZaiStack.withUsers(ZaiStack.inProcess(ZaiStack.simulatorOptions(`model-${seed}`)), M.users),
  )
  const runtime = ManagedRuntime.make(stack.pipe(Layer.provide(Layer.setClock(manual.clock))))
  await runtime.runPromise(
    Effect.gen(function* () {
      const zai = yield* ZaiSimulator
      const handle = yield* ZaiWebhooks.make
      // Zai's webhooks go to the handler; anything but 200 is sent again later.
      yield* zai.configureWebhooks({
        sink: (delivery) =>
          Effect.flatMap(handle(delivery.body, delivery.headers), (receipt) =>
            receipt.status === 200 ? Effect.void : Effect.fail(receipt.status),
          ),
      })
    }),
  )
  return {
    runtime,
    advance: (millis) => Effect.runSync(manual.adjust(millis)),
    keys: [],
    tokens: [],
    accounts: [],
  }
}

const run = <A, E>(real: Real, effect: Effect.Effect<A, E, ZaiStack.WithLifecycle>) =>
  real.runtime.runPromise(Effect.exit(effect))

/** Every token as the lifecycle and Zai see it, against the model; OAuth requests too. */
const compare = async (m: M.Model, real: Real) => {
  const seen = await real.runtime.runPromise(
    Effect.gen(function* () {
      const lifecycle = yield* TokenLifecycle
      const zai = yield* ZaiSimulator
      return {
        tokens: yield* Effect.forEach(real.keys, (key) => Effect.orDie(lifecycle.get(key))),
        zaiTokens: yield* zai.tokenAuths,
        oauthRequests: yield* zai.oauthRequests,
      }
    }),
  )
  expect(seen.tokens.length, "tokens").toBe(m.tokens.length)
  m.tokens.forEach((token, i) => {
    const actual = seen.tokens[i]
    const reference = token.reference === undefined ? undefined : real.accounts[token.reference]
    expect([i, actual?._tag, actual?.lastUse?.reference], `token ${i}`).toEqual([i, token.status, reference])
    const atZai = seen.zaiTokens.find((view) => view.token === real.tokens[i])
    expect([i, atZai?.status], `token ${i} at Zai`).toEqual([i, M.zaiStatus(m, token)])
  })
  expect(seen.zaiTokens.length, "token auths Zai minted").toBe(m.tokens.length)
  expect(seen.oauthRequests, "OAuth requests").toBe(m.oauthRequests)
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

type Command = fc.AsyncCommand<M.Model, Real, boolean>

const command = (
  name: string,
  check: (m: Readonly<M.Model>) => boolean,
  act: (m: M.Model, real: Real) => Promise<void>,
): Command => ({
  check,
  run: async (m, real) => {
    await act(m, real)
    await compare(m, real)
  },
  toString: () => name,
})

const ask = (user: number, type: M.TokenType, session: number) =>
  command(
    `ask(${M.users[user]}, ${type}, ${M.sessions[session]})`,
    () => true,
    async (m, real) => {
      const exit = await run(
        real,
        Effect.flatMap(ZaiTokenAuths, (tokenAuths) =>
          tokenAuths.forSession({
            session: M.sessions[session] as string,
            account: "marketplace-1",
            user: M.users[user] as string,
            type,
          }),
        ),
      )
      const expected = M.ask(m, user, type, session)
      if (!Exit.isSuccess(exit)) return expect.fail(`ask refused: ${outcomeOf(exit)}`)
      if (expected.fresh) {
        expect(real.keys, "a new token has a new key").not.toContain(exit.value.key)
        real.keys.push(exit.value.key)
        real.tokens.push(exit.value.token)
      }
      expect(exit.value.key, "the token handed out").toBe(real.keys[expected.index])
      expect(exit.value.expiresAt, "its expiry").toBe((m.tokens[expected.index] as M.TokenAuth).issuedAt + M.lifetime)
    },
  )

const browserAdds = (pick: number, type: M.TokenType) =>
  command(
    `browserAdds(token #${pick}, ${type})`,
    (m) => m.tokens.length > 0,
    async (m, real) => {
      const index = pick % m.tokens.length
      const token = real.tokens[index] as string
      const exit = await run(
        real,
        Effect.flatMap(ZaiSimulator, (zai) =>
          type === "card"
            ? zai.browserCreatesCardAccount(token, ZaiStack.browserCard)
            : zai.browserCreatesBankAccount(token, ZaiStack.browserBank),
        ),
      )
      expect(outcomeOf(exit), "the browser's outcome").toBe(M.browserAdds(m, index, type))
      if (Exit.isSuccess(exit)) real.accounts.push(exit.value)
    },
  )

const record = (pickToken: number, pickAccount: number, claimed: M.TokenType) =>
  command(
    `record(token #${pickToken}, account #${pickAccount} as ${claimed})`,
    (m) => m.tokens.length > 0 && m.accounts.length > 0,
    async (m, real) => {
      const index = pickToken % m.tokens.length
      const account = pickAccount % m.accounts.length
      const exit = await run(
        real,
        Effect.flatMap(ZaiTokenAuths, (tokenAuths) =>
          tokenAuths.recordAccount(real.keys[index] as TokenKey, {
            type: claimed,
            id: real.accounts[account] as string,
          }),
        ),
      )
      expect(outcomeOf(exit), "the record's outcome").toBe(M.record(m, index, account, claimed))
    },
  )

const deliver = (copies: number, order: "sent" | "reverse" | "shuffle") =>
  command(
    `deliver(×${copies}, ${order})`,
    () => true,
    async (m, real) => {
      const exit = await run(
        real,
        Effect.flatMap(ZaiSimulator, (zai) =>
          zai.configureWebhooks({ duplicate: copies, order }).pipe(Effect.zipRight(zai.deliverDue)),
        ),
      )
      if (Exit.isSuccess(exit)) {
        expect(
          exit.value.every((delivery) => delivery.accepted),
          "every delivery answered 200",
        ).toBe(true)
      }
      M.deliver(m)
    },
  )

const advance = (minutes: number) =>
  command(
    `advance(${minutes} min)`,
    () => true,
    async (m, real) => {
      real.advance(minutes * M.minute)
      m.now += minutes * M.minute
    },
  )

const sweep = command(
  "sweep",
  () => true,
  async (m, real) => {
    const exit = await run(
      real,
      Effect.flatMap(TokenLifecycle, (lifecycle) => lifecycle.expireDue),
    )
    const expected = M.sweep(m).map((i) => real.keys[i])
    expect(Exit.isSuccess(exit) ? [...exit.value].sort() : outcomeOf(exit), "expired").toEqual([...expected].sort())
  },
)

const revokeAccess = command(
  "revokeAccessToken",
  () => true,
  async (m, real) => {
    await run(
      real,
      Effect.flatMap(ZaiSimulator, (zai) => zai.revokeAccessTokens),
    )
    m.accessRevoked = true
  },
)

const user = fc.nat({ max: M.users.length - 1 })
const session = fc.nat({ max: M.sessions.length - 1 })
const type = fc.constantFrom<M.TokenType>("card", "bank")
const pick = fc.nat({ max: 20 })

const commands = [
  fc.tuple(user, type, session).map(([u, t, s]) => ask(u, t, s)),
  fc.tuple(user, type, session).map(([u, t, s]) => ask(u, t, s)),
  fc.tuple(pick, type).map(([p, t]) => browserAdds(p, t)),
  fc.tuple(pick, type).map(([p, t]) => browserAdds(p, t)),
  fc.tuple(pick, pick, type).map(([p, a, t]) => record(p, a, t)),
  fc
    .tuple(
      fc.integer({ min: 1, max: 2 }),
      fc.constantFrom("sent", "reverse", "shuffle") as fc.Arbitrary<"sent" | "reverse" | "shuffle">,
    )
    .map(([c, o]) => deliver(c, o)),
  // 104 and 106 minutes after an issue leave 16 and 14 minutes: either side of the safety margin.
  fc.constantFrom(1, 5, 30, 104, 106).map(advance),
  fc.constant(sweep),
  fc.constant(revokeAccess),
]

describe("the Zai adapter against its model", () => {
  it(
    "every command sequence leaves the lifecycle, Zai and the access token where the model says",
    () =>
      fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 30, size: "max" }), fc.nat(), async (cmds, seed) =>
          ModelRun.besideModel(await setup(seed), M.initial(start), cmds),
        ),
        ModelRun.parameters(),
      ),
    300_000,
  )
})
