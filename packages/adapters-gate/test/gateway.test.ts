import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Capabilities from "@token-lifecycle/domain/Capabilities"
import { parseCard } from "@token-lifecycle/domain/Card"
import { AccountRef, OwnerRef, TokenId, UseReference } from "@token-lifecycle/domain/Identifiers"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as GateConfig from "../src/GateConfig.js"
import * as GateGateway from "../src/GateGateway.js"
import * as Signature from "../src/Signature.js"

const secret = Redacted.make("project-secret")
const pan = "4111111111111111"
const token = TokenId.make("a".repeat(40) + "B".repeat(24))
const owner = OwnerRef.make("customer_123")
const start = Date.UTC(2026, 5, 1)

type Reply = { readonly status: number; readonly body: unknown } | "drop"
interface Sent {
  readonly url: string
  readonly body: Record<string, unknown>
}

/** Gate, scripted: one reply per request; every request's URL and JSON body is kept. */
const scriptedGate = (replies: ReadonlyArray<Reply>) =>
  Effect.gen(function* () {
    const sent = yield* Ref.make<ReadonlyArray<Sent>>([])
    const client = HttpClient.make((request) =>
      Effect.gen(function* () {
        const raw = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : "{}"
        const index = (yield* Ref.getAndUpdate(sent, (all) => [...all, { url: request.url, body: JSON.parse(raw) }]))
          .length
        const reply = replies[Math.min(index, replies.length - 1)] as Reply
        if (reply === "drop") {
          return yield* new HttpClientError.RequestError({ request, reason: "Transport", description: "reset" })
        }
        return HttpClientResponse.fromWeb(request, new Response(JSON.stringify(reply.body), { status: reply.status }))
      }),
    )
    const gateway = yield* GateGateway.make.pipe(
      Effect.provide(
        Layer.mergeAll(
          Layer.succeed(HttpClient.HttpClient, client),
          GateConfig.layer({ projectId: 123, secretKey: secret, timeout: "5 seconds" }),
        ),
      ),
    )
    return { gateway, sent: Ref.get(sent) }
  })

const accepted = { status: 200, body: { status: "success", request_id: "req-1", project_id: 123 } }
const card = (expiry = { month: 12, year: 2030 }) =>
  Either.getOrThrow(parseCard({ number: pan, cvv: "123", expiry, holderName: "JANE ROE" }))
const issueRequest = {
  account: AccountRef.make("123"),
  owner,
  type: "card" as const,
  card: card(),
  customer: { ipAddress: "198.51.100.47" },
  idempotencyKey: "idem-1",
}

describe("tokenize", () => {
  it.effect("sends exactly Gate's body, signed in customer.signature, and answers 'accepted'", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const { gateway, sent } = yield* scriptedGate([accepted])
      expect(yield* gateway.issue(issueRequest)).toStrictEqual({ _tag: "Accepted", requestRef: "req-1" })
      const [request] = yield* sent
      expect(request?.url).toBe("https://api.ecommpay.com/v2/customer/card/tokenize")
      const unsigned = {
        customer: { id: "customer_123", ip_address: "198.51.100.47", project_id: 123 },
        card: { pan, year: 2030, month: 12, card_holder: "JANE ROE" },
      }
      const signature = Redacted.value(yield* Signature.sign(unsigned).pipe(Effect.provide(Signature.layer(secret))))
      expect(request?.body).toEqual({ ...unsigned, customer: { ...unsigned.customer, signature } })
    }),
  )

  it.effect(
    "refuses before sending anything: no IP address, no cardholder, a card past its month, another project",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(start)
        const { gateway, sent } = yield* scriptedGate([accepted])
        const { holderName: _holder, ...noHolder } = card()
        const refusals = [
          yield* Effect.flip(gateway.issue({ ...issueRequest, customer: {} })),
          yield* Effect.flip(gateway.issue({ ...issueRequest, card: noHolder })),
          yield* Effect.flip(gateway.issue({ ...issueRequest, card: card({ month: 5, year: 2026 }) })),
          yield* Effect.flip(gateway.issue({ ...issueRequest, account: AccountRef.make("999") })),
        ]
        expect(
          refusals.map((error) => [error._tag, error._tag === "ProviderValidationError" && error.fields[0]?.field]),
        ).toEqual([
          ["ProviderValidationError", "customer.ip_address"],
          ["ProviderValidationError", "card.card_holder"],
          ["ProviderValidationError", "card.expiry"],
          ["ProviderValidationError", "account"],
        ])
        expect(yield* sent).toEqual([])
        for (const error of refusals) expect(JSON.stringify(error).includes(pan)).toBe(false)
      }),
  )
})

