import { describe, expect, it } from "@effect/vitest"
import { ProviderProtocolError, ProviderUnavailable } from "@token-lifecycle/domain/GatewayError"
import { OwnerRef, TokenId, UseReference } from "@token-lifecycle/domain/Identifiers"
import { TokenNotFound } from "@token-lifecycle/domain/LifecycleError"
import type { ProviderEvent } from "@token-lifecycle/domain/ProviderEvent"
import { InvalidSignature } from "@token-lifecycle/domain/Signing"
import type { ApplyOutcome, TokenLifecycleService } from "@token-lifecycle/domain/TokenLifecycle"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as ProviderDeliveries from "../src/ProviderDeliveries.js"

const event: ProviderEvent = {
  _tag: "TokenUsed",
  deliveryId: "d-1",
  tokenId: TokenId.make("t-1"),
  by: OwnerRef.make("o-1"),
  for: "card",
  reference: UseReference.make("r-1"),
}

/** A lifecycle whose only use here is applying events, with the outcome (or failure) a test chooses. */
const lifecycleAnswering = (apply: Effect.Effect<ApplyOutcome, TokenNotFound>) =>
  ({ applyProviderEvent: () => apply }) as unknown as TokenLifecycleService

class Unreadable extends Data.TaggedError("Unreadable") {}

const noChange = Effect.succeed({ _tag: "Ignored", reason: "no-change" } as const)

describe("receiving a provider delivery", () => {
  it.effect("answers 401 to a forged one and 400 to an unreadable one, applying nothing", () =>
    Effect.gen(function* () {
      const lifecycle = lifecycleAnswering(Effect.die("must not be applied"))
      const forged = yield* ProviderDeliveries.receive("acme", lifecycle, new InvalidSignature({ reason: "mismatch" }))
      const unreadable = yield* ProviderDeliveries.receive("acme", lifecycle, new Unreadable())
      expect([forged, unreadable]).toEqual([
        { status: 401, outcomes: [] },
        { status: 400, outcomes: [] },
      ])
    }),
  )

  it.effect("answers 200 once its events are applied or recognised", () =>
    Effect.gen(function* () {
      const receipt = yield* ProviderDeliveries.receive("acme", lifecycleAnswering(noChange), Effect.succeed([event]))
      expect(receipt).toEqual({ status: 200, outcomes: [{ _tag: "Ignored", reason: "no-change" }] })
    }),
  )

  it.effect("answers 503, to have it delivered again, when it may apply later or storing failed", () =>
    Effect.gen(function* () {
      const early = lifecycleAnswering(Effect.succeed({ _tag: "Ignored", reason: "unknown-request" }))
      const failing = lifecycleAnswering(Effect.fail(new TokenNotFound({})))
      expect((yield* ProviderDeliveries.receive("acme", early, Effect.succeed([event]))).status).toBe(503)
      expect(yield* ProviderDeliveries.receive("acme", failing, Effect.succeed([event]))).toEqual({
        status: 503,
        outcomes: [],
      })
    }),
  )

  it.effect("answers 503 when reading it needed the provider and the provider failed for now, 400 for good", () =>
    Effect.gen(function* () {
      const lifecycle = lifecycleAnswering(Effect.die("must not be applied"))
      const unavailable = new ProviderUnavailable({ provider: "acme", status: 502, message: "bad gateway" })
      const protocol = new ProviderProtocolError({ provider: "acme", message: "an answer of the wrong shape" })
      expect(yield* ProviderDeliveries.receive("acme", lifecycle, unavailable)).toEqual({ status: 503, outcomes: [] })
      expect(yield* ProviderDeliveries.receive("acme", lifecycle, protocol)).toEqual({ status: 400, outcomes: [] })
    }),
  )
})
