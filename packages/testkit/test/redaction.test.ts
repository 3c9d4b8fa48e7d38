/**
 * Invariant 9 in depth: no card number, CVV, secret or signature appears in any state,
 * event, error or log line the library emits. Only the fingerprint (a keyed hash) and the
 * masked form (first 6, last 4) may.
 *
 * - The real `TokenLifecycle` service, for every policy, with every log line captured at
 *   `LogLevel.All`, fed valid cards, near-miss numbers, bad CVVs and cards where none belong.
 * - Non-interference: two cards that differ only in their middle digits, with different
 *   CVVs, leave exactly the same trace, fingerprints aside. This is the proof that the middle
 *   digits and the CVV leave no mark at all, however short they are.
 * - The `CardNumber` and `Cvv` schemas, the provider errors, HMAC signing and verification.
 *
 * How the search is made: a card number (12–19 digits) and a secret (16–48 characters) cannot
 * occur by chance, so they are looked for as substrings of every rendering. A CVV (3–4 digits)
 * and a short middle occur by chance in timestamps, so the CVV is looked for in the structured
 * values (a string equal to it, or a CVV-like key holding it) and middles of five digits or more
 * as runs, once timestamps and fingerprints are blanked. Failures name where, never the value.
 */
import { deepStrictEqual } from "node:assert"
import { inspect } from "node:util"
import { it } from "@effect/vitest"
import { Hmac, KeyedIdentity } from "@token-lifecycle/adapter-kit"
import type { Encoding } from "@token-lifecycle/adapter-kit/Hmac"
import {
  type CardExpiry,
  type CardNumber,
  CardNumber as CardNumberSchema,
  Cvv,
  luhnValid,
  mask,
} from "@token-lifecycle/domain/Card"
import * as GatewayError from "@token-lifecycle/domain/GatewayError"
import type { TokenKey } from "@token-lifecycle/domain/Identifiers"
import { Identity } from "@token-lifecycle/domain/Identity"
import type { LifecyclePolicy } from "@token-lifecycle/domain/Policy"
import { InvalidSignature } from "@token-lifecycle/domain/Signing"
import { layer as lifecycleLayer, TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import { TokenRepository } from "@token-lifecycle/domain/TokenRepository"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as fc from "fast-check"
import { expect } from "vitest"
import { baseTime, cvv as cvvArbitrary, nearMissPan, secret as secretArbitrary } from "../src/Arbitraries.js"
import * as InMemoryTokenRepository from "../src/InMemoryTokenRepository.js"
import { type Concealed, concealed, concealedPan, providerPolicy } from "../src/LifecycleArbitraries.js"
import * as ManualClock from "../src/ManualClock.js"
import * as ReferenceGateway from "../src/ReferenceGateway.js"
import { assertEffectProperty } from "../src/Runs.js"
import * as SequentialIdentity from "../src/SequentialIdentity.js"

const minute = 60_000
const day = 24 * 60 * minute
const timeout = 120_000

// ---------------------------------------------------------------------------
// Looking for leaks
// ---------------------------------------------------------------------------

/** What must never show, each concealed so that a failing counterexample does not print it either. */
interface Secrets {
  readonly cardNumbers: ReadonlyArray<Concealed<string>>
  /** Refused inputs that are a typo away from a card number. */
  readonly nearMisses: ReadonlyArray<Concealed<string>>
  readonly cvvs: ReadonlyArray<Concealed<string>>
  /** Keys, signatures and other secrets of 16 characters or more. */
  readonly others: ReadonlyArray<Concealed<string>>
}

/** Allowed outputs whose digits could match a middle by chance: fingerprints, bins and last fours. */
interface Allowed {
  readonly strings: ReadonlyArray<string>
}

/** 13-digit epoch milliseconds; no card number starts with 1. */
const epochMillis = /(?<![0-9])1[0-9]{12}(?![0-9])/g
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

const blank = (text: string, allowed: Allowed): string => {
  let result = text.replace(epochMillis, "<time>").replace(uuid, "<uuid>")
  for (const value of allowed.strings) if (value.length > 0) result = result.split(value).join("<allowed>")
  return result
}

/** Where, in `texts`, a card number, its middle digits, a near miss or a secret shows. Positions only. */
const textLeaks = (
  secrets: Secrets,
  allowed: Allowed,
  texts: ReadonlyArray<readonly [string, string]>,
): Array<string> => {
  const leaks: Array<string> = []
  for (const [where, text] of texts) {
    const digitsOnly = text.replace(/[\s-]/g, "")
    const blanked = blank(text, allowed)
    secrets.cardNumbers.forEach((card, i) => {
      if (text.includes(card.value) || digitsOnly.includes(card.value)) leaks.push(`${where}: card number ${i}`)
      const middle = card.value.slice(6, -4)
      // Shorter middles occur by chance; the non-interference property covers them.
      if (middle.length >= 5 && blanked.includes(middle)) leaks.push(`${where}: middle digits of card number ${i}`)
    })
    secrets.nearMisses.forEach((nearMiss, i) => {
      const digits = nearMiss.value.replace(/[^0-9]/g, "")
      if (text.includes(nearMiss.value) || (digits.length >= 11 && digitsOnly.includes(digits))) {
        leaks.push(`${where}: refused number ${i}`)
      }
    })
    secrets.cvvs.forEach((cvv, i) => {
      if (new RegExp(`(cvv|cvc|csc|security.?code)\\W{0,4}${cvv.value}(?![0-9])`, "i").test(text)) {
        leaks.push(`${where}: CVV ${i} next to its name`)
      }
    })
    secrets.others.forEach((other, i) => {
      if (text.includes(other.value)) leaks.push(`${where}: secret ${i}`)
    })
  }
  return leaks
}

/** Every `[path, value]` reachable from `value`: own enumerable fields, an error's message and cause. */
const entries = (value: unknown, path = "$", seen = new Set<unknown>()): Array<readonly [string, unknown]> => {
  const found: Array<readonly [string, unknown]> = [[path, value]]
  if (value === null || typeof value !== "object" || seen.has(value)) return found
  seen.add(value)
  const fields: Array<readonly [string, unknown]> = Object.entries(value)
  if (value instanceof Error) fields.push(["message", value.message], ["cause", value.cause])
  for (const [key, child] of fields) found.push(...entries(child, `${path}.${key}`, seen))
  return found
}

const cvvLikeKey = /cvv|cvc|csc|security.?code/i

/** Fails listing every leak position in full (and nothing else: the positions never hold the value). */
const noLeaks = (leaks: ReadonlyArray<string>): void => deepStrictEqual(leaks, [])

/** Where, in structured values, a CVV shows: as a whole string field, or under a CVV-like key. */
const cvvLeaks = (secrets: Secrets, values: ReadonlyArray<readonly [string, unknown]>): Array<string> => {
  const leaks: Array<string> = []
  for (const [where, value] of values) {
    for (const [path, field] of entries(value, where)) {
      const key = path.split(".").at(-1) ?? ""
      secrets.cvvs.forEach((cvv, i) => {
        // The first 6 and last 4 digits are allowed out, and a 3- or 4-digit CVV may equal them by chance.
        const maskedPart = key === "bin" || key === "last4"
        if (typeof field === "string" && !maskedPart && field.trim() === cvv.value) leaks.push(`${path}: CVV ${i}`)
        if (
          cvvLikeKey.test(key) &&
          (typeof field === "string" || typeof field === "number") &&
          String(field).includes(cvv.value)
        ) {
          leaks.push(`${path}: CVV ${i} under a CVV-like key`)
        }
      })
      // Card numbers and secrets as structured values too, wherever they hide (a cause, a nested field).
      if (typeof field === "string") {
        secrets.cardNumbers.forEach((card, i) => {
          if (field.includes(card.value)) leaks.push(`${path}: card number ${i}`)
        })
        secrets.others.forEach((other, i) => {
          if (field.includes(other.value)) leaks.push(`${path}: secret ${i}`)
        })
      }
    }
  }
  return leaks
}

/** The ways an error gets printed. */
const renderingsOf = (where: string, error: unknown): Array<readonly [string, string]> => {
  const renderings: Array<readonly [string, string]> = [
    [`${where} as text`, String(error)],
    [`${where} as JSON`, JSON.stringify(error) ?? ""],
    [`${where} inspected`, inspect(error, { depth: null })],
  ]
  if (error instanceof Error) {
    renderings.push([`${where} message`, error.message], [`${where} stack`, error.stack ?? ""])
  }
  return renderings
}

// ---------------------------------------------------------------------------
// Capturing what the service emits
// ---------------------------------------------------------------------------

interface CapturedLog {
  /** Every rendering a logger could write: logfmt, plain, structured JSON, and the cause on its own. */
  readonly renderings: ReadonlyArray<string>
  /** What was logged, before rendering. */
  readonly message: unknown
  readonly annotations: unknown
  readonly level: string
  readonly cause: string
}

const capturingLogger = (logs: Array<CapturedLog>) =>
  Logger.make((options) => {
    logs.push({
      renderings: [
        Logger.logfmtLogger.log(options),
        Logger.stringLogger.log(options),
        JSON.stringify(Logger.structuredLogger.log(options)),
        Cause.pretty(options.cause),
      ],
      message: options.message,
      annotations: Object.fromEntries(options.annotations),
      level: options.logLevel.label,
      cause: Cause.pretty(options.cause),
    })
  })

/** Everything the service gave back or wrote, for one run. */
interface Trace {
  readonly outcomes: Array<unknown>
  readonly errors: Array<unknown>
  readonly logs: Array<CapturedLog>
  readonly states: Array<unknown>
  readonly histories: Array<unknown>
}

interface Card {
  readonly number: Concealed<string>
  readonly cvv: Concealed<string>
  readonly expiry: CardExpiry
}

type Operation =
  | { readonly _tag: "Issue"; readonly card: number; readonly owner: number; readonly withCvv: boolean }
  | { readonly _tag: "IssueNearMiss"; readonly nearMiss: number }
  | { readonly _tag: "IssueBadCvv"; readonly card: number }
  | { readonly _tag: "IssueCardForBank"; readonly card: number }
  | { readonly _tag: "Deliver" }
  | { readonly _tag: "Use"; readonly token: number; readonly asOwner: boolean; readonly throughProvider: boolean }
  | { readonly _tag: "Revoke"; readonly token: number }
  | { readonly _tag: "Advance"; readonly millis: number }
  | { readonly _tag: "ExpireDue" }

const plain = { noNullPrototype: true } as const
const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      { _tag: fc.constant("Issue" as const), card: fc.nat(2), owner: fc.nat(1), withCvv: fc.boolean() },
      plain,
    ),
  },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("IssueNearMiss" as const), nearMiss: fc.nat(1) }, plain) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("IssueBadCvv" as const), card: fc.nat(2) }, plain) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("IssueCardForBank" as const), card: fc.nat(2) }, plain) },
  { weight: 3, arbitrary: fc.constant({ _tag: "Deliver" as const }) },
  {
    weight: 3,
    arbitrary: fc.record(
      { _tag: fc.constant("Use" as const), token: fc.nat(5), asOwner: fc.boolean(), throughProvider: fc.boolean() },
      plain,
    ),
  },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Revoke" as const), token: fc.nat(5) }, plain) },
  {
    weight: 1,
    arbitrary: fc.record(
      { _tag: fc.constant("Advance" as const), millis: fc.integer({ min: minute, max: 30 * day }) },
      plain,
    ),
  },
  { weight: 1, arbitrary: fc.constant({ _tag: "ExpireDue" as const }) },
)
/** Every run starts by tokenizing a card with its CVV, so the service always has something to say. */
const operations = fc
  .array(operation, { maxLength: 16 })
  .map((ops): ReadonlyArray<Operation> => [{ _tag: "Issue", card: 0, owner: 0, withCvv: true }, ...ops])

