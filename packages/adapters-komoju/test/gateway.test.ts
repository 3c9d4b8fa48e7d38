/**
 * The KOMOJU gateway against a scripted KOMOJU: the exact bytes it sends (path, headers, body),
 * what it refuses before sending, how it reads each answer, and that every retry carries the
 * idempotency key of the first attempt.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Capabilities from "@token-lifecycle/domain/Capabilities"
import { parseCard } from "@token-lifecycle/domain/Card"
import { AccountRef, OwnerRef, TokenId, UseReference } from "@token-lifecycle/domain/Identifiers"
import type { UseRequest } from "@token-lifecycle/domain/TokenGateway"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import * as KomojuConfig from "../src/KomojuConfig.js"
import * as KomojuGateway from "../src/KomojuGateway.js"

const secretKey = "sk_test_0f3a9c1e77d24b5a8e6f"
const publishableKey = "pk_test_5c2b8e1d90aa4f37b1c4"
const pan = "4111111111111111"
const cvv = "4829"
const start = Date.UTC(2026, 5, 1, 9, 30)
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`

type Reply = { readonly status: number; readonly body: unknown } | "drop"

interface Sent {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
}

/** KOMOJU, scripted: one reply per request (the last one repeats); every request is kept as sent. */
const scriptedKomoju = (
  replies: ReadonlyArray<Reply>,
  options: { readonly publishableKey?: string | undefined; readonly secretKey?: string; readonly capture?: boolean } = {
    publishableKey,
  },
) =>
  Effect.gen(function* () {
    const sent = yield* Ref.make<ReadonlyArray<Sent>>([])
    const client = HttpClient.make((request) =>
      Effect.gen(function* () {
        const text = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
        const before = yield* Ref.getAndUpdate(sent, (all) => [
          ...all,
          { method: request.method, url: request.url, headers: { ...request.headers }, text },
        ])
        const reply = replies[Math.min(before.length, replies.length - 1)] as Reply
        if (reply === "drop") {
          return yield* new HttpClientError.RequestError({ request, reason: "Transport", description: "reset" })
        }
        return HttpClientResponse.fromWeb(request, new Response(JSON.stringify(reply.body), { status: reply.status }))
      }),
    )
    const gateway = yield* KomojuGateway.make.pipe(
      Effect.provide(
        Layer.mergeAll(
          Layer.succeed(HttpClient.HttpClient, client),
          KomojuConfig.layer({
            secretKey: Redacted.make(options.secretKey ?? secretKey),
            ...(options.publishableKey === undefined ? {} : { publishableKey: Redacted.make(options.publishableKey) }),
            timeout: "5 seconds",
            ...(options.capture === undefined ? {} : { capture: options.capture }),
          }),
        ),
      ),
    )
    return { gateway, sent: Ref.get(sent) }
  })

/** Run `effect` while the test clock moves a minute on: long enough for every retry's pause. */
const withRetries = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(Effect.either(effect))
    yield* TestClock.adjust("1 minute")
    return yield* Fiber.join(fiber)
  })

const card = (expiry = { month: 12, year: 2030 }, holderName: string | null = "TARO YAMADA") =>
  Either.getOrThrow(parseCard({ number: pan, cvv, expiry, ...(holderName === null ? {} : { holderName }) }))

const owner = OwnerRef.make("customer_123")
const issueRequest = {
  account: AccountRef.make("merchant-1"),
  owner,
  type: "card" as const,
  card: card(),
  customer: { email: "taro@example.com" },
  idempotencyKey: "idem-issue-1",
}

const tokenAnswer = {
  status: 200,
  body: {
    id: "tok_donqjgn5pzgaeepqztogwdjdu",
    resource: "token",
    created_at: "2026-06-01T09:30:00Z",
    payment_details: { type: "credit_card", brand: "visa", last_four_digits: "1111" },
  },
}

const tokenId = TokenId.make("tok_donqjgn5pzgaeepqztogwdjdu")

const paymentAnswer = (status: string, extra: object = {}) => ({
  status: 200,
  body: {
    id: "pay_7q3p2",
    resource: "payment",
    status,
    amount: 2500,
    currency: "JPY",
    external_order_num: "order-42",
    payment_details: { type: "credit_card", brand: "visa", last_four_digits: "1111" },
    ...extra,
  },
})

