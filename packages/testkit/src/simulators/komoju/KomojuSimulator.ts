/**
 * A stateful KOMOJU, written from the provider's rules (komoju.md and KOMOJU's public docs),
 * never from the domain's lifecycle or the KOMOJU adapter's code: a fake that reuses the code
 * under test proves nothing about it.
 *
 * One request goes through what KOMOJU does, in order: the request budget (429 when spent),
 * the route (404), the API key from HTTP Basic (401 when missing or unknown, 403 when a
 * publishable key calls what only a secret key may), `X-KOMOJU-IDEMPOTENCY` on POSTs (replay,
 * 409 in flight, see `KomojuIdempotency`), the JSON body (400), then the endpoint's rules
 * (`KomojuRules`). Answers are KOMOJU's objects or its error body (`KomojuErrors`); payments and
 * customers send signed webhooks through the outbox (`KomojuWebhooks`). Injected faults come
 * around all of it. `X-KOMOJU-API-VERSION` is accepted whatever its value and recorded.
 *
 * Time is Effect's `Clock` plus an offset the test can move, so `TestClock` drives it in
 * process and `advanceClock` drives it behind a real server (token expiry, key lifetime,
 * webhook due times). Randomness (ids, fault probabilities, shuffled webhooks) is one `Random`,
 * seeded when `seed` is given.
 *
 * Answers, webhooks, the books and the request log never hold a card number or security code.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Random from "effect/Random"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Faults from "../shared/Faults.js"
import * as Outbox from "../shared/Outbox.js"
import * as RequestLog from "../shared/RequestLog.js"
import { reveal, type Secret } from "../shared/Secrets.js"
import * as SimulatedClock from "../shared/SimulatedClock.js"
import * as SimulatedHttp from "../shared/SimulatedHttp.js"
import * as SimulatedIds from "../shared/SimulatedIds.js"
import * as Simulator from "../shared/Simulator.js"
import * as KomojuBooks from "./KomojuBooks.js"
import * as KomojuEndpoints from "./KomojuEndpoints.js"
import { errorBody, type KomojuRefusal, Refusals, serverError } from "./KomojuErrors.js"
import * as KomojuIdempotency from "./KomojuIdempotency.js"
import { parseObject } from "./KomojuJson.js"
import * as KomojuRateLimit from "./KomojuRateLimit.js"
import { basicUser, bodyView } from "./KomojuRequestView.js"
import * as KomojuRules from "./KomojuRules.js"
import * as KomojuWebhooks from "./KomojuWebhooks.js"

/** KOMOJU's origin: what the in-process client answers for by default. */
export const defaultBaseUrl = "https://komoju.com"

export const apiPath = KomojuEndpoints.apiPath

/** A KOMOJU merchant (its test account): its key pair and its webhook secret token. */
export interface KomojuMerchant {
  readonly id: string
  readonly secretKey: Secret
  readonly publishableKey: Secret
  readonly webhookSecret: Secret
}

export interface KomojuSimulatorOptions extends Simulator.Options {
  readonly merchants: ReadonlyArray<KomojuMerchant>
  readonly webhooks?: Outbox.DeliveryOptions
  /** A request budget answering 429 when spent; none by default. */
  readonly rateLimit?: KomojuRateLimit.RateLimit
  /** Whether a refused payment spends its token (komoju.md §11.4, unknown). Default true. */
  readonly failedPaymentConsumesToken?: boolean
  /** How Session: Pay shows a refusal's `error` (§5b). Default `object`. */
  readonly sessionPayErrorForm?: KomojuRules.SessionPayErrorForm
}

type WireRequest = SimulatedHttp.WireRequest
type WireAnswer = SimulatedHttp.WireAnswer

/** How a request's idempotency key was honoured. */
export type IdempotencyOutcome = "fresh" | "replayed" | "in-flight" | "mismatch"

/** One request as the simulator saw it. Its body view holds no card number or security code. */
export interface RequestRecord extends RequestLog.Entry<KomojuEndpoints.Endpoint> {
  /** Its place in the log, from 1. */
  readonly seq: number
  readonly method: string
  /** KOMOJU's error code when refused. */
  readonly code?: string
  readonly merchantId?: string
  readonly keyKind?: "secret" | "publishable"
  readonly apiVersion?: string
  readonly idempotencyKey?: string
  readonly idempotency?: IdempotencyOutcome
  readonly body: unknown
}

export interface KomojuSimulatorService
  extends Simulator.Service<KomojuEndpoints.Endpoint>,
    Simulator.WebhookService<KomojuWebhooks.EventType> {
  /** Replaces the request budget (a new window starts); `undefined` lifts it. */
  readonly setRateLimit: (limit: KomojuRateLimit.RateLimit | undefined) => Effect.Effect<void>
  /**
   * The customer pays konbini payment `paymentId` at the store (before its deadline): it is
   * captured and `payment.captured` is sent. False when no such payment is waiting.
   */
  readonly payAtStore: (paymentId: string) => Effect.Effect<boolean>
  readonly tokens: Effect.Effect<ReadonlyArray<KomojuBooks.TokenView>>
  readonly payments: Effect.Effect<ReadonlyArray<KomojuBooks.PaymentRecord>>
  readonly customers: Effect.Effect<ReadonlyArray<KomojuBooks.CustomerRecord>>
  readonly sessions: Effect.Effect<ReadonlyArray<KomojuBooks.SessionRecord>>
  readonly requests: Effect.Effect<ReadonlyArray<RequestRecord>>
}