const owners = ["cus_alice", "cus_bob"] as const

/** A CVV that breaks the rule: too long, so it is refused at intake. */
const badCvvOf = (cvv: string): string => `${cvv}${"90".slice(0, 5 - cvv.length)}`

const cvvConcealed = concealed(cvvArbitrary, (value) => `CVV, ${value.length} digits`)

/** A card expiry well after the generated instants, so cards are valid while the clock runs. */
const futureExpiry: fc.Arbitrary<CardExpiry> = fc.record(
  { month: fc.integer({ min: 1, max: 12 }), year: fc.integer({ min: 2027, max: 2040 }) },
  plain,
)

const cardArbitrary: fc.Arbitrary<Card> = fc.record(
  { number: concealedPan, cvv: cvvConcealed, expiry: futureExpiry },
  plain,
)
const distinctCards = fc.uniqueArray(cardArbitrary, {
  minLength: 1,
  maxLength: 3,
  selector: (card) => card.number.value,
})
const nearMisses = fc.array(
  concealed(
    nearMissPan.map(({ number }) => number),
    (number) => `refused number, ${number.length} characters`,
  ),
  { minLength: 1, maxLength: 2 },
)

const pick = <A>(items: ReadonlyArray<A>, index: number): A | undefined => items[index % Math.max(items.length, 1)]

