/**
 * Zai's webhooks (provider notes §9): a plain function over the raw body and its headers, so any
 * HTTP framework can call it. Nothing is read before the `Webhooks-signature` verifies, with the
 * timestamp tolerance of `ZaiConfig` (`ZaiWebhookSignature`).
 *
 * What a delivery means for a token. Zai sends an object's Show representation per subscribed
 * object type, and names no token auth anywhere. An `accounts` webhook for a card or bank account
 * says an account was added (or changed). Among the token auths the sessions of `ZaiTokenAuths`
 * hold for the account's user and type, the one that added it is the one whose use is already
 * this account, else the only one issued before the account was created: the delivery is that
 * token's `TokenUsed`, with the account id as the use's reference (on a token already spent or
 * lapsed it changes nothing). This is how a use is recorded when the browser's own answer never
 * reached the server. When no token fits (the token was made elsewhere, or its session has moved
 * on) or several do, nothing is claimed: the deliveries' order never decides it.
 *
 * The account is read again from Zai before anything is decided, as Zai advises (deliveries come
 * late and in no order), which also gives its user. Every other object type (`users`, `items`,
 * the subscription test `{"message": …}`, types added later) changes no token and is answered 200.
 *
 * Zai sends the same body on every attempt (only the signature's timestamp changes), so the
 * body's digest identifies a delivery: a redelivery is recognised and applied once
 * (`ProviderDeliveries`). A delivery whose re-read fails for a while (Zai unavailable, rate limited,
 * timed out) is answered 503, to come again.
 */
import { createHash } from "node:crypto"
import * as Headers from "@effect/platform/Headers"
import * as ProviderDeliveries from "@token-lifecycle/adapter-kit/ProviderDeliveries"
import { type GatewayError, ProviderProtocolError } from "@token-lifecycle/domain/GatewayError"
import { UseReference } from "@token-lifecycle/domain/Identifiers"
import type { ProviderEvent } from "@token-lifecycle/domain/ProviderEvent"
import type { InvalidSignature } from "@token-lifecycle/domain/Signing"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { provider } from "./internal/refusal.js"
import * as Wire from "./internal/wire.js"
import { type Account, type AccountType, ZaiAccounts } from "./ZaiAccounts.js"
import { ZaiConfig } from "./ZaiConfig.js"
import { type HandedOut, ZaiTokenAuths } from "./ZaiTokenAuths.js"
import * as ZaiWebhookSignature from "./ZaiWebhookSignature.js"

export type WebhookError = InvalidSignature | ProviderProtocolError

/** The headers of one delivery, in any form an HTTP framework gives them. */
export type WebhookHeaders = Headers.Input

/** What an account webhook reports: which account, and which delivery it was. */
export interface AccountNews {
  readonly type: AccountType
  readonly id: string
  /** The body's digest: the same for every attempt of one delivery. */
  readonly deliveryId: string
}

const unreadable = (what: string) => new ProviderProtocolError({ provider, message: `webhook: ${what}` })

/** The body as JSON; bytes that are not UTF-8 are refused rather than repaired. */
const parseJson = (rawBody: string | Uint8Array): Either.Either<unknown, ProviderProtocolError> =>
  Either.try({
    try: (): unknown =>
      JSON.parse(typeof rawBody === "string" ? rawBody : new TextDecoder("utf-8", { fatal: true }).decode(rawBody)),
    catch: () => unreadable("the body is not JSON"),
  })

const isAccountBody = (body: unknown): boolean =>
  typeof body === "object" &&
  body !== null &&
  Object.values(Wire.accountWebhookKeys).some((key) => Object.hasOwn(body, key))

/**
 * Verifies one delivery and reads the account it is about: `undefined` for an object type that
 * concerns no token. Nothing is parsed from a body that does not verify.
 */
