/**
 * Receiving a provider's callback or webhook, the part every adapter shares: apply the events a
 * verified delivery reports through `TokenLifecycle`, and say what to answer the provider.
 * Providers redeliver until they get a 2xx, so the answer decides whether the delivery comes back:
 *
 * - 401: forged or unsigned; 400: signed but unreadable. Neither will ever be applied.
 * - 503: it may apply later: reading it needed the provider, which failed for now; its request
 *   is not on record yet; or storing failed. Deliver again.
 * - 200: applied, or recognised as changing nothing (repeats included).
 */
import { isTransient } from "@token-lifecycle/domain/GatewayError"
import type { ProviderEvent } from "@token-lifecycle/domain/ProviderEvent"
import type { InvalidSignature } from "@token-lifecycle/domain/Signing"
import type { ApplyOutcome, TokenLifecycleService } from "@token-lifecycle/domain/TokenLifecycle"
import * as Effect from "effect/Effect"

export interface DeliveryReceipt {
  readonly status: 200 | 400 | 401 | 503
  readonly outcomes: ReadonlyArray<ApplyOutcome>
}

const refused = (provider: string, error: { readonly _tag: string }, status: DeliveryReceipt["status"]) =>
  Effect.as(Effect.logWarning(`${provider} delivery refused (${status}): ${error._tag}`), {
    status,
    outcomes: [],
  } satisfies DeliveryReceipt)

/**
 * Receive one delivery: `events` verifies and reads it (failing with `InvalidSignature` when it
 * is not the provider's, with a transient `GatewayError` when reading it needed the provider and
 * the provider failed for now, with any other error when it cannot be read), then each event is
 * applied.
 */
export const receive = <E extends { readonly _tag: string }>(
  provider: string,
  lifecycle: TokenLifecycleService,
  events: Effect.Effect<ReadonlyArray<ProviderEvent>, E | InvalidSignature>,
): Effect.Effect<DeliveryReceipt> =>
  Effect.matchEffect(events, {
    onFailure: (error) =>
      refused(provider, error, error._tag === "InvalidSignature" ? 401 : isTransient(error) ? 503 : 400),
    onSuccess: (read) =>
      Effect.forEach(read, lifecycle.applyProviderEvent).pipe(
        Effect.map((outcomes): DeliveryReceipt => {
          const later = outcomes.some((outcome) => outcome._tag === "Ignored" && outcome.reason === "unknown-request")
          return { status: later ? 503 : 200, outcomes }
        }),
        Effect.catchAll((error) => refused(provider, error, 503)),
      ),
  })
