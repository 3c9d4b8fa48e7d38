/**
 * A stateful Rebilly for payment tokens and their redemption, written from Rebilly's rules
 * (rebilly.md and the official OpenAPI definition), never from the domain or the Rebilly adapter:
 * a fake that reuses the code under test proves nothing about it.
 *
 * One request goes through what Rebilly does, in order: route (404, 405), credentials as the
 * operation's `security` says (401 none known, 403 a known key of the wrong kind or another
 * organization), the organization's rate limit (429), the JSON body of a POST (400), then the
 * operation's rules (`RebillyRules`: 422 with `invalidFields`, 404, 409, or the resource).
 * Refusals are RFC 9457 problem details (`RebillyProblems`). Injected faults come around that.
 *
 * Paths are relative to the organization's base URL (`https://api-sandbox.rebilly.com/
 * organizations/{id}`); a request that still carries `/organizations/{id}` (a client whose base URL
 * is a bare host, as with the loopback server) is read the same way.
 *
 * Time is Effect's `Clock` plus an offset the test can move, so `TestClock` drives it in process
 * and `advanceClock` drives it behind a real server. Randomness (ids, fault probabilities) is one
 * `Random`, seeded when `seed` is given.
 *
 * Answers, books and the request log never hold a card number or CVV.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Entries from "../shared/Entries.js"
import * as Faults from "../shared/Faults.js"
import * as RequestLog from "../shared/RequestLog.js"
import * as SimulatedClock from "../shared/SimulatedClock.js"
import * as SimulatedHttp from "../shared/SimulatedHttp.js"
import * as SimulatedIds from "../shared/SimulatedIds.js"
import * as Simulator from "../shared/Simulator.js"
import * as Books from "./RebillyBooks.js"
import * as Credentials from "./RebillyCredentials.js"
import * as Endpoints from "./RebillyEndpoints.js"
import { type Problem, Problems, body as problemBody } from "./RebillyProblems.js"
import * as RateLimit from "./RebillyRateLimit.js"
import * as Rules from "./RebillyRules.js"

export const defaultOrganizationId = "simulated-organization"

/** The sandbox base URL of an organization. */
export const sandboxBaseUrl = (organizationId: string): string =>
  `https://api-sandbox.rebilly.com/organizations/${encodeURIComponent(organizationId)}`

/** The base URL of the default organization in the sandbox. */
export const defaultBaseUrl = sandboxBaseUrl(defaultOrganizationId)

export interface RebillySimulatorOptions extends Simulator.Options {
  /** The organization the simulator is. Default `simulated-organization`. */
  readonly organizationId?: string
  /**
   * The base URL its links and `Location` headers name. Default: the organization under the host
   * the request names in `Host` (so a loopback server's links lead back to it, and a client that
   * follows a 303 reaches it), else the organization's sandbox URL.
   */
  readonly baseUrl?: string
  /** Keys it knows; a request needs one of a kind its operation accepts. */
  readonly secretKeys?: ReadonlyArray<Credentials.Secret>
  readonly publishableKeys?: ReadonlyArray<Credentials.Secret>
  readonly jwts?: ReadonlyArray<Credentials.Secret>
  /**
   * The kinds of credential an operation accepts, where they should differ from the spec's
   * `security` (whether `GET /tokens/{token}` takes a secret key is unconfirmed, say).
   */
  readonly acceptedSchemes?: Partial<Record<Endpoint, ReadonlyArray<Scheme>>>
  readonly rateLimit?: RateLimit.RateLimitOptions
  /** `GET /tokens` page size when `limit` is absent. Default 100 (unconfirmed). */
  readonly defaultLimit?: number
  /** Whether tokens carry the undocumented fields the sandbox sends (`used`, `usedTime`, …). Default true. */
  readonly liveExtras?: boolean
  /** The content type of problem answers: the spec's `application/json` (default) or `application/problem+json`. */
  readonly problemContentType?: "application/json" | "application/problem+json"
}

export type Endpoint = Endpoints.Endpoint
export type Scheme = Endpoints.Scheme

/** One request as the simulator saw it (never its body). */
export interface RequestRecord extends RequestLog.Entry<Endpoint> {
  readonly method: string
  /** The kind of credential that was let in. */
  readonly scheme?: Scheme
  /** The fields named in a 422. */
  readonly invalidFields?: ReadonlyArray<string>
}

