/**
 * The Gate simulator behind a real HTTP server on 127.0.0.1, reached with a real client
 * (undici): it answers exactly as the in-process client does, breaks connections for real, and
 * POSTs its callbacks to a real receiver.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as GateHttpClient from "../../src/simulators/gate/GateHttpClient.js"
import * as GateJson from "../../src/simulators/gate/GateJson.js"
import * as GateServer from "../../src/simulators/gate/GateServer.js"
import * as GateSignature from "../../src/simulators/gate/GateSignature.js"
import { defaultBaseUrl, GateSimulator } from "../../src/simulators/gate/GateSimulator.js"
import * as Faults from "../../src/simulators/shared/Faults.js"
import * as Outbox from "../../src/simulators/shared/Outbox.js"
import { droppedConnection, exchange } from "./Answers.js"
import { receiver } from "./WebhookReceiver.js"

const project = { id: 77, secret: "loopback-secret" }
const options = { projects: [project], seed: "loopback" }
/** A whole second, so both simulators format the same `token_created_at`. */
const startedAt = Date.UTC(2026, 5, 1, 12, 0, 0)

const tokenizeBody = () => {
  const body = {
    customer: { id: "customer_9", ip_address: "203.0.113.9", project_id: project.id },
    card: { pan: "4111111111111111", year: 2031, month: 6, card_holder: "JOHN DOE" },
  }
  return { ...body, customer: { ...body.customer, signature: GateSignature.sign(body, project.secret) } }
}

/** POSTs a tokenize under `baseUrl`, delivers its callback, and returns the answer and the callback. */
const tokenizeAt = (baseUrl: string) =>
  Effect.gen(function* () {
    const sim = yield* GateSimulator
    yield* sim.setTime(startedAt)
    const { status, text } = yield* exchange(
      HttpClientRequest.post(`${baseUrl}/v2/customer/card/tokenize`).pipe(
        HttpClientRequest.bodyUnsafeJson(tokenizeBody()),
      ),
    )
    const [callback] = yield* sim.deliverDue
    return { status, text, callback: callback?.body }
  })

const served = GateServer.layerWithSimulator(options).pipe(Layer.provideMerge(NodeHttpClient.layerUndici))

describe("Gate simulator over loopback HTTP", () => {
  it.scopedLive("answers a tokenize exactly as the in-process simulator does", () =>
    Effect.gen(function* () {
      const overHttp = yield* Effect.flatMap(GateServer.GateServer, (server) => tokenizeAt(server.baseUrl)).pipe(
        Effect.provide(served),
      )
      const inProcess = yield* tokenizeAt(defaultBaseUrl).pipe(
        Effect.provide(GateHttpClient.layerWithSimulator(options)),
      )
      expect(overHttp.status).toBe(200)
      expect(JSON.parse(overHttp.text)).toMatchObject({ status: "success", project_id: 77 })
      expect(overHttp.text).toBe(inProcess.text)
      expect(overHttp.callback).toBeDefined()
      expect(overHttp.callback).toBe(inProcess.callback)
      const callback = GateJson.parse(overHttp.callback as string)
      const signature = GateJson.at(callback, "general", "signature") as string
      expect(GateSignature.verify(callback, signature, project.secret)).toBe(true)
      expect(GateJson.at(callback, "token_status")).toBe("active")
      expect((overHttp.callback as string).includes("4111111111111111")).toBe(false)
    }),
  )

  it.scopedLive("refuses an unsigned request and breaks the connection when told to", () =>
    Effect.gen(function* () {
      const { baseUrl } = yield* GateServer.GateServer
      const sim = yield* GateSimulator
      const post = (body: unknown) =>
        exchange(
          HttpClientRequest.post(`${baseUrl}/v2/customer/card/tokenize`).pipe(HttpClientRequest.bodyUnsafeJson(body)),
        )
      const { customer, ...rest } = tokenizeBody()
      const unsigned = yield* post({ ...rest, customer: { ...customer, signature: undefined } })
      expect(unsigned.status).toBe(403)
      expect(unsigned.json).toMatchObject({ status: "error", code: 3262 })

      yield* sim.injectFault(Faults.drop({ afterProcessing: true }), { times: 1 })
      const dropped = yield* Effect.either(post(tokenizeBody()))
      expect(droppedConnection(dropped)).toBe(true)
      expect(yield* sim.tokens).toHaveLength(1)
      const after = yield* post(tokenizeBody())
      expect(after.status).toBe(200)
    }).pipe(Effect.provide(served)),
  )

  it.scopedLive("POSTs callbacks to a real receiver, and sends a refused one again later", () =>
    Effect.gen(function* () {
      const { baseUrl } = yield* GateServer.GateServer
      const sim = yield* GateSimulator
      const ok = yield* receiver(200, "/callbacks")
      yield* sim.configureCallbacks({ sink: yield* Outbox.postTo(ok.url), duplicate: 2 })
      const first = yield* tokenizeAt(baseUrl)
      expect(ok.received.map((r) => r.body)).toEqual([first.callback, first.callback])

      const refusing = yield* receiver(500, "/callbacks")
      yield* sim.configureCallbacks({ sink: yield* Outbox.postTo(refusing.url), duplicate: 1 })
      yield* tokenizeAt(baseUrl)
      expect(refusing.received).toHaveLength(1)
      const pending = yield* sim.pendingCallbacks
      expect(pending).toHaveLength(1)
      expect(pending[0]?.attempts).toBe(1)
    }).pipe(Effect.provide(served)),
  )
})
