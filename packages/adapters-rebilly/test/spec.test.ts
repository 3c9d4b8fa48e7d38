/**
 * Drift from the real API fails the build. Against the vendored OpenAPI 3.1 snapshot:
 *
 * - every request the adapter can build, captured as the wire carries it (each operation, each
 *   credential the operation accepts, each variant of body and query), is one the spec accepts:
 *   its operation found by method and path alone, its path parameters, query, credential and
 *   body valid, no read-only field sent;
 * - the credentials the adapter allows per operation are the spec's `security`;
 * - the answers the tests stand on fit the spec's responses, write-only fields excluded, and
 *   decode with the adapter's Schemas;
 * - the adapter's wire Schemas agree with the spec's: field names, types, limits, read-/write-only
 *   marks, required fields (those it requires beyond the spec are the ones `wire.ts` lists);
 * - and the checks are not vacuous: requests the spec refuses are caught.
 */

import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import { parseCard } from "@token-lifecycle/domain/Card"
import { AccountRef, OwnerRef, TokenId, UseReference } from "@token-lifecycle/domain/Identifiers"
import * as RebillySimulator from "@token-lifecycle/testkit/simulators/rebilly/RebillySimulator"
import * as InProcessHttpClient from "@token-lifecycle/testkit/simulators/shared/InProcessHttpClient"
import type * as SimulatedHttp from "@token-lifecycle/testkit/simulators/shared/SimulatedHttp"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Auth from "../src/internal/auth.js"
import * as Wire from "../src/internal/wire.js"
import * as RebillyClient from "../src/RebillyClient.js"
import * as RebillyGateway from "../src/RebillyGateway.js"
import { agree } from "./Agreement.js"
import * as OpenApi from "./OpenApi.js"
import { cardToken, config, json, type Key, keys, organizationId, type Recorded, recorder } from "./Recording.js"

// ---------------------------------------------------------------------------
// Answers the stub gives: each one checked against the spec below
// ---------------------------------------------------------------------------

const answers: Readonly<Record<string, { readonly status: number; readonly body: unknown }>> = {
  PostToken: { status: 201, body: cardToken() },
  GetToken: { status: 200, body: cardToken({ id: "tok 1/2" }) },
  GetTokenCollection: {
    status: 200,
    body: [
      cardToken(),
      cardToken({ id: "USED000001", isUsed: true, usageTime: "2026-01-01T00:10:00+00:00" }),
      {
        id: "PAYPAL0001",
        method: "paypal",
        isUsed: false,
        createdTime: "2026-01-01T00:00:00Z",
        paymentInstrument: { paypalMerchantId: "merchant-1", billingAgreementToken: "BA-1" },
      },
    ],
  },
  PostDigitalWalletValidation: {
    status: 201,
    body: { type: "Apple Pay", validationResponse: { merchantSessionIdentifier: "SSH1", displayName: "My Store" } },
  },
  PostTransaction: {
    status: 201,
    body: { id: "txn_1", type: "sale", result: "approved", status: "completed", amount: 49.9, currency: "EUR" },
  },
  PostPaymentInstrument: {
    status: 201,
    body: { id: "inst_1", method: "payment-card", customerId: "cus-1", last4: "1111", expMonth: 12, expYear: 2030 },
  },
}

const stub = recorder((request) => {
  const operationId = OpenApi.route(request.method, request.path)?.operation.operationId ?? ""
  const answer = answers[operationId]
  if (answer === undefined) return json(404, { status: 404, title: "Not Found" })
  const paging =
    operationId === "GetTokenCollection"
      ? {
          "pagination-total": "3",
          "pagination-limit": request.query.get("limit") ?? "",
          "pagination-offset": request.query.get("offset") ?? "",
        }
      : {}
  return json(answer.status, answer.body, paging)
})

// ---------------------------------------------------------------------------
// Every operation and variant the adapter can send
// ---------------------------------------------------------------------------

const card = Either.getOrThrow(
  parseCard({ number: "4111111111111111", cvv: "123", expiry: { month: 12, year: 2030 }, holderName: "Jane Roe" }),
)
const cardWithoutCvv = Either.getOrThrow(parseCard({ number: "5555555555554444", expiry: { month: 1, year: 2031 } }))

