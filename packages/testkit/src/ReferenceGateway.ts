/**
 * A provider in memory that follows a policy's rules: the reference `TokenGateway` the
 * conformance suite is first proved on, and what the walkthrough runs against.
 *
 * It keeps its own books, written from the policy table, never by calling the domain's
 * decider: a fake that reuses the machine under test would prove nothing about it.
 * For asynchronous policies issuance and revocation are answered later, as provider events
 * the test (or the walkthrough) collects with `ReferenceGatewayControl.drain`.
 */
import { createHash } from "node:crypto"
import type { Capabilities } from "@token-lifecycle/domain/Capabilities"
import { cardExpiryEnd } from "@token-lifecycle/domain/Card"
import {
  type GatewayError,
  ProviderDeclined,
  ProviderNotFound,
  ProviderValidationError,
  Unsupported,
} from "@token-lifecycle/domain/GatewayError"
import { type OwnerRef, TokenId, type TokenType } from "@token-lifecycle/domain/Identifiers"
import type { LifecyclePolicy } from "@token-lifecycle/domain/Policy"
import type { ProviderEvent } from "@token-lifecycle/domain/ProviderEvent"
import type { IssuedCard, TokenGatewayService, TokenSnapshot } from "@token-lifecycle/domain/TokenGateway"
import { TokenGateway } from "@token-lifecycle/domain/TokenGateway"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"

interface Entry {
  readonly tokenId: TokenId
  readonly owner: OwnerRef
  readonly account: string
  readonly type: TokenType
  readonly issuedAt: number
  readonly cardEnd?: number
  readonly card?: IssuedCard
  readonly uses: number
  readonly status: "active" | "used" | "revoked"
  readonly usedAt?: number
}

interface Books {
  readonly tokens: ReadonlyMap<string, Entry>
  /** Where the policy keeps one token per card: (account, owner, card digest) → token id. */
  readonly byCard: ReadonlyMap<string, string>
  readonly outbox: ReadonlyArray<ProviderEvent>
  readonly counter: number
}

export interface ReferenceGatewayControlService {
  /** The provider events sent since the last drain, in order. */
  readonly drain: Effect.Effect<ReadonlyArray<ProviderEvent>>
}

export class ReferenceGatewayControl extends Context.Tag("@token-lifecycle/testkit/ReferenceGatewayControl")<
  ReferenceGatewayControl,
  ReferenceGatewayControlService
>() {}

/** What a gateway following `policy` can do. */
export const capabilitiesOf = (policy: LifecyclePolicy): Capabilities => ({
  issue: true,
  retrieve: true,
  list: true,
  revoke: policy.revocable,
  use: true,
  reusable: policy.maxUses === null,
  asynchronous: policy.answer === "asynchronous",
})

const digest = (value: string): string => createHash("sha256").update(value).digest("hex")