export interface RebillySimulatorService extends Simulator.Service<Endpoint> {
  /** The base URL its links name when a request carries no `Host`; the in-process client's default. */
  readonly baseUrl: string
  readonly organizationId: string
  /** Changes the rate-limit budget or header names; a fresh window starts. */
  readonly configureRateLimit: (options: RateLimit.RateLimitOptions) => Effect.Effect<void>
  /** Spends the rest of the current window's budget: counted calls get 429 until the window ends. */
  readonly exhaustRateLimit: Effect.Effect<void>
  readonly tokens: Effect.Effect<ReadonlyArray<Books.TokenView>>
  readonly paymentInstruments: Effect.Effect<ReadonlyArray<Books.InstrumentRecord>>
  /** Transactions, each with the `requestId` it was made with. */
  readonly transactions: Effect.Effect<ReadonlyArray<Books.TransactionRecord>>
  readonly requests: Effect.Effect<ReadonlyArray<RequestRecord>>
}

export class RebillySimulator extends Context.Tag("@token-lifecycle/testkit/RebillySimulator")<
  RebillySimulator,
  RebillySimulatorService
>() {}

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
/** Crockford's base 32, as Rebilly's prefixed ids (`inst_…`, `txn_…`) use. */
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/** A body of the right status but the wrong shape, for the `Malformed` fault. */
const wrongShape = { id: 42, isUsed: "no", paymentInstrument: ["unexpected"], createdTime: false }

interface Answered {
  readonly answer: SimulatedHttp.WireAnswer
  readonly scheme?: Scheme
  readonly invalidFields?: ReadonlyArray<string>
}

