/**
 * The wire schemas against Zai's own OpenAPI file (`spec/openapi.yaml`, vendored unchanged): for
 * every operation the adapter calls, each field it sends or reads must exist in the spec's
 * definition with the same JSON type, enumerations must agree, and a request must require
 * exactly what the spec requires. Answers may require more than the spec (which marks nothing
 * required in them): where the recorded real answers show a field always there, this adapter
 * requires it, and the list of those fields is pinned here so widening it is a decision.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import { parse } from "yaml"
import * as Wire from "../src/internal/wire.js"

interface SpecSchema {
  readonly $ref?: string
  readonly type?: string
  readonly properties?: Readonly<Record<string, SpecSchema>>
  readonly required?: ReadonlyArray<string>
  readonly enum?: ReadonlyArray<unknown>
  readonly items?: SpecSchema
}

type Json = Readonly<Record<string, unknown>>

const spec = parse(readFileSync(new URL("../spec/openapi.yaml", import.meta.url), "utf8")) as Json

const at = (value: unknown, ...keys: ReadonlyArray<string>): unknown =>
  keys.reduce<unknown>((found, key) => (found as Json | undefined)?.[key], value)

const resolve = (schema: SpecSchema): SpecSchema => {
  if (schema.$ref === undefined) return schema
  const target = at(spec, ...schema.$ref.replace(/^#\//, "").split("/")) as SpecSchema | undefined
  if (target === undefined) throw new Error(`unresolved ${schema.$ref}`)
  return resolve(target)
}

const operation = (method: string, path: string) => {
  const found = at(spec, "paths", path, method) as Json | undefined
  if (found === undefined) throw new Error(`the spec has no ${method.toUpperCase()} ${path}`)
  return found
}

const requestSchema = (method: string, path: string): SpecSchema =>
  resolve(at(operation(method, path), "requestBody", "content", "application/json", "schema") as SpecSchema)

const answerSchema = (method: string, path: string, status: string): SpecSchema =>
  resolve(at(operation(method, path), "responses", status, "content", "application/json", "schema") as SpecSchema)

/** The encoded side of a schema, without refinements, transformations, `null` or the `undefined` of optional fields. */
const wireAst = (ast: SchemaAST.AST): SchemaAST.AST => {
  const encoded = SchemaAST.encodedAST(ast)
  if (SchemaAST.isRefinement(encoded)) return wireAst(encoded.from)
  if (SchemaAST.isUnion(encoded)) {
    const members = encoded.types.filter(
      (member) => !SchemaAST.isUndefinedKeyword(member) && !(SchemaAST.isLiteral(member) && member.literal === null),
    )
    if (members.length === 1) return wireAst(members[0] as SchemaAST.AST)
    return SchemaAST.Union.make(members.map(wireAst))
  }
  return encoded
}

const jsonTypeOf = (ast: SchemaAST.AST): string => {
  if (SchemaAST.isTypeLiteral(ast)) return "object"
  if (SchemaAST.isTupleType(ast)) return "array"
  if (SchemaAST.isStringKeyword(ast)) return "string"
  if (SchemaAST.isNumberKeyword(ast)) return "number"
  if (SchemaAST.isBooleanKeyword(ast)) return "boolean"
  if (SchemaAST.isLiteral(ast)) return typeof ast.literal
  if (SchemaAST.isUnion(ast)) {
    const types = new Set(ast.types.map(jsonTypeOf))
    return types.size === 1 ? ([...types][0] as string) : `one of ${[...types].join(", ")}`
  }
  return `unsupported ${ast._tag}`
}

const literalsOf = (ast: SchemaAST.AST): ReadonlyArray<unknown> | undefined => {
  if (SchemaAST.isLiteral(ast)) return [ast.literal]
  if (!SchemaAST.isUnion(ast)) return undefined
  const literals = ast.types.filter(SchemaAST.isLiteral)
  return literals.length === ast.types.length ? literals.map((member) => member.literal) : undefined
}

const specTypeOf = (schema: SpecSchema): string => {
  const type = schema.type ?? (schema.properties === undefined ? "unknown" : "object")
  return type === "integer" ? "number" : type
}

interface Field {
  readonly path: string
  readonly required: boolean
}

/**
 * Every disagreement between our schema and the spec's at `path`; `fields` collects every field
 * of ours with whether we require it.
 */