export class KomojuSimulator extends Context.Tag("@token-lifecycle/testkit/KomojuSimulator")<
  KomojuSimulator,
  KomojuSimulatorService
>() {}

const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

/** KOMOJU's ids: 25 lowercase letters and digits. */
const idOf = (random: Random.Random): Effect.Effect<string> => SimulatedIds.text(random, alphabet, 25)

/** A 200 JSON body that is not what KOMOJU answers, for the `Malformed` fault. */
const wrongShape = { id: 42, resource: null, status: ["unexpected"] }

interface KeyHolder {
  readonly merchant: KomojuMerchant
  readonly kind: "secret" | "publishable"
}

/** What a request came to, for the answer and the log. */
interface Answered {
  readonly answer: WireAnswer
  readonly code?: string
  readonly holder?: KeyHolder
  readonly idempotency?: IdempotencyOutcome
}

const refusal = (refused: KomojuRefusal, headers?: Record<string, string>): Answered => ({
  answer: SimulatedHttp.json(refused.status, errorBody(refused), headers),
  code: refused.code,
})

export const make = (options: KomojuSimulatorOptions): Effect.Effect<KomojuSimulatorService, never, Scope.Scope> =>
  Effect.gen(function* () {
    const random = yield* SimulatedIds.randomFor(options.seed)
    const scope = yield* Effect.scope
    const keys = new Map<string, KeyHolder>(
      options.merchants.flatMap((merchant) => [
        [reveal(merchant.secretKey), { merchant, kind: "secret" as const }],
        [reveal(merchant.publishableKey), { merchant, kind: "publishable" as const }],
      ]),
    )
    const webhookSecrets = new Map(options.merchants.map((m) => [m.id, reveal(m.webhookSecret)]))

    const clock = yield* SimulatedClock.make
    const now = clock.now

    const books = yield* Ref.make(KomojuBooks.empty)
    const log = yield* RequestLog.make<Omit<RequestRecord, "seq">>()
    const faults = yield* Faults.makePlan<KomojuEndpoints.Endpoint>(random)
    const budget = yield* KomojuRateLimit.makeBudget(options.rateLimit)
    const ledger = yield* KomojuIdempotency.makeLedger
    const outbox = yield* Outbox.makeOutbox<KomojuWebhooks.EventType>({
      now,
      random,
      scope,
      options: options.webhooks ?? {},
      schedule: KomojuWebhooks.resendSchedule,
    })

    const seal = (draft: KomojuWebhooks.EventDraft, at: number) =>
      Effect.gen(function* () {
        const ids = { event: yield* idOf(random), delivery: yield* idOf(random) }
        const secret = webhookSecrets.get(draft.merchantId) ?? ""
        const sealed = KomojuWebhooks.seal(draft, ids, KomojuBooks.komojuTime(at), secret)
        return { kind: draft.type, reference: draft.reference, ...sealed }
      })

    /** Signs `events` and puts them in the outbox. */
    const dispatch = (events: ReadonlyArray<KomojuWebhooks.EventDraft>, at: number) =>
      Effect.flatMap(
        Effect.forEach(events, (draft) => seal(draft, at)),
        (outgoing) => outbox.enqueue(outgoing),
      )

    /** What KOMOJU does once the key and the idempotency key have let the request through. */
    const process = (
      request: WireRequest,
      matched: KomojuEndpoints.Matched,
      holder: KeyHolder,
      key: string | undefined,
      at: number,
    ) =>
      Effect.gen(function* () {
        const body = parseObject(request.body)
        if (body === undefined) return refusal(Refusals.badRequest({ message: "The body must be a JSON object." }))
        const context: KomojuRules.RuleContext = {
          endpoint: matched.endpoint,
          id: matched.id,
          merchantId: holder.merchant.id,
          body,
          scenario: request.headers["komoju-scenario"],
          now: at,
          idempotencyKey: key,
          fresh: {
            token: `tok_${yield* idOf(random)}`,
            payment: yield* idOf(random),
            customer: yield* idOf(random),
            session: yield* idOf(random),
          },
          failedPaymentConsumesToken: options.failedPaymentConsumesToken ?? true,
          sessionPayErrorForm: options.sessionPayErrorForm ?? "object",
        }
        // Read, decide and write in one step, so concurrent requests see each other's effects.
        const outcome = yield* Ref.modify(books, (current) => {
          const result = KomojuRules.apply(current, context)
          return [result, result.books] as const
        })
        yield* dispatch(outcome.events, at)
        return {
          answer: SimulatedHttp.json(outcome.status, outcome.body),
          ...(outcome.code === undefined ? {} : { code: outcome.code }),
        } satisfies Answered
      })

    /** Budget, route, key and idempotency key; then the endpoint. `delay` is how late the answer will leave. */
    const admit = (request: WireRequest, at: number, delay: number): Effect.Effect<Answered> =>
      Effect.gen(function* () {
        const wait = yield* budget.take(at)
        if (wait !== undefined) {
          return refusal(Refusals.tooManyRequests(), { "retry-after": String(Math.max(1, Math.ceil(wait / 1000))) })
        }
        const matched = KomojuEndpoints.match(request.method, request.path)
        if (matched === undefined) return refusal(Refusals.notFound())
        const user = basicUser(request.headers.authorization)
        const holder = user === undefined ? undefined : keys.get(user)
        if (holder === undefined) return refusal(Refusals.unauthorized())
        if (holder.kind === "publishable" && !KomojuEndpoints.publishable.has(matched.endpoint)) {
          return { ...refusal(Refusals.forbidden()), holder }
        }
        const rawKey = request.headers["x-komoju-idempotency"]
        const key =
          request.method.toUpperCase() === "POST" && rawKey !== undefined && rawKey !== "" ? rawKey : undefined
        if (key === undefined) return { ...(yield* process(request, matched, holder, undefined, at)), holder }
        if (!KomojuIdempotency.isValidKey(key)) {
          const message = `X-KOMOJU-IDEMPOTENCY must be at most ${KomojuIdempotency.maxKeyLength} ASCII characters.`
          return { ...refusal(Refusals.badRequest({ param: "X-KOMOJU-IDEMPOTENCY", message })), holder }
        }
        const scopedKey = KomojuIdempotency.scoped(holder.merchant.id, key)
        const claim = yield* ledger.claim(
          scopedKey,
          KomojuIdempotency.fingerprint(request.method, request.path, request.body),
          at,
        )
        switch (claim._tag) {
          case "InFlight":
            return { ...refusal(Refusals.conflict()), holder, idempotency: "in-flight" }
          case "Mismatch":
            return {
              ...refusal(Refusals.idempotencyKeyReused({ param: "X-KOMOJU-IDEMPOTENCY" })),
              holder,
              idempotency: "mismatch",
            }
          case "Replay":
            return { answer: claim.answer, holder, idempotency: "replayed" }
          case "Fresh": {
            const answered = yield* process(request, matched, holder, key, at)
            if (answered.answer._tag === "Respond") yield* ledger.settle(scopedKey, answered.answer, at + delay)
            return { ...answered, holder, idempotency: "fresh" }
          }
        }
      })

    const handle = (request: WireRequest): Effect.Effect<WireAnswer> =>
      Effect.gen(function* () {
        const at = yield* now
        const endpoint = KomojuEndpoints.match(request.method, request.path)?.endpoint
        const rawKey = request.headers["x-komoju-idempotency"]
        const apiVersion = request.headers["x-komoju-api-version"]
        return yield* Faults.around<Answered>(yield* faults.next(endpoint), {
          serverError: (status) => refusal(serverError(status)),
          // Processed in one piece: a client giving up cannot leave a request half done.
          process: (slowMillis) => Effect.uninterruptible(admit(request, at, slowMillis)),
          wrongShape,
          record: (answered, outcome) =>
            log.append({
              method: request.method.toUpperCase(),
              path: request.path,
              endpoint,
              receivedAt: at,
              ...outcome,
              body: bodyView(request.body),
              ...(answered.code === undefined ? {} : { code: answered.code }),
              ...(answered.holder === undefined
                ? {}
                : { merchantId: answered.holder.merchant.id, keyKind: answered.holder.kind }),
              ...(apiVersion === undefined ? {} : { apiVersion }),
              ...(rawKey === undefined ? {} : { idempotencyKey: rawKey }),
              ...(answered.idempotency === undefined ? {} : { idempotency: answered.idempotency }),
            }),
        })
      })

    return {
      ...Simulator.service(handle, clock, faults),
      ...Simulator.webhookService(outbox),
      setRateLimit: budget.set,
      payAtStore: (paymentId) =>
        Effect.gen(function* () {
          const at = yield* now
          const paid = yield* Ref.modify(books, (current) => {
            const result = KomojuRules.payAtStore(current, paymentId, at)
            return [result, result?.books ?? current] as const
          })
          if (paid === undefined) return false
          yield* dispatch(paid.events, at)
          return true
        }),
      tokens: Effect.zipWith(Ref.get(books), now, (b, at) =>
        [...b.tokens.values()].map((token) => KomojuBooks.tokenView(token, at)),
      ),
      payments: Effect.map(Ref.get(books), (b) => [...b.payments.values()]),
      customers: Effect.map(Ref.get(books), (b) => [...b.customers.values()]),
      sessions: Effect.map(Ref.get(books), (b) => [...b.sessions.values()]),
      requests: Effect.map(log.entries, (entries) => entries.map((entry, i) => ({ seq: i + 1, ...entry }))),
    } satisfies KomojuSimulatorService
  })

/** The simulator alone; add `KomojuHttpClient.layer` or `KomojuServer.layer` to reach it over HTTP. */
export const layer = (options: KomojuSimulatorOptions): Layer.Layer<KomojuSimulator> =>
  Layer.scoped(KomojuSimulator, make(options))
