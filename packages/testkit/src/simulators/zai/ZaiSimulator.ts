/**
 * A stateful Zai, written from the provider's rules (zai.md and the official OpenAPI file),
 * never from the domain or the Zai adapter: a fake that reuses the code under test proves
 * nothing about it.
 *
 * Two hosts, one simulator. The OAuth2 issuer (`POST /tokens`, `ZaiIssuer`) hands out access
 * tokens that live `accessTokenLifetime` (60 minutes) on the simulator's clock; the core API
 * (`ZaiRules`) answers only a live `Authorization: Bearer` token, except where the browser
 * creates a card or bank account with a token auth. `handleAuth` and `handleCore` are the two
 * hosts; `handle` serves both from one base URL, sending `/tokens` to the issuer (the core API
 * has no such path) and everything else to the core API. The in-process client reaches the
 * hosts at their own URLs; the loopback server serves `handle` on one port, so there the auth
 * and core base URLs are the same.
 *
 * A core request goes through, in order: route (404 `null`), bearer token (401), the
 * marketplace's rate limit (429 with `Retry-After`, when a budget is set), a JSON body (400),
 * then the endpoint's rules. Accepted requests that create or change an account (or a user)
 * put a signed webhook in the outbox. Injected faults (shared `Faults`) come around that; a
 * `ServerError` fault answers Zai's body for its status (the issuer's on `/tokens`; a 429 with
 * `Retry-After` when the status is 429).
 *
 * Time is Effect's `Clock` plus an offset the test can move, so `TestClock` drives it in
 * process and `advanceClock` drives it behind a real server. Randomness (tokens, ids, fault
 * probabilities, shuffles) is one `Random`, seeded when `seed` is given.
 *
 * Answers, webhooks, the books and the request log never hold a card number, a CVV or a full
 * bank account number, nor any body received.
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
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
import * as ZaiBooks from "./ZaiBooks.js"
import * as ZaiEndpoints from "./ZaiEndpoints.js"
import { type FieldErrors, type Refusal, Refusals, TokenRefusals } from "./ZaiErrors.js"
import * as ZaiIssuer from "./ZaiIssuer.js"
import * as ZaiRateLimit from "./ZaiRateLimit.js"
import * as ZaiRules from "./ZaiRules.js"
import * as ZaiWebhooks from "./ZaiWebhooks.js"

/** Pre-live's hosts (provider notes §1): what the in-process client answers unless told otherwise. */
export const defaultAuthBaseUrl = "https://au-0000.sandbox.auth.assemblypay.com"
export const defaultBaseUrl = "https://test.api.promisepay.com"

export interface ZaiSimulatorOptions extends Simulator.Options {
  /** The OAuth2 clients the issuer knows; each is one marketplace with its own users and accounts. */
  readonly clients: ReadonlyArray<ZaiIssuer.ZaiClient>
  /** The secret (or, while one is rotated, the secrets) webhooks are signed with; without one they carry `t=` and no `v=`. */
  readonly webhookSecret?: Secret | ReadonlyArray<Secret>
  readonly webhooks?: Outbox.DeliveryOptions
  /** The object types webhooks are sent for. Default `["accounts"]` (card and bank accounts created or redacted). */
  readonly webhookObjectTypes?: ReadonlyArray<ZaiWebhooks.ObjectType>
  /** How long an access token lives. Default 60 minutes (`expires_in: 3600`). */
  readonly accessTokenLifetime?: Duration.DurationInput
  /**
   * How long a token auth lives, per type. Default 2 hours for both: documented for bank tokens
   * ("expires … after 2 hours"); a card token's lifetime is not documented.
   */
  readonly tokenAuthLifetime?: { readonly card?: Duration.DurationInput; readonly bank?: Duration.DurationInput }
  /** Core API calls allowed per marketplace; unlimited when absent (`ZaiRateLimit.prelive` is pre-live's 60 a minute). */
  readonly rateLimit?: ZaiRateLimit.RateLimit
  /** `Retry-After` of an injected 429. Default 60 seconds. */
  readonly injectedRetryAfter?: Duration.DurationInput
  /** The marketplace's currency, for accounts created without one. Default `AUD`. */
  readonly currency?: string
  /** How an unknown or foreign record is refused: `not-authorized` (default, as recorded: 401 `{"code":405,…}`) or `not-found` (404). */
  readonly unknownRecord?: ZaiRules.Settings["unknownRecord"]
}