const payment: UseRequest = {
  tokenId,
  owner,
  type: "card",
  operation: "payment",
  reference: UseReference.make("order-42"),
  amount: { amount: 2500, currency: "JPY" },
}

const errorAnswer = (status: number, code: string, param: string | null = null) => ({
  status,
  body: { error: { code, message: `${code} happened`, param } },
})

describe("creating a token", () => {
  it.effect("sends the card to POST /tokens with the publishable key, the API version and the idempotency key", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const { gateway, sent } = yield* scriptedKomoju([tokenAnswer])
      expect(yield* gateway.issue(issueRequest)).toStrictEqual({
        _tag: "Issued",
        tokenId,
        issuedAt: Date.UTC(2026, 5, 1, 9, 30),
      })
      const [request] = yield* sent
      expect(request?.method).toBe("POST")
      expect(request?.url).toBe("https://komoju.com/api/v1/tokens")
      expect(request?.headers).toMatchObject({
        authorization: basic(publishableKey),
        "x-komoju-api-version": KomojuConfig.defaultApiVersion,
        "x-komoju-idempotency": "idem-issue-1",
        "content-type": "application/json",
      })
      expect(JSON.parse(request?.text ?? "")).toStrictEqual({
        payment_details: {
          type: "credit_card",
          number: pan,
          month: 12,
          year: 2030,
          verification_value: cvv,
          name: "TARO YAMADA",
          email: "taro@example.com",
        },
      })
    }),
  )

  it.effect("without a publishable key the secret key creates tokens; names may come from the customer", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const { gateway, sent } = yield* scriptedKomoju([tokenAnswer], { publishableKey: undefined })
      yield* gateway.issue({
        ...issueRequest,
        card: card(undefined, null),
        customer: { firstName: "Taro", lastName: "Yamada" },
      })
      const [request] = yield* sent
      expect(request?.headers.authorization).toBe(basic(secretKey))
      expect(JSON.parse(request?.text ?? "").payment_details).toMatchObject({
        given_name: "Taro",
        family_name: "Yamada",
      })
    }),
  )

  it.effect(
    "refuses before sending: another type, no card, a card past its month, no name, a bad idempotency key",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(start)
        const { gateway, sent } = yield* scriptedKomoju([tokenAnswer])
        const { card: _card, ...noCard } = issueRequest
        const refusals = [
          yield* Effect.flip(gateway.issue({ ...issueRequest, type: "bank" })),
          yield* Effect.flip(gateway.issue(noCard)),
          yield* Effect.flip(gateway.issue({ ...issueRequest, card: card({ month: 5, year: 2026 }) })),
          yield* Effect.flip(gateway.issue({ ...issueRequest, card: card(undefined, null), customer: {} })),
          yield* Effect.flip(gateway.issue({ ...issueRequest, idempotencyKey: "k".repeat(101) })),
          yield* Effect.flip(gateway.issue({ ...issueRequest, idempotencyKey: "clé-1" })),
          yield* Effect.flip(gateway.issue({ ...issueRequest, idempotencyKey: "" })),
        ]
        expect(refusals.map((error) => error._tag === "ProviderValidationError" && error.fields[0]?.field)).toEqual([
          "type",
          "payment_details",
          "payment_details.year",
          "payment_details.name",
          "idempotencyKey",
          "idempotencyKey",
          "idempotencyKey",
        ])
        expect(yield* sent).toEqual([])
      }),
  )

  it.effect("an answer that is not a token, or has no readable creation time, is a protocol error", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      for (const body of [
        { ...tokenAnswer.body, resource: "payment" },
        { ...tokenAnswer.body, created_at: "yesterday" },
        "<html>ok</html>",
      ]) {
        const { gateway } = yield* scriptedKomoju([{ status: 200, body }])
        expect((yield* Effect.flip(gateway.issue(issueRequest)))._tag).toBe("ProviderProtocolError")
      }
    }),
  )

  it.effect("a konbini token: store and email sent with the publishable key, the token is of type other", () =>
    Effect.gen(function* () {
      const { gateway, sent } = yield* scriptedKomoju([
        { status: 200, body: { ...tokenAnswer.body, payment_details: { type: "konbini", store: "lawson" } } },
      ])
      const created = yield* gateway.createToken({
        paymentDetails: { type: "konbini", store: "lawson", email: "taro@example.com", name: "Taro Yamada" },
        currency: "JPY",
        idempotencyKey: "idem-konbini-1",
      })
      expect(created).toStrictEqual({ tokenId, type: "other", issuedAt: Date.UTC(2026, 5, 1, 9, 30) })
      const [request] = yield* sent
      expect(request?.headers).toMatchObject({
        authorization: basic(publishableKey),
        "x-komoju-idempotency": "idem-konbini-1",
      })
      expect(JSON.parse(request?.text ?? "")).toStrictEqual({
        payment_details: { type: "konbini", store: "lawson", email: "taro@example.com", name: "Taro Yamada" },
        currency: "JPY",
      })
    }),
  )

  it.effect("a konbini token without a key of the caller's gets a generated one; a store KOMOJU lacks is refused", () =>
    Effect.gen(function* () {
      const { gateway, sent } = yield* scriptedKomoju([tokenAnswer])
      yield* gateway.createToken({ paymentDetails: { type: "konbini", store: "ministop", email: "a@example.com" } })
      yield* gateway.createToken({ paymentDetails: { type: "konbini", store: "ministop", email: "a@example.com" } })
      const keys = (yield* sent).map((request) => request.headers["x-komoju-idempotency"] ?? "")
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/)
      expect(keys[1]).not.toBe(keys[0])
      const store = "amazon" as KomojuGateway.KonbiniStore
      const refused = yield* Effect.flip(
        gateway.createToken({ paymentDetails: { type: "konbini", store, email: "a@example.com" } }),
      )
      expect(refused).toMatchObject({ _tag: "ProviderValidationError", fields: [{ field: "payment_details.store" }] })
      expect((yield* sent).length).toBe(2)
    }),
  )
})

