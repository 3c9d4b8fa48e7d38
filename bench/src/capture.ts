/**
 * The bytes an adapter puts on the wire, captured once so plain undici can send them again as
 * the baseline: an undici `Agent` that records what it dispatches, to hand to
 * `NodeHttpClient.layerUndiciWithoutDispatcher`.
 */
import { Agent, type Dispatcher } from "undici"

/** What undici was asked to send: method, path, headers and body, as the adapter gave them. */
export interface WireRequest {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array | undefined
}

/** An undici `Agent` that records every request it dispatches, in order. */
export class CapturingAgent extends Agent {
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

  /** The last request dispatched; throws when there was none. */
  get last(): WireRequest {
    const last = this.captured.at(-1)
    if (last === undefined) throw new Error("no request was captured")
    return last
  }
}
