import { describe, expect, it } from "@effect/vitest"
import * as Policy from "@token-lifecycle/domain/Policy"
import { InvalidSignature, Signing } from "@token-lifecycle/domain/Signing"
import { layer as lifecycleLayer, TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as InMemoryTokenRepository from "@token-lifecycle/testkit/InMemoryTokenRepository"
import * as ReferenceGateway from "@token-lifecycle/testkit/ReferenceGateway"
import * as Runs from "@token-lifecycle/testkit/Runs"
import * as SequentialIdentity from "@token-lifecycle/testkit/SequentialIdentity"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import * as fc from "fast-check"
import * as KomojuWebhooks from "../src/KomojuWebhooks.js"

const params = Runs.parameters()
/** Room for however many runs were asked for. */
const timeout = 10_000 + params.numRuns * 5

// The illustrative vector of the provider notes §8: computed for the notes, not published by KOMOJU.
const vectorSecret = Redacted.make("doc-illustration-webhook-secret")
const vectorBody =
  '{"id":"evt_illustration01","type":"payment.authorized","resource":"event","data":{"id":"pay_illustration01","resource":"payment","status":"authorized","amount":2500,"currency":"JPY"},"created_at":"2025-06-01T09:30:00Z","reason":null}'
const vectorSignature = "26e6899479cdf1f887c8d59d023620315b1ccf7a13e0fd82d752e3a2b49d4947"

const verifyExit = (body: string | Uint8Array, signature: string | undefined) =>
  Effect.runSyncExit(KomojuWebhooks.verify(body, signature, vectorSecret))

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined

describe("KOMOJU webhook signature", () => {
  it("the illustrative vector verifies, as text and as the raw bytes", () => {
    expect(new TextEncoder().encode(vectorBody).length).toBe(233)
    expect(Exit.isSuccess(verifyExit(vectorBody, vectorSignature))).toBe(true)
    expect(Exit.isSuccess(verifyExit(new TextEncoder().encode(vectorBody), vectorSignature))).toBe(true)
  })

  it("the body is hashed as received: a trailing newline or a re-serialisation does not verify", () => {
    expect(failureOf(verifyExit(`${vectorBody}\n`, vectorSignature))).toEqual(
      new InvalidSignature({ reason: "mismatch" }),
    )
    const reserialised = JSON.stringify(JSON.parse(vectorBody), null, 1)
    expect(failureOf(verifyExit(reserialised, vectorSignature))).toEqual(new InvalidSignature({ reason: "mismatch" }))
  })

  it("a missing or empty header is refused as missing; a signature that is not lowercase hex as malformed", () => {
    expect(failureOf(verifyExit(vectorBody, undefined))).toEqual(new InvalidSignature({ reason: "missing" }))
    expect(failureOf(verifyExit(vectorBody, ""))).toEqual(new InvalidSignature({ reason: "missing" }))
    expect(failureOf(verifyExit(vectorBody, vectorSignature.toUpperCase()))).toEqual(
      new InvalidSignature({ reason: "malformed" }),
    )
    expect(failureOf(verifyExit(vectorBody, `sha256=${vectorSignature}`))).toEqual(
      new InvalidSignature({ reason: "malformed" }),
    )
    expect(failureOf(verifyExit(vectorBody, vectorSignature.slice(0, 62)))).toEqual(
      new InvalidSignature({ reason: "mismatch" }),
    )
  })

  it(
    "any changed byte of the body is refused",
    () => {
      const bytes = new TextEncoder().encode(vectorBody)
      fc.assert(
        fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, flip) => {
          const changed = bytes.slice()
          changed[index] = (changed[index] as number) ^ flip
          expect(failureOf(verifyExit(changed, vectorSignature))).toBeInstanceOf(InvalidSignature)
        }),
        params,
      )
    },
    timeout,
  )

  it(
    "any changed character of the signature is refused, whatever replaces it",
    () => {
      // Every byte value, not only hex digits: a header can carry anything a client sends.
      const anyByte = fc.integer({ min: 0, max: 255 }).map((code) => String.fromCharCode(code))
      fc.assert(
        fc.property(fc.nat({ max: vectorSignature.length - 1 }), anyByte, (index, replacement) => {
          fc.pre(vectorSignature[index] !== replacement)
          const changed = vectorSignature.slice(0, index) + replacement + vectorSignature.slice(index + 1)
          expect(failureOf(verifyExit(vectorBody, changed))).toBeInstanceOf(InvalidSignature)
        }),
        params,
      )
    },
    timeout,
  )

  it(
    "a signature with characters added or taken away is refused",
    () => {
      const hex = fc.constantFrom(..."0123456789abcdef".split(""))
      fc.assert(
        fc.property(
          fc.nat({ max: vectorSignature.length }),
          fc.nat({ max: vectorSignature.length }),
          fc.string({ unit: hex, maxLength: 4 }),
          (from, to, inserted) => {
            const [start, end] = from <= to ? [from, to] : [to, from]
            const changed = vectorSignature.slice(0, start) + inserted + vectorSignature.slice(end)
            fc.pre(changed !== vectorSignature)
            expect(failureOf(verifyExit(vectorBody, changed))).toBeInstanceOf(InvalidSignature)
          },
        ),
        params,
      )
    },
    timeout,
  )
})