/**
 * Run `ops` against a fresh service for `policy` and capture everything it returns, fails
 * with and logs; then the final state and history of every token written.
 */
const traceOf = (
  policy: LifecyclePolicy,
  cards: ReadonlyArray<Card>,
  refused: ReadonlyArray<Concealed<string>>,
  ops: ReadonlyArray<Operation>,
  identity: Layer.Layer<Identity>,
): Effect.Effect<Trace> => {
  const written = new Set<TokenKey>()
  const trace: Trace = { outcomes: [], errors: [], logs: [], states: [], histories: [] }
  const time = ManualClock.make(baseTime)
  const record = <A, E>(effect: Effect.Effect<A, E>) =>
    effect.pipe(
      // What an application does with a failure: log it, cause and all.
      Effect.tapErrorCause((cause) => Effect.logError("operation failed", cause)),
      Effect.either,
      Effect.map(
        Either.match({ onLeft: (error) => trace.errors.push(error), onRight: (value) => trace.outcomes.push(value) }),
      ),
    )
  const services = lifecycleLayer({ policy }).pipe(
    Layer.provideMerge(
      Layer.mergeAll(InMemoryTokenRepository.layerNoting(written), identity, ReferenceGateway.layer(policy)),
    ),
  )
  return Effect.gen(function* () {
    const lifecycle = yield* TokenLifecycle
    const control = yield* ReferenceGateway.ReferenceGatewayControl
    const repository = yield* TokenRepository
    const cardInput = (card: Card, cvv: string | undefined) => ({
      number: card.number.value,
      expiry: card.expiry,
      holderName: "Jane Roe",
      ...(cvv === undefined ? {} : { cvv }),
    })
    for (const op of ops) {
      const keys = [...written]
      switch (op._tag) {
        case "Issue": {
          const card = pick(cards, op.card)
          if (card === undefined) break
          yield* record(
            lifecycle.issue({
              account: "acct_main",
              owner: owners[op.owner] ?? owners[0],
              type: "card",
              card: cardInput(card, op.withCvv ? card.cvv.value : undefined),
            }),
          )
          break
        }
        case "IssueNearMiss": {
          const number = pick(refused, op.nearMiss)?.value ?? ""
          yield* record(
            lifecycle.issue({
              account: "acct_main",
              owner: owners[0],
              type: "card",
              card: { number, expiry: { month: 12, year: 2030 } },
            }),
          )
          break
        }
        case "IssueBadCvv": {
          const card = pick(cards, op.card)
          if (card !== undefined) {
            yield* record(
              lifecycle.issue({
                account: "acct_main",
                owner: owners[0],
                type: "card",
                card: cardInput(card, badCvvOf(card.cvv.value)),
              }),
            )
          }
          break
        }
        case "IssueCardForBank": {
          const card = pick(cards, op.card)
          if (card !== undefined) {
            yield* record(
              lifecycle.issue({
                account: "acct_main",
                owner: owners[0],
                type: "bank",
                card: cardInput(card, card.cvv.value),
              }),
            )
          }
          break
        }
        case "Deliver":
          for (const event of yield* control.drain) yield* record(lifecycle.applyProviderEvent(event))
          break
        case "Use": {
          const key = pick(keys, op.token)
          if (key === undefined) break
          const token = yield* Effect.either(lifecycle.get(key))
          if (Either.isLeft(token)) break
          yield* record(
            lifecycle.use(key, {
              by: op.asOwner ? token.right.owner : "cus_mallory",
              for: token.right.type,
              ...(op.throughProvider
                ? { operation: "payment" as const, amount: { amount: 1000, currency: "EUR" } }
                : {}),
            }),
          )
          break
        }
        case "Revoke": {
          const key = pick(keys, op.token)
          if (key !== undefined) yield* record(lifecycle.revoke(key))
          break
        }
        case "Advance":
          yield* time.adjust(op.millis)
          break
        case "ExpireDue":
          yield* record(lifecycle.expireDue)
          break
      }
    }
    for (const key of written) {
      const stored = yield* repository.load(key)
      if (Option.isSome(stored)) trace.states.push(stored.value)
      trace.histories.push(yield* repository.history(key))
      yield* record(lifecycle.get(key))
    }
    return trace
  }).pipe(
    Effect.provide(services),
    Effect.provide(Logger.replace(Logger.defaultLogger, capturingLogger(trace.logs))),
    Logger.withMinimumLogLevel(LogLevel.All),
    Effect.withClock(time.clock),
  )
}