const everyBillingField: RebillyClient.ContactRequest = {
  firstName: "Jane",
  lastName: "Roe",
  organization: "Roe & Co",
  address: "36 Craven St",
  address2: "Floor 2",
  city: "London",
  region: "Greater London",
  country: "GB",
  postalCode: "WC2N 5NF",
  phoneNumbers: [{ label: "main", value: "+44 20 7946 0000", primary: true }],
  emails: [{ label: "main", value: "jane@example.com", primary: true }],
  dob: "1980-04-01",
  jobTitle: "CEO",
}

const everyRiskField: RebillyClient.RiskMetadataRequest = {
  ipAddress: "2001:db8::1",
  fingerprint: "pIUt3xbgX3l9g3YDiLbx",
  httpHeaders: { Accept: "text/html" },
  browserData: {
    colorDepth: 24,
    isJavaEnabled: false,
    language: "en-GB",
    screenWidth: 1920,
    screenHeight: 1080,
    timeZoneOffset: 0,
    isAdBlockEnabled: true,
  },
  extraData: {
    kountFraudSessionId: "abcdefg12345abababab123456789012",
    payPalMerchantSessionId: "dd65ratxc5qv15iph3vyoq7l6davuowa",
    threatMetrixSessionId: "dd65ratxc5qv15iph3vyoq7l6",
  },
}

const everyLeadField: RebillyClient.LeadSourceRequest = {
  medium: "cpc",
  source: "search",
  campaign: "spring",
  term: "cards",
  content: "banner",
  affiliate: "aff-1",
  subAffiliate: "sub-1",
  salesAgent: "agent-1",
  clickId: "click-1",
  path: "/checkout",
  referrer: "https://www.example.com/",
}

const credentialSets: ReadonlyArray<ReadonlyArray<Key>> = [
  ["secretKey", "publishableKey", "jwt"],
  ["publishableKey"],
  ["jwt", "publishableKey"],
]

const sendEverything = Effect.gen(function* () {
  for (const credentials of credentialSets) {
    const services = Layer.merge(stub.layer, config({}, credentials))
    const client = yield* RebillyClient.make.pipe(Effect.provide(services))
    const gateway = yield* RebillyGateway.make.pipe(Effect.provide(services))
    // Calls the credentials do not allow are refused unsent: only what is sent is checked.
    const tried = <A, E>(effect: Effect.Effect<A, E>) => Effect.ignore(effect)
    yield* tried(client.createToken({ card: cardWithoutCvv }))
    yield* tried(
      client.createToken({
        card,
        billingAddress: everyBillingField,
        riskMetadata: everyRiskField,
        leadSource: everyLeadField,
      }),
    )
    const request = { account: AccountRef.make(organizationId), owner: OwnerRef.make("cus-1"), type: "card" as const }
    yield* tried(
      gateway.issue({
        ...request,
        card,
        idempotencyKey: "k",
        customer: { ipAddress: "198.51.100.47", email: "a@example.com", country: "US", postalCode: "10001" },
      }),
    )
    yield* tried(client.getToken("tok 1/2"))
    yield* tried(gateway.retrieve(TokenId.make("tok 1/2"), OwnerRef.make("cus-1")))
    for (const page of [
      { limit: 0, offset: 0 },
      { limit: 1000, offset: 1000 },
      { limit: 2, offset: 1 },
    ]) {
      yield* tried(client.listTokens(page))
    }
    yield* tried(gateway.list({ limit: 3, offset: 0 }))
    yield* tried(Stream.runDrain(client.tokens(2)))
    yield* tried(
      client.validateApplePay({
        validationUrl: "https://apple-pay-gateway.apple.com/paymentservices/startSession",
        domainName: "www.example.com",
        displayName: "My Store",
      }),
    )
    const use = (operation: "payment" | "verification" | "instrument") =>
      gateway.use({
        tokenId: TokenId.make("AYW7VCAFAKFEWK6SZ7Z5"),
        owner: OwnerRef.make("cus-1"),
        type: "card",
        operation,
        reference: UseReference.make(`use-${operation}`),
        amount: { amount: 4990, currency: "EUR" },
      })
    yield* tried(use("payment"))
    yield* tried(use("verification"))
    yield* tried(use("instrument"))
    yield* tried(
      client.createTransaction({
        type: "authorize",
        websiteId: "web-test",
        customerId: "cus-1",
        amount: 100,
        currency: "JPY",
        token: "tok",
        requestId: "order_1",
      }),
    )
  }
})