/** The card as a browser's PromisePay.js / Hosted Fields form takes it. */
export interface BrowserCard {
  readonly fullName: string
  readonly number: Secret
  readonly expiryMonth: string | number
  readonly expiryYear: string | number
  readonly cvv: Secret
  /** Sent by Hosted Fields along with the token; must be the token's user. */
  readonly userId?: string
}

export interface BrowserBankAccount {
  readonly bankName: string
  readonly accountName: string
  readonly routingNumber: string
  readonly accountNumber: Secret
  readonly accountType: ZaiBooks.AccountType
  readonly holderType: ZaiBooks.HolderType
  readonly country: string
  readonly payoutCurrency?: string
  readonly currency?: string
  readonly userId?: string
}

/** What the browser library's failure callback receives: the status and Zai's field errors. */
export class ZaiBrowserRefusal extends Data.TaggedError("ZaiBrowserRefusal")<{
  readonly status: number
  readonly errors: FieldErrors
}> {}

export type Via = "auth" | "core" | "browser"

/** One request as the simulator saw it: never its body. */
export interface RequestRecord extends RequestLog.Entry<ZaiEndpoints.Endpoint> {
  readonly requestId: string
  /** The host it reached; `browser` for the browser controls. */
  readonly via: Via
  readonly method: string
  /** The marketplace whose bearer token it carried, when valid. */
  readonly marketplace?: string
}

export interface AccessTokenView {
  readonly token: Redacted.Redacted<string>
  readonly clientId: string
  readonly issuedAt: number
  readonly expiresAt: number
  readonly live: boolean
}

/**
 * `handle` serves both hosts from one base URL (the loopback server's handler): `/tokens` to the
 * issuer, the rest to the core API. Webhooks are signed as each attempt leaves, with the
 * simulator's time and the secrets live then: a delivered one shows the headers the sink
 * received; a pending one the signature it would carry if sent when queued.
 */
export interface ZaiSimulatorService
  extends Simulator.Service<ZaiEndpoints.Endpoint>,
    Simulator.WebhookService<ZaiWebhooks.Kind> {
  /** The OAuth2 issuer's host. */
  readonly handleAuth: SimulatedHttp.Handler
  /** The core API's host. */
  readonly handleCore: SimulatedHttp.Handler
  /** Sets (or, `undefined`, lifts) the per-marketplace budget; counts start afresh. */
  readonly setRateLimit: (limit: ZaiRateLimit.RateLimit | undefined) => Effect.Effect<void>
  /** Every access token issued so far stops working now, as if Zai had revoked them. */
  readonly revokeAccessTokens: Effect.Effect<void>
  /** The browser creates a card account with a token auth; the account id, or Zai's refusal. */
  readonly browserCreatesCardAccount: (token: string, card: BrowserCard) => Effect.Effect<string, ZaiBrowserRefusal>
  readonly browserCreatesBankAccount: (
    token: string,
    account: BrowserBankAccount,
  ) => Effect.Effect<string, ZaiBrowserRefusal>
  /** The secrets webhooks are signed with from now on (one `v` each). */
  readonly setWebhookSecrets: (secrets: ReadonlyArray<Secret>) => Effect.Effect<void>
  /** Puts Zai's subscription test (`{"message":"Zai callback test"}`) in the outbox. */
  readonly sendTestWebhook: Effect.Effect<void>
  /** How many `POST /tokens` requests reached the issuer, whatever their answer. */
  readonly oauthRequests: Effect.Effect<number>
  readonly accessTokens: Effect.Effect<ReadonlyArray<AccessTokenView>>
  readonly users: Effect.Effect<ReadonlyArray<ZaiBooks.UserRecord>>
  readonly tokenAuths: Effect.Effect<ReadonlyArray<ZaiBooks.TokenAuthView>>
  readonly cardAccounts: Effect.Effect<ReadonlyArray<ZaiBooks.CardAccountRecord>>
  readonly bankAccounts: Effect.Effect<ReadonlyArray<ZaiBooks.BankAccountRecord>>
  readonly requests: Effect.Effect<ReadonlyArray<RequestRecord>>
}