/** The fingerprint, bin and last four of each card: allowed outputs, blanked before looking for middles. */
const allowedFor = (cards: ReadonlyArray<Card>, identity: Layer.Layer<Identity>) =>
  Effect.gen(function* () {
    const service = yield* Identity
    const strings: Array<string> = []
    for (const card of cards) {
      const number = Redacted.make(card.number.value as CardNumber)
      strings.push(yield* service.fingerprint(number), card.number.value.slice(0, 6), card.number.value.slice(-4))
    }
    return { strings }
  }).pipe(Effect.provide(identity))

const everything = (trace: Trace): Array<readonly [string, unknown]> => [
  ...trace.outcomes.map((value, i) => [`outcome ${i}`, value] as const),
  ...trace.errors.map((value, i) => [`error ${i}`, value] as const),
  ...trace.states.map((value, i) => [`state ${i}`, value] as const),
  ...trace.histories.map((value, i) => [`history ${i}`, value] as const),
  ...trace.logs.map((log, i) => [`log ${i}`, { message: log.message, annotations: log.annotations }] as const),
]

const textsOf = (trace: Trace): Array<readonly [string, string]> => [
  ...trace.outcomes.map((value, i) => [`outcome ${i}`, inspect(value, { depth: null })] as const),
  ...trace.outcomes.map((value, i) => [`outcome ${i} as JSON`, JSON.stringify(value) ?? ""] as const),
  ...trace.states.map((value, i) => [`state ${i}`, JSON.stringify(value)] as const),
  ...trace.histories.map((value, i) => [`history ${i}`, JSON.stringify(value)] as const),
  ...trace.errors.flatMap((error, i) => renderingsOf(`error ${i}`, error)),
  ...trace.logs.flatMap((log, i) => log.renderings.map((text, j) => [`log ${i} rendering ${j}`, text] as const)),
]

