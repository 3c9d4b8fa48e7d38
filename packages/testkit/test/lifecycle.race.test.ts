/**
 * Races on one token through `TokenLifecycle.use`. Every `load` and `append` of the store
 * first waits for a promise fast-check's scheduler releases, so the property explores the
 * orders in which many fibers read, judge and write: a single-use token must be used once
 * whatever the order, and a reusable one must count every use (no update lost).
 */
import { describe, expect, it } from "@effect/vitest"
import { OwnerRef, type TokenKey, UseReference } from "@token-lifecycle/domain/Identifiers"
import { TokenAlreadyUsed } from "@token-lifecycle/domain/LifecycleError"
import * as Policy from "@token-lifecycle/domain/Policy"
import { layer as lifecycleLayer, TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import { TokenRepository, VersionConflict } from "@token-lifecycle/domain/TokenRepository"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as TestContext from "effect/TestContext"
import * as fc from "fast-check"
import * as InMemoryTokenRepository from "../src/InMemoryTokenRepository.js"
import * as ReferenceGateway from "../src/ReferenceGateway.js"
import { numRuns, seed } from "../src/Runs.js"
import * as SequentialIdentity from "../src/SequentialIdentity.js"

/** Each race is dozens of scheduled steps; a quarter of the configured runs keeps the file quick. */
const fixedSeed = seed()
const runs = { numRuns: Math.ceil(numRuns() / 4), ...(fixedSeed === undefined ? {} : { seed: fixedSeed }) }

const owner = OwnerRef.make("owner-1")

/** The in-memory store, each read and write of which waits its turn from the scheduler. */
const scheduledRepository = (scheduler: fc.Scheduler) =>
  Layer.effect(
    TokenRepository,
    Effect.map(InMemoryTokenRepository.make, (store) => {
      const turn = (label: string) => Effect.promise(() => scheduler.schedule(Promise.resolve(label), label))
      return {
        ...store,
        load: (key) => Effect.zipRight(turn(`load ${key}`), store.load(key)),
        append: (request) =>
          Effect.zipRight(turn(`append ${request.key} at v${request.expectedVersion}`), store.append(request)),
      }
    }),
  )

const runtimeFor = (scheduler: fc.Scheduler, policy: Policy.LifecyclePolicy, maxAttempts?: number) =>
  ManagedRuntime.make(
    lifecycleLayer(maxAttempts === undefined ? { policy } : { policy, maxAttempts }).pipe(
      Layer.provideMerge(
        Layer.mergeAll(scheduledRepository(scheduler), ReferenceGateway.layer(policy), SequentialIdentity.layer()),
      ),
      Layer.provideMerge(TestContext.TestContext),
    ),
  )

type Runtime = ReturnType<typeof runtimeFor>

/** A token made known to the lifecycle (as if issued in the browser), active and unused. */
const registerToken = (scheduler: fc.Scheduler, runtime: Runtime) =>
  scheduler.waitFor(
    runtime.runPromise(
      Effect.flatMap(TokenLifecycle, (lifecycle) =>
        lifecycle.register({ tokenId: "tok-raced", account: "acct-1", owner, type: "card" }),
      ),
    ),
  )

/** `fibers` uses of one token at once, each under its own reference; their exits, in launch order. */
const useAtOnce = (scheduler: fc.Scheduler, runtime: Runtime, key: TokenKey, fibers: number) =>
  scheduler.waitFor(
    Promise.all(
      Array.from({ length: fibers }, (_, i) =>
        runtime.runPromiseExit(
          Effect.flatMap(TokenLifecycle, (lifecycle) =>
            lifecycle.use(key, { by: owner, for: "card", reference: UseReference.make(`ref-${i}`) }),
          ),
        ),
      ),
    ),
  )

const historyOf = (runtime: Runtime, key: TokenKey) =>
  runtime.runPromise(Effect.flatMap(TokenLifecycle, (lifecycle) => lifecycle.history(key)))

const failureOf = <A, E>(exit: Exit.Exit<A, E>): unknown =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

const fibers = fc.integer({ min: 2, max: 16 })

describe("racing uses of one token", () => {
  it("single use (rebilly, komoju, zai): of many simultaneous uses of the token, exactly one wins", () =>
    fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.constantFrom(Policy.rebilly, Policy.komoju, Policy.zai()),
        fibers,
        async (scheduler, policy, count) => {
          const runtime = runtimeFor(scheduler, policy)
          try {
            const token = await registerToken(scheduler, runtime)
            const exits = await useAtOnce(scheduler, runtime, token.key, count)

            const winners = exits.flatMap((exit, i) => (Exit.isSuccess(exit) ? [i] : []))
            expect(winners, "fibers whose use was accepted").toHaveLength(1)
            const losers = exits.filter(Exit.isFailure).map(failureOf)
            expect(losers, "refusals of the other uses").toHaveLength(count - 1)
            for (const refusal of losers) expect(refusal).toBeInstanceOf(TokenAlreadyUsed)

            const history = await historyOf(runtime, token.key)
            const uses = history.filter(({ event }) => event._tag === "TokenUsed")
            expect(uses, "TokenUsed events on record").toHaveLength(1)
            expect(uses[0]?.event).toMatchObject({ reference: `ref-${winners[0]}`, uses: 1 })
          } finally {
            await runtime.dispose()
          }
        },
      ),
      runs,
    ))

  it("gate: simultaneous uses of a reusable token all count, in order, none lost", () =>
    fc.assert(
      fc.asyncProperty(fc.scheduler(), fibers, async (scheduler, count) => {
        // Each lost race means another use was recorded, so `count` attempts always suffice.
        const runtime = runtimeFor(scheduler, Policy.gate, count)
        try {
          const token = await registerToken(scheduler, runtime)
          const exits = await useAtOnce(scheduler, runtime, token.key, count)
          expect(exits.filter(Exit.isFailure).map(failureOf), "refused uses").toEqual([])

          const history = await historyOf(runtime, token.key)
          const uses = history.flatMap(({ event }) => (event._tag === "TokenUsed" ? [event] : []))
          expect(
            uses.map((event) => event.uses),
            "use counts on record",
          ).toEqual(uses.map((_, i) => i + 1))
          expect(new Set(uses.map((event) => event.reference)), "references on record").toEqual(
            new Set(Array.from({ length: count }, (_, i) => `ref-${i}`)),
          )
        } finally {
          await runtime.dispose()
        }
      }),
      runs,
    ))

  it("gate, default retries: every use is recorded or refused with VersionConflict, and the count agrees", () =>
    fc.assert(
      fc.asyncProperty(fc.scheduler(), fibers, async (scheduler, count) => {
        const runtime = runtimeFor(scheduler, Policy.gate)
        try {
          const token = await registerToken(scheduler, runtime)
          const exits = await useAtOnce(scheduler, runtime, token.key, count)
          const accepted = exits.filter(Exit.isSuccess).length
          for (const refusal of exits.filter(Exit.isFailure).map(failureOf)) {
            expect(refusal).toBeInstanceOf(VersionConflict)
          }
          // Eight attempts outlast seven rivals: up to eight fibers, nobody is turned away.
          if (count <= 8) expect(accepted, "uses accepted").toBe(count)

          const history = await historyOf(runtime, token.key)
          const uses = history.filter(({ event }) => event._tag === "TokenUsed")
          expect(uses, "TokenUsed events on record").toHaveLength(accepted)
          const state = await scheduler.waitFor(
            runtime.runPromise(Effect.flatMap(TokenLifecycle, (lifecycle) => lifecycle.get(token.key))),
          )
          expect(state.uses, "the token's use count").toBe(accepted)
        } finally {
          await runtime.dispose()
        }
      }),
      runs,
    ))
})
