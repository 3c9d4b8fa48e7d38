/**
 * Where a section runs: under a test clock set to a fixed instant, with every provider
 * simulator's randomness seeded, so every run prints the same thing. A policy's section runs
 * the real lifecycle service over an in-memory store, sequential ids and the reference gateway;
 * an end-to-end section brings its own layer (the provider's adapter against its simulator).
 */
import type { LifecyclePolicy } from "@token-lifecycle/domain/Policy"
import * as TokenLifecycle from "@token-lifecycle/domain/TokenLifecycle"
import * as InMemoryTokenRepository from "@token-lifecycle/testkit/InMemoryTokenRepository"
import * as ReferenceGateway from "@token-lifecycle/testkit/ReferenceGateway"
import * as SequentialIdentity from "@token-lifecycle/testkit/SequentialIdentity"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"

/** When every scenario starts: 2025-03-14T09:00:00Z. */
export const startsAt = Date.UTC(2025, 2, 14, 9, 0, 0)

/** Fixes each simulator's randomness: its tokens and ids are the same on every run. */
export const seed = "token-lifecycle walkthrough"

/** What a policy's scenario may ask for. */
export type Services = TokenLifecycle.TokenLifecycle | ReferenceGateway.ReferenceGatewayControl

/** The lifecycle for `policy` with fresh ports: nothing carries over from one scenario to the next. */
export const layer = (policy: LifecyclePolicy): Layer.Layer<Services> =>
  TokenLifecycle.layer({ policy }).pipe(
    Layer.provideMerge(ReferenceGateway.layer(policy)),
    Layer.provide(InMemoryTokenRepository.layer),
    Layer.provide(SequentialIdentity.layer()),
  )

/** Run `scenario` over `services`, built afresh for it, its clock at `startsAt`. */
export const runWith =
  <S>(services: Layer.Layer<S>) =>
  <A, E, R>(scenario: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, S>> =>
    Effect.zipRight(TestClock.setTime(startsAt), scenario).pipe(
      Effect.provide(services),
      Effect.provide(TestContext.TestContext),
    )

/** Run `scenario` under `policy`, over the reference gateway. */
export const run = (policy: LifecyclePolicy) => runWith(layer(policy))
