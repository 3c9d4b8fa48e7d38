/**
 * A stateful ECommPay Gate, written from the provider's rules (gate.md and the adapter's wire
 * contract), never from the domain's lifecycle or the Gate adapter's code: a fake that reuses
 * the code under test proves nothing about it.
 *
 * One request goes through what Gate does, in order: route (POST to a known endpoint), JSON
 * body (2003), project id (2442 missing, 303 unknown), signature with the project's secret
 * (3262 missing, 3261 wrong), then the endpoint's rules (`GateRules`). An accepted request
 * answers 200 `{status: "success", request_id, project_id[, payment_id]}` and puts its signed
 * callbacks in the outbox (the shared `Outbox`, on Gate's schedule in `GateDelivery`); a
 * refused one answers with Gate's error body (`GateErrors`). Injected faults (the shared
 * `Faults`) come around that.
 *
 * Time is Effect's `Clock` plus an offset the test can move, so `TestClock` drives it in
 * process and `advanceClock` drives it behind a real server. Randomness (tokens, ids, fault
 * probabilities, shuffled callbacks) is one `Random`, seeded when `seed` is given.
 *
 * Answers, callbacks and the books never hold a card number or CVV: only `first6******last4`.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Faults from "../shared/Faults.js"
import * as Outbox from "../shared/Outbox.js"
import * as RequestLog from "../shared/RequestLog.js"
import type * as Secrets from "../shared/Secrets.js"
import * as SimulatedClock from "../shared/SimulatedClock.js"
import * as SimulatedHttp from "../shared/SimulatedHttp.js"
import * as SimulatedIds from "../shared/SimulatedIds.js"
import * as Simulator from "../shared/Simulator.js"
import * as GateBooks from "./GateBooks.js"
import type * as GateCallbacks from "./GateCallbacks.js"
import * as GateDelivery from "./GateDelivery.js"
import * as GateEndpoints from "./GateEndpoints.js"
import { errorBody, type GateRefusal, Refusals } from "./GateErrors.js"
import * as GateJson from "./GateJson.js"
import * as GateRules from "./GateRules.js"
import * as GateSignature from "./GateSignature.js"

export const defaultBaseUrl = "https://api.ecommpay.com"

export interface GateProject {
  readonly id: number
  readonly secret: Secrets.Secret
}

export interface GateSimulatorOptions extends Simulator.Options {
  readonly projects: ReadonlyArray<GateProject>
  readonly callbacks?: GateDelivery.CallbackOptions
  /** Whether token callbacks and card-by-token answers carry `card.{number, exp_month, exp_year, holder}`. Default true. */
  readonly cardInTokenCallbacks?: boolean
  /** Whether accepted answers carry a top-level `signature` (Gate signs "certain responses"). Default false. */
  readonly signAnswers?: boolean
  /**
   * Whether a payout by token needs an earlier accepted purchase with that token (3107 otherwise).
   * Gate documents this for tokens made by a purchase; whether a tokenize-made token pays out
   * without one is unknown. Default false.
   */
  readonly payoutNeedsPurchase?: boolean
}

type WireRequest = SimulatedHttp.WireRequest
type WireAnswer = SimulatedHttp.WireAnswer

/** One request as the simulator saw it. */
export interface RequestRecord extends RequestLog.Entry<GateEndpoints.Endpoint> {
  readonly requestId: string
  /** Gate's code when refused. */
  readonly code?: number
}

/** Gate calls its webhooks callbacks: the outbox goes by that name here. */
export interface GateSimulatorService extends Simulator.Service<GateEndpoints.Endpoint> {
  readonly configureCallbacks: (options: GateDelivery.CallbackOptions) => Effect.Effect<void>
  /** Sends every due callback to the sink now (duplicated and ordered as configured) and returns what was sent. */
  readonly deliverDue: Effect.Effect<ReadonlyArray<GateDelivery.DeliveredCallback>>
  readonly pendingCallbacks: Effect.Effect<ReadonlyArray<GateDelivery.PendingCallback>>
  /** Every delivery attempt so far, in order. */
  readonly deliveredCallbacks: Effect.Effect<ReadonlyArray<GateDelivery.DeliveredCallback>>
  readonly abandonedCallbacks: Effect.Effect<ReadonlyArray<GateDelivery.PendingCallback>>
  readonly tokens: Effect.Effect<ReadonlyArray<GateBooks.TokenView>>
  readonly payments: Effect.Effect<ReadonlyArray<GateBooks.PaymentRecord>>
  readonly requests: Effect.Effect<ReadonlyArray<RequestRecord>>
}