export const read = (
  options: ZaiWebhookSignature.VerifyOptions,
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
): Effect.Effect<AccountNews | undefined, WebhookError> =>
  Effect.gen(function* () {
    const header = Option.getOrUndefined(Headers.get(Headers.fromInput(headers), ZaiWebhookSignature.headerName))
    yield* ZaiWebhookSignature.verify(options, header, rawBody)
    const body = yield* parseJson(rawBody)
    if (!isAccountBody(body)) return undefined
    const webhook = yield* Either.mapLeft(Schema.decodeUnknownEither(Wire.AccountWebhook)(body), () =>
      unreadable("not an account Zai shows"),
    )
    const deliveryId = `zai/${createHash("sha256").update(rawBody).digest("hex")}`
    return "card_accounts" in webhook
      ? { type: "card", id: webhook.card_accounts.id, deliveryId }
      : { type: "bank", id: webhook.bank_accounts.id, deliveryId }
  })

/**
 * The held token that added `account`: the one whose use is already this account, else the one
 * token issued before the account was created, if there is exactly one. Which tokens are spent
 * is not asked: it changes as deliveries are applied, and the answer must not depend on the order
 * they come in. A token that fits but is spent or lapsed is left to the lifecycle to ignore.
 */
const tokenThatAdded = (account: Account, held: ReadonlyArray<HandedOut>) =>
  Effect.gen(function* () {
    const lifecycle = yield* TokenLifecycle
    const known = yield* Effect.forEach(held, (handed) =>
      Effect.map(Effect.option(lifecycle.get(handed.key)), (token) => ({ handed, token })),
    )
    const spentOnIt = known.find(({ token }) => Option.isSome(token) && token.value.lastUse?.reference === account.id)
    if (spentOnIt !== undefined) return Option.some(spentOnIt.handed)
    const fitting = known.filter(({ token }) =>
      Option.match(token, {
        onNone: () => false,
        onSome: ({ issuedAt }) =>
          issuedAt === undefined || account.createdAt === undefined || issuedAt <= account.createdAt,
      }),
    )
    const [only, ...others] = fitting
    if (only === undefined || others.length > 0) {
      yield* Effect.logDebug(`zai ${account.type} account: ${fitting.length} token auths could have added it`)
      return Option.none<HandedOut>()
    }
    return Option.some(only.handed)
  })

/**
 * The provider events an account's news means: the `TokenUsed` of the one token that fits, or
 * none. An account Zai no longer shows us means nothing here.
 */
export const eventsOf = (
  news: AccountNews,
): Effect.Effect<ReadonlyArray<ProviderEvent>, GatewayError, ZaiAccounts | ZaiTokenAuths | TokenLifecycle> =>
  Effect.gen(function* () {
    const accounts = yield* ZaiAccounts
    const tokenAuths = yield* ZaiTokenAuths
    const shown = yield* accounts.read(news.type, news.id).pipe(
      Effect.map(Option.some),
      Effect.catchTag("ProviderNotFound", () => Effect.succeedNone),
    )
    if (Option.isNone(shown)) return []
    const account = shown.value
    const added = yield* tokenThatAdded(account, yield* tokenAuths.heldFor(account.userId, account.type))
    if (Option.isNone(added)) return []
    const token = added.value
    return [
      {
        _tag: "TokenUsed" as const,
        deliveryId: news.deliveryId,
        tokenId: token.token,
        by: token.user,
        for: account.type,
        reference: UseReference.make(account.id),
      },
    ]
  })

/** What to answer Zai, and what the delivery did (see `ProviderDeliveries`: Zai redelivers until a 2xx). */
export type WebhookReceipt = ProviderDeliveries.DeliveryReceipt

/** The handler for the platform's webhook endpoint: verify with `ZaiConfig`'s secret and tolerance, then apply. */
export const make = Effect.gen(function* () {
  const config = yield* ZaiConfig
  const lifecycle = yield* TokenLifecycle
  const context = yield* Effect.context<ZaiAccounts | ZaiTokenAuths | TokenLifecycle>()
  const options = { secret: config.webhookSecret, tolerance: config.webhookTolerance }
  return (rawBody: string | Uint8Array, headers: WebhookHeaders): Effect.Effect<WebhookReceipt> =>
    ProviderDeliveries.receive(
      provider,
      lifecycle,
      read(options, rawBody, headers).pipe(
        Effect.flatMap((news) => (news === undefined ? Effect.succeed([]) : eventsOf(news))),
        Effect.provide(context),
      ),
    )
})