const identityFor = (key: Concealed<string> | undefined): Layer.Layer<Identity> =>
  key === undefined ? SequentialIdentity.layer() : KeyedIdentity.layer({ fingerprintKey: Redacted.make(key.value) })

const secretConcealed = concealed(secretArbitrary, (value) => `secret, ${value.length} characters`)

it.effect(
  "no card number, CVV or secret appears in any state, event, error or log line of the service, for any policy",
  () =>
    assertEffectProperty(
      [providerPolicy, distinctCards, nearMisses, operations, fc.option(secretConcealed, { nil: undefined })],
      (policy, cards, refused, ops, fingerprintKey) =>
        Effect.gen(function* () {
          const identity = identityFor(fingerprintKey)
          const trace = yield* traceOf(policy, cards, refused, ops, identity)
          const secrets: Secrets = {
            cardNumbers: cards.map((card) => card.number),
            nearMisses: refused,
            cvvs: [
              ...cards.map((card) => card.cvv),
              ...cards.map((card) => ({ ...card.cvv, value: badCvvOf(card.cvv.value) })),
            ],
            others: fingerprintKey === undefined ? [] : [fingerprintKey],
          }
          const allowed = yield* allowedFor(cards, identity)
          noLeaks(textLeaks(secrets, allowed, textsOf(trace)))
          noLeaks(cvvLeaks(secrets, everything(trace)))
          // The library's own log lines were captured: the search did not pass for want of material.
          expect(trace.logs.some((log) => log.level === "DEBUG")).toBe(true)
          expect(trace.states.length).toBeGreaterThan(0)
        }),
    ),
  timeout,
)

// ---------------------------------------------------------------------------
// Non-interference
// ---------------------------------------------------------------------------

/** Another Luhn-valid number with the same first 6 and last 4 digits (so the same brand and mask), other middle digits. */
const twinOf = (number: string, seedDigits: ReadonlyArray<number>): string | undefined => {
  const middleLength = number.length - 10
  const middle = Array.from({ length: middleLength }, (_, i) => String(seedDigits[i % seedDigits.length] ?? 0))
  // One middle digit is free to make the checksum come right: every digit position can reach every residue.
  for (let d = 0; d <= 9; d++) {
    middle[0] = String(d)
    const candidate = number.slice(0, 6) + middle.join("") + number.slice(-4)
    if (luhnValid(candidate) && candidate !== number) return candidate
  }
  return undefined
}

