/**
 * The Zai simulator held against Zai's official OpenAPI file (the adapter's vendored copy):
 * every endpoint it answers is the spec's, with the same method and operation id; its answers
 * carry only fields the spec names (in a schema or an example); and a request missing any field
 * the spec requires is refused without creating anything.
 */
import { readFileSync } from "node:fs"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { parse } from "yaml"
import * as ZaiEndpoints from "../../src/simulators/zai/ZaiEndpoints.js"
import * as ZaiHttpClient from "../../src/simulators/zai/ZaiHttpClient.js"
import { defaultAuthBaseUrl, defaultBaseUrl, ZaiSimulator } from "../../src/simulators/zai/ZaiSimulator.js"
import { exchange as send } from "./Answers.js"
import { clientCredentials } from "./ZaiGrant.js"

interface Operation {
  readonly operationId: string
  readonly requestBody?: { readonly content: Record<string, { readonly schema: { readonly $ref: string } }> }
  readonly responses: Record<
    string,
    {
      readonly content?: Record<
        string,
        { readonly schema: Schema; readonly examples?: Record<string, { readonly value: unknown }> }
      >
    }
  >
}

interface Schema {
  readonly $ref?: string
  readonly required?: ReadonlyArray<string>
  readonly properties?: Record<string, Schema>
}

const spec = parse(readFileSync(new URL("../../../adapters-zai/spec/openapi.yaml", import.meta.url), "utf8")) as {
  readonly paths: Record<string, Record<string, Operation>>
  readonly components: { readonly schemas: Record<string, Schema> }
}

const resolve = (schema: Schema): Schema =>
  schema.$ref === undefined ? schema : (spec.components.schemas[schema.$ref.split("/").at(-1) ?? ""] ?? {})

const operation = (endpoint: ZaiEndpoints.Endpoint): Operation => {
  const route = ZaiEndpoints.routes[endpoint]
  const found = spec.paths[route.path]?.[route.method.toLowerCase()]
  if (found === undefined) throw new Error(`${route.method} ${route.path} is not in the spec`)
  return found
}

/** The fields the spec names for the answer at `path` (keys inside the wrapper): its schema's and its examples'. */
const specifiedFields = (endpoint: ZaiEndpoints.Endpoint, status: string, ...path: ReadonlyArray<string>) => {
  const content = operation(endpoint).responses[status]?.content?.["application/json"]
  if (content === undefined) throw new Error(`no ${status} answer for ${endpoint}`)
  let schema: Schema | undefined = resolve(content.schema)
  for (const key of path) schema = schema?.properties?.[key] === undefined ? undefined : resolve(schema.properties[key])
  const examples = Object.values(content.examples ?? {}).map((example) =>
    path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], example.value),
  )
  return new Set([
    ...Object.keys(schema?.properties ?? {}),
    ...examples.flatMap((value) => (typeof value === "object" && value !== null ? Object.keys(value) : [])),
  ])
}

const requiredFields = (endpoint: ZaiEndpoints.Endpoint): ReadonlyArray<string> => {
  const body = operation(endpoint).requestBody?.content["application/json"]
  return body === undefined ? [] : (resolve(body.schema).required ?? [])
}

const client = { clientId: "spec-client", clientSecret: "spec-secret", scope: "im-au-04/spec" }
const simulator = ZaiHttpClient.layerWithSimulator({ clients: [client], seed: "zai-spec" })

const credentials = clientCredentials(client)

const post = (token: string, path: string, body: unknown) =>
  send(
    HttpClientRequest.post(`${defaultBaseUrl}${path}`).pipe(
      HttpClientRequest.bearerToken(token),
      HttpClientRequest.bodyUnsafeJson(body),
    ),
  )

const get = (token: string, path: string) =>
  send(HttpClientRequest.get(`${defaultBaseUrl}${path}`).pipe(HttpClientRequest.bearerToken(token)))

const bodies = {
  user: { id: "buyer-1", first_name: "Bella", last_name: "Buyer", email: "bella@example.com", country: "AUS" },
  card: {
    user_id: "buyer-1",
    full_name: "Bella Buyer",
    number: "4111111111111111",
    expiry_month: "12",
    expiry_year: "2040",
    cvv: "123",
  },
  bank: {
    user_id: "buyer-1",
    bank_name: "Bank of Australia",
    account_name: "Bella Buyer",
    routing_number: "111123",
    account_number: "111234",
    account_type: "checking",
    holder_type: "personal",
    country: "AUS",
  },
  tokenAuth: { token_type: "card", user_id: "buyer-1" },
}