describe("keys", () => {
  it.effect("a publishable key where the secret key belongs is refused before sending; so is the reverse", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const swapped = yield* scriptedKomoju([tokenAnswer], { publishableKey: secretKey, secretKey: publishableKey })
      const onToken = yield* Effect.flip(swapped.gateway.issue(issueRequest))
      const onPayment = yield* Effect.flip(swapped.gateway.use(payment))
      expect([onToken._tag, onPayment._tag]).toEqual(["ProviderUnauthorized", "ProviderUnauthorized"])
      expect(onToken.message).toBe("the key configured as the publishable key is a secret key; nothing was sent")
      expect(yield* swapped.sent).toEqual([])
      for (const error of [onToken, onPayment]) {
        const shown = `${JSON.stringify(error)} ${String(error)} ${error.message}`
        expect(shown.includes(secretKey) || shown.includes(publishableKey)).toBe(false)
      }
    }),
  )

  it.effect("keys whose prefix names no kind are taken as they are: the mode is never read from a key", () =>
    Effect.gen(function* () {
      const { gateway, sent } = yield* scriptedKomoju([paymentAnswer("captured")], {
        secretKey: "degica-opaque-key",
        publishableKey: undefined,
      })
      yield* gateway.use(payment)
      expect((yield* sent)[0]?.headers.authorization).toBe(basic("degica-opaque-key"))
    }),
  )

  it.effect("from Config: keys redacted, defaults filled in, a key of the wrong kind refused at start-up", () =>
    Effect.gen(function* () {
      const read = (entries: ReadonlyArray<readonly [string, string]>) =>
        Effect.either(
          Effect.withConfigProvider(
            Effect.flatMap(KomojuConfig.KomojuConfig, Effect.succeed).pipe(Effect.provide(KomojuConfig.layerConfig())),
            ConfigProvider.fromMap(new Map(entries)),
          ),
        )
      const read1 = yield* read([["KOMOJU_SECRET_KEY", secretKey]])
      expect(Either.isRight(read1)).toBe(true)
      if (Either.isRight(read1)) {
        expect(Redacted.value(read1.right.secretKey)).toBe(secretKey)
        expect(String(read1.right.secretKey)).not.toContain(secretKey)
        expect(read1.right).toMatchObject({
          baseUrl: "https://komoju.com/api/v1",
          apiVersion: KomojuConfig.defaultApiVersion,
          capture: true,
        })
        expect(read1.right).not.toHaveProperty("publishableKey")
      }
      const full = yield* read([
        ["KOMOJU_SECRET_KEY", secretKey],
        ["KOMOJU_PUBLISHABLE_KEY", publishableKey],
        ["KOMOJU_API_VERSION", "2024-07-15"],
        ["KOMOJU_CAPTURE", "false"],
        ["KOMOJU_TIMEOUT", "12 seconds"],
      ])
      expect(Either.isRight(full) && full.right.apiVersion).toBe("2024-07-15")
      expect(Either.isRight(full) && full.right.capture).toBe(false)
      expect(Either.isRight(full) && full.right.publishableKey !== undefined).toBe(true)
      expect(Either.isLeft(yield* read([["KOMOJU_SECRET_KEY", publishableKey]]))).toBe(true)
      const swapped = yield* read([
        ["KOMOJU_SECRET_KEY", secretKey],
        ["KOMOJU_PUBLISHABLE_KEY", secretKey],
      ])
      expect(Either.isLeft(swapped)).toBe(true)
      if (Either.isLeft(swapped)) expect(String(swapped.left)).not.toContain(secretKey)
      const webhookSecret = yield* Effect.withConfigProvider(
        KomojuConfig.webhookSecret,
        ConfigProvider.fromMap(new Map([["KOMOJU_WEBHOOK_SECRET", "whsec-from-env"]])),
      )
      expect(Redacted.value(webhookSecret)).toBe("whsec-from-env")
      expect(String(webhookSecret)).not.toContain("whsec-from-env")
    }),
  )
})