// ---------------------------------------------------------------------------------------------
// Decoding

const secret = Redacted.make("webhook-test-secret")
const signing = KomojuWebhooks.signing(secret)
const signatureOf = (body: string) => Redacted.value(Effect.runSync(signing.sign(body)))

const event = (type: string, data: object, extra: object = {}) =>
  JSON.stringify({
    id: "evt_1",
    type,
    resource: "event",
    data,
    created_at: "2026-06-01T10:00:00Z",
    reason: null,
    ...extra,
  })

const payment = (status: string, metadata: Record<string, string> | null) => ({
  id: "pay_1",
  resource: "payment",
  status,
  amount: 2500,
  currency: "JPY",
  payment_details: { type: "credit_card", brand: "visa", last_four_digits: "1111" },
  metadata,
  succeeded: true,
})

const usedMetadata = { token_lifecycle_token: "tok_abc", token_lifecycle_owner: "customer_1", order: "o-1" }

/** A delivery's headers as KOMOJU sends them; `null` leaves out `X-Komoju-ID`. */
const delivery = (body: string, deliveryId: string | null = "dlv_1") => ({
  "X-Komoju-Signature": signatureOf(body),
  "X-Komoju-Event": "ignored-by-decode",
  ...(deliveryId === null ? {} : { "X-Komoju-ID": deliveryId }),
})

const decodeExit = (body: string, headers: KomojuWebhooks.WebhookHeaders) =>
  Effect.runSyncExit(KomojuWebhooks.decode(body, headers).pipe(Effect.provideService(Signing, signing)))

const decoded = (body: string, headers: KomojuWebhooks.WebhookHeaders) => {
  const exit = decodeExit(body, headers)
  if (Exit.isFailure(exit)) throw new Error(`expected events, got ${failureOf(exit)?._tag}`)
  return exit.value
}

