/**
 * The Zai simulator behind a real HTTP server on 127.0.0.1, reached with a real client (undici):
 * both hosts on one base URL, the whole token-auth flow including the browser's own request,
 * connections broken for real, and signed webhooks POSTed to a real receiver.
 */
import { createHmac } from "node:crypto"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Faults from "../../src/simulators/shared/Faults.js"
import * as Outbox from "../../src/simulators/shared/Outbox.js"
import * as ZaiServer from "../../src/simulators/zai/ZaiServer.js"
import { ZaiSimulator } from "../../src/simulators/zai/ZaiSimulator.js"
import { droppedConnection, exchange as send } from "./Answers.js"
import { receiver } from "./WebhookReceiver.js"
import { clientCredentials } from "./ZaiGrant.js"

const client = { clientId: "loopback-client", clientSecret: "loopback-secret", scope: "im-au-04/loop" }
const webhookSecret = "loopback-webhook-secret-32-bytes!"
const pan = "4012888888881881"
const credentials = clientCredentials(client)

const served = ZaiServer.layerWithSimulator({ clients: [client], seed: "zai-loopback", webhookSecret }).pipe(
  Layer.provideMerge(NodeHttpClient.layerUndici),
)

describe("Zai simulator over loopback HTTP", () => {
  it.scopedLive("serves the issuer and the core API on one base URL, the browser's request included", () =>
    Effect.gen(function* () {
      const { baseUrl } = yield* ZaiServer.ZaiServer
      const issued = yield* send(
        HttpClientRequest.post(`${baseUrl}/tokens`).pipe(HttpClientRequest.bodyUnsafeJson(credentials)),
      )
      expect([issued.status, issued.json.expires_in, issued.json.token_type]).toEqual([200, 3600, "Bearer"])
      const bearer = HttpClientRequest.bearerToken(issued.json.access_token as string)
      const user = yield* send(
        HttpClientRequest.post(`${baseUrl}/users`).pipe(
          bearer,
          HttpClientRequest.bodyUnsafeJson({
            id: "buyer-9",
            first_name: "Jane",
            last_name: "Doe",
            email: "jane@example.com",
            country: "AUS",
          }),
        ),
      )
      expect(user.status).toBe(201)
      const auth = yield* send(
        HttpClientRequest.post(`${baseUrl}/token_auths`).pipe(
          bearer,
          HttpClientRequest.bodyUnsafeJson({ token_type: "card", user_id: "buyer-9" }),
        ),
      )
      expect(auth.status).toBe(200)
      const browser = yield* send(
        HttpClientRequest.post(`${baseUrl}/card_accounts`).pipe(
          HttpClientRequest.bodyUnsafeJson({
            token: auth.json.token_auth.token,
            full_name: "Jane Doe",
            number: pan,
            expiry_month: "12",
            expiry_year: "2035",
            cvv: "123",
          }),
        ),
      )
      expect(browser.status).toBe(201)
      const id = browser.json.card_accounts.id as string
      const shown = yield* send(HttpClientRequest.get(`${baseUrl}/card_accounts/${id}`).pipe(bearer))
      expect(shown.json.card_accounts.card.number).toBe("XXXX-XXXX-XXXX-1881")
      expect([browser.text, shown.text].some((text) => text.includes(pan))).toBe(false)
      const unauthorized = yield* send(HttpClientRequest.get(`${baseUrl}/card_accounts/${id}`))
      expect([unauthorized.status, unauthorized.json]).toEqual([401, { errors: { token: ["not authorised"] } }])
      const sim = yield* ZaiSimulator
      expect(yield* sim.oauthRequests).toBe(1)
      expect((yield* sim.requests).map((r) => [r.via, r.endpoint, r.status])).toEqual([
        ["auth", "token", 200],
        ["core", "createUser", 201],
        ["core", "generateToken", 200],
        ["core", "createCardAccount", 201],
        ["core", "showCardAccount", 200],
        ["core", "showCardAccount", 401],
      ])
    }).pipe(Effect.provide(served)),
  )

  it.scopedLive("breaks the connection when told to, and expires tokens on the moved clock", () =>
    Effect.gen(function* () {
      const { baseUrl } = yield* ZaiServer.ZaiServer
      const sim = yield* ZaiSimulator
      const issue = send(HttpClientRequest.post(`${baseUrl}/tokens`).pipe(HttpClientRequest.bodyUrlParams(credentials)))
      yield* sim.injectFault(Faults.drop({ afterProcessing: true }), { endpoint: "token", times: 1 })
      const dropped = yield* Effect.either(issue)
      expect(droppedConnection(dropped)).toBe(true)
      // Processed before the break: a token was issued that its caller never saw.
      expect(yield* sim.accessTokens).toHaveLength(1)
      const token = (yield* issue).json.access_token as string
      const show = send(HttpClientRequest.get(`${baseUrl}/users/nobody`).pipe(HttpClientRequest.bearerToken(token)))
      expect((yield* show).json.code).toBe(405)
      yield* sim.advanceClock("60 minutes")
      expect((yield* show).status).toBe(401)
      expect((yield* show).json).toEqual({ errors: { token: ["not authorised"] } })
    }).pipe(Effect.provide(served)),
  )

  it.scopedLive("POSTs signed webhooks to a real receiver, which can verify them with node's HMAC", () =>
    Effect.gen(function* () {
      const sim = yield* ZaiSimulator
      const ok = yield* receiver(200)
      yield* sim.configureWebhooks({ sink: yield* Outbox.postTo(ok.url), duplicate: 2 })
      const { baseUrl } = yield* ZaiServer.ZaiServer
      const token = (yield* send(
        HttpClientRequest.post(`${baseUrl}/tokens`).pipe(HttpClientRequest.bodyUnsafeJson(credentials)),
      )).json.access_token as string
      const bearer = HttpClientRequest.bearerToken(token)
      yield* send(
        HttpClientRequest.post(`${baseUrl}/users`).pipe(
          bearer,
          HttpClientRequest.bodyUnsafeJson({
            id: "seller-1",
            first_name: "Sam",
            last_name: "Seller",
            email: "sam@example.com",
            country: "AUS",
          }),
        ),
      )
      const bankToken = (yield* send(
        HttpClientRequest.post(`${baseUrl}/token_auths`).pipe(
          bearer,
          HttpClientRequest.bodyUnsafeJson({ token_type: "bank", user_id: "seller-1" }),
        ),
      )).json.token_auth.token as string
      const accountId = yield* sim.browserCreatesBankAccount(bankToken, {
        bankName: "Bank of Australia",
        accountName: "Sam Seller",
        routingNumber: "111123",
        accountNumber: "11112222",
        accountType: "checking",
        holderType: "business",
        country: "AUS",
      })
      const sent = yield* sim.deliverDue
      expect(sent.map((d) => [d.kind, d.reference, d.accepted])).toEqual([
        ["accounts", accountId, true],
        ["accounts", accountId, true],
      ])
      expect(ok.received).toHaveLength(2)
      for (const { headers, body } of ok.received) {
        expect(headers["content-type"]).toContain("application/json")
        const header = headers["webhooks-signature"] ?? ""
        const t = /^t=([0-9]+),v=/.exec(header)?.[1] ?? ""
        const v = header.slice(header.indexOf("v=") + 2)
        expect(createHmac("sha256", webhookSecret).update(`${t}.${body}`).digest("base64url")).toBe(v)
        expect(Math.abs(Number(t) - (yield* sim.now) / 1000)).toBeLessThan(5)
        expect(JSON.parse(body).bank_accounts.bank.account_number).toBe("XXXXX222")
      }
    }).pipe(Effect.provide(served)),
  )
})