const twinCards = fc
  .tuple(
    distinctCards,
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }),
    fc.array(cvvConcealed, { minLength: 3, maxLength: 3 }),
  )
  .map(([cards, digits, otherCvvs]) => {
    const twins = cards.map((card, i): Card | undefined => {
      const number = twinOf(
        card.number.value,
        digits.map((d) => (d + i) % 10),
      )
      const otherCvv = otherCvvs[i]
      if (number === undefined || otherCvv === undefined) return undefined
      return {
        number: { ...card.number, value: number },
        cvv:
          otherCvv.value === card.cvv.value
            ? { ...otherCvv, value: otherCvv.value === "000" ? "001" : "000" }
            : otherCvv,
        expiry: card.expiry,
      }
    })
    return { cards, twins }
  })
  .filter(
    ({ cards, twins }) =>
      twins.every((twin) => twin !== undefined) &&
      new Set([...cards, ...(twins as ReadonlyArray<Card>)].map((card) => card.number.value)).size === cards.length * 2,
  )
  .map(({ cards, twins }) => ({ cards, twins: twins as ReadonlyArray<Card> }))

/** A trace as text, with each card's fingerprint named by its position, and stack frames and fiber ids left out. */
const normalised = (trace: Trace, fingerprints: ReadonlyArray<string>): ReadonlyArray<string> => {
  const name = (text: string) =>
    fingerprints.reduce((result, fingerprint, i) => result.split(fingerprint).join(`<fingerprint ${i}>`), text)
  const withoutFrames = (text: string) =>
    text
      .split("\n")
      .filter((line) => !/^\s+at /.test(line))
      .join("\n")
  return [
    ...trace.outcomes.map((value) => name(JSON.stringify(value) ?? "")),
    ...trace.states.map((value) => name(JSON.stringify(value))),
    ...trace.histories.map((value) => name(JSON.stringify(value))),
    ...trace.errors.flatMap((error) => [
      name(JSON.stringify(error) ?? ""),
      name(String(error)),
      name(withoutFrames(inspect(error, { depth: null }))),
    ]),
    ...trace.logs.map((log) =>
      name(JSON.stringify([log.level, log.message, log.annotations, withoutFrames(log.cause)])),
    ),
  ]
}

it.effect(
  "two cards that differ only in their middle digits, with different CVVs, leave the same trace, fingerprints aside",
  () =>
    assertEffectProperty(
      [providerPolicy, twinCards, nearMisses, operations],
      (policy, { cards, twins }, refused, ops) =>
        Effect.gen(function* () {
          const fingerprintsOf = (of: ReadonlyArray<Card>) =>
            Effect.provide(
              Effect.flatMap(Identity, (identity) =>
                Effect.forEach(of, (card) => identity.fingerprint(Redacted.make(card.number.value as CardNumber))),
              ),
              SequentialIdentity.layer(),
            )
          const first = normalised(
            yield* traceOf(policy, cards, refused, ops, SequentialIdentity.layer()),
            yield* fingerprintsOf(cards),
          )
          const second = normalised(
            yield* traceOf(policy, twins, refused, ops, SequentialIdentity.layer()),
            yield* fingerprintsOf(twins),
          )
          expect(second.length).toBe(first.length)
          const differing = first.flatMap((text, i) => (text === second[i] ? [] : [i]))
          expect(differing, "positions in the trace that differ between the two cards").toEqual([])
        }),
    ),
  timeout,
)

// ---------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------

const decodeCardNumber = Schema.decodeUnknownEither(CardNumberSchema)
const decodeCvv = Schema.decodeUnknownEither(Cvv)

/** Every way a `ParseError` is shown: its own renderings and both formatters. */
const parseErrorRenderings = (where: string, error: ParseResult.ParseError): Array<readonly [string, string]> => [
  ...renderingsOf(where, error),
  [`${where} tree`, ParseResult.TreeFormatter.formatErrorSync(error)],
  [`${where} array`, JSON.stringify(ParseResult.ArrayFormatter.formatErrorSync(error))],
]

/** Refused CVV-like inputs: too long, too short, or with a letter. */
const badCvv = concealed(
  fc.oneof(
    fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 5, maxLength: 6 }),
    fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 1, maxLength: 2 }),
    fc.tuple(cvvArbitrary, fc.constantFrom("a", "x", " ", "-")).map(([digits, letter]) => digits + letter),
  ),
  (value) => `refused CVV, ${value.length} characters`,
)

