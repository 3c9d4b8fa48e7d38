/**
 * The Zai adapter wired to the testkit's Zai simulator, for the tests: in process (the
 * simulator as an `HttpClient`, at pre-live's own URLs) or over loopback HTTP (undici to the
 * simulator served on 127.0.0.1, both hosts at one base URL). Each layer builds a fresh
 * simulator, so a test sees only its own books.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type { Identity } from "@token-lifecycle/domain/Identity"
import * as Policy from "@token-lifecycle/domain/Policy"
import type { TokenGateway } from "@token-lifecycle/domain/TokenGateway"
import * as TokenLifecycle from "@token-lifecycle/domain/TokenLifecycle"
import type { TokenRepository } from "@token-lifecycle/domain/TokenRepository"
import * as InMemoryTokenRepository from "@token-lifecycle/testkit/InMemoryTokenRepository"
import * as SequentialIdentity from "@token-lifecycle/testkit/SequentialIdentity"
import * as ZaiHttpClient from "@token-lifecycle/testkit/simulators/zai/ZaiHttpClient"
import * as ZaiServer from "@token-lifecycle/testkit/simulators/zai/ZaiServer"
import * as ZaiSimulator from "@token-lifecycle/testkit/simulators/zai/ZaiSimulator"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as ZaiAccounts from "../src/ZaiAccounts.js"
import * as ZaiConfig from "../src/ZaiConfig.js"
import * as ZaiCore from "../src/ZaiCore.js"
import * as ZaiGateway from "../src/ZaiGateway.js"
import * as ZaiTokenAuths from "../src/ZaiTokenAuths.js"
import * as ZaiUsers from "../src/ZaiUsers.js"

/** The platform's OAuth2 client: one marketplace at the simulator. Its values must never show in output. */
export const client = {
  clientId: "6ne4fjfsf0gd1uo0ms1hhq2d9h",
  clientSecret: Redacted.make("zai-client-secret-never-shown-1f9c3b"),
  scope: "im-au-04/6b3f0e30-1db6-0139-ac4d-0a58a9feac03",
}
/** Thirty-two ASCII bytes or more, as Zai asks of a webhook secret. */
export const webhookSecret = Redacted.make("zai-webhook-secret-never-shown-4d2a")

export const simulatorOptions = (
  seed: string,
  more: Partial<ZaiSimulator.ZaiSimulatorOptions> = {},
): ZaiSimulator.ZaiSimulatorOptions => ({ clients: [client], seed, webhookSecret, ...more })

export const configOptions = {
  clientId: client.clientId,
  clientSecret: client.clientSecret,
  scope: client.scope,
  webhookSecret,
}

/** The adapter's services over the `ZaiConfig` and `HttpClient` in context, sharing one access token. */
export const adapter = Layer.mergeAll(ZaiGateway.layer, ZaiUsers.layer, ZaiAccounts.layer).pipe(
  Layer.provideMerge(ZaiCore.layer),
)

export type Stack =
  | ZaiSimulator.ZaiSimulator
  | ZaiConfig.ZaiConfig
  | ZaiCore.ZaiCore
  | ZaiUsers.ZaiUsers
  | ZaiAccounts.ZaiAccounts
  | TokenGateway

/** The adapter against a fresh simulator, in process; `config` adjusts the adapter's settings. */
export const inProcess = (
  options: ZaiSimulator.ZaiSimulatorOptions,
  config: Partial<Parameters<typeof ZaiConfig.layer>[0]> = {},
): Layer.Layer<Stack> =>
  adapter.pipe(
    Layer.provideMerge(ZaiConfig.layer({ ...configOptions, ...config })),
    Layer.provide(ZaiHttpClient.layer()),
    Layer.provideMerge(ZaiSimulator.layer(options)),
  )

/** The adapter against a fresh simulator served on loopback HTTP, through undici. */
export const overLoopback = (
  options: ZaiSimulator.ZaiSimulatorOptions,
  config: Partial<Parameters<typeof ZaiConfig.layer>[0]> = {},
): Layer.Layer<Stack> =>
  adapter.pipe(
    Layer.provideMerge(
      Layer.unwrapEffect(
        Effect.map(ZaiServer.ZaiServer, (server) =>
          ZaiConfig.layer({
            ...configOptions,
            authBaseUrl: server.baseUrl,
            coreBaseUrl: server.baseUrl,
            timeout: Duration.seconds(10),
            ...config,
          }),
        ),
      ),
    ),
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.provideMerge(ZaiServer.layerWithSimulator(options)),
    Layer.orDie,
  )

/** A pay-in user the simulator knows, made through the adapter. */
export const payin = (id: string): ZaiUsers.UserDetails => ({
  id,
  firstName: "Jane",
  lastName: `Buyer ${id}`,
  email: `${id}@example.com`,
  country: "AUS",
})

/** A pay-out user, with the address Zai asks of one. */
export const payout = (id: string): ZaiUsers.UserDetails => ({
  ...payin(id),
  firstName: "Sam",
  address: { line1: "1 George St", city: "Sydney", state: "NSW", zip: "2000" },
})

/** `stack` with these pay-in users created at Zai before anything else runs. */
export const withUsers = <E>(stack: Layer.Layer<Stack, E>, ids: ReadonlyArray<string>): Layer.Layer<Stack, E> =>
  Layer.effectDiscard(
    Effect.flatMap(ZaiUsers.ZaiUsers, (users) =>
      Effect.forEach(ids, (id) => users.createPayin(payin(id)), { discard: true }),
    ).pipe(Effect.orDie),
  ).pipe(Layer.provideMerge(stack))

export type WithLifecycle =
  | Stack
  | TokenLifecycle.TokenLifecycle
  | TokenRepository
  | Identity
  | ZaiTokenAuths.ZaiTokenAuths

/** `stack` with the lifecycle over it (in-memory store, sequential keys) and the token-auth manager. */
export const withLifecycle = <E>(
  stack: Layer.Layer<Stack, E>,
  policy: Policy.LifecyclePolicy = Policy.zai(),
): Layer.Layer<WithLifecycle, E> =>
  ZaiTokenAuths.layer.pipe(
    Layer.provideMerge(
      TokenLifecycle.layer({ policy }).pipe(
        Layer.provideMerge(Layer.mergeAll(InMemoryTokenRepository.layer, SequentialIdentity.layer())),
      ),
    ),
    Layer.provideMerge(stack),
  )

/** What a user types into the browser library: a test card, a test bank account. */
export const browserCard = {
  fullName: "Jane Buyer",
  number: Redacted.make("4111111111111111"),
  expiryMonth: 12,
  expiryYear: 2031,
  cvv: Redacted.make("123"),
}

export const browserBank = {
  bankName: "Bank of Australia",
  accountName: "Jane Buyer",
  routingNumber: "123456",
  accountNumber: Redacted.make("987654321"),
  accountType: "savings",
  holderType: "personal",
  country: "AUS",
} as const

/** How `effect` ends: `succeeded`, or its failure's tag. */
export const failureTag = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.either(effect), (outcome) => (Either.isLeft(outcome) ? outcome.left._tag : "succeeded"))