describe("using a token", () => {
  it.effect("a payment: the token id as payment_details, the reference as order number and idempotency key", () =>
    Effect.gen(function* () {
      const { gateway, sent } = yield* scriptedKomoju([paymentAnswer("captured")])
      expect(yield* gateway.use(payment)).toStrictEqual({
        reference: "order-42",
        providerReference: "pay_7q3p2",
        status: "succeeded",
      })
      const [request] = yield* sent
      expect(request?.url).toBe("https://komoju.com/api/v1/payments")
      expect(request?.headers).toMatchObject({
        authorization: basic(secretKey),
        "x-komoju-idempotency": "order-42",
        "x-komoju-api-version": KomojuConfig.defaultApiVersion,
      })
      expect(JSON.parse(request?.text ?? "")).toStrictEqual({
        amount: 2500,
        currency: "JPY",
        payment_details: "tok_donqjgn5pzgaeepqztogwdjdu",
        external_order_num: "order-42",
        capture: true,
        metadata: { token_lifecycle_token: "tok_donqjgn5pzgaeepqztogwdjdu", token_lifecycle_owner: "customer_123" },
      })
    }),
  )

  it.effect("authorized only when capture is off; authorized and pending are pending, failed is a decline", () =>
    Effect.gen(function* () {
      const authorizing = yield* scriptedKomoju([paymentAnswer("authorized")], { publishableKey, capture: false })
      expect((yield* authorizing.gateway.use(payment)).status).toBe("pending")
      expect(JSON.parse((yield* authorizing.sent)[0]?.text ?? "").capture).toBe(false)
      const pending = yield* scriptedKomoju([paymentAnswer("pending")])
      expect((yield* pending.gateway.use(payment)).status).toBe("pending")
      for (const status of ["failed", "cancelled", "expired"]) {
        const refused = yield* scriptedKomoju([paymentAnswer(status)])
        expect(yield* Effect.flip(refused.gateway.use(payment))).toMatchObject({
          _tag: "ProviderDeclined",
          code: `payment_${status}`,
        })
      }
    }),
  )

  it.effect("a payment answered for another order is a protocol error", () =>
    Effect.gen(function* () {
      const { gateway } = yield* scriptedKomoju([paymentAnswer("captured", { external_order_num: "order-7" })])
      expect((yield* Effect.flip(gateway.use(payment)))._tag).toBe("ProviderProtocolError")
    }),
  )

  it.effect("an instrument: POST /customers with the token, the customer id as the receipt's reference", () =>
    Effect.gen(function* () {
      const { gateway, sent } = yield* scriptedKomoju([
        {
          status: 200,
          body: { id: "cus_x81", resource: "customer", email: null, metadata: {}, created_at: "2026-06-01T09:31:00Z" },
        },
      ])
      const receipt = yield* gateway.use({
        tokenId,
        owner,
        type: "card",
        operation: "instrument",
        reference: UseReference.make("keep-card-1"),
        customer: { email: "taro@example.com" },
      })
      expect(receipt).toStrictEqual({ reference: "keep-card-1", providerReference: "cus_x81", status: "succeeded" })
      const [request] = yield* sent
      expect(request?.url).toBe("https://komoju.com/api/v1/customers")
      expect(request?.headers).toMatchObject({ authorization: basic(secretKey), "x-komoju-idempotency": "keep-card-1" })
      expect(JSON.parse(request?.text ?? "")).toStrictEqual({
        payment_details: "tok_donqjgn5pzgaeepqztogwdjdu",
        email: "taro@example.com",
        metadata: { token_lifecycle_token: "tok_donqjgn5pzgaeepqztogwdjdu", token_lifecycle_owner: "customer_123" },
      })
    }),
  )

  it.effect("refuses before sending: payouts and verifications, no amount, a bad amount or currency, bad ids", () =>
    Effect.gen(function* () {
      const { gateway, sent } = yield* scriptedKomoju([paymentAnswer("captured")])
      const { amount: _amount, ...noAmount } = payment
      const attempts = [
        gateway.use({ ...payment, operation: "payout" }),
        gateway.use({ ...payment, operation: "verification" }),
        gateway.use(noAmount),
        gateway.use({ ...payment, amount: { amount: 10.5, currency: "JPY" } }),
        gateway.use({ ...payment, amount: { amount: -1, currency: "JPY" } }),
        gateway.use({ ...payment, amount: { amount: 100, currency: "yen" } }),
        gateway.use({ ...payment, tokenId: TokenId.make("tok with spaces") }),
        gateway.use({ ...payment, reference: UseReference.make("r".repeat(101)) }),
      ]
      const refusals = yield* Effect.forEach(attempts, Effect.flip)
      expect(
        refusals.map((error) =>
          error._tag === "ProviderValidationError" ? error.fields[0]?.field : `${error._tag}: ${error.message}`,
        ),
      ).toEqual([
        "Unsupported: komoju does not support use for a payout",
        "Unsupported: komoju does not support use for a verification",
        "amount",
        "amount",
        "amount",
        "currency",
        "payment_details",
        "reference",
      ])
      expect(yield* sent).toEqual([])
    }),
  )

  it.effect("retrieve, list and revoke are Unsupported, and declared so at compile time", () =>
    Effect.gen(function* () {
      const { gateway, sent } = yield* scriptedKomoju([tokenAnswer])
      expect(Either.isRight(Capabilities.require(gateway, "issue", "use"))).toBe(true)
      // @ts-expect-error KOMOJU tokens cannot be revoked, so requiring it does not compile
      expect(Either.isLeft(Capabilities.require(gateway, "revoke"))).toBe(true)
      const refusals = [
        yield* Effect.flip(gateway.retrieve(tokenId, owner)),
        yield* Effect.flip(gateway.list({ offset: 0, limit: 10 })),
        yield* Effect.flip(gateway.revoke(tokenId, owner)),
      ]
      expect(refusals.map((error) => error._tag === "Unsupported" && error.operation)).toEqual([
        "retrieve",
        "list",
        "revoke",
      ])
      expect(yield* sent).toEqual([])
    }),
  )
})