export class ZaiSimulator extends Context.Tag("@token-lifecycle/testkit/ZaiSimulator")<
  ZaiSimulator,
  ZaiSimulatorService
>() {}

const secretsOf = (given: ZaiSimulatorOptions["webhookSecret"]): ReadonlyArray<string> =>
  given === undefined ? [] : Array.isArray(given) ? given.map(reveal) : [reveal(given as Secret)]

const millisOf = (duration: Duration.DurationInput): number => Duration.toMillis(Duration.decode(duration))

/** JSON answers as Zai sends them, with a request id for support. */
const answerOf = (refusal: Refusal | { readonly status: number; readonly body: unknown }, requestId: string) =>
  SimulatedHttp.json(refusal.status, refusal.body, {
    "content-type": "application/json; charset=utf-8",
    "x-request-id": requestId,
    ...("headers" in refusal ? refusal.headers : {}),
  })

/** A JSON object body, `{}` when empty; `undefined` when it is not one. */
const objectBody = (text: string): ZaiRules.JsonObject | undefined => {
  if (text.trim() === "") return {}
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as ZaiRules.JsonObject)
      : undefined
  } catch {
    return undefined
  }
}

const badBody: Refusal = { status: 400, body: { errors: { base: ["the body is not a JSON object"] } } }

/** What a malformed answer looks like to a client expecting Zai's shapes. */
const wrongShape = { data: [{ unexpected: true }] }