const schemeOf = (request: Recorded): Auth.Scheme | undefined => {
  if (request.headers["reb-apikey"] !== undefined) return "secret"
  const authorization = request.headers.authorization
  if (authorization === undefined) return undefined
  return authorization.startsWith("Bearer ") ? "jwt" : "publishable"
}

/** The spec's operation behind each of the adapter's. */
const operationIds: Readonly<Record<Auth.Operation, string>> = {
  createToken: "PostToken",
  listTokens: "GetTokenCollection",
  getToken: "GetToken",
  validateDigitalWallet: "PostDigitalWalletValidation",
  createTransaction: "PostTransaction",
  createPaymentInstrument: "PostPaymentInstrument",
}

describe("requests against the OpenAPI snapshot", () => {
  it.effect("every request the adapter builds is one the spec accepts", () =>
    Effect.gen(function* () {
      yield* sendEverything
      expect(stub.requests.length).toBeGreaterThan(30)
      for (const [i, request] of stub.requests.entries()) {
        const check = OpenApi.checkRequest(request)
        expect(check.problems, `request ${i}: ${request.method} ${request.path}`).toEqual([])
        const credentials = ["reb-apikey", "authorization"].filter((name) => request.headers[name] !== undefined)
        expect(credentials, `request ${i} carries one credential`).toHaveLength(1)
      }
      // The spec's PaymentInstruction alternatives overlap (see OpenApi.ts): a transaction's is the token's.
      const instructions = stub.requests
        .filter((request) => request.path === "/transactions")
        .map((request) => JSON.parse(request.body).paymentInstruction)
      expect(instructions.length).toBeGreaterThan(0)
      for (const instruction of instructions) {
        expect(Object.keys(instruction)).toEqual(["token"])
        expect(OpenApi.problems("#/components/schemas/PaymentInstructionToken", instruction, "request")).toEqual([])
      }
    }),
  )

  it.effect("every operation went out with every kind of credential it accepts", () =>
    Effect.gen(function* () {
      if (stub.requests.length === 0) yield* sendEverything
      const sent = new Set(
        stub.requests.map((request) => `${OpenApi.checkRequest(request).operationId} ${schemeOf(request)}`),
      )
      const expected = Object.entries(Auth.operations).flatMap(([operation, { accepts }]) =>
        accepts.map((scheme) => `${operationIds[operation as Auth.Operation]} ${scheme}`),
      )
      expect([...sent].sort()).toEqual([...expected].sort())
    }),
  )

  it("the credentials each operation may use are the spec's security, to the letter", () => {
    const kinds: Readonly<Record<string, Auth.Scheme>> = {
      SecretApiKey: "secret",
      PublishableApiKey: "publishable",
      JWT: "jwt",
      ApplicationJWT: "jwt",
    }
    for (const [operation, { accepts }] of Object.entries(Auth.operations)) {
      const requirements = OpenApi.securityOf(OpenApi.operationById(operationIds[operation as Auth.Operation]))
      const fromSpec = new Set(
        requirements.flatMap((requirement) => requirement.map((scheme) => kinds[scheme] ?? scheme)),
      )
      expect([...fromSpec].sort(), operation).toEqual([...accepts].sort())
    }
  })

  it("the validator is not vacuous: requests the spec refuses are caught", () => {
    const good = {
      method: "POST",
      path: "/tokens",
      query: new URLSearchParams(),
      headers: { "content-type": "application/json", authorization: "pk_sandbox_x" },
      body: JSON.stringify({
        method: "payment-card",
        paymentInstrument: { pan: "4111111111111111", expMonth: 12, expYear: 2030 },
      }),
    }
    expect(OpenApi.checkRequest(good).problems).toEqual([])
    const body = (value: unknown) => ({ ...good, body: JSON.stringify(value) })
    const refused = [
      body({ method: "payment-card", paymentInstrument: { pan: "4111111111111111", expMonth: "12", expYear: 2030 } }),
      body({ method: "payment-card", paymentInstrument: { pan: "4111111111111111", expYear: 2030 } }),
      body({ method: "payment-card", isUsed: false, paymentInstrument: { pan: "4", expMonth: 1, expYear: 2030 } }),
      body({ method: "payment-card", paymentInstrument: { last4: "1111", expMonth: 1, expYear: 2030 } }),
      body({
        method: "payment-card",
        paymentInstrument: { expMonth: 1, expYear: 2030 },
        billingAddress: { country: "USA" },
      }),
      { ...good, headers: { authorization: "pk_sandbox_x" } },
      { ...good, headers: { "content-type": "application/json" } },
      { ...good, path: "/organizations/org-test/tokens" },
      { ...good, method: "PUT" },
      { ...good, method: "GET", path: "/tokens", body: "", headers: { authorization: "pk_sandbox_x" } },
      {
        ...good,
        method: "GET",
        path: "/tokens",
        body: "",
        headers: { "reb-apikey": "sk" },
        query: new URLSearchParams("limit=5000"),
      },
      {
        ...good,
        method: "GET",
        path: "/tokens",
        body: "",
        headers: { "reb-apikey": "sk" },
        query: new URLSearchParams("sort=id"),
      },
      { ...good, method: "GET", path: "/tokens/abc", body: "", headers: { authorization: "Bearer pk_sandbox_x" } },
    ]
    for (const [i, request] of refused.entries()) {
      expect(OpenApi.checkRequest(request).problems.length, `refused request ${i}`).toBeGreaterThan(0)
    }
  })
})

