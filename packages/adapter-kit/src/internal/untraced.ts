/**
 * Provider calls make an `http.client` span, and send its trace context to the provider, only
 * when the application has installed a tracer. With Effect's built-in tracer nobody collects
 * the spans, yet each call would still pay for one (about 20 µs of a loopback round trip) and
 * hand the provider trace ids that lead nowhere.
 */
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import * as Tracer from "effect/Tracer"

const builtInTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

export const unlessTracing = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) => (tracer === builtInTracer ? Effect.withTracerEnabled(effect, false) : effect))
