/**
 * The `TokenGateway` port over Zai's token auths (provider notes §4): `POST /token_auths` with a
 * token type (`bank` or `card`) and a user id, answered at once with a token the browser library
 * (PromisePay.js, Hosted Fields, Drop-in) spends to add one account of that type to that user,
 * so card data never reaches the server.
 *
 * That is all the server can do with a token auth: Zai offers no way to read, list or revoke one,
 * and the server never uses one (the browser does, and answers with the new account's id, which
 * `ZaiTokenAuths.recordAccount` records as the token's use). The answer carries no expiry either:
 * the lifetime is the policy's (`Policy.zai`), counted from the answer.
 *
 * Input Zai would refuse is refused here first, with the messages users of the published clients
 * know: `user_id is required and cannot be blank`, `token_type must be one of: bank, card`.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { ProviderProtocolError, ProviderValidationError, Unsupported } from "@token-lifecycle/domain/GatewayError"
import { ProviderId, type TokenType } from "@token-lifecycle/domain/Identifiers"
import { type IssueRequest, TokenGateway, type TokenGatewayService } from "@token-lifecycle/domain/TokenGateway"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { provider } from "./internal/refusal.js"
import * as Wire from "./internal/wire.js"
import { ZaiCore } from "./ZaiCore.js"

/** What Zai offers, as literal types: code that needs `retrieve` or `use` does not compile against it. */
export const capabilities = {
  issue: true,
  retrieve: false,
  list: false,
  revoke: false,
  use: false,
  reusable: false,
  asynchronous: false,
} as const

export type ZaiCapabilities = typeof capabilities

const invalid = (field: string, message: string) =>
  new ProviderValidationError({ provider, message: `${field} ${message}`, fields: [{ field, message }] })

/** The token type Zai knows for a domain type, or the refusal users of the published clients know. */
export const tokenTypeOf = (type: TokenType | string): Effect.Effect<Wire.AccountType, ProviderValidationError> =>
  type === "card" || type === "bank"
    ? Effect.succeed(type)
    : Effect.fail(invalid("token_type", "must be one of: bank, card"))

/** The user id as sent, or the refusal for a blank one. */
export const userIdOf = (userId: string): Effect.Effect<string, ProviderValidationError> =>
  userId.trim() === "" ? Effect.fail(invalid("user_id", "is required and cannot be blank")) : Effect.succeed(userId)

export const make: Effect.Effect<TokenGatewayService<ZaiCapabilities>, never, ZaiCore> = Effect.gen(function* () {
  const core = yield* ZaiCore

  const issue = (request: IssueRequest) =>
    Effect.gen(function* () {
      const userId = yield* userIdOf(request.owner)
      const tokenType = yield* tokenTypeOf(request.type)
      if (request.card !== undefined) {
        return yield* invalid("card", "cannot be sent: Zai token auths are spent in the browser, with the card there")
      }
      const body: typeof Wire.TokenAuthRequest.Encoded = { token_type: tokenType, user_id: userId }
      // Repeating it only mints another token auth; one whose answer was lost is never handed out and lapses unused.
      const answer = yield* core.call({
        operation: "generate token auth",
        resource: "user",
        request: HttpClientRequest.post(Wire.paths.tokenAuths).pipe(HttpClientRequest.bodyUnsafeJson(body)),
        success: Wire.TokenAuthAnswer,
        idempotent: true,
      })
      const issued = answer.token_auth
      if (issued.token_type !== tokenType || issued.user_id !== userId) {
        return yield* new ProviderProtocolError({ provider, message: "token auth answered for another user or type" })
      }
      return { _tag: "Issued", tokenId: issued.token } as const
    })

  const unsupported = (operation: string) => Effect.fail(new Unsupported({ provider, operation }))

  return {
    provider: ProviderId.make(provider),
    capabilities,
    issue,
    retrieve: () => unsupported("retrieve"),
    list: () => unsupported("list"),
    revoke: () => unsupported("revoke"),
    use: () => unsupported("use"),
  }
})

/** The Zai gateway, over the `ZaiCore` client in context. */
export const layer: Layer.Layer<TokenGateway, never, ZaiCore> = Layer.effect(TokenGateway, make)