const disagreements = (
  path: string,
  ours: SchemaAST.AST,
  theirs: SpecSchema,
  mode: "request" | "answer",
  fields: Array<Field>,
): ReadonlyArray<string> => {
  const ast = wireAst(ours)
  const spec = resolve(theirs)
  const problems: Array<string> = []
  const type = jsonTypeOf(ast)
  if (type !== specTypeOf(spec)) problems.push(`${path}: ours is ${type}, the spec's is ${specTypeOf(spec)}`)
  const literals = literalsOf(ast)
  if (literals !== undefined && spec.enum !== undefined) {
    const outside = literals.filter((literal) => !spec.enum?.includes(literal))
    if (outside.length > 0) problems.push(`${path}: ${outside.join(", ")} not in the spec's enum`)
    if (mode === "request" && literals.length !== spec.enum.length) {
      problems.push(`${path}: ours allows ${literals.join(", ")}, the spec ${spec.enum.join(", ")}`)
    }
  }
  if (!SchemaAST.isTypeLiteral(ast)) return problems
  const required = new Set(spec.required ?? [])
  for (const property of ast.propertySignatures) {
    const name = String(property.name)
    const fieldPath = path === "" ? name : `${path}.${name}`
    fields.push({ path: fieldPath, required: !property.isOptional })
    const specProperty = spec.properties?.[name]
    if (specProperty === undefined) {
      problems.push(`${fieldPath}: not in the spec`)
      continue
    }
    if (mode === "request" && property.isOptional === required.has(name)) {
      problems.push(`${fieldPath}: ${property.isOptional ? "optional" : "required"} here, not in the spec`)
    }
    problems.push(...disagreements(fieldPath, property.type, specProperty, mode, fields))
  }
  const sent = new Set(ast.propertySignatures.map((property) => String(property.name)))
  for (const name of required) {
    if (!sent.has(name)) problems.push(`${path === "" ? name : `${path}.${name}`}: required by the spec, not sent`)
  }
  return problems
}

const check = <A, I>(
  schema: Schema.Schema<A, I>,
  theirs: SpecSchema,
  mode: "request" | "answer",
): { readonly problems: ReadonlyArray<string>; readonly required: ReadonlyArray<string> } => {
  const fields: Array<Field> = []
  const problems = disagreements("", schema.ast, theirs, mode, fields)
  return { problems, required: fields.filter((field) => field.required).map((field) => field.path) }
}

describe("the wire schemas agree with Zai's OpenAPI file", () => {
  it("POST /tokens on the auth host: the request, and the answer", () => {
    const request = check(Wire.AccessTokenRequest, requestSchema("post", "/tokens"), "request")
    expect(request.problems).toEqual([])
    const answer = check(Wire.AccessTokenAnswer, answerSchema("post", "/tokens", "200"), "answer")
    expect(answer.problems).toEqual([])
    expect(answer.required).toEqual(["access_token", "expires_in", "token_type"])
  })

  it("POST /token_auths: the request, and the answer the recording shows whole", () => {
    const request = check(Wire.TokenAuthRequest, requestSchema("post", "/token_auths"), "request")
    expect(request.problems).toEqual([])
    expect(request.required).toEqual(["token_type", "user_id"])
    const answer = check(Wire.TokenAuthAnswer, answerSchema("post", "/token_auths", "200"), "answer")
    expect(answer.problems).toEqual([])
    expect(answer.required).toEqual(["token_auth", "token_auth.token_type", "token_auth.token", "token_auth.user_id"])
  })

  it("POST /users, GET /users/{id} and each account's user", () => {
    const request = check(Wire.UserRequest, requestSchema("post", "/users"), "request")
    expect(request.problems).toEqual([])
    expect(request.required).toEqual(["id", "first_name", "last_name", "email", "country"])
    for (const [method, path, status] of [
      ["post", "/users", "201"],
      ["get", "/users/{id}", "200"],
      ["get", "/card_accounts/{id}/users", "200"],
      ["get", "/bank_accounts/{id}/users", "200"],
    ] as const) {
      const answer = check(Wire.UserAnswer, answerSchema(method, path, status), "answer")
      expect([path, answer.problems]).toEqual([path, []])
      expect([path, answer.required]).toEqual([path, ["users", "users.id"]])
    }
  })

  it("GET /card_accounts/{id} and GET /bank_accounts/{id}", () => {
    const card = check(Wire.CardAccountAnswer, answerSchema("get", "/card_accounts/{id}", "200"), "answer")
    expect(card.problems).toEqual([])
    expect(card.required).toEqual(["card_accounts", "card_accounts.id", "card_accounts.active"])
    const bank = check(Wire.BankAccountAnswer, answerSchema("get", "/bank_accounts/{id}", "200"), "answer")
    expect(bank.problems).toEqual([])
    expect(bank.required).toEqual(["bank_accounts", "bank_accounts.id", "bank_accounts.active"])
  })

  it("an account webhook reads only fields of the account's own answer", () => {
    const [card, bank] = Wire.AccountWebhook.members
    expect(check(card, answerSchema("get", "/card_accounts/{id}", "200"), "answer").problems).toEqual([])
    expect(check(bank, answerSchema("get", "/bank_accounts/{id}", "200"), "answer").problems).toEqual([])
  })

  it("catches a field the spec does not know, a wrong type and a requiredness the spec does not share", () => {
    const wrong = Schema.Struct({
      token_type: Schema.Literal("bank", "card", "wallet"),
      user_id: Schema.optional(Schema.Number),
      expires_at: Schema.String,
    })
    expect(check(wrong, requestSchema("post", "/token_auths"), "request").problems).toEqual([
      "token_type: wallet not in the spec's enum",
      "token_type: ours allows bank, card, wallet, the spec bank, card",
      "user_id: optional here, not in the spec",
      "user_id: ours is number, the spec's is string",
      "expires_at: not in the spec",
    ])
  })
})