const refusedNumber = concealed(
  nearMissPan.map(({ number }) => number),
  (number) => `refused number, ${number.length} characters`,
)

it.effect(
  "the CardNumber and Cvv schemas never show the value they refuse or accept, however the result is printed",
  () =>
    assertEffectProperty([refusedNumber, badCvv, concealedPan, cvvConcealed], (nearMiss, refusedCvv, number, cvv) =>
      Effect.sync(() => {
        const texts: Array<readonly [string, string]> = []
        const refusedNumberResult = decodeCardNumber(nearMiss.value)
        expect(Either.isLeft(refusedNumberResult)).toBe(true)
        if (Either.isLeft(refusedNumberResult))
          texts.push(...parseErrorRenderings("refused number", refusedNumberResult.left))
        const refusedCvvResult = decodeCvv(refusedCvv.value)
        expect(Either.isLeft(refusedCvvResult)).toBe(true)
        if (Either.isLeft(refusedCvvResult)) texts.push(...parseErrorRenderings("refused CVV", refusedCvvResult.left))
        // Inside a larger input too, as a provider's or caller's payload is decoded.
        const card = Schema.decodeUnknownEither(Schema.Struct({ number: CardNumberSchema, cvv: Cvv }))({
          number: nearMiss.value,
          cvv: cvv.value,
        })
        if (Either.isLeft(card)) texts.push(...parseErrorRenderings("refused card", card.left))
        const accepted = Schema.decodeUnknownEither(Schema.Struct({ number: CardNumberSchema, cvv: Cvv }))({
          number: number.value,
          cvv: cvv.value,
        })
        expect(Either.isRight(accepted)).toBe(true)
        texts.push(...renderingsOf("accepted card", accepted))

        const secrets: Secrets = { cardNumbers: [number], nearMisses: [nearMiss], cvvs: [cvv], others: [] }
        noLeaks(textLeaks(secrets, { strings: [] }, texts))
        // A refused CVV is short: look for it as a whole value in the renderings' quoted strings.
        const quoted = texts.flatMap(([where, text]) =>
          [...text.matchAll(/"([^"]*)"|'([^']*)'/g)].map((m) => [where, m[1] ?? m[2] ?? ""] as const),
        )
        expect(
          quoted.filter(([, value]) => value === refusedCvv.value || value === cvv.value).map(([where]) => where),
        ).toEqual([])
      }),
    ),
  timeout,
)

it.effect(
  "a refused card number or CVV is kept nowhere inside the schema's failure, not even in its issue tree",
  () =>
    assertEffectProperty([refusedNumber, badCvv], (nearMiss, refusedCvv) =>
      Effect.sync(() => {
        const leaks: Array<string> = []
        const refusals: ReadonlyArray<readonly [string, Either.Either<unknown, ParseResult.ParseError>, string]> = [
          ["card number", decodeCardNumber(nearMiss.value), nearMiss.value],
          ["CVV", decodeCvv(refusedCvv.value), refusedCvv.value],
        ]
        for (const [label, result, value] of refusals) {
          if (Either.isRight(result)) continue
          for (const [path, field] of entries(result.left.issue, `${label} failure`)) {
            if (path.endsWith(".ast")) continue
            if (field === value || (typeof field === "string" && value.length >= 11 && field.includes(value)))
              leaks.push(path)
          }
        }
        // Places in the failure that hold the refused input.
        noLeaks(leaks)
      }),
    ),
  timeout,
)

// ---------------------------------------------------------------------------
// Provider errors
// ---------------------------------------------------------------------------

/** The shapes a provider may echo a card number in: plain, in groups of four with spaces or dashes. */
const written = (number: string, style: "plain" | "spaces" | "dashes"): string =>
  style === "plain" ? number : (number.match(/.{1,4}/g) ?? []).join(style === "spaces" ? " " : "-")