export const make = (
  options: RebillySimulatorOptions = {},
): Effect.Effect<RebillySimulatorService, never, Scope.Scope> =>
  Effect.gen(function* () {
    const random = yield* SimulatedIds.randomFor(options.seed)
    const organizationId = options.organizationId ?? defaultOrganizationId
    const baseUrl = (options.baseUrl ?? sandboxBaseUrl(organizationId)).replace(/\/+$/, "")
    const linkBase = (headers: Readonly<Record<string, string>>): string => {
      const host = headers.host
      return options.baseUrl !== undefined || host === undefined || !/^[\w.-]+(:\d+)?$/.test(host)
        ? baseUrl
        : `http://${host}/organizations/${encodeURIComponent(organizationId)}`
    }
    const keys: Credentials.Keys = {
      secretKeys: options.secretKeys ?? [],
      publishableKeys: options.publishableKeys ?? [],
      jwts: options.jwts ?? [],
    }
    const schemes = { ...Endpoints.acceptedSchemes, ...options.acceptedSchemes }
    const liveExtras = options.liveExtras ?? true
    const defaultLimit = Math.min(Math.max(Math.floor(options.defaultLimit ?? 100), 0), 1000)
    const problemContentType = options.problemContentType ?? "application/json"
    const cardDigestKey = yield* SimulatedIds.text(random, alphabet, 32)

    const clock = yield* SimulatedClock.make
    const now = clock.now

    const books = yield* Ref.make(Books.empty)
    const log = yield* RequestLog.make<RequestRecord>()
    const faults = yield* Faults.makePlan<Endpoint>(random)
    const rateLimit = yield* RateLimit.make(options.rateLimit ?? {})

    const freshIds = Effect.all({
      tokenId: SimulatedIds.text(random, alphabet, 20),
      instrumentId: Effect.map(SimulatedIds.text(random, crockford, 26), (id) => `inst_${id}`),
      transactionId: Effect.map(SimulatedIds.text(random, crockford, 26), (id) => `txn_${id}`),
      sessionId: SimulatedIds.text(random, alphabet.toLowerCase().slice(0, 16), 64),
    })

    const refuse = (problem: Problem, path: string, headers?: Readonly<Record<string, string>>): Answered => ({
      answer: SimulatedHttp.json(problem.status, problemBody(problem, path), {
        ...problem.headers,
        ...headers,
        "content-type": problemContentType,
      }),
      ...(problem.invalidFields === undefined ? {} : { invalidFields: problem.invalidFields.map((f) => f.field) }),
    })

    /** What Rebilly does with the request, faults aside. */
    const process = (
      request: SimulatedHttp.WireRequest,
      /** The path under the organization: what problems name as their `instance`. */
      path: string,
      route: Endpoints.Route,
      foreignOrganization: boolean,
      at: number,
    ): Effect.Effect<Answered> =>
      Effect.gen(function* () {
        if (route._tag === "NotFound") return refuse(Problems.notFound("No such resource."), path)
        if (route._tag === "MethodNotAllowed") {
          return refuse(Problems.methodNotAllowed(route.allow), path)
        }
        const { endpoint } = route
        const verdict = Credentials.authorize(keys, Credentials.presented(request.headers), schemes[endpoint])
        if (verdict._tag === "Unauthorized") {
          return refuse(Problems.unauthorized("Invalid credentials."), path)
        }
        if (verdict._tag === "Forbidden") {
          return refuse(Problems.forbidden(`This operation does not accept a ${verdict.scheme} credential.`), path)
        }
        if (foreignOrganization) {
          return refuse(Problems.forbidden("These credentials give no access to that organization."), path)
        }
        const scheme = verdict.scheme
        const limit = yield* rateLimit.take(at, Endpoints.isWrite(endpoint))
        if (limit._tag === "Limited") {
          return { ...refuse(Problems.rateLimited(), path, limit.headers), scheme }
        }
        const limitHeaders = limit._tag === "Counted" ? limit.headers : {}

        let body: unknown
        if (request.method.toUpperCase() === "POST") {
          const contentType = request.headers["content-type"]
          if (contentType !== undefined && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType.trim())) {
            const problem = Problems.badRequest("The body must be application/json.")
            return { ...refuse(problem, path, limitHeaders), scheme }
          }
          try {
            body = JSON.parse(request.body)
          } catch {
            const problem = Problems.badRequest("The body is not valid JSON.")
            return { ...refuse(problem, path, limitHeaders), scheme }
          }
        }

        const context: Rules.RuleContext = {
          endpoint,
          id: route.id,
          query: request.query,
          body,
          now: at,
          scheme,
          fresh: yield* freshIds,
          baseUrl: linkBase(request.headers),
          cardDigestKey,
          liveExtras,
          defaultLimit,
        }
        // Read, decide and write in one step, so concurrent requests see each other's effects.
        const outcome = yield* Ref.modify(books, (current) => {
          const result = Rules.apply(current, context)
          return [result, result._tag === "Accepted" ? result.books : current] as const
        })
        if (outcome._tag === "Refused") {
          return { ...refuse(outcome.problem, path, limitHeaders), scheme }
        }
        return {
          answer: SimulatedHttp.json(outcome.status, outcome.body, { ...limitHeaders, ...outcome.headers }),
          scheme,
        }
      })

    const handle: SimulatedHttp.Handler = (request) =>
      Effect.gen(function* () {
        const at = yield* now
        const scoped = Endpoints.organizationOf(request.path)
        const foreignOrganization = scoped.organizationId !== undefined && scoped.organizationId !== organizationId
        const route = Endpoints.route(request.method, scoped.rest)
        const endpoint = route._tag === "Found" ? route.endpoint : undefined
        return yield* Faults.around<Answered>(yield* faults.next(endpoint), {
          serverError: (status) => refuse(Problems.server(status), scoped.rest),
          process: () => process(request, scoped.rest, route, foreignOrganization, at),
          wrongShape,
          record: (answered, outcome) =>
            log.append({
              method: request.method.toUpperCase(),
              path: request.path,
              endpoint,
              receivedAt: at,
              ...outcome,
              ...(answered.scheme === undefined ? {} : { scheme: answered.scheme }),
              ...(answered.invalidFields === undefined ? {} : { invalidFields: answered.invalidFields }),
            }),
        })
      })

    return {
      ...Simulator.service(handle, clock, faults),
      baseUrl,
      organizationId,
      configureRateLimit: rateLimit.configure,
      exhaustRateLimit: Effect.flatMap(now, rateLimit.exhaust),
      tokens: Effect.zipWith(Ref.get(books), now, (b, at) => Entries.values(b.tokens).map((t) => Books.viewOf(t, at))),
      paymentInstruments: Effect.map(Ref.get(books), (b) => Entries.values(b.instruments)),
      transactions: Effect.map(Ref.get(books), (b) => Entries.values(b.transactions)),
      requests: log.entries,
    } satisfies RebillySimulatorService
  })

/** The simulator alone; add `RebillyHttpClient.layer` or `RebillyServer.layer` to reach it over HTTP. */
export const layer = (options: RebillySimulatorOptions = {}): Layer.Layer<RebillySimulator> =>
  Layer.scoped(RebillySimulator, make(options))