describe("refusals", () => {
  it.effect.each([
    [3261, 403, "ProviderUnauthorized"],
    [3262, 403, "ProviderUnauthorized"],
    [3027, 400, "ProviderValidationError"],
    [3101, 400, "ProviderNotFound"],
    [3241, 400, "ProviderNotFound"],
    [3021, 400, "ProviderDeclined"],
    [601, 503, "ProviderUnavailable"],
  ] as const)("Gate code %i becomes %s", ([code, status, tag]) =>
    Effect.gen(function* () {
      const { gateway } = yield* scriptedGate([
        { status, body: { status: "error", code, message: `refused ${pan}`, request_id: "req-9" } },
      ])
      const fiber = yield* Effect.fork(Effect.flip(gateway.revoke(token, owner)))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe(tag)
      expect(JSON.stringify(error).includes(pan)).toBe(false)
    }),
  )

  it.effect("an unreadable answer is a protocol error, never a crash", () =>
    Effect.gen(function* () {
      const { gateway } = yield* scriptedGate([{ status: 200, body: { unexpected: true } }])
      expect((yield* Effect.flip(gateway.revoke(token, owner)))._tag).toBe("ProviderProtocolError")
    }),
  )
})

describe("using a token", () => {
  const payment = {
    tokenId: token,
    owner,
    type: "card" as const,
    operation: "payment" as const,
    reference: UseReference.make("order-42"),
    amount: { amount: 1000, currency: "EUR" },
    customer: { ipAddress: "198.51.100.47" },
  }

  it.effect("a purchase is sent once more after a dropped connection, with the same payment_id", () =>
    Effect.gen(function* () {
      const { gateway, sent } = yield* scriptedGate([
        "drop",
        { status: 200, body: { status: "success", request_id: "req-2", project_id: 123, payment_id: "order-42" } },
      ])
      const fiber = yield* Effect.fork(gateway.use(payment))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(fiber)).toEqual({
        reference: "order-42",
        providerReference: "order-42",
        status: "pending",
      })
      const requests = yield* sent
      expect(requests.map((r) => r.url)).toEqual([
        "https://api.ecommpay.com/v2/payment/card/sale/token",
        "https://api.ecommpay.com/v2/payment/card/sale/token",
      ])
      expect(requests[0]?.body).toEqual(requests[1]?.body)
      expect(requests[0]?.body).toMatchObject({
        general: { project_id: 123, payment_id: "order-42" },
        payment: { amount: 1000, currency: "EUR" },
        token,
      })
    }),
  )

  it.effect("Gate already knowing the payment id means the payment is registered: pending, not a second payment", () =>
    Effect.gen(function* () {
      const { gateway } = yield* scriptedGate([
        { status: 400, body: { status: "error", code: 3041, message: "Payment ID already exists" } },
      ])
      expect(yield* gateway.use(payment)).toMatchObject({ status: "pending", reference: "order-42" })
    }),
  )

  it.effect("refuses before sending: a token that is not 64 characters, a payment without an amount", () =>
    Effect.gen(function* () {
      const { gateway, sent } = yield* scriptedGate([accepted])
      const short = yield* Effect.flip(gateway.use({ ...payment, tokenId: TokenId.make("short") }))
      const { amount: _amount, ...noAmount } = payment
      const free = yield* Effect.flip(gateway.use(noAmount))
      expect([short._tag, free._tag]).toEqual(["ProviderValidationError", "ProviderValidationError"])
      expect(yield* sent).toEqual([])
    }),
  )
})

describe("capabilities", () => {
  it.effect("are declared as Gate has them; list is refused with Unsupported", () =>
    Effect.gen(function* () {
      const { gateway } = yield* scriptedGate([accepted])
      expect(Either.isRight(Capabilities.require(gateway, "revoke", "retrieve", "issue", "use"))).toBe(true)
      // @ts-expect-error Gate has no list operation, so requiring it does not compile
      expect(Either.isLeft(Capabilities.require(gateway, "list"))).toBe(true)
      expect((yield* Effect.flip(gateway.list({ offset: 0, limit: 10 })))._tag).toBe("Unsupported")
    }),
  )
})