export const make = (policy: LifecyclePolicy) =>
  Effect.gen(function* () {
    const books = yield* Ref.make<Books>({ tokens: new Map(), byCard: new Map(), outbox: [], counter: 0 })
    const provider = String(policy.provider)
    const capabilities = capabilitiesOf(policy)
    const asynchronous = capabilities.asynchronous

    const expiresAt = (entry: Entry): number | undefined => {
      const ttl = policy.timeToLive[entry.type]
      const byTime = ttl === null ? undefined : entry.issuedAt + ttl
      const byCard = policy.endsWithCardExpiry ? entry.cardEnd : undefined
      if (byTime === undefined) return byCard
      if (byCard === undefined) return byTime
      return Math.min(byTime, byCard)
    }

    const statusAt = (entry: Entry, now: number): TokenSnapshot["status"] => {
      if (entry.status !== "active") return entry.status
      const end = expiresAt(entry)
      return end !== undefined && now >= end ? "expired" : "active"
    }

    const snapshot = (entry: Entry, now: number): TokenSnapshot => {
      const end = expiresAt(entry)
      return {
        tokenId: entry.tokenId,
        status: statusAt(entry, now),
        issuedAt: entry.issuedAt,
        ...(entry.usedAt === undefined ? {} : { usedAt: entry.usedAt }),
        ...(end === undefined ? {} : { expiresAt: end }),
        ...(entry.card === undefined ? {} : { card: entry.card }),
      }
    }

    const find = (tokenId: TokenId, owner: OwnerRef) =>
      Effect.flatMap(Ref.get(books), (b) => {
        const entry = b.tokens.get(tokenId)
        return entry === undefined || entry.owner !== owner
          ? Effect.fail(new ProviderNotFound({ provider, resource: "token" }))
          : Effect.succeed(entry)
      })

    const refusedAs = (status: TokenSnapshot["status"]) =>
      new ProviderDeclined({ provider, code: `token_${status}`, message: `token is ${status}` })

    /** Read, check and write one token in a single step, so concurrent calls cannot both pass the check. */
    const change = <A>(
      tokenId: TokenId,
      owner: OwnerRef,
      step: (entry: Entry, now: number, current: Books) => Either.Either<readonly [A, Books], GatewayError>,
    ): Effect.Effect<A, GatewayError> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatten(
          Ref.modify(books, (current): readonly [Either.Either<A, GatewayError>, Books] => {
            const entry = current.tokens.get(tokenId)
            if (entry === undefined || entry.owner !== owner) {
              return [Either.left(new ProviderNotFound({ provider, resource: "token" })), current]
            }
            return Either.match(step(entry, now, current), {
              onLeft: (error) => [Either.left(error), current] as const,
              onRight: ([result, next]) => [Either.right(result), next] as const,
            })
          }),
        ),
      )

    const gateway: TokenGatewayService = {
      provider: policy.provider,
      capabilities,
      issue: (request) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          if (request.card !== undefined && now >= cardExpiryEnd(request.card.expiry)) {
            return yield* new ProviderDeclined({ provider, code: "card_expired", message: "the card has expired" })
          }
          return yield* Ref.modify(books, (b) => {
            const card = request.card
            const cardDigest = card === undefined ? undefined : digest(Redacted.value(card.number))
            const cardKey =
              cardDigest === undefined || policy.sameCard !== "refresh-expiry"
                ? undefined
                : `${request.account}|${request.owner}|${cardDigest}`
            const existingId = cardKey === undefined ? undefined : b.byCard.get(cardKey)
            const existing = existingId === undefined ? undefined : b.tokens.get(existingId)
            const issuedCard: IssuedCard | undefined =
              card === undefined ? undefined : { masked: card.masked, expiry: card.expiry }
            const counter = b.counter + 1
            const requestRef = `req_${counter}`
            const entry: Entry =
              existing !== undefined && existing.status === "active"
                ? // The same card again: the same token, with the card's new expiry.
                  {
                    ...existing,
                    ...(card === undefined ? {} : { cardEnd: cardExpiryEnd(card.expiry) }),
                    ...(issuedCard === undefined ? {} : { card: issuedCard }),
                  }
                : {
                    tokenId: TokenId.make(`${provider}_tok_${counter}`),
                    owner: request.owner,
                    account: request.account,
                    type: request.type,
                    issuedAt: now,
                    uses: 0,
                    status: "active",
                    ...(card === undefined ? {} : { cardEnd: cardExpiryEnd(card.expiry) }),
                    ...(issuedCard === undefined ? {} : { card: issuedCard }),
                  }
            const tokens = new Map(b.tokens).set(entry.tokenId, entry)
            const byCard = cardKey === undefined ? b.byCard : new Map(b.byCard).set(cardKey, entry.tokenId)
            const issuedEvent: ProviderEvent = {
              _tag: "TokenIssued",
              deliveryId: `dlv_${counter}`,
              tokenId: entry.tokenId,
              account: request.account,
              owner: request.owner,
              type: request.type,
              requestRef,
              issuedAt: entry.issuedAt,
              ...(card === undefined ? {} : { card: { masked: card.masked, expiry: card.expiry } }),
            }
            const outcome = asynchronous
              ? ({ _tag: "Accepted", requestRef } as const)
              : ({
                  _tag: "Issued",
                  tokenId: entry.tokenId,
                  issuedAt: entry.issuedAt,
                  ...(issuedCard ? { card: issuedCard } : {}),
                } as const)
            return [
              outcome,
              { tokens, byCard, counter, outbox: asynchronous ? [...b.outbox, issuedEvent] : b.outbox },
            ] as const
          })
        }),
      retrieve: (tokenId, owner) =>
        Effect.gen(function* () {
          const entry = yield* find(tokenId, owner)
          return snapshot(entry, yield* Clock.currentTimeMillis)
        }),
      list: (page) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const all = [...(yield* Ref.get(books)).tokens.values()]
          return {
            items: all.slice(page.offset, page.offset + page.limit).map((entry) => snapshot(entry, now)),
            offset: page.offset,
            limit: page.limit,
            total: all.length,
          }
        }),
      revoke: (tokenId, owner) =>
        capabilities.revoke
          ? change(tokenId, owner, (entry, now, b) => {
              const status = statusAt(entry, now)
              if (status !== "active") return Either.left(refusedAs(status))
              const counter = b.counter + 1
              return Either.right([
                undefined,
                {
                  ...b,
                  counter,
                  tokens: new Map(b.tokens).set(tokenId, { ...entry, status: "revoked" }),
                  outbox: asynchronous
                    ? [...b.outbox, { _tag: "TokenRevoked" as const, deliveryId: `dlv_${counter}`, tokenId }]
                    : b.outbox,
                },
              ] as const)
            })
          : Effect.fail(new Unsupported({ provider, operation: "revoke" })),
      use: (request) =>
        change(request.tokenId, request.owner, (entry, now, b) => {
          const status = statusAt(entry, now)
          if (status !== "active") return Either.left(refusedAs(status))
          if (request.type !== entry.type) {
            return Either.left(
              new ProviderValidationError({
                provider,
                message: `a ${entry.type} token cannot be used for ${request.type}`,
                fields: [{ field: "token", message: "is of another type" }],
              }),
            )
          }
          const uses = entry.uses + 1
          const usedUp = policy.maxUses !== null && uses >= policy.maxUses
          const receipt = {
            reference: request.reference,
            providerReference: `${provider}_use_${request.reference}`,
            status: "succeeded" as const,
          }
          return Either.right([
            receipt,
            {
              ...b,
              tokens: new Map(b.tokens).set(entry.tokenId, {
                ...entry,
                uses,
                usedAt: now,
                status: usedUp ? "used" : "active",
              }),
            },
          ] as const)
        }),
    }

    const control: ReferenceGatewayControlService = {
      drain: Ref.modify(books, (b) => [b.outbox, { ...b, outbox: [] }] as const),
    }
    return { gateway, control }
  })

/** The reference gateway for `policy`, with its control for collecting provider events. */
export const layer = (policy: LifecyclePolicy): Layer.Layer<TokenGateway | ReferenceGatewayControl> =>
  Layer.effectContext(
    Effect.map(make(policy), ({ gateway, control }) =>
      Context.make(TokenGateway, gateway).pipe(Context.add(ReferenceGatewayControl, control)),
    ),
  )