it.effect(
  "provider errors scrub card numbers from everything the provider said: messages, field problems and codes",
  () =>
    assertEffectProperty(
      [
        concealedPan,
        fc.constantFrom("plain" as const, "spaces" as const, "dashes" as const),
        fc.constantFrom("card ", "invalid number: ", "", "pan=", '{"number":"'),
        fc.constantFrom("", " was declined", '"}', "."),
      ],
      (number, style, before, after) =>
        Effect.sync(() => {
          const echo = `${before}${written(number.value, style)}${after}`
          const provider = "gate"
          const errors: ReadonlyArray<readonly [string, unknown]> = [
            [
              "validation",
              new GatewayError.ProviderValidationError({
                provider,
                message: echo,
                fields: [{ field: `card ${echo}`, message: echo }],
                providerCode: echo,
              }),
            ],
            ["not found", new GatewayError.ProviderNotFound({ provider, resource: "token", message: echo })],
            ["unauthorized", new GatewayError.ProviderUnauthorized({ provider, message: echo })],
            ["unavailable", new GatewayError.ProviderUnavailable({ provider, status: 503, message: echo })],
            ["protocol", new GatewayError.ProviderProtocolError({ provider, message: echo, status: 200 })],
            ["declined", new GatewayError.ProviderDeclined({ provider, code: echo, message: echo })],
          ]
          const secrets: Secrets = { cardNumbers: [number], nearMisses: [], cvvs: [], others: [] }
          const texts = errors.flatMap(([where, error]) => renderingsOf(where, error))
          noLeaks(textLeaks(secrets, { strings: [number.value.slice(0, 6), number.value.slice(-4)] }, texts))
          noLeaks(cvvLeaks(secrets, errors))
        }),
    ),
  timeout,
)

// ---------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------

it.effect(
  "HMAC signatures and keys never show: a signature prints as redacted, and a refused one is named only by its reason",
  () =>
    assertEffectProperty(
      [
        secretConcealed,
        fc.constantFrom("sha256" as const, "sha512" as const),
        fc.constantFrom<Encoding>("base64", "base64url", "hex"),
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.string({ minLength: 1, maxLength: 64 }),
      ],
      (key, algorithm, encoding, message, otherMessage) =>
        Effect.gen(function* () {
          const options = { algorithm, encoding, key: Redacted.make(key.value) }
          const signing = Hmac.make(options)
          const signature = yield* signing.sign(message)
          const signatureValue = Redacted.value(signature)
          const forged = Redacted.value(
            yield* Hmac.make({ ...options, key: Redacted.make(`${key.value}x`) }).sign(message),
          )
          const refusals: Array<unknown> = []
          for (const offered of [forged, signatureValue.slice(1), "not a signature!", ""]) {
            const outcome = yield* Effect.either(signing.verify(message, offered))
            if (Either.isLeft(outcome)) refusals.push(outcome.left)
          }
          const other = yield* Effect.either(signing.verify(otherMessage, signature))
          if (Either.isLeft(other)) refusals.push(other.left)
          expect(refusals.length).toBeGreaterThanOrEqual(3)
          for (const refusal of refusals) expect(refusal).toBeInstanceOf(InvalidSignature)

          const secrets: Secrets = {
            cardNumbers: [],
            nearMisses: [],
            cvvs: [],
            others: [
              key,
              { value: signatureValue, label: "signature" },
              { value: forged, label: "forged signature" },
            ].filter((secret) => secret.value.length >= 16),
          }
          const texts: Array<readonly [string, string]> = [
            ...renderingsOf("signature", signature),
            ...renderingsOf("signing options", options),
            ...renderingsOf("signing service", signing),
            ...refusals.flatMap((refusal, i) => renderingsOf(`refusal ${i}`, refusal)),
          ]
          noLeaks(textLeaks(secrets, { strings: [] }, texts))
          expect(
            cvvLeaks(
              secrets,
              refusals.map((refusal, i) => [`refusal ${i}`, refusal] as const),
            ),
          ).toEqual([])
        }),
    ),
  timeout,
)

it.effect(
  "a keyed fingerprint shows neither the card number nor its key, and depends on the key",
  () =>
    assertEffectProperty([concealedPan, secretConcealed, secretConcealed], (number, key, otherKey) =>
      Effect.sync(() => {
        const card = Redacted.make(number.value as CardNumber)
        const fingerprint = Effect.runSync(
          KeyedIdentity.make({ fingerprintKey: Redacted.make(key.value) }).fingerprint(card),
        )
        const other = Effect.runSync(
          KeyedIdentity.make({ fingerprintKey: Redacted.make(otherKey.value) }).fingerprint(card),
        )
        if (key.value !== otherKey.value)
          expect(fingerprint === other, "fingerprints under two keys are equal").toBe(false)
        const secrets: Secrets = { cardNumbers: [number], nearMisses: [], cvvs: [], others: [key] }
        const masked = mask(card)
        noLeaks(textLeaks(secrets, { strings: [masked.bin, masked.last4] }, [["fingerprint", fingerprint]]))
      }),
    ),
  timeout,
)
