/**
 * The KOMOJU simulator behind a real HTTP server on 127.0.0.1, reached with a real client
 * (undici): it answers exactly as the in-process client does, breaks connections for real, and
 * POSTs its signed webhooks, headers included, to a real receiver.
 */
import { createHmac } from "node:crypto"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as KomojuHttpClient from "../../src/simulators/komoju/KomojuHttpClient.js"
import * as KomojuServer from "../../src/simulators/komoju/KomojuServer.js"
import { apiPath, defaultBaseUrl, KomojuSimulator } from "../../src/simulators/komoju/KomojuSimulator.js"
import * as Faults from "../../src/simulators/shared/Faults.js"
import * as Outbox from "../../src/simulators/shared/Outbox.js"
import { droppedConnection, exchange } from "./Answers.js"
import { receiver } from "./WebhookReceiver.js"

const merchant = {
  id: "loopback-merchant",
  secretKey: "sk_loopback",
  publishableKey: "pk_loopback",
  webhookSecret: "loopback-webhook-secret",
}
const options = { merchants: [merchant], seed: "komoju-loopback" }
/** A whole second, so both simulators write the same `created_at`. */
const startedAt = Date.UTC(2026, 5, 1, 12, 0, 0)

const authorization = (key: string) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`

const post = (apiBase: string, path: string, body: unknown, key = merchant.secretKey, idempotency?: string) =>
  exchange(
    HttpClientRequest.post(`${apiBase}${path}`).pipe(
      HttpClientRequest.setHeaders({
        authorization: authorization(key),
        "x-komoju-api-version": "2025-01-28",
        ...(idempotency === undefined ? {} : { "x-komoju-idempotency": idempotency }),
      }),
      HttpClientRequest.bodyUnsafeJson(body),
    ),
  )

const card = { type: "credit_card", number: "4111111111111111", month: 6, year: 2031, name: "TARO YAMADA" }

/** Tokenizes and pays under `apiBase`, then delivers the webhook; returns the texts. */
const tokenizeAndPay = (apiBase: string) =>
  Effect.gen(function* () {
    const sim = yield* KomojuSimulator
    yield* sim.setTime(startedAt)
    const token = yield* post(apiBase, "/tokens", { payment_details: card }, merchant.publishableKey)
    const id = (JSON.parse(token.text) as { id: string }).id
    const payment = yield* post(apiBase, "/payments", {
      amount: 500,
      currency: "JPY",
      payment_details: id,
      metadata: { token_lifecycle_token: "tl-1" },
    })
    const [webhook] = yield* sim.deliverDue
    return { token, payment, webhook }
  })

const served = KomojuServer.layerWithSimulator(options).pipe(Layer.provideMerge(NodeHttpClient.layerUndici))

describe("KOMOJU simulator over loopback HTTP", () => {
  it.scopedLive("answers a token and a payment exactly as the in-process simulator does", () =>
    Effect.gen(function* () {
      const overHttp = yield* Effect.flatMap(KomojuServer.KomojuServer, (server) =>
        tokenizeAndPay(KomojuServer.apiBaseUrl(server)),
      ).pipe(Effect.provide(served))
      const inProcess = yield* tokenizeAndPay(`${defaultBaseUrl}${apiPath}`).pipe(
        Effect.provide(KomojuHttpClient.layerWithSimulator(options)),
      )
      expect([overHttp.token.status, overHttp.payment.status]).toEqual([200, 200])
      expect(overHttp.token.text).toBe(inProcess.token.text)
      expect(overHttp.payment.text).toBe(inProcess.payment.text)
      expect(overHttp.webhook?.body).toBe(inProcess.webhook?.body)
      expect(JSON.parse(overHttp.payment.text)).toMatchObject({
        status: "captured",
        metadata: { token_lifecycle_token: "tl-1" },
      })
      expect(overHttp.token.text.includes("4111111111111111")).toBe(false)
    }),
  )

  it.scopedLive("refuses a wrong key, breaks the connection when told to, and replays the key's answer", () =>
    Effect.gen(function* () {
      const apiBase = KomojuServer.apiBaseUrl(yield* KomojuServer.KomojuServer)
      const sim = yield* KomojuSimulator
      const unknown = yield* post(apiBase, "/tokens", { payment_details: card }, "sk_wrong")
      expect(unknown.status).toBe(401)
      expect(JSON.parse(unknown.text)).toMatchObject({ error: { code: "unauthorized", param: null } })

      yield* sim.injectFault(Faults.drop({ afterProcessing: true }), { endpoint: "createToken", times: 1 })
      const dropped = yield* Effect.either(post(apiBase, "/tokens", { payment_details: card }, undefined, "tok-1"))
      expect(droppedConnection(dropped)).toBe(true)
      expect(yield* sim.tokens).toHaveLength(1)
      const retried = yield* post(apiBase, "/tokens", { payment_details: card }, undefined, "tok-1")
      expect(retried.status).toBe(200)
      expect(JSON.parse(retried.text).id).toBe((yield* sim.tokens)[0]?.id)
      expect(yield* sim.tokens).toHaveLength(1)
    }).pipe(Effect.provide(served)),
  )

  it.scopedLive("POSTs signed webhooks with KOMOJU's headers to a real receiver, again when refused", () =>
    Effect.gen(function* () {
      const apiBase = KomojuServer.apiBaseUrl(yield* KomojuServer.KomojuServer)
      const sim = yield* KomojuSimulator
      const ok = yield* receiver(200)
      yield* sim.configureWebhooks({ sink: yield* Outbox.postTo(ok.url) })
      yield* tokenizeAndPay(apiBase)
      const [delivery] = ok.received
      expect(delivery).toBeDefined()
      if (delivery === undefined) return
      expect(delivery.headers["x-komoju-event"]).toBe("payment.captured")
      expect(delivery.headers["user-agent"]).toBe("Komoju-Webhook")
      expect(delivery.headers["content-type"]).toContain("application/json")
      expect(delivery.headers["x-komoju-signature"]).toBe(
        createHmac("sha256", merchant.webhookSecret).update(delivery.body).digest("hex"),
      )

      const refusing = yield* receiver(500)
      yield* sim.configureWebhooks({ sink: yield* Outbox.postTo(refusing.url) })
      yield* tokenizeAndPay(apiBase)
      expect(refusing.received).toHaveLength(1)
      const pending = yield* sim.pendingWebhooks
      expect(pending.map((p) => p.attempts)).toEqual([1])
    }).pipe(Effect.provide(served)),
  )
})