describe("KOMOJU webhook decoding", () => {
  it("a payment made with a token this service recorded is the token's use, keyed by X-Komoju-ID", () => {
    for (const type of ["payment.authorized", "payment.captured"]) {
      const body = event(type, payment(type.slice("payment.".length), usedMetadata))
      expect(decoded(body, delivery(body))).toEqual([
        {
          _tag: "TokenUsed",
          deliveryId: "komoju/delivery/dlv_1",
          tokenId: "tok_abc",
          by: "customer_1",
          for: "card",
          reference: "pay_1",
        },
      ])
    }
  })

  it("headers are read whatever their case, and the event id keys a delivery without X-Komoju-ID", () => {
    const body = event("payment.captured", payment("captured", usedMetadata))
    const lower = { "x-komoju-signature": signatureOf(body), "x-komoju-id": "dlv_9" }
    expect(decoded(body, lower)).toMatchObject([{ deliveryId: "komoju/delivery/dlv_9" }])
    expect(decoded(body, delivery(body, null))).toMatchObject([{ deliveryId: "komoju/event/evt_1" }])
  })

  it("a payment that names no token, or only half of one, means nothing for tokens", () => {
    for (const metadata of [null, {}, { token_lifecycle_token: "tok_abc" }, { token_lifecycle_owner: "customer_1" }]) {
      const body = event("payment.captured", payment("captured", metadata))
      expect(decoded(body, delivery(body))).toEqual([])
    }
    expect(decoded(vectorBody, { "X-Komoju-Signature": signatureOf(vectorBody) })).toEqual([])
  })

  it("other and unknown event types are ignorable, even with data that is not a payment", () => {
    for (const type of ["ping", "payment.failed", "payment.refunded", "customer.created", "payout.created", "x.new"]) {
      const body = event(type, { id: "cus_1", resource: "customer" })
      expect(decoded(body, delivery(body))).toEqual([])
    }
  })

  it("a forged delivery is refused before its body is read", () => {
    const body = event("payment.captured", payment("captured", usedMetadata))
    const forged = body.replace("customer_1", "customer_2")
    expect(failureOf(decodeExit(forged, delivery(body)))).toEqual(new InvalidSignature({ reason: "mismatch" }))
    expect(failureOf(decodeExit("{not json", {}))).toEqual(new InvalidSignature({ reason: "missing" }))
  })

  it("a signed body that is not JSON, not an event, or a spending event without a payment is unreadable", () => {
    const notEvent = event("payment.captured", payment("captured", usedMetadata), { resource: "payment" })
    const noReason = JSON.stringify({ ...JSON.parse(event("ping", {})), reason: undefined })
    const notPayment = event("payment.captured", { id: "pay_1", resource: "payment", status: "settled" })
    for (const body of ["{not json", notEvent, noReason, notPayment]) {
      expect(failureOf(decodeExit(body, delivery(body)))).toMatchObject({ _tag: "ProviderProtocolError" })
    }
    const invalidUtf8 = new Uint8Array([0x7b, 0xff, 0x7d])
    const headers = { "X-Komoju-Signature": Redacted.value(Effect.runSync(signing.sign(invalidUtf8))) }
    const exit = Effect.runSyncExit(
      KomojuWebhooks.decode(invalidUtf8, headers).pipe(Effect.provideService(Signing, signing)),
    )
    expect(failureOf(exit)).toMatchObject({ _tag: "ProviderProtocolError" })
  })
})

// ---------------------------------------------------------------------------------------------
// The handler, over the lifecycle

const start = Date.UTC(2026, 5, 1, 10)
const services = lifecycleLayer({ policy: Policy.komoju }).pipe(
  Layer.provideMerge(
    Layer.mergeAll(ReferenceGateway.layer(Policy.komoju), InMemoryTokenRepository.layer, SequentialIdentity.layer()),
  ),
)

const issueCard = Effect.flatMap(TokenLifecycle, (lifecycle) =>
  lifecycle.issue({
    account: "merchant_1",
    owner: "customer_1",
    type: "card",
    card: { number: "4111111111111111", expiry: { month: 12, year: 2030 }, holderName: "JANE ROE" },
  }),
)

/** A card token issued through the lifecycle, and the webhook of a payment that spent it. */
const issuedAndSpent = Effect.map(issueCard, (issued) => ({
  issued,
  body: event(
    "payment.captured",
    payment("captured", {
      token_lifecycle_token: "tokenId" in issued ? (issued.tokenId ?? "") : "",
      token_lifecycle_owner: "customer_1",
    }),
  ),
}))

