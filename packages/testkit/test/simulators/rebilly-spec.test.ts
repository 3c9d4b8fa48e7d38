/**
 * The Rebilly simulator's answers checked against the official OpenAPI definition vendored with
 * the adapter (`packages/adapters-rebilly/spec/openapi.yaml`): every body validates against the
 * schema its operation declares for that status (JSON Schema 2020-12, as OpenAPI 3.1 uses), and
 * the headers it declares are there as integers.
 */
import { readFileSync } from "node:fs"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { Ajv2020 } from "ajv/dist/2020.js"
import * as Effect from "effect/Effect"
import { parse } from "yaml"
import * as RebillyHttpClient from "../../src/simulators/rebilly/RebillyHttpClient.js"
import { defaultBaseUrl, RebillySimulator } from "../../src/simulators/rebilly/RebillySimulator.js"

const specPath = new URL("../../../adapters-rebilly/spec/openapi.yaml", import.meta.url)

type Node = { readonly [key: string]: Node } & { readonly $ref?: string }

const spec: Node = parse(readFileSync(specPath, "utf8"), { maxAliasCount: -1 })

const ajv = new Ajv2020({
  strict: false,
  validateSchema: false,
  validateFormats: true,
  allErrors: true,
  logger: false,
  formats: {
    "date-time": /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/,
    date: /^\d{4}-\d\d-\d\d$/,
    uri: /^[a-z][a-z0-9+.-]*:/i,
    bin: /^\d{6,8}$/,
    email: /^[^@\s]+@[^@\s]+$/,
    double: true,
  },
})
ajv.addSchema(spec as object, "spec")

const pointer = (...parts: ReadonlyArray<string>): string =>
  parts.map((part) => part.replaceAll("~", "~0").replaceAll("/", "~1")).join("/")

/** The response object of `method path` for `status`, following a `$ref` into `components/responses`. */
const responseOf = (path: string, method: string, status: number): { readonly at: string; readonly node: Node } => {
  const declared = spec.paths?.[path]?.[method]?.responses?.[String(status)]
  if (declared === undefined) throw new Error(`${method} ${path} declares no ${status}`)
  if (declared.$ref === undefined)
    return { at: `#/${pointer("paths", path, method, "responses", String(status))}`, node: declared }
  const name = declared.$ref.replace("#/components/responses/", "")
  const node = spec.components?.responses?.[name]
  if (node === undefined) throw new Error(`unresolved ${declared.$ref}`)
  return { at: `#/${pointer("components", "responses", name)}`, node }
}

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

/** Checks `answer` against what `method path` declares for its status: body schema and headers. */
const conforms = (path: string, method: string, answer: Answer) => {
  const { at, node } = responseOf(path, method, answer.status)
  const validate = ajv.getSchema(`spec${at}/content/application~1json/schema`)
  if (validate === undefined) throw new Error(`no schema for ${method} ${path} ${answer.status}`)
  const valid = validate(answer.body)
  expect(validate.errors ?? [], `${method} ${path} ${answer.status}`).toEqual([])
  expect(valid).toBe(true)
  for (const header of Object.keys(node.headers ?? {})) {
    const value = answer.headers[header.toLowerCase()]
    expect(value, `${method} ${path} ${answer.status} header ${header}`).toBeDefined()
    if (header !== "Location") expect(value).toMatch(/^\d+$/)
  }
}

const secretKey = "sk_sandbox_spec"
const publishableKey = "pk_sandbox_spec"

const call = (method: "GET" | "POST", path: string, key: "secret" | "publishable" | "none", body?: unknown) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const url = `${defaultBaseUrl}${path}`
    const request = (method === "GET" ? HttpClientRequest.get(url) : HttpClientRequest.post(url)).pipe(
      HttpClientRequest.setHeaders(
        key === "secret" ? { "REB-APIKEY": secretKey } : key === "publishable" ? { Authorization: publishableKey } : {},
      ),
    )
    const response = yield* client.execute(
      body === undefined ? request : HttpClientRequest.bodyUnsafeJson(request, body),
    )
    return { status: response.status, headers: response.headers, body: yield* response.json } as Answer
  })

const card = (overrides: Record<string, unknown> = {}) => ({
  method: "payment-card",
  paymentInstrument: { pan: "4111111111111111", cvv: "123", expMonth: 12, expYear: 2031 },
  billingAddress: {
    firstName: "Jane",
    lastName: "Doe",
    country: "US",
    postalCode: "10001",
    emails: [{ label: "main", value: "jane@example.com", primary: true }],
  },
  riskMetadata: { ipAddress: "203.0.113.7", fingerprint: "d08017affcb9a46d2a23976edafe8f84" },
  leadSource: { source: "newsletter" },
  ...overrides,
})

/** A sale paid with `token`, always with the same `requestId`. */
const saleWith = (token: string, amount: number) =>
  call("POST", "/transactions", "secret", {
    type: "sale",
    websiteId: "web_1",
    customerId: "cus_1",
    currency: "USD",
    amount,
    requestId: "spec-1",
    paymentInstruction: { token },
  })

