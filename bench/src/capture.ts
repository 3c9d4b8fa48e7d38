/**
 * The bytes an adapter puts on the wire, captured so plain undici can send them again as the
 * baseline: an undici `Agent` that records what it dispatches, handed to an adapter of its own
 * through `NodeHttpClient.layerUndiciWithoutDispatcher`.
 */
import type { HttpClient } from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { Agent, type Dispatcher } from "undici"

/** What undici was asked to send: method, path, headers and body, as the adapter gave them. */
export interface WireRequest {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array | undefined
}

/** An undici `Agent` that records every request it dispatches, in order. */
class CapturingAgent extends Agent {
  readonly captured: Array<WireRequest> = []
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const headers: Record<string, string> = {}
    const raw = options.headers
    if (raw !== undefined && raw !== null && !Array.isArray(raw) && typeof raw === "object") {
      for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof value === "string") headers[name] = value
      }
    }
    const body =
      options.body instanceof Uint8Array
        ? new Uint8Array(options.body)
        : typeof options.body === "string"
          ? new TextEncoder().encode(options.body)
          : undefined
    this.captured.push({ method: options.method, path: options.path, headers, body })
    return super.dispatch(options, handler)
  }
}

/**
 * Runs `effect` on the adapter `layer` builds over a recording dispatcher of its own (then
 * disposed): what it returned, and every request it dispatched, in order.
 */
export const capture = async <R, E, A, F>(
  layer: Layer.Layer<R, E, HttpClient>,
  effect: Effect.Effect<A, F, R>,
): Promise<{ readonly value: A; readonly requests: ReadonlyArray<WireRequest> }> => {
  const capturing = new CapturingAgent()
  const runtime = ManagedRuntime.make(
    layer.pipe(
      Layer.provide(
        NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
          Layer.provide(Layer.succeed(NodeHttpClient.Dispatcher, capturing as Dispatcher)),
        ),
      ),
    ),
  )
  try {
    const value = await runtime.runPromise(effect)
    return { value, requests: capturing.captured }
  } finally {
    await runtime.dispose()
    await capturing.close()
  }
}