export class GateSimulator extends Context.Tag("@token-lifecycle/testkit/GateSimulator")<
  GateSimulator,
  GateSimulatorService
>() {}

const json = SimulatedHttp.json

/** Gate's integers arrive as numbers; digit strings are read too. */
const projectIdOf = (value: GateJson.Json | undefined): number | "missing" | "invalid" => {
  const text = GateJson.scalarText(value)
  if (text === undefined || text === "") return "missing"
  return /^[0-9]{1,15}$/.test(text) ? Number(text) : "invalid"
}

const truthy = (value: GateJson.Json | undefined): boolean => {
  const text = value === true ? "1" : GateJson.scalarText(value)
  return text === "1" || text === "true"
}

/** `callback.delay` in seconds (at most 600) postpones a request's callbacks. */
const requestedDelayMillis = (body: GateJson.JsonObject): number => {
  const text = GateJson.scalarText(GateJson.at(body, "callback", "delay"))
  const seconds = text === undefined ? 0 : Number(text)
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 600) * 1000 : 0
}

/** A 200 JSON body that is not what Gate answers, for the `Malformed` fault. */
const wrongShape = { status: 1, result: ["unexpected"], request_id: null }

export const make = (options: GateSimulatorOptions): Effect.Effect<GateSimulatorService, never, Scope.Scope> =>
  Effect.gen(function* () {
    const random = yield* SimulatedIds.randomFor(options.seed)
    const scope = yield* Effect.scope
    const secrets = new Map(
      options.projects.map((p) => [p.id, Redacted.isRedacted(p.secret) ? p.secret : Redacted.make(p.secret)] as const),
    )
    const withCard = options.cardInTokenCallbacks ?? true
    const cardDigestKey = yield* SimulatedIds.hex(random, 32)

    const clock = yield* SimulatedClock.make
    const now = clock.now

    const books = yield* Ref.make(GateBooks.empty)
    const log = yield* RequestLog.make<RequestRecord>()
    const counter = yield* Ref.make(0)
    const faults = yield* Faults.makePlan<GateEndpoints.Endpoint>(random)
    const outbox = yield* Outbox.makeOutbox<GateCallbacks.CallbackKind>({
      now,
      random,
      scope,
      options: options.callbacks ?? {},
      schedule: GateDelivery.resendSchedule,
    })

    const nextRequestId = Effect.zipWith(
      SimulatedIds.hex(random, 32),
      Ref.updateAndGet(counter, (n) => n + 1),
      (id, n) => `${id}-${String(n).padStart(8, "0")}`,
    )

    const sealCallback = (draft: GateCallbacks.CallbackDraft, secret: string): GateDelivery.OutgoingCallback => {
      const signature = GateSignature.sign(draft.body, secret)
      const body =
        draft.signatureAt === "top"
          ? { ...draft.body, signature }
          : { ...draft.body, general: { ...(draft.body.general as object), signature } }
      return {
        kind: draft.kind,
        reference: draft.requestId,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }
    }

    interface Answered {
      readonly answer: WireAnswer
      readonly code?: number
    }

    const refuse = (refusal: GateRefusal, requestId: string, projectId?: number): Answered => ({
      answer: json(refusal.httpStatus, errorBody(refusal, requestId, projectId)),
      code: refusal.code,
    })

    /** What Gate does with the request, faults aside. */
    const process = (
      request: WireRequest,
      endpoint: GateEndpoints.Endpoint | undefined,
      requestId: string,
      at: number,
    ): Effect.Effect<Answered> =>
      Effect.gen(function* () {
        if (endpoint === undefined || request.method.toUpperCase() !== "POST") {
          return refuse(Refusals.notFound("path", "no such endpoint"), requestId)
        }
        const contentType = request.headers["content-type"]
        if (contentType !== undefined && !contentType.toLowerCase().includes("application/json")) {
          return refuse(Refusals.invalidJson("body", "the body must be application/json"), requestId)
        }
        let body: GateJson.Json
        try {
          body = GateJson.parse(request.body)
        } catch {
          return refuse(Refusals.invalidJson("body"), requestId)
        }
        if (!GateJson.isObject(body))
          return refuse(Refusals.invalidJson("body", "the body must be an object"), requestId)

        const auth = GateEndpoints.authObject(endpoint)
        const projectId = projectIdOf(GateJson.at(body, auth, "project_id"))
        if (projectId === "missing") return refuse(Refusals.projectIdMissing(`${auth}.project_id`), requestId)
        const secret = projectId === "invalid" ? undefined : secrets.get(projectId)
        if (projectId === "invalid" || secret === undefined) {
          return refuse(Refusals.accessDenied(`${auth}.project_id`, "unknown project"), requestId)
        }
        const signature = GateJson.at(body, auth, "signature")
        if (signature === undefined || signature === null || signature === "") {
          return refuse(Refusals.emptySignature(`${auth}.signature`), requestId, projectId)
        }
        if (typeof signature !== "string" || !GateSignature.verify(body, signature, Redacted.value(secret))) {
          return refuse(Refusals.invalidSignature(`${auth}.signature`), requestId, projectId)
        }

        const freshToken = endpoint === "tokenize" ? yield* SimulatedIds.hex(random, 64) : ""
        const context: GateRules.RuleContext = {
          endpoint,
          body,
          projectId,
          now: at,
          requestId,
          freshToken,
          cardDigestKey,
          withCard,
          payoutNeedsPurchase: options.payoutNeedsPurchase ?? false,
        }
        // Read, decide and write in one step, so concurrent requests see each other's effects.
        const outcome = yield* Ref.modify(books, (current) => {
          const result = GateRules.apply(current, context)
          return [result, result._tag === "Accepted" ? result.books : current] as const
        })
        if (outcome._tag === "Refused") return refuse(outcome.refusal, requestId, projectId)

        if (!truthy(GateJson.at(body, "callback", "force_disable"))) {
          yield* outbox.enqueue(
            outcome.callbacks.map((draft) => sealCallback(draft, Redacted.value(secret))),
            requestedDelayMillis(body),
          )
        }
        const accepted = { status: "success", request_id: requestId, project_id: projectId, ...outcome.answer }
        const signed = options.signAnswers
          ? { ...accepted, signature: GateSignature.sign(accepted, Redacted.value(secret)) }
          : accepted
        return { answer: json(200, signed) }
      })

    const handle = (request: WireRequest): Effect.Effect<WireAnswer> =>
      Effect.gen(function* () {
        const at = yield* now
        const requestId = yield* nextRequestId
        const endpoint = GateEndpoints.endpointOf(request.path)
        return yield* Faults.around<Answered>(yield* faults.next(endpoint), {
          serverError: (status) => refuse(status === 503 ? Refusals.tryAgain() : Refusals.internalError(), requestId),
          process: () => process(request, endpoint, requestId, at),
          wrongShape,
          record: (answered, outcome) =>
            log.append({
              requestId,
              path: request.path,
              endpoint,
              receivedAt: at,
              ...outcome,
              ...(answered.code === undefined ? {} : { code: answered.code }),
            }),
        })
      })

    return {
      ...Simulator.service(handle, clock, faults),
      configureCallbacks: outbox.configure,
      deliverDue: outbox.deliverDue,
      pendingCallbacks: outbox.pending,
      deliveredCallbacks: outbox.delivered,
      abandonedCallbacks: outbox.abandoned,
      tokens: Effect.zipWith(Ref.get(books), now, (b, at) =>
        [...b.tokens.values()].map((r) => GateBooks.viewOf(r, at)),
      ),
      payments: Effect.map(Ref.get(books), (b) => [...b.payments.values()]),
      requests: log.entries,
    } satisfies GateSimulatorService
  })

/** The simulator alone; add `GateHttpClient.layer` or `GateServer.layer` to reach it over HTTP. */
export const layer = (options: GateSimulatorOptions): Layer.Layer<GateSimulator> =>
  Layer.scoped(GateSimulator, make(options))
