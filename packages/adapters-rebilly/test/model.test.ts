/**
 * Model-based test of the Rebilly adapter: the real `TokenLifecycle` over `RebillyGateway`, its
 * requests answered in process by the testkit's Rebilly simulator, driven by fast-check command
 * sequences beside a plain-data model of what should happen. After every command the lifecycle's
 * tokens (status, uses, history) and Rebilly's books (each token used, expired or not; the
 * payments taken) must be what the model says.
 *
 * Commands: issue one token or many; pay with a token through the lifecycle (its owner or
 * another customer); pay with it straight through the gateway, as another server holding the
 * token id would (Rebilly then refuses the lifecycle's later use: single use holds at the
 * provider too); retrieve it; move the clock (by steps, or to a token's 30-minute mark, a
 * millisecond either side); sweep expiries; list every token, page by page through the port and
 * as the client's stream.
 */
import { describe, expect, it } from "@effect/vitest"
import { OwnerRef, type TokenId, type TokenKey, UseReference } from "@token-lifecycle/domain/Identifiers"
import * as Policy from "@token-lifecycle/domain/Policy"
import { TokenGateway, type TokenSnapshot } from "@token-lifecycle/domain/TokenGateway"
import { layer as lifecycleLayer, TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as InMemoryTokenRepository from "@token-lifecycle/testkit/InMemoryTokenRepository"
import * as ModelRun from "@token-lifecycle/testkit/ModelRun"
import * as SequentialIdentity from "@token-lifecycle/testkit/SequentialIdentity"
import * as RebillyHttpClient from "@token-lifecycle/testkit/simulators/rebilly/RebillyHttpClient"
import * as RebillySimulator from "@token-lifecycle/testkit/simulators/rebilly/RebillySimulator"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as fc from "fast-check"
import * as RebillyClient from "../src/RebillyClient.js"
import * as RebillyConfig from "../src/RebillyConfig.js"
import * as RebillyGateway from "../src/RebillyGateway.js"

const { item, outcomeOf } = ModelRun

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

const minute = 60_000
const lifetime = 30 * minute
const start = Date.UTC(2026, 0, 1, 12)
const customers = ["cus-a", "cus-b"] as const
/** Referred to by index everywhere else, so no failure or counterexample prints a number. */
const cards = [
  { number: Redacted.make("4111111111111111"), cvv: Redacted.make("123"), expiry: { month: 12, year: 2030 } },
  { number: Redacted.make("5555555555554444"), cvv: Redacted.make("321"), expiry: { month: 6, year: 2031 } },
] as const

type Status = "Active" | "Used" | "Expired"

interface ModelToken {
  readonly owner: number
  /** When Rebilly made it. */
  readonly mintedAt: number
  /** Its `createdTime`, which has whole seconds: where the adapter counts the 30 minutes from. */
  readonly createdAt: number
  status: Status
  uses: number
  history: Array<string>
  /** Whether Rebilly holds it used: by the lifecycle's use, or by a payment made around it. */
  usedAtRebilly: boolean
}

interface Model {
  now: number
  readonly tokens: Array<ModelToken>
  /** References of the payments Rebilly took, in order. */
  readonly paid: Array<string>
}

/** What Rebilly's books hold of a token: it counts the 30 minutes from the instant it made the token. */
const atRebilly = (m: Model, token: ModelToken): "used" | "expired" | "unused" =>
  token.usedAtRebilly ? "used" : m.now >= token.mintedAt + lifetime ? "expired" : "unused"

/**
 * The status the adapter reports: Rebilly's `isUsed` and `expirationTime`, or the 30 minutes from
 * `createdTime`. That has whole seconds, so the adapter may call a token expired up to a second
 * before Rebilly does: never after.
 */
const reported = (m: Model, token: ModelToken): Exclude<TokenSnapshot["status"], "revoked"> =>
  token.usedAtRebilly ? "used" : m.now >= token.createdAt + lifetime ? "expired" : "active"

const lapsed = (m: Model, token: ModelToken) => m.now >= token.createdAt + lifetime

const recordExpiry = (token: ModelToken) => {
  token.status = "Expired"
  token.history.push("TokenExpired")
}

// ---------------------------------------------------------------------------
// The real system
// ---------------------------------------------------------------------------

const organizationId = "org-model"
const keys = {
  secretKey: Redacted.make("sk_sandbox_model_secret"),
  publishableKey: Redacted.make("pk_sandbox_model_publishable"),
}

const servicesLayer = (seed: number) => (written: Set<TokenKey>) => {
  const config = RebillyConfig.layer({
    organizationId,
    baseUrl: RebillySimulator.sandboxBaseUrl(organizationId),
    ...keys,
    websiteId: "web-model",
    timeout: "5 seconds",
  })
  const adapter = Layer.mergeAll(RebillyGateway.layer, RebillyClient.layer).pipe(
    Layer.provide(Layer.merge(RebillyHttpClient.layer(), config)),
  )
  return lifecycleLayer({ policy: Policy.rebilly }).pipe(
    Layer.provideMerge(
      Layer.mergeAll(adapter, InMemoryTokenRepository.layerNoting(written), SequentialIdentity.layer()),
    ),
    Layer.provideMerge(
      RebillySimulator.layer({
        organizationId,
        secretKeys: [keys.secretKey],
        publishableKeys: [keys.publishableKey],
        seed,
      }),
    ),
  )
}

type Services = Layer.Layer.Success<ReturnType<ReturnType<typeof servicesLayer>>>

interface Real extends ModelRun.System<Services> {
  payments: number
}

/** Never with faults: nothing here sleeps but the adapter's timeout, which must never fire, so time moves only when told. */
const setup = async (seed: number): Promise<Real> => ({
  ...(await ModelRun.start({ at: start, faults: false, layer: servicesLayer(seed) })),
  payments: 0,
})

const keyOf = (real: Real, index: number): TokenKey => item(real.keys(), index)

const tokenIdOf = async (real: Real, index: number): Promise<TokenId> => {
  const exit = await real.call(Effect.flatMap(TokenLifecycle, (lifecycle) => lifecycle.get(keyOf(real, index))))
  if (Exit.isFailure(exit) || exit.value.tokenId === undefined) throw new Error(`token #${index} has no token id`)
  return exit.value.tokenId
}

/** The token a command picks, in the model and by its Rebilly token id. */
const picked = async (m: Model, real: Real, pick: number) => {
  const index = pick % m.tokens.length
  return { token: item(m.tokens, index), tokenId: await tokenIdOf(real, index) }
}

/** Rebilly's own books: every token it made, and its transactions. */
const rebillyBooks = Effect.flatMap(RebillySimulator.RebillySimulator, (simulator) =>
  Effect.all({ books: simulator.tokens, transactions: simulator.transactions }),
)

/** The lifecycle's tokens and Rebilly's books against the model. */
const compare = async (m: Model, real: Real) => {
  const observed = await ModelRun.observe(real, rebillyBooks)
  expect(observed.books.length, "tokens in Rebilly's books").toBe(m.tokens.length)
  ModelRun.expectTokens(
    observed.tokens,
    m.tokens,
    (expected) => item(customers, expected.owner),
    (token, expected, what) => {
      expect(token.issuedAt, `${what}: issued at Rebilly's createdTime`).toBe(expected.createdAt)
      expect(token.expiresAt, `${what}: expires 30 minutes after`).toBe(expected.createdAt + lifetime)
      const book = observed.books.find((held) => held.id === token.tokenId)
      expect(book?.state, `${what}: at Rebilly`).toBe(atRebilly(m, expected))
    },
  )
  const approved = observed.transactions.filter((t) => t.result === "approved").map((t) => t.requestId)
  expect(approved, "payments Rebilly took").toEqual(m.paid)
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

type RebillyCommand = fc.AsyncCommand<Model, Real, false>

class Issue implements RebillyCommand {
  constructor(
    readonly owner: number,
    readonly card: number,
    readonly count: number,
  ) {}
  check = () => true
  async run(m: Model, real: Real) {
    for (let n = 0; n < this.count; n++) {
      const card = item(cards, (this.card + n) % cards.length)
      const exit = await real.call(
        Effect.flatMap(TokenLifecycle, (lifecycle) =>
          lifecycle.issue({
            account: organizationId,
            owner: item(customers, this.owner),
            type: "card",
            card,
            customer: { firstName: "Jane", lastName: "Roe", country: "US" },
          }),
        ),
      )
      expect(outcomeOf(exit), this.toString()).toBe("ok")
      if (Exit.isSuccess(exit)) expect(exit.value.key).toBe(keyOf(real, m.tokens.length))
      m.tokens.push({
        owner: this.owner,
        mintedAt: m.now,
        createdAt: m.now - (m.now % 1000),
        status: "Active",
        uses: 0,
        history: ["TokenRequested", "TokenIssued"],
        usedAtRebilly: false,
      })
    }
    await compare(m, real)
  }
  toString = () => `issue(${item(customers, this.owner)}, card #${this.card}${this.count > 1 ? ` ×${this.count}` : ""})`
}

/** A payment through the lifecycle: judged there first, claimed, then sent to Rebilly. */
class Pay implements RebillyCommand {
  constructor(
    readonly pick: number,
    readonly byOwner: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.tokens.length > 0
  async run(m: Model, real: Real) {
    const index = this.pick % m.tokens.length
    const token = item(m.tokens, index)
    const owner = item(customers, token.owner)
    const reference = `payment-${++real.payments}`
    const exit = await real.call(
      Effect.flatMap(TokenLifecycle, (lifecycle) =>
        lifecycle.use(keyOf(real, index), {
          by: this.byOwner ? owner : item(customers, 1 - token.owner),
          for: "card",
          operation: "payment",
          reference,
          amount: { amount: 2500, currency: "USD" },
        }),
      ),
    )
    expect(outcomeOf(exit), this.toString()).toBe(this.expect(m, token, reference))
    await compare(m, real)
  }
  /** What the model says, and what it does to the model. */
  private expect = (m: Model, token: ModelToken, reference: string): string => {
    if (token.status === "Used") return "TokenAlreadyUsed"
    if (token.status === "Expired") return "TokenExpired"
    if (!this.byOwner) return "WrongOwner"
    if (lapsed(m, token)) {
      recordExpiry(token)
      return "TokenExpired"
    }
    // The use is on record before Rebilly hears of it, whatever Rebilly answers.
    token.status = "Used"
    token.uses = 1
    token.history.push("TokenUsed")
    if (token.usedAtRebilly) return "ProviderValidationError"
    token.usedAtRebilly = true
    m.paid.push(reference)
    return "ok"
  }
  toString = () => `pay(#${this.pick}${this.byOwner ? "" : ", by another customer"})`
}

/** A payment with the token id straight through the gateway, the lifecycle unaware: Rebilly alone judges. */
class PayAround implements RebillyCommand {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.tokens.length > 0
  async run(m: Model, real: Real) {
    const { token, tokenId } = await picked(m, real, this.pick)
    const reference = `around-${++real.payments}`
    const exit = await real.call(
      Effect.flatMap(TokenGateway, (gateway) =>
        gateway.use({
          tokenId,
          owner: OwnerRef.make(item(customers, token.owner)),
          type: "card",
          operation: "payment",
          reference: UseReference.make(reference),
          amount: { amount: 990, currency: "EUR" },
        }),
      ),
    )
    const status = atRebilly(m, token)
    if (status === "unused") {
      token.usedAtRebilly = true
      m.paid.push(reference)
    }
    // Rebilly refuses a used or expired token with a 422 on the token field.
    expect(outcomeOf(exit), this.toString()).toBe(status === "unused" ? "ok" : "ProviderValidationError")
    await compare(m, real)
  }
  toString = () => `payAround(#${this.pick})`
}

class Retrieve implements RebillyCommand {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.tokens.length > 0
  async run(m: Model, real: Real) {
    const { token, tokenId } = await picked(m, real, this.pick)
    const exit = await real.call(
      Effect.flatMap(TokenGateway, (gateway) => gateway.retrieve(tokenId, OwnerRef.make(item(customers, token.owner)))),
    )
    if (Exit.isFailure(exit)) throw new Error(`${this}: ${outcomeOf(exit)}`)
    expect(exit.value.status, this.toString()).toBe(reported(m, token))
    expect(exit.value.expiresAt, this.toString()).toBe(token.createdAt + lifetime)
    await compare(m, real)
  }
  toString = () => `retrieve(#${this.pick})`
}

class Advance implements RebillyCommand {
  constructor(readonly millis: number) {}
  check = () => true
  async run(m: Model, real: Real) {
    m.now += this.millis
    await real.advance(this.millis)
    await compare(m, real)
  }
  toString = () => `advance(${this.millis / minute} min)`
}

/**
 * Move the clock to a token's 30-minute mark, a millisecond either side, when that is not in the
 * past: counted from its `createdTime` (the adapter's mark) or from when Rebilly made it (Rebilly's).
 */
class AdvanceToExpiry implements RebillyCommand {
  constructor(
    readonly pick: number,
    readonly offset: -1 | 0 | 1,
    readonly from: "createdTime" | "minted",
  ) {}
  check = (m: Readonly<Model>) => m.tokens.length > 0
  async run(m: Model, real: Real) {
    const token = item(m.tokens, this.pick % m.tokens.length)
    const to = (this.from === "minted" ? token.mintedAt : token.createdAt) + lifetime + this.offset
    if (to > m.now) {
      await real.advance(to - m.now)
      m.now = to
    }
    await compare(m, real)
  }
  toString = () =>
    `advanceToExpiry(#${this.pick} from ${this.from}, ${this.offset < 0 ? "-1 ms" : this.offset > 0 ? "+1 ms" : "exactly"})`
}

class ExpireDue implements RebillyCommand {
  check = () => true
  async run(m: Model, real: Real) {
    const due = m.tokens.flatMap((token, i) => (token.status === "Active" && lapsed(m, token) ? [i] : []))
    for (const i of due) recordExpiry(item(m.tokens, i))
    const exit = await real.call(Effect.flatMap(TokenLifecycle, (lifecycle) => lifecycle.expireDue))
    if (Exit.isFailure(exit)) throw new Error(`${this}: ${outcomeOf(exit)}`)
    expect([...exit.value].sort(), this.toString()).toEqual(due.map((i) => keyOf(real, i)).sort())
    await compare(m, real)
  }
  toString = () => "expireDue"
}

/** Every token, page by page through the port, and again as the client's stream: each once, as Rebilly holds it. */
class ListAll implements RebillyCommand {
  constructor(readonly pageSize: number) {}
  check = () => true
  async run(m: Model, real: Real) {
    const pageSize = this.pageSize
    const exit = await real.call(
      Effect.gen(function* () {
        const gateway = yield* TokenGateway
        const pages: Array<{
          readonly offset: number
          readonly limit: number
          readonly total?: number
          ids: Array<string>
        }> = []
        for (let offset = 0; ; offset += pageSize) {
          const page = yield* gateway.list({ offset, limit: pageSize })
          pages.push({ ...page, ids: page.items.map((snapshot) => `${snapshot.tokenId} ${snapshot.status}`) })
          if (page.items.length < pageSize || (page.total !== undefined && offset + pageSize >= page.total)) break
        }
        const client = yield* RebillyClient.RebillyClient
        const streamed = yield* Stream.runCollect(client.tokens(pageSize))
        return { pages, streamed: Chunk.toReadonlyArray(streamed).map((token) => token.id) }
      }),
    )
    if (Exit.isFailure(exit)) throw new Error(`${this}: ${outcomeOf(exit)}`)
    const { pages, streamed } = exit.value
    const expected = await Promise.all(
      m.tokens.map(async (token, i) => `${await tokenIdOf(real, i)} ${reported(m, token)}`),
    )
    for (const [n, page] of pages.entries()) {
      expect([page.offset, page.limit, page.total], `${this}: page ${n}`).toEqual([
        n * pageSize,
        pageSize,
        m.tokens.length,
      ])
    }
    const listed = pages.flatMap((page) => page.ids)
    expect([...listed].sort(), `${this}: tokens listed`).toEqual([...expected].sort())
    expect([...streamed].sort(), `${this}: tokens streamed`).toEqual(expected.map((line) => line.split(" ")[0]).sort())
    await compare(m, real)
  }
  toString = () => `listAll(pages of ${this.pageSize})`
}

const commands = [
  fc
    .tuple(
      fc.nat(1),
      fc.nat(1),
      fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 12 }) }),
    )
    .map(([owner, card, count]) => new Issue(owner, card, count)),
  fc.tuple(fc.nat(40), fc.boolean()).map(([pick, byOwner]) => new Pay(pick, byOwner)),
  fc.nat(40).map((pick) => new PayAround(pick)),
  fc.nat(40).map((pick) => new Retrieve(pick)),
  fc.constantFrom(minute, 10 * minute, 29 * minute, 30 * minute, 31 * minute).map((millis) => new Advance(millis)),
  fc
    .tuple(
      fc.nat(40),
      fc.constantFrom(-1 as const, 0 as const, 1 as const),
      fc.constantFrom("createdTime" as const, "minted" as const),
    )
    .map(([pick, offset, from]) => new AdvanceToExpiry(pick, offset, from)),
  fc.constant(new ExpireDue()),
  fc.integer({ min: 1, max: 7 }).map((pageSize) => new ListAll(pageSize)),
]

const model = (): Model => ({ now: start, tokens: [], paid: [] })

describe("RebillyGateway under TokenLifecycle, against the Rebilly simulator and a model", () => {
  it("tokens are used once, expire at 30 minutes by the clock, and list page by page, as the model says", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.commands(commands, { maxCommands: 30, size: "max" }), async (seed, sequence) =>
        ModelRun.besideModel(await setup(seed), model(), sequence),
      ),
      ModelRun.parameters(),
    )
  }, 600_000)
})