// ---------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------

const decoders: Readonly<Record<string, Schema.Schema.AnyNoContext>> = {
  PostToken: Wire.CardTokenAnswer,
  GetToken: Wire.TokenAnswer,
  GetTokenCollection: Wire.TokenListAnswer,
  PostDigitalWalletValidation: Wire.DigitalWalletValidationAnswer,
  PostTransaction: Wire.TransactionAnswer,
  PostPaymentInstrument: Wire.PaymentInstrumentAnswer,
}

/** Each status the adapter maps, with the body the spec declares for it. */
const refusals: ReadonlyArray<readonly [string, number, unknown]> = [
  [
    "PostToken",
    422,
    {
      type: "about:blank",
      title: "Invalid",
      status: 422,
      detail: "d",
      invalidFields: [{ field: "paymentInstrument.expMonth", message: "required" }],
    },
  ],
  ["PostToken", 429, { type: "about:blank", title: "Rate Limit Exceeded", status: 429, detail: "d" }],
  ["GetToken", 404, { type: "about:blank", title: "Not Found", status: 404, detail: "d" }],
  ["GetTokenCollection", 401, { type: "about:blank", title: "Unauthorized", status: 401, detail: "d" }],
  ["PostTransaction", 409, { type: "about:blank", title: "Conflict", status: 409, detail: "d" }],
  ["PostPaymentInstrument", 403, { type: "about:blank", title: "Forbidden", status: 403, detail: "d" }],
]

