/**
 * Token auths for browsers, the way Zai's integration guides recommend handling them (a token
 * manager), built in: every payment session gets a token auth of its own, asked of Zai when the
 * session needs one and not before; asking again in the same session (a reload, a second tab)
 * gives the same token while it is still good; and no token is ever handed out that expires
 * within `tokenAuthSafetyMargin` (`ZaiConfig`), the time a user may take to type a card in.
 * Zai's answer carries no expiry, so "expires" means the lifetime of the lifecycle's policy
 * (`Policy.zai`, or `ZaiConfig.policyConfig`), counted from the answer.
 *
 * When the browser library has spent the token, it hands back the id of the account it added;
 * `recordAccount` reads that account at Zai (it must exist, be active and be ours) and records it
 * as the token's one use, in the lifecycle, as the account's own user and type: the lifecycle's
 * rules judge the browser's claim (a bank token cannot add a card account, another user's
 * account cannot spend this user's token, a token serves once and not after its expiry).
 *
 * Which token each session holds is kept in memory: a restart only costs a session a new token
 * auth (the old one lapses unused). The tokens themselves, and their histories, are the
 * lifecycle's, in its repository.
 */
import { type GatewayError, ProviderProtocolError } from "@token-lifecycle/domain/GatewayError"
import type { EpochMillis, OwnerRef, TokenId, TokenKey } from "@token-lifecycle/domain/Identifiers"
import { InvalidInput } from "@token-lifecycle/domain/InvalidInput"
import type { LifecycleError } from "@token-lifecycle/domain/LifecycleError"
import type { Token } from "@token-lifecycle/domain/Token"
import { type StoreError, TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { provider } from "./internal/refusal.js"
import * as SingleFlight from "./internal/singleFlight.js"
import { type Account, type AccountType, ZaiAccounts } from "./ZaiAccounts.js"
import { ZaiConfig } from "./ZaiConfig.js"
import { tokenTypeOf, userIdOf } from "./ZaiGateway.js"

export interface SessionRequest {
  /** The payment session (a checkout, an onboarding step) the token is for: each gets its own. */
  readonly session: string
  /** The lifecycle's account the token lives in: the platform. */
  readonly account: string
  /** The Zai user the token adds an account to. */
  readonly user: string
  readonly type: AccountType
}

/** A token auth handed to a browser, and what it takes to record its use later. */
export interface HandedOut {
  readonly session: string
  readonly key: TokenKey
  /** What the browser library takes (`promisepay.createCardAccount(token, …)`, Hosted Fields' `token`). */
  readonly token: TokenId
  readonly user: OwnerRef
  readonly type: AccountType
  /** When the policy says the token lapses. */
  readonly expiresAt: EpochMillis
}

/** What the browser says it added with a token. */
export interface AccountClaim {
  readonly type: AccountType
  readonly id: string
}

export interface Recorded {
  readonly token: Token
  readonly account: Account
}

export type SessionError = InvalidInput | LifecycleError | GatewayError | StoreError

export interface ZaiTokenAuthsService {
  /** The session's token auth: its own while it has more than the safety margin to live, else a new one. */
  readonly forSession: (request: SessionRequest) => Effect.Effect<HandedOut, SessionError>
  /** Records the account the browser added with the token `key` as the token's use, once read at Zai. */
  readonly recordAccount: (key: TokenKey, claim: AccountClaim) => Effect.Effect<Recorded, SessionError>
  /** The tokens handed to `user` for `type` that sessions still hold: whose use a webhook may report. */
  readonly heldFor: (user: string, type: AccountType) => Effect.Effect<ReadonlyArray<HandedOut>>
}

export class ZaiTokenAuths extends Context.Tag("@token-lifecycle/adapters-zai/ZaiTokenAuths")<
  ZaiTokenAuths,
  ZaiTokenAuthsService
>() {}

const blank = (text: string) => text.trim() === ""

export const make: Effect.Effect<ZaiTokenAuthsService, never, ZaiConfig | TokenLifecycle | ZaiAccounts | Scope.Scope> =
  Effect.gen(function* () {
    const config = yield* ZaiConfig
    const lifecycle = yield* TokenLifecycle
    const accounts = yield* ZaiAccounts
    const margin = Duration.toMillis(config.tokenAuthSafetyMargin)
    for (const type of ["card", "bank"] as const) {
      const lifetime = lifecycle.policy.timeToLive[type]
      if (lifetime !== null && lifetime <= margin) {
        // A token that could never be handed out: a configuration mistake, refused at startup.
        return yield* Effect.dieMessage(
          `Zai ${type} token auths live ${lifetime} ms, not more than the ${margin} ms safety margin: none could be handed out`,
        )
      }
    }
    const sessions = yield* SingleFlight.make<HandedOut, SessionError>()

    const issue = (request: SessionRequest) =>
      Effect.gen(function* () {
        const token = yield* lifecycle.issue({ account: request.account, owner: request.user, type: request.type })
        if (token.tokenId === undefined) {
          return yield* new ProviderProtocolError({ provider, message: "token auth answered without a token" })
        }
        const handed: HandedOut = {
          session: request.session,
          key: token.key,
          token: token.tokenId,
          user: token.owner,
          type: request.type,
          expiresAt: token.expiresAt ?? Number.MAX_SAFE_INTEGER,
        }
        return { value: handed, usableUntil: handed.expiresAt - margin } satisfies SingleFlight.Fresh<HandedOut>
      })

    const forSession = (request: SessionRequest) =>
      Effect.gen(function* () {
        if (blank(request.session)) return yield* new InvalidInput({ field: "session", reason: "must not be blank" })
        yield* userIdOf(request.user)
        yield* tokenTypeOf(request.type)
        const slot = JSON.stringify([request.account, request.user, request.type, request.session])
        const held = yield* sessions.get(slot, issue(request))
        // The table knows the token's time; only the lifecycle knows whether it was spent since.
        const token = yield* lifecycle.get(held.key)
        const now = yield* Clock.currentTimeMillis
        if (token._tag === "Active" && now < held.expiresAt - margin) return held
        yield* sessions.invalidate(slot, (current) => current.key === held.key)
        return yield* sessions.get(slot, issue(request))
      })

    const recordAccount = (key: TokenKey, claim: AccountClaim) =>
      Effect.gen(function* () {
        if (blank(claim.id)) return yield* new InvalidInput({ field: "account.id", reason: "must not be blank" })
        const account = yield* accounts.read(claim.type, claim.id)
        if (!account.active) return yield* new InvalidInput({ field: "account", reason: "is not active at Zai" })
        const { token } = yield* lifecycle.use(key, { by: account.userId, for: account.type, reference: account.id })
        return { token, account }
      })

    const heldFor = (user: string, type: AccountType) =>
      Effect.map(sessions.values, (all) => all.filter((held) => held.user === user && held.type === type))

    return { forSession, recordAccount, heldFor }
  })

/** The token-auth manager over the `TokenLifecycle` (with the Zai gateway) and `ZaiAccounts` in context. */
export const layer: Layer.Layer<ZaiTokenAuths, never, ZaiConfig | TokenLifecycle | ZaiAccounts> = Layer.scoped(
  ZaiTokenAuths,
  make,
)