describe("retries keep the idempotency key", () => {
  it.effect("a 409 (the same key in flight) is retried after a pause with the same key and body", () =>
    Effect.gen(function* () {
      const { gateway, sent } = yield* scriptedKomoju([errorAnswer(409, "conflict"), paymentAnswer("captured")])
      const result = yield* withRetries(gateway.use(payment))
      expect(Either.getOrThrow(result).status).toBe("succeeded")
      const requests = yield* sent
      expect(requests.length).toBe(2)
      // Each attempt is traced on its own; everything else is the same.
      const untraced = requests.map(({ headers: { traceparent: _t, b3: _b, ...headers }, ...rest }) => ({
        ...rest,
        headers,
      }))
      expect(untraced[1]).toStrictEqual(untraced[0])
    }),
  )

  it.effect("a 5xx, a dropped connection and a 429 are retried with the same key; a 4xx is not", () =>
    Effect.gen(function* () {
      const flaky = yield* scriptedKomoju([
        errorAnswer(503, "service_unavailable"),
        "drop",
        { status: 429, body: {} },
        tokenAnswer,
      ])
      yield* TestClock.setTime(start)
      expect(Either.isRight(yield* withRetries(flaky.gateway.issue(issueRequest)))).toBe(true)
      const keys = (yield* flaky.sent).map((request) => request.headers["x-komoju-idempotency"])
      expect(keys).toEqual(["idem-issue-1", "idem-issue-1", "idem-issue-1", "idem-issue-1"])
      const refused = yield* scriptedKomoju([errorAnswer(422, "missing_parameter", "currency"), tokenAnswer])
      const error = yield* withRetries(refused.gateway.use(payment))
      expect(Either.flip(error)).toStrictEqual(Either.right(expect.anything()))
      expect((yield* refused.sent).length).toBe(1)
    }),
  )

  it.effect("a key always in flight ends, after the retries, as ProviderUnavailable with status 409", () =>
    Effect.gen(function* () {
      const { gateway, sent } = yield* scriptedKomoju([errorAnswer(409, "conflict")])
      const result = yield* withRetries(gateway.use(payment))
      expect(Either.flip(result)).toMatchObject(Either.right({ _tag: "ProviderUnavailable", status: 409 }))
      const keys = new Set((yield* sent).map((request) => request.headers["x-komoju-idempotency"]))
      expect([...keys]).toEqual(["order-42"])
    }),
  )
})