export const make = (options: ZaiSimulatorOptions): Effect.Effect<ZaiSimulatorService, never, Scope.Scope> =>
  Effect.gen(function* () {
    const random = yield* SimulatedIds.randomFor(options.seed)
    const scope = yield* Effect.scope
    const clients = new Map(
      options.clients.map((c) => [c.clientId, { secret: reveal(c.clientSecret), scope: c.scope }] as const),
    )
    const accessTokenLifetimeSeconds = Math.max(
      1,
      Math.round(millisOf(options.accessTokenLifetime ?? "60 minutes") / 1000),
    )
    const settings: ZaiRules.Settings = {
      currency: options.currency ?? "AUD",
      tokenAuthLifetimeMillis: {
        card: millisOf(options.tokenAuthLifetime?.card ?? "2 hours"),
        bank: millisOf(options.tokenAuthLifetime?.bank ?? "2 hours"),
      },
      unknownRecord: options.unknownRecord ?? "not-authorized",
    }
    const subscribed = new Set<ZaiWebhooks.ObjectType>(options.webhookObjectTypes ?? ["accounts"])
    const injectedRetryAfterSeconds = Math.max(
      1,
      Math.ceil(millisOf(options.injectedRetryAfter ?? "60 seconds") / 1000),
    )

    const clock = yield* SimulatedClock.make
    const now = clock.now

    const ledger = ZaiBooks.makeLedger()
    const books = ledger.books
    const log = yield* RequestLog.make<RequestRecord>()
    const rateLimit = yield* Ref.make(options.rateLimit)
    const window = yield* Ref.make(ZaiRateLimit.empty)
    const webhookSecrets = yield* Ref.make(secretsOf(options.webhookSecret))
    const faults = yield* Faults.makePlan<ZaiEndpoints.Endpoint>(random)

    const outbox = yield* Outbox.makeOutbox<ZaiWebhooks.Kind>({
      now,
      random,
      scope,
      options: options.webhooks ?? {},
      schedule: ZaiWebhooks.schedule,
      // Each attempt signed when it leaves, as Zai does.
      seal: (outgoing, at) =>
        Effect.map(Ref.get(webhookSecrets), (secrets) => ZaiWebhooks.headers(secrets, at, outgoing.body)),
    })

    const enqueue = (
      items: ReadonlyArray<{ readonly kind: ZaiWebhooks.Kind; readonly reference: string; readonly body: unknown }>,
    ) =>
      Effect.gen(function* () {
        if (items.length === 0) return
        const at = yield* now
        const secrets = yield* Ref.get(webhookSecrets)
        yield* outbox.enqueue(
          items.map((item) => {
            const body = JSON.stringify(item.body)
            return { kind: item.kind, reference: item.reference, headers: ZaiWebhooks.headers(secrets, at, body), body }
          }),
        )
      })

    const notify = (notices: ReadonlyArray<ZaiRules.Notice>) =>
      enqueue(notices.filter((notice) => subscribed.has(notice.kind)))

    /** Fresh values for the rules, drawn only where a record is created. */
    const freshFor = (endpoint: ZaiEndpoints.Endpoint): Effect.Effect<ZaiRules.Fresh> =>
      endpoint === "createUser" ||
      endpoint === "generateToken" ||
      endpoint === "createCardAccount" ||
      endpoint === "createBankAccount"
        ? Effect.map(
            Effect.all([SimulatedIds.uuid(random), SimulatedIds.uuid(random), SimulatedIds.hex(random, 32)]),
            ([id, addressId, token]) => ({
              uuid: id,
              addressId,
              token,
            }),
          )
        : Effect.succeed({ uuid: "", addressId: "", token: "" })

    /**
     * Applies the rules and writes what they decided in one synchronous step, so concurrent
     * requests see each other's effects (two browsers with one token: one wins); then queues the
     * webhooks.
     */
    const decide = (context: ZaiRules.RuleContext) =>
      Effect.gen(function* () {
        const outcome = yield* Effect.sync(() => {
          const result = ZaiRules.apply(books, context)
          if (result._tag === "Accepted") ledger.write(result.changes)
          return result
        })
        if (outcome._tag === "Accepted") yield* notify(outcome.notices)
        return outcome
      })

    interface Processed {
      readonly answer: SimulatedHttp.WireAnswer
      readonly marketplace?: string
    }

    /** What one host does with a request, faults aside. */
    type Process = (
      request: SimulatedHttp.WireRequest,
      matched: ZaiEndpoints.Matched | undefined,
      requestId: string,
      at: number,
    ) => Effect.Effect<Processed>

    const processCore: Process = (request, matched, requestId, at) =>
      Effect.gen(function* () {
        if (matched === undefined) return { answer: answerOf(Refusals.notFound, requestId) }
        const { endpoint } = matched
        const authorization = request.headers.authorization
        let caller: ZaiRules.Caller
        if (authorization === undefined && ZaiRules.browserMayCall(endpoint)) {
          caller = { _tag: "Browser" }
        } else {
          const marketplace = ZaiIssuer.authenticate(books, authorization, at)
          if (marketplace === undefined) return { answer: answerOf(Refusals.unauthorized, requestId) }
          caller = { _tag: "Platform", marketplace }
          const limit = yield* Ref.get(rateLimit)
          if (limit !== undefined) {
            const admission = yield* Ref.modify(window, (current) => {
              const result = ZaiRateLimit.admit(current, limit, marketplace, at)
              return [result, result._tag === "Admitted" ? result.window : current] as const
            })
            if (admission._tag === "Refused") {
              return { answer: answerOf(Refusals.rateLimited(admission.retryAfterSeconds), requestId), marketplace }
            }
          }
        }
        const marketplace = caller._tag === "Platform" ? { marketplace: caller.marketplace } : {}
        const body = objectBody(request.body)
        if (body === undefined) return { answer: answerOf(badBody, requestId), ...marketplace }
        const outcome = yield* decide({
          endpoint,
          caller,
          id: matched.id,
          body,
          now: at,
          fresh: yield* freshFor(endpoint),
          settings,
        })
        const answered = outcome._tag === "Refused" ? outcome.refusal : outcome
        return { answer: answerOf(answered, requestId), ...marketplace }
      })

    const processAuth: Process = (request, matched, requestId, at) =>
      Effect.gen(function* () {
        if (matched === undefined) return { answer: answerOf(TokenRefusals.notFound, requestId) }
        const credentials = ZaiIssuer.readCredentials(request.body, request.headers["content-type"])
        const client = credentials === undefined ? undefined : clients.get(credentials.clientId)
        const expiresAt = at + accessTokenLifetimeSeconds * 1000
        const freshToken = ZaiIssuer.jwtShaped({
          clientId: credentials?.clientId ?? "",
          scope: client?.scope ?? "",
          issuedAt: at,
          expiresAt,
          jti: yield* SimulatedIds.uuid(random),
          signature: (yield* SimulatedIds.bytes(random, 64)).toString("base64url"),
        })
        const outcome = ZaiIssuer.issue({
          credentials,
          clientOf: (id) => clients.get(id),
          now: at,
          lifetimeSeconds: accessTokenLifetimeSeconds,
          freshToken,
        })
        if (outcome._tag === "Refused") return { answer: answerOf(outcome.refusal, requestId) }
        ledger.write({ accessTokens: [outcome.record] })
        return {
          answer: answerOf(
            {
              status: 200,
              body: { access_token: outcome.record.token, expires_in: outcome.expiresIn, token_type: "Bearer" },
            },
            requestId,
          ),
          marketplace: outcome.record.clientId,
        }
      })

    /** Answers one request on `host`, with whatever fault is planned for it around the processing. */
    const serve =
      (host: ZaiEndpoints.Host, process: Process): SimulatedHttp.Handler =>
      (request) =>
        Effect.gen(function* () {
          const at = yield* now
          const requestId = yield* SimulatedIds.uuid(random)
          const matched = ZaiEndpoints.match(host, request.method, request.path)
          return yield* Faults.around<Processed>(yield* faults.next(matched?.endpoint), {
            serverError: (status) => ({
              answer: answerOf(
                status === 429
                  ? Refusals.rateLimited(injectedRetryAfterSeconds)
                  : host === "auth"
                    ? TokenRefusals.serverError(status)
                    : Refusals.serverError(status),
                requestId,
              ),
            }),
            process: () => process(request, matched, requestId, at),
            wrongShape,
            record: (processed, outcome) =>
              log.append({
                requestId,
                via: host,
                method: request.method.toUpperCase(),
                path: request.path,
                endpoint: matched?.endpoint,
                ...(processed.marketplace === undefined ? {} : { marketplace: processed.marketplace }),
                receivedAt: at,
                ...outcome,
              }),
          })
        })

    const handleAuth = serve("auth", processAuth)
    const handleCore = serve("core", processCore)
    const tokenPath = ZaiEndpoints.routes.token.path

    /** The browser's request: the core API's rules with a token auth, without faults or rate limits. */
    const browserCreates =
      (endpoint: "createCardAccount" | "createBankAccount") =>
      (token: string, body: ZaiRules.JsonObject): Effect.Effect<string, ZaiBrowserRefusal> =>
        Effect.gen(function* () {
          const at = yield* now
          const requestId = yield* SimulatedIds.uuid(random)
          const outcome = yield* decide({
            endpoint,
            caller: { _tag: "Browser" },
            id: undefined,
            body: { ...body, token },
            now: at,
            fresh: yield* freshFor(endpoint),
            settings,
          })
          const status = outcome._tag === "Refused" ? outcome.refusal.status : outcome.status
          yield* log.append({
            requestId,
            via: "browser",
            method: "POST",
            path: ZaiEndpoints.routes[endpoint].path,
            endpoint,
            receivedAt: at,
            status,
          })
          if (outcome._tag === "Refused") {
            const said = outcome.refusal.body as { readonly errors?: FieldErrors } | null
            return yield* new ZaiBrowserRefusal({ status, errors: said?.errors ?? {} })
          }
          const created = outcome.body as Record<string, { readonly id: string }>
          return (created.card_accounts ?? created.bank_accounts)?.id as string
        })

    const createCard = browserCreates("createCardAccount")
    const createBank = browserCreates("createBankAccount")

    const handle: SimulatedHttp.Handler = (request) =>
      request.path === tokenPath ? handleAuth(request) : handleCore(request)

    return {
      ...Simulator.service(handle, clock, faults),
      ...Simulator.webhookService(outbox),
      handleAuth,
      handleCore,
      setRateLimit: (limit) => Effect.zipRight(Ref.set(rateLimit, limit), Ref.set(window, ZaiRateLimit.empty)),
      revokeAccessTokens: Effect.flatMap(now, (at) =>
        Effect.sync(() =>
          ledger.write({
            accessTokens: [...books.accessTokens.values()].map((r) => ({ ...r, expiresAt: Math.min(r.expiresAt, at) })),
          }),
        ),
      ),
      browserCreatesCardAccount: (token, card) =>
        createCard(token, {
          full_name: card.fullName,
          number: reveal(card.number),
          expiry_month: String(card.expiryMonth),
          expiry_year: String(card.expiryYear),
          cvv: reveal(card.cvv),
          ...(card.userId === undefined ? {} : { user_id: card.userId }),
        }),
      browserCreatesBankAccount: (token, account) =>
        createBank(token, {
          bank_name: account.bankName,
          account_name: account.accountName,
          routing_number: account.routingNumber,
          account_number: reveal(account.accountNumber),
          account_type: account.accountType,
          holder_type: account.holderType,
          country: account.country,
          ...(account.payoutCurrency === undefined ? {} : { payout_currency: account.payoutCurrency }),
          ...(account.currency === undefined ? {} : { currency: account.currency }),
          ...(account.userId === undefined ? {} : { user_id: account.userId }),
        }),
      setWebhookSecrets: (secrets) => Ref.set(webhookSecrets, secrets.map(reveal)),
      sendTestWebhook: enqueue([{ kind: "test", reference: "test", body: ZaiWebhooks.testBody }]),
      oauthRequests: Effect.map(log.entries, (entries) => entries.filter((e) => e.endpoint === "token").length),
      accessTokens: Effect.map(now, (at) =>
        [...books.accessTokens.values()].map((r) => ({
          token: Redacted.make(r.token),
          clientId: r.clientId,
          issuedAt: r.issuedAt,
          expiresAt: r.expiresAt,
          live: at < r.expiresAt,
        })),
      ),
      users: Effect.sync(() => [...books.users.values()]),
      tokenAuths: Effect.map(now, (at) => [...books.tokenAuths.values()].map((r) => ZaiBooks.tokenAuthView(r, at))),
      cardAccounts: Effect.sync(() => [...books.cardAccounts.values()]),
      bankAccounts: Effect.sync(() => [...books.bankAccounts.values()]),
      requests: log.entries,
    } satisfies ZaiSimulatorService
  })

/** The simulator alone; add `ZaiHttpClient.layer` or `ZaiServer.layer` to reach it over HTTP. */
export const layer = (options: ZaiSimulatorOptions): Layer.Layer<ZaiSimulator> =>
  Layer.scoped(ZaiSimulator, make(options))
