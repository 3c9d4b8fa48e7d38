/**
 * Provider calls make an `http.client` span, and send its trace context to the provider, only
 * when the application has installed a tracer. With Effect's built-in tracer nobody collects
 * the spans, yet each call would still pay for one (about 20 µs of a loopback round trip) and
 * hand the provider trace ids that lead nowhere.
 */
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Tracer from "effect/Tracer"

const builtInTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/**
 * Turns tracing off for the rest of the current fiber unless the application installed a tracer.
 * Nothing restores it (restoring is what makes `Effect.withTracerEnabled` cost 4–5 µs), so it
 * belongs at the start of a fiber that ends with the call: an attempt (see `deadline.ts`).
 */
export const forThisFiber: Effect.Effect<void> = Effect.withFiberRuntime((fiber) =>
  Context.get(fiber.currentDefaultServices, Tracer.Tracer) === builtInTracer
    ? FiberRef.set(FiberRef.currentTracerEnabled, false)
    : Effect.void,
)