describe("refusals", () => {
  it.effect.each([
    [422, "missing_parameter", "currency", { _tag: "ProviderValidationError", fields: [{ field: "currency" }] }],
    [422, "invalid_token", "payment_details", { _tag: "ProviderValidationError", providerCode: "invalid_token" }],
    [402, "card_declined", null, { _tag: "ProviderDeclined", code: "card_declined" }],
    [401, "unauthorized", null, { _tag: "ProviderUnauthorized" }],
    [404, "not_found", null, { _tag: "ProviderNotFound" }],
  ] as const)("HTTP %i %s becomes the typed error, its param kept", ([status, code, param, expected]) =>
    Effect.gen(function* () {
      const { gateway } = yield* scriptedKomoju([errorAnswer(status, code, param)])
      expect(yield* Effect.flip(gateway.use(payment))).toMatchObject(expected)
    }),
  )
})

describe("paying a session", () => {
  const session = { sessionId: "sess_9f2k1", tokenId, idempotencyKey: "idem-session-1" }

  it.effect("POST /sessions/{id}/pay with the token, the secret key and the idempotency key", () =>
    Effect.gen(function* () {
      const { gateway, sent } = yield* scriptedKomoju([
        {
          status: 200,
          body: {
            status: "completed",
            redirect_url: "https://example.test/return",
            payment: paymentAnswer("captured").body,
          },
        },
      ])
      expect(yield* gateway.paySession({ ...session, capture: "manual" })).toStrictEqual({
        status: "completed",
        redirectUrl: "https://example.test/return",
        paymentId: "pay_7q3p2",
      })
      const [request] = yield* sent
      expect(request?.url).toBe("https://komoju.com/api/v1/sessions/sess_9f2k1/pay")
      expect(request?.headers).toMatchObject({
        authorization: basic(secretKey),
        "x-komoju-idempotency": "idem-session-1",
      })
      expect(JSON.parse(request?.text ?? "")).toStrictEqual({
        payment_details: "tok_donqjgn5pzgaeepqztogwdjdu",
        capture: "manual",
      })
    }),
  )

  it.effect("anything short of completed is pending; a redirect is passed on", () =>
    Effect.gen(function* () {
      const { gateway } = yield* scriptedKomoju([
        { status: 200, body: { status: "pending", redirect_url: "https://komoju.test/3ds" } },
      ])
      expect(yield* gateway.paySession(session)).toStrictEqual({
        status: "pending",
        redirectUrl: "https://komoju.test/3ds",
      })
    }),
  )

  it.effect("an error answer, as text or as an error object, is a typed refusal", () =>
    Effect.gen(function* () {
      const asText = yield* scriptedKomoju([
        { status: 200, body: { status: "error", redirect_url: null, error: "declined" } },
      ])
      expect(yield* Effect.flip(asText.gateway.paySession(session))).toMatchObject({
        _tag: "ProviderDeclined",
        code: "error",
        message: "declined",
      })
      const asObject = yield* scriptedKomoju([
        {
          status: 200,
          body: { status: "error", error: { code: "bad_verification_value", message: "CVV", param: null } },
        },
      ])
      expect(yield* Effect.flip(asObject.gateway.paySession(session))).toMatchObject({
        _tag: "ProviderDeclined",
        code: "bad_verification_value",
      })
      const invalid = yield* scriptedKomoju([
        {
          status: 200,
          body: { status: "error", error: { code: "invalid_token", message: "bad", param: "payment_details" } },
        },
      ])
      expect(yield* Effect.flip(invalid.gateway.paySession(session))).toMatchObject({
        _tag: "ProviderValidationError",
        fields: [{ field: "payment_details" }],
      })
      const refused = yield* scriptedKomoju([{ status: 422, body: { error: "Session already completed" } }])
      expect(yield* Effect.flip(refused.gateway.paySession(session))).toMatchObject({
        _tag: "ProviderValidationError",
        message: "Session already completed",
      })
    }),
  )

  it.effect("a session id that could leave its path segment is refused before sending", () =>
    Effect.gen(function* () {
      const { gateway, sent } = yield* scriptedKomoju([{ status: 200, body: { status: "completed" } }])
      for (const sessionId of ["../payments", "sess/1", "sess 1", "", "sess?x=1"]) {
        expect(yield* Effect.flip(gateway.paySession({ ...session, sessionId }))).toMatchObject({
          _tag: "ProviderValidationError",
          fields: [{ field: "session" }],
        })
      }
      expect(yield* sent).toEqual([])
    }),
  )
})