const layer = RebillyHttpClient.layerWithSimulator({
  secretKeys: [secretKey],
  publishableKeys: [publishableKey],
  seed: "spec",
  rateLimit: { limit: 12, window: "10 minutes" },
})

describe("Rebilly simulator answers, against the official OpenAPI definition", () => {
  it("the check has teeth: a token of the wrong shape or a problem without its status fails it", () => {
    const token = ajv.getSchema(`spec${responseOf("/tokens", "post", 201).at}/content/application~1json/schema`)
    const ok = { method: "payment-card", id: "ABC", isUsed: false, paymentInstrument: { expMonth: 1, expYear: 2030 } }
    expect(token?.(ok)).toBe(true)
    expect(token?.({ ...ok, isUsed: "no" })).toBe(false)
    expect(token?.({ ...ok, usageTime: "yesterday" })).toBe(false)
    expect(token?.({ ...ok, paymentInstrument: { ...ok.paymentInstrument, brand: "Visa Electron" } })).toBe(false)
    const problem = ajv.getSchema(`spec${responseOf("/tokens", "post", 422).at}/content/application~1json/schema`)
    expect(problem?.({ title: "x", status: 422, invalidFields: [{ field: "a", message: "b" }] })).toBe(true)
    expect(problem?.({ title: "x", status: 400 })).toBe(false)
    expect(problem?.({ title: "x", status: 422, invalidFields: "a" })).toBe(false)
  })

  it.effect("tokens: created, read, listed, used and expired; their problems", () =>
    Effect.gen(function* () {
      yield* Effect.flatMap(RebillySimulator, (sim) => sim.setTime(Date.UTC(2026, 5, 1, 12, 0, 0)))
      const created = yield* call("POST", "/tokens", "publishable", card())
      expect(created.status).toBe(201)
      conforms("/tokens", "post", created)
      const id = (created.body as { id: string }).id
      conforms("/tokens/{token}", "get", yield* call("GET", `/tokens/${id}`, "publishable"))
      conforms("/tokens", "post", yield* call("POST", "/tokens", "secret", card({ billingAddress: undefined })))

      const instrument = yield* call("POST", "/payment-instruments", "secret", { customerId: "cus_1", token: id })
      expect(instrument.status).toBe(201)
      conforms("/payment-instruments", "post", instrument)
      const again = yield* call("POST", "/tokens", "publishable", card())
      const updated = yield* call("POST", "/payment-instruments", "secret", {
        customerId: "cus_1",
        token: (again.body as { id: string }).id,
      })
      expect(updated.status).toBe(303)
      conforms("/payment-instruments", "post", updated)

      const third = (yield* call("POST", "/tokens", "publishable", card())).body as { id: string }
      const sale = yield* saleWith(third.id, 10)
      expect(sale.status).toBe(201)
      conforms("/transactions", "post", sale)

      yield* Effect.flatMap(RebillySimulator, (sim) => sim.advanceClock("31 minutes"))
      const list = yield* call("GET", "/tokens?limit=10", "secret")
      expect((list.body as ReadonlyArray<{ isUsed: boolean }>).map((t) => t.isUsed)).toEqual([true, true, false, true])
      conforms("/tokens", "get", list)

      conforms("/tokens", "post", yield* call("POST", "/tokens", "none", card()))
      conforms("/tokens", "get", yield* call("GET", "/tokens", "publishable"))
      conforms("/tokens/{token}", "get", yield* call("GET", "/tokens/NOPE", "publishable"))
      const invalid = yield* call("POST", "/tokens", "publishable", card({ paymentInstrument: { pan: "4111" } }))
      expect(invalid.status).toBe(422)
      conforms("/tokens", "post", invalid)
      conforms("/transactions", "post", yield* call("POST", "/transactions", "secret", { type: "sale" }))
      const clash = yield* saleWith(third.id, 11)
      expect(clash.status).toBe(409)
      conforms("/transactions", "post", clash)
    }).pipe(Effect.provide(layer)),
  )

  it.effect("digital-wallet validation and the rate limit's 429", () =>
    Effect.gen(function* () {
      const validation = yield* call("POST", "/digital-wallets/validation", "publishable", {
        type: "Apple Pay",
        validationRequest: {
          validationUrl: "https://apple-pay-gateway.apple.com/paymentservices/startSession",
          domainName: "www.example.com",
          displayName: "My Store",
        },
      })
      expect(validation.status).toBe(201)
      conforms("/digital-wallets/validation", "post", validation)
      yield* Effect.flatMap(RebillySimulator, (sim) => sim.exhaustRateLimit)
      const limited = yield* call("POST", "/tokens", "publishable", card())
      expect(limited.status).toBe(429)
      conforms("/tokens", "post", limited)
    }).pipe(Effect.provide(layer)),
  )
})