const without = (body: Record<string, string>, field: string) =>
  Object.fromEntries(Object.entries(body).filter(([key]) => key !== field))

const setUp = Effect.gen(function* () {
  const issued = yield* send(
    HttpClientRequest.post(`${defaultAuthBaseUrl}/tokens`).pipe(HttpClientRequest.bodyUnsafeJson(credentials)),
  )
  const token = issued.json.access_token as unknown as string
  return { issued, token, user: yield* post(token, "/users", bodies.user) }
})

describe("Zai simulator against the official spec", () => {
  it("answers only the spec's endpoints, with their methods and operation ids", () => {
    for (const endpoint of ZaiEndpoints.endpoints) expect(operation(endpoint).operationId).toBe(endpoint)
  })

  it.effect("answers with fields the spec names", () =>
    Effect.gen(function* () {
      const { issued, token, user } = yield* setUp
      const within = (answer: object | undefined, fields: ReadonlySet<string>) =>
        expect(Object.keys(answer ?? {}).filter((key) => !fields.has(key))).toEqual([])

      within(issued.json, specifiedFields("token", "200"))
      within(user.json.users, specifiedFields("createUser", "201", "users"))
      within((yield* get(token, "/users/buyer-1")).json.users, specifiedFields("showUser", "200", "users"))
      const auth = yield* post(token, "/token_auths", bodies.tokenAuth)
      expect(Object.keys(auth.json.token_auth ?? {}).sort()).toEqual(
        [...specifiedFields("generateToken", "200", "token_auth")].sort(),
      )

      const accounts = [
        ["card_accounts", "card", bodies.card, "createCardAccount", "showCardAccount"],
        ["bank_accounts", "bank", bodies.bank, "createBankAccount", "showBankAccount"],
      ] as const
      for (const [wrapper, details, body, create, show] of accounts) {
        const created = yield* post(token, `/${wrapper}`, body)
        expect(created.status).toBe(201)
        within(created.json[wrapper], specifiedFields(create, "201", wrapper))
        const shown = (yield* get(token, `/${wrapper}/${created.json[wrapper]?.id}`)).json[wrapper]
        within(shown, specifiedFields(show, "200", wrapper))
        expect(shown?.[details]).toBeDefined()
        within(shown?.[details] as object, specifiedFields(show, "200", wrapper, details))
      }
    }).pipe(Effect.provide(simulator)),
  )

  it.effect("refuses a request missing any field the spec requires, and creates nothing", () =>
    Effect.gen(function* () {
      const sim = yield* ZaiSimulator
      const { token } = yield* setUp
      expect(requiredFields("token")).toEqual(Object.keys(credentials))
      for (const field of requiredFields("token")) {
        const answer = yield* send(
          HttpClientRequest.post(`${defaultAuthBaseUrl}/tokens`).pipe(
            HttpClientRequest.bodyUnsafeJson(without(credentials, field)),
          ),
        )
        expect([field, answer.status]).toEqual([field, 400])
      }
      const cases = [
        ["createUser", "/users", { ...bodies.user, id: "buyer-2", email: "other@example.com" }],
        ["generateToken", "/token_auths", bodies.tokenAuth],
        ["createCardAccount", "/card_accounts", bodies.card],
        ["createBankAccount", "/bank_accounts", bodies.bank],
      ] as const
      for (const [endpoint, path, body] of cases) {
        expect(requiredFields(endpoint).length).toBeGreaterThan(0)
        for (const field of requiredFields(endpoint)) {
          const answer = yield* post(token, path, without(body, field))
          expect([endpoint, field, answer.status, Object.keys(answer.json.errors ?? {}).length > 0]).toEqual([
            endpoint,
            field,
            422,
            true,
          ])
        }
      }
      expect(yield* sim.accessTokens).toHaveLength(1)
      expect(yield* sim.users).toHaveLength(1)
      expect(yield* sim.tokenAuths).toHaveLength(0)
      expect(yield* sim.cardAccounts).toHaveLength(0)
      expect(yield* sim.bankAccounts).toHaveLength(0)
    }).pipe(Effect.provide(simulator)),
  )
})
