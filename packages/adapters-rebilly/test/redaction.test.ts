/**
 * No card number, CVV or credential leaves the adapter anywhere but in the request to Rebilly:
 * not in a log line (at every level), an error, its message or its printed cause, whatever
 * happens to the call: accepted, refused, refused before sending, rate-limited, timed out, or
 * answered with the card data Rebilly must never send back.
 */
import { describe, expect, it } from "@effect/vitest"
import { parseCard } from "@token-lifecycle/domain/Card"
import { AccountRef, OwnerRef, TokenId, UseReference } from "@token-lifecycle/domain/Identifiers"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as RebillyGateway from "../src/RebillyGateway.js"
import { cardToken, config, json, keys, organizationId, recorder, type WireAnswer } from "./Recording.js"

const pan = "5555555555554444"
const cvv = "8642"
const card = Either.getOrThrow(parseCard({ number: pan, cvv, expiry: { month: 6, year: 2031 } }))
const secrets = [pan, cvv, ...Object.values(keys).map((key) => Redacted.value(key))]

const answers: ReadonlyArray<WireAnswer> = [
  json(201, cardToken({ paymentInstrument: { bin: "555555", last4: "4444", expMonth: 6, expYear: 2031 } })),
  json(422, { status: 422, detail: "invalid", invalidFields: [{ field: "paymentInstrument.pan", message: "bad" }] }),
  json(429, { status: 429 }, { "x-ratelimit-retry-after": "1767225700" }),
  json(201, cardToken({ paymentInstrument: { pan, cvv, expMonth: 6, expYear: 2031 } })),
  json(201, cardToken({ paymentInstrument: { bin: pan, last4: cvv, expMonth: "six", expYear: 2031 } })),
  { _tag: "Drop" },
  json(500, { detail: `upstream said ${pan}` }),
]

describe("redaction", () => {
  it.effect("card data and credentials appear in no log line, error or printed cause", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const shown: Array<string> = []
      const capture = Logger.replace(
        Logger.defaultLogger,
        Logger.map(Logger.logfmtLogger, (line) => lines.push(line)),
      )
      let next = 0
      const rec = recorder(() => answers[next++ % answers.length] as WireAnswer)
      const services = Layer.mergeAll(rec.layer, config(), capture)
      const attempt = <A, E>(effect: Effect.Effect<A, E>) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(Effect.exit(effect))
          yield* TestClock.adjust("1 minute")
          const exit = yield* Fiber.join(fiber)
          shown.push(
            exit._tag === "Failure"
              ? `${Cause.pretty(exit.cause)}\n${JSON.stringify(Cause.squash(exit.cause))}`
              : JSON.stringify(exit.value),
          )
        })
      const run = Effect.gen(function* () {
        const gateway = yield* RebillyGateway.make
        const request = {
          account: AccountRef.make(organizationId),
          owner: OwnerRef.make("cus-1"),
          type: "card" as const,
          card,
          idempotencyKey: "idem",
        }
        for (let i = 0; i < answers.length; i++) yield* attempt(gateway.issue(request))
        yield* attempt(gateway.issue({ ...request, customer: { firstName: "x".repeat(46) } }))
        yield* attempt(
          gateway.use({
            tokenId: TokenId.make("tok"),
            owner: OwnerRef.make("cus-1"),
            type: "card",
            operation: "payment",
            reference: UseReference.make(`order ${pan}`),
            amount: { amount: 100, currency: "USD" },
          }),
        )
      })
      yield* run.pipe(Effect.provide(services), Logger.withMinimumLogLevel(LogLevel.All))
      expect(rec.requests.length, "requests that reached the wire").toBeGreaterThanOrEqual(answers.length)
      expect(
        rec.requests.some((request) => request.body.includes(pan)),
        "the card number goes to Rebilly",
      ).toBe(true)
      expect(lines.length, "log lines captured").toBeGreaterThan(0)
      expect(shown.length).toBe(answers.length + 2)
      const texts = [
        ...lines.map((text, i) => [`log line ${i}`, text]),
        ...shown.map((text, i) => [`outcome ${i}`, text]),
      ]
      for (const [where, text] of texts) {
        // Only the index of the secret and where it showed are reported: never the text itself.
        for (const [i, value] of secrets.entries())
          expect(text?.includes(value), `secret #${i} in ${where}`).toBe(false)
      }
    }),
  )
})