describe("no card data or key leaves the adapter but in the request", () => {
  it.effect("no log line at any level, no error and no answer shows the card number, CVV or a key", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(start)
      const lines: Array<string> = []
      const logger = Logger.make(({ message, annotations }) => {
        lines.push(`${JSON.stringify(message)} ${JSON.stringify([...annotations])}`)
      })
      const echoing = (code: string) => ({
        status: 402,
        body: { error: { code, message: `card ${pan} refused`, param: `payment_details ${pan}` } },
      })
      const { gateway } = yield* scriptedKomoju([
        errorAnswer(503, "service_unavailable"),
        "drop",
        tokenAnswer,
        echoing("card_declined"),
        echoing("request_failed"),
      ])
      const outcomes = yield* Effect.all([
        withRetries(gateway.issue(issueRequest)),
        Effect.either(gateway.use(payment)),
        Effect.either(gateway.use(payment)),
        Effect.either(gateway.issue({ ...issueRequest, card: card({ month: 1, year: 2026 }) })),
      ]).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)), Logger.withMinimumLogLevel(LogLevel.All))
      expect(lines.length).toBeGreaterThan(0)
      const shown = [
        ...lines,
        ...outcomes.map((outcome) => JSON.stringify(outcome)),
        ...outcomes.map((outcome: Either.Either<unknown, unknown>) =>
          String(Either.isLeft(outcome) ? outcome.left : ""),
        ),
      ].join("\n")
      for (const secret of [pan, cvv, secretKey, publishableKey, basic(secretKey), basic(publishableKey)]) {
        expect(shown.includes(secret), "a card number, CVV or key shows").toBe(false)
      }
    }),
  )
})
