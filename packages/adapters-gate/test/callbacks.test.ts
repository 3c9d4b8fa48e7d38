import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Policy from "@token-lifecycle/domain/Policy"
import { layer as lifecycleLayer, TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as InMemoryTokenRepository from "@token-lifecycle/testkit/InMemoryTokenRepository"
import * as SequentialIdentity from "@token-lifecycle/testkit/SequentialIdentity"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as GateCallbacks from "../src/GateCallbacks.js"
import * as GateConfig from "../src/GateConfig.js"
import * as GateGateway from "../src/GateGateway.js"
import * as Signature from "../src/Signature.js"

const secret = Redacted.make("project-secret")
const token = "t".repeat(64)
const start = Date.UTC(2026, 5, 1, 10)

/** Gate accepting every request under the next request id. */
const acceptingGate = Layer.effect(
  HttpClient.HttpClient,
  Effect.sync(() => {
    let n = 0
    return HttpClient.make((request) =>
      Effect.succeed(
        HttpClientResponse.fromWeb(
          request,
          new Response(JSON.stringify({ status: "success", request_id: `req-${++n}`, project_id: 123 }), {
            status: 200,
          }),
        ),
      ),
    )
  }),
)

const config = GateConfig.layer({ projectId: 123, secretKey: secret })
const services = lifecycleLayer({ policy: Policy.gate }).pipe(
  Layer.provideMerge(
    Layer.mergeAll(
      GateGateway.layer.pipe(Layer.provide(Layer.mergeAll(acceptingGate, config))),
      InMemoryTokenRepository.layer,
      SequentialIdentity.layer(),
      config,
    ),
  ),
)

/** A token callback as Gate sends it: signed with the project's secret, the signature in `general`. */
const signed = (body: object) =>
  Effect.map(Signature.signBody(body).pipe(Effect.provide(Signature.layer(secret))), (b) => JSON.stringify(b))

/** A payment callback as Gate sends it: the signature at the top level. */
const signedAtTop = (body: object) =>
  Effect.map(Signature.sign(body).pipe(Effect.provide(Signature.layer(secret))), (signature) =>
    JSON.stringify({ ...body, signature: Redacted.value(signature) }),
  )

const tokenCallback = (
  requestId: string,
  status: "active" | "revoke" | "expiry",
  expiry = { month: 12, year: 2030 },
) => ({
  general: { project_id: 123 },
  request: { id: requestId, action: status === "revoke" ? "revoke" : "tokenize", status: "success" },
  customer: { id: "customer_123" },
  token,
  token_status: status,
  token_created_at: "2026-06-01T10:00:05+0000",
  card: { number: "411111******1111", exp_month: expiry.month, exp_year: expiry.year, holder: "JANE ROE" },
})

const issueCard = Effect.flatMap(TokenLifecycle, (lifecycle) =>
  lifecycle.issue({
    account: "123",
    owner: "customer_123",
    type: "card",
    card: { number: "4111111111111111", expiry: { month: 12, year: 2030 }, holderName: "JANE ROE" },
    customer: { ipAddress: "198.51.100.47" },
  }),
)

describe("Gate callbacks", () => {
  it.effect("a signed token callback activates the pending token; its repetitions change nothing", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const handle = yield* GateCallbacks.make
      const lifecycle = yield* TokenLifecycle
      const pending = yield* issueCard
      expect(pending).toMatchObject({ _tag: "Pending", requestRef: "req-1" })
      const body = yield* signed(tokenCallback("req-1", "active"))
      const first = yield* handle(body)
      expect(first.status).toBe(200)
      expect(yield* lifecycle.get(pending.key)).toMatchObject({
        _tag: "Active",
        tokenId: token,
        issuedAt: Date.UTC(2026, 5, 1, 10, 0, 5),
        expiresAt: Date.UTC(2031, 0, 1),
      })
      const again = yield* handle(body)
      expect(again).toEqual({ status: 200, outcomes: [{ _tag: "Ignored", reason: "duplicate" }] })
      expect((yield* lifecycle.history(pending.key)).map(({ event }) => event._tag)).toEqual([
        "TokenRequested",
        "TokenRequestAcknowledged",
        "TokenIssued",
      ])
    }).pipe(Effect.provide(services)),
  )

  it.effect("a tampered or unsigned callback is refused and changes nothing", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const handle = yield* GateCallbacks.make
      const lifecycle = yield* TokenLifecycle
      const pending = yield* issueCard
      const body = yield* signed(tokenCallback("req-1", "active"))
      const tampered = body.replace(`"customer_123"`, `"customer_999"`)
      expect((yield* handle(tampered)).status).toBe(401)
      const { general: _general, ...unsignedBody } = tokenCallback("req-1", "active")
      expect((yield* handle(JSON.stringify({ ...unsignedBody, general: { project_id: 123 } }))).status).toBe(401)
      expect((yield* handle("{not json")).status).toBe(400)
      expect(yield* lifecycle.get(pending.key)).toMatchObject({ _tag: "Pending" })
    }).pipe(Effect.provide(services)),
  )

  it.effect("a revocation overtaking the issuance ends the token, and the late issuance changes nothing", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const handle = yield* GateCallbacks.make
      const lifecycle = yield* TokenLifecycle
      const pending = yield* issueCard
      const revoked = { ...tokenCallback("req-1", "revoke") }
      expect((yield* handle(yield* signed(revoked))).status).toBe(200)
      const late = yield* handle(yield* signed(tokenCallback("req-1", "active")))
      expect(late.outcomes).toEqual([{ _tag: "Ignored", reason: "already-final" }])
      expect(yield* lifecycle.get(pending.key)).toMatchObject({
        _tag: "Revoked",
        ending: { cause: "revoked-by-provider" },
      })
    }).pipe(Effect.provide(services)),
  )

  it.effect("an answer to a request not yet on record is answered 503, so Gate delivers it again", () =>
    Effect.gen(function* () {
      const handle = yield* GateCallbacks.make
      const receipt = yield* handle(yield* signed(tokenCallback("req-77", "active")))
      expect(receipt).toEqual({ status: 503, outcomes: [{ _tag: "Ignored", reason: "unknown-request" }] })
    }).pipe(Effect.provide(services)),
  )

  it.effect("a payment callback carrying a token starts that token's life (automatic tokenization)", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const handle = yield* GateCallbacks.make
      const body = yield* signedAtTop({
        project_id: 123,
        payment: { id: "order-7", type: "purchase", status: "success", sum: { amount: 1000, currency: "EUR" } },
        account: {
          number: "555555******4444",
          token,
          type: "mastercard",
          card_holder: "JANE ROE",
          expiry_month: "05",
          expiry_year: "2029",
        },
        customer: { id: "customer_123" },
        operation: { id: 17, type: "sale", status: "success", code: "0", message: "Success" },
      })
      const receipt = yield* handle(body)
      expect(receipt.status).toBe(200)
      expect(receipt.outcomes[0]).toMatchObject({
        _tag: "Applied",
        token: {
          _tag: "Active",
          tokenId: token,
          owner: "customer_123",
          card: { masked: { bin: "555555", last4: "4444", brand: "mastercard" }, expiry: { month: 5, year: 2029 } },
          expiresAt: Date.UTC(2029, 5, 1),
        },
      })
      expect(body.includes("5555555555554444")).toBe(false)
    }).pipe(Effect.provide(services)),
  )

  it.effect("news from Gate never moves a held token's expiry: late or repeated, it could only be stale", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const handle = yield* GateCallbacks.make
      const lifecycle = yield* TokenLifecycle
      const pending = yield* issueCard
      yield* handle(yield* signed(tokenCallback("req-1", "active")))
      const payment = (id: string, month: string, year: string) =>
        signedAtTop({
          project_id: 123,
          payment: { id, type: "purchase", status: "success" },
          account: { number: "411111******1111", token, expiry_month: month, expiry_year: year },
          customer: { id: "customer_123" },
          operation: { id: 1, type: "sale", status: "success", code: "0" },
        })
      const stale = yield* handle(yield* payment("order-1", "05", "2029"))
      expect(stale.outcomes).toEqual([{ _tag: "Ignored", reason: "no-change" }])
      expect(yield* lifecycle.get(pending.key)).toMatchObject({ expiresAt: Date.UTC(2031, 0, 1) })
      const later = yield* handle(yield* payment("order-2", "03", "2033"))
      expect(later.outcomes).toEqual([{ _tag: "Ignored", reason: "no-change" }])
      expect(yield* lifecycle.get(pending.key)).toMatchObject({ expiresAt: Date.UTC(2031, 0, 1) })
    }).pipe(Effect.provide(services)),
  )
})