describe("KOMOJU webhook handler", () => {
  it.effect("a captured payment spends the token once; a redelivery changes nothing", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const handle = yield* KomojuWebhooks.make(secret)
      const lifecycle = yield* TokenLifecycle
      const { issued, body } = yield* issuedAndSpent
      expect(issued).toMatchObject({ _tag: "Active" })
      const first = yield* handle(body, delivery(body))
      expect(first.status).toBe(200)
      expect(first.outcomes).toMatchObject([{ _tag: "Applied" }])
      expect((yield* lifecycle.get(issued.key))._tag).not.toBe("Active")
      const again = yield* handle(body, delivery(body))
      expect(again).toEqual({ status: 200, outcomes: [{ _tag: "Ignored", reason: "duplicate" }] })
    }).pipe(Effect.provide(services)),
  )

  it.effect("forged is 401, unreadable is 400, ignorable and unknown tokens are 200", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const handle = yield* KomojuWebhooks.make(secret)
      const lifecycle = yield* TokenLifecycle
      const { issued, body } = yield* issuedAndSpent
      expect(yield* handle(body, { ...delivery(body), "X-Komoju-Signature": vectorSignature })).toEqual({
        status: 401,
        outcomes: [],
      })
      expect(yield* handle(body, {})).toEqual({ status: 401, outcomes: [] })
      expect((yield* handle("{not json", delivery("{not json"))).status).toBe(400)
      const ping = event("ping", {})
      expect(yield* handle(ping, delivery(ping))).toEqual({ status: 200, outcomes: [] })
      const stranger = event("payment.captured", payment("captured", usedMetadata))
      expect(yield* handle(stranger, delivery(stranger, "dlv_2"))).toEqual({
        status: 200,
        outcomes: [{ _tag: "Ignored", reason: "unknown-token" }],
      })
      expect(yield* lifecycle.get(issued.key)).toMatchObject({ _tag: "Active" })
    }).pipe(Effect.provide(services)),
  )
})

describe("KOMOJU webhook handler, tampered deliveries", () => {
  /** Each run builds a lifecycle and issues a token: a tenth of the configured runs. */
  const handlerRuns = { ...params, numRuns: Math.max(1, Math.ceil(params.numRuns / 10)) }

  it(
    "a delivery with any byte of its body or signature changed, or unsigned, is refused with 401 and changes nothing",
    () =>
      fc.assert(
        fc.asyncProperty(
          fc.constantFrom("body", "signature", "unsigned"),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          (tampered, at, flip) =>
            Effect.gen(function* () {
              yield* TestClock.setTime(start)
              const handle = yield* KomojuWebhooks.make(secret)
              const lifecycle = yield* TokenLifecycle
              const { issued, body } = yield* issuedAndSpent
              const headers = delivery(body)
              const signature = headers["X-Komoju-Signature"]
              const bytes = new TextEncoder().encode(body)
              const changedBody = bytes.slice()
              changedBody[at % bytes.length] = (changedBody[at % bytes.length] as number) ^ flip
              const index = at % signature.length
              const replaced = String.fromCharCode(signature.charCodeAt(index) ^ flip)
              const receipt =
                tampered === "body"
                  ? yield* handle(changedBody, headers)
                  : tampered === "signature"
                    ? yield* handle(body, {
                        ...headers,
                        "X-Komoju-Signature": signature.slice(0, index) + replaced + signature.slice(index + 1),
                      })
                    : yield* handle(body, { "X-Komoju-ID": "dlv_1", "X-Komoju-Event": "payment.captured" })
              expect(receipt).toEqual({ status: 401, outcomes: [] })
              expect(yield* lifecycle.get(issued.key)).toEqual(issued)
              expect((yield* lifecycle.history(issued.key)).map(({ event }) => event._tag)).toEqual([
                "TokenRequested",
                "TokenIssued",
              ])
              // The same delivery untouched does change the token: the refusal was the tampering's doing.
              expect((yield* handle(body, headers)).outcomes).toMatchObject([{ _tag: "Applied" }])
            }).pipe(
              // The handler warns of every refusal; here each one is expected.
              Logger.withMinimumLogLevel(LogLevel.Error),
              Effect.provide(services),
              Effect.provide(TestContext.TestContext),
              Effect.runPromise,
            ),
        ),
        handlerRuns,
      ),
    timeout,
  )
})