describe("answers against the OpenAPI snapshot", () => {
  it("the answers the tests stand on fit the spec and decode with the adapter's Schemas", () => {
    for (const [operationId, { status, body }] of Object.entries(answers)) {
      expect(OpenApi.checkAnswer(operationId, status, body), operationId).toEqual([])
      const decoder = decoders[operationId] as Schema.Schema.AnyNoContext
      expect(
        Either.isRight(Schema.decodeUnknownEither(decoder, { onExcessProperty: "ignore" })(body)),
        operationId,
      ).toBe(true)
    }
    for (const [operationId, status, body] of refusals) {
      expect(OpenApi.checkAnswer(operationId, status, body), `${operationId} ${status}`).toEqual([])
      expect(Either.isRight(Schema.decodeUnknownEither(Wire.Problem)(body))).toBe(true)
    }
  })

  it.effect("the simulator's answers to the adapter fit the spec and decode with the adapter's Schemas", () =>
    Effect.gen(function* () {
      const exchanges: Array<{
        readonly request: SimulatedHttp.WireRequest
        readonly answer: SimulatedHttp.WireAnswer
      }> = []
      const simulator = yield* RebillySimulator.make({
        organizationId,
        secretKeys: [keys.secretKey],
        publishableKeys: [keys.publishableKey],
        jwts: [keys.jwt],
        seed: "spec",
      })
      const base = RebillySimulator.sandboxBaseUrl(organizationId)
      const recording: SimulatedHttp.Handler = (request) =>
        Effect.tap(simulator.handle(request), (answer) => Effect.sync(() => exchanges.push({ request, answer })))
      const services = Layer.merge(
        Layer.succeed(HttpClient.HttpClient, InProcessHttpClient.make(recording, base)),
        config({ baseUrl: base }, ["secretKey", "publishableKey"]),
      )
      const client = yield* RebillyClient.make.pipe(Effect.provide(services))
      const gateway = yield* RebillyGateway.make.pipe(Effect.provide(services))
      const billingAddress = { firstName: "Jane", lastName: "Roe", country: "US" }
      const mint = Effect.map(client.createToken({ card, billingAddress }), (created) => created.value.id)
      const first = yield* mint
      yield* client.getToken(first)
      // The payment vaults the card for cus-1; cus-2's first instrument is new (201), its second an update (303).
      const use = (token: string, operation: "payment" | "instrument", reference: string) =>
        Effect.either(
          gateway.use({
            tokenId: TokenId.make(token),
            owner: OwnerRef.make(operation === "payment" ? "cus-1" : "cus-2"),
            type: "card",
            operation,
            reference: UseReference.make(reference),
            amount: { amount: 1000, currency: "USD" },
          }),
        )
      yield* use(first, "payment", "order-1")
      yield* use(first, "payment", "order-2")
      yield* use(yield* mint, "instrument", "save-1")
      yield* use(yield* mint, "instrument", "save-2")
      yield* client.validateApplePay({
        validationUrl: "https://apple-pay-gateway.apple.com/paymentservices/startSession",
        domainName: "www.example.com",
        displayName: "My Store",
      })
      const lapsing = yield* mint
      yield* TestClock.adjust("31 minutes")
      yield* client.getToken(lapsing)
      yield* Stream.runDrain(client.tokens(2))
      yield* Effect.either(client.getToken("no-such-token"))
      yield* simulator.exhaustRateLimit
      yield* Effect.either(client.createToken({ card, billingAddress }))

      const statuses = new Set<string>()
      for (const [i, { request, answer }] of exchanges.entries()) {
        expect(OpenApi.checkRequest(request).problems, `request ${i}`).toEqual([])
        if (answer._tag === "Drop") continue
        const operationId = OpenApi.route(request.method, request.path)?.operation.operationId ?? ""
        statuses.add(`${operationId} ${answer.status}`)
        const body = answer.body === "" ? undefined : JSON.parse(answer.body)
        expect(
          OpenApi.checkAnswer(operationId, answer.status, body),
          `answer ${i}: ${operationId} ${answer.status}`,
        ).toEqual([])
        const decoder = answer.status < 400 ? decoders[operationId] : Wire.Problem
        if (decoder !== undefined && body !== undefined) {
          const decoded = Schema.decodeUnknownEither(decoder, { onExcessProperty: "ignore" })(body)
          expect(Either.isRight(decoded), `answer ${i} decodes`).toBe(true)
        }
      }
      expect([...statuses].sort()).toEqual([
        "GetToken 200",
        "GetToken 404",
        "GetTokenCollection 200",
        "PostDigitalWalletValidation 201",
        "PostPaymentInstrument 201",
        "PostPaymentInstrument 303",
        "PostToken 201",
        "PostToken 429",
        "PostTransaction 201",
        "PostTransaction 422",
      ])
    }).pipe(Effect.scoped),
  )

  it("an answer with the write-only card fields does not fit the spec, and the adapter refuses it", () => {
    const echoed = cardToken({
      paymentInstrument: { pan: "4111111111111111", cvv: "123", expMonth: 12, expYear: 2030 },
    })
    expect(OpenApi.checkAnswer("PostToken", 201, echoed)).toEqual([
      "paymentInstrument.pan is write-only",
      "paymentInstrument.cvv is write-only",
    ])
    expect(Either.isLeft(Schema.decodeUnknownEither(Wire.CardTokenAnswer)(echoed))).toBe(true)
  })
})

// ---------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------

const schema = (name: string) => `#/components/schemas/${name}`

describe("wire Schemas against the spec's", () => {
  it("request bodies: the spec's fields, types, limits and required fields, nothing read-only", () => {
    const cases: ReadonlyArray<readonly [string, Schema.Schema.Any, string]> = [
      ["CardTokenRequest", Wire.CardTokenRequest, schema("PaymentCardToken")],
      ["DigitalWalletValidationRequest", Wire.DigitalWalletValidationRequest, schema("ApplePayValidation")],
      [
        "TransactionRequest",
        Wire.TransactionRequest,
        "#/components/requestBodies/TransactionRequest/content/application~1json/schema",
      ],
      ["PaymentInstrumentRequest", Wire.PaymentInstrumentRequest, schema("PaymentInstrumentCreateToken")],
    ]
    for (const [name, ours, pointer] of cases) {
      expect(agree(ours, [pointer], "request").problems, name).toEqual([])
    }
  })

  it("answers: the spec's fields and types, nothing write-only, every field it requires; what more, listed", () => {
    const cases: ReadonlyArray<readonly [keyof typeof Wire.requiredBeyondSpec, Schema.Schema.Any, string]> = [
      ["CardToken", Wire.CardToken, schema("PaymentCardToken")],
      ["TransactionAnswer", Wire.TransactionAnswer, schema("Transaction")],
      ["PaymentInstrumentAnswer", Wire.PaymentInstrumentAnswer, schema("PaymentCard")],
      ["DigitalWalletValidationAnswer", Wire.DigitalWalletValidationAnswer, schema("ApplePayValidation")],
    ]
    for (const [name, ours, pointer] of cases) {
      const verdict = agree(ours, [pointer], "answer")
      expect(verdict.problems, name).toEqual([])
      expect([...verdict.requiredBeyondSpec].sort(), name).toEqual([...Wire.requiredBeyondSpec[name]].sort())
    }
    const problem = agree(Wire.Problem, [schema("ValidationError"), schema("Error")], "answer")
    expect(problem).toEqual({ problems: [], requiredBeyondSpec: [] })
  })

  it("a token of another method is read by the fields every other method has, and its method", () => {
    const members = (OpenApi.at(schema("CompositeToken")).anyOf as Array<{ $ref: string }>)
      .map((member) => member.$ref)
      .filter((pointer) => pointer !== schema("PaymentCardToken"))
    expect(members.length).toBeGreaterThan(5)
    for (const pointer of members) {
      const verdict = agree(Wire.OtherToken, [pointer], "answer", { requiredSuperset: false })
      expect(verdict.problems, pointer).toEqual([])
      expect([...verdict.requiredBeyondSpec].sort(), pointer).toEqual([...Wire.requiredBeyondSpec.OtherToken].sort())
    }
  })

  it("the comparison is not vacuous: a Schema that drifts from the spec is caught", () => {
    const drifted = Schema.Struct({
      method: Schema.Literal("payment-card", "card"),
      paymentInstrument: Schema.Struct({
        pan: Schema.String,
        expMonth: Schema.String,
        bin: Schema.String,
      }),
      billingAddress: Schema.Struct({ firstName: Schema.String.pipe(Schema.maxLength(100)) }),
      isUsed: Schema.Boolean,
      nickname: Schema.String,
    })
    expect(agree(drifted, [schema("PaymentCardToken")], "request").problems).toEqual([
      'method: "card" is not in the spec\'s enum',
      "paymentInstrument.expMonth: string where the spec has integer",
      "paymentInstrument.bin: read-only in the spec",
      "paymentInstrument.expYear: required by the spec, optional here",
      "billingAddress.firstName: maxLength 100, the spec's 45",
      'billingAddress.firstName: pattern undefined, the spec\'s "^[\\\\u0000-\\\\uFFFF]+$"',
      "isUsed: read-only in the spec",
      "nickname: not in the spec",
    ])
    const answer = agree(
      Schema.Struct({ id: Schema.String, paymentInstrument: Schema.Struct({ cvv: Schema.String }) }),
      [schema("PaymentCardToken")],
      "answer",
    )
    expect(answer.problems).toContain("paymentInstrument.cvv: write-only in the spec")
    expect(answer.problems).toContain("method: required by the spec, optional here")
  })
})
