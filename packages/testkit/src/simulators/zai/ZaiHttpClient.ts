/**
 * The simulator as an in-process `HttpClient`, answering both of Zai's hosts without a socket:
 * requests under the auth base URL go to the issuer, requests under the core base URL to the
 * core API. A request to any other host, or a dropped connection, is a `RequestError` with
 * reason `Transport`, as a real client reports a reset.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as InProcessHttpClient from "../shared/InProcessHttpClient.js"
import type * as SimulatedHttp from "../shared/SimulatedHttp.js"
import * as SimulatorLayers from "../shared/SimulatorLayers.js"
import {
  defaultAuthBaseUrl,
  defaultBaseUrl,
  layer as simulatorLayer,
  ZaiSimulator,
  type ZaiSimulatorService,
} from "./ZaiSimulator.js"

export interface ZaiHttpClientOptions {
  /** The core API's base URL. Default pre-live's, `https://test.api.promisepay.com`. */
  readonly baseUrl?: string
  /** The token issuer's base URL. Default pre-live's, `https://au-0000.sandbox.auth.assemblypay.com`. */
  readonly authBaseUrl?: string
}

interface Host {
  readonly base: URL
  readonly path: string
  readonly client: HttpClient.HttpClient
}

const hostOf = (baseUrl: string, handler: SimulatedHttp.Handler): Host => {
  const base = new URL(baseUrl)
  return { base, path: base.pathname.replace(/\/+$/, ""), client: InProcessHttpClient.make(handler, baseUrl) }
}

const serves = (host: Host, url: URL): boolean =>
  url.origin === host.base.origin && (url.pathname === host.path || url.pathname.startsWith(`${host.path}/`))

/**
 * A client for both hosts. When both base URLs are the same, it answers as the loopback server
 * does (`/tokens` to the issuer); otherwise the host whose base URL holds the request's, the
 * longer path first.
 */
const client = (simulator: ZaiSimulatorService, options: ZaiHttpClientOptions | undefined): HttpClient.HttpClient => {
  const auth = hostOf(options?.authBaseUrl ?? defaultAuthBaseUrl, simulator.handleAuth)
  const core = hostOf(options?.baseUrl ?? defaultBaseUrl, simulator.handleCore)
  if (auth.base.origin === core.base.origin && auth.path === core.path) {
    return InProcessHttpClient.make(simulator.handle, core.base.href)
  }
  const hosts = [auth, core].sort((a, b) => b.path.length - a.path.length)
  // Outside both, the core client refuses it as no route.
  return HttpClient.make((request, url) => (hosts.find((host) => serves(host, url)) ?? core).client.execute(request))
}

const layers = SimulatorLayers.inProcess(ZaiSimulator, simulatorLayer, client)

/** An `HttpClient` backed by the `ZaiSimulator` in context. */
export const make = layers.make

/** `HttpClient.HttpClient` answered by the `ZaiSimulator` in context. */
export const layer = layers.layer

/** A fresh simulator and an `HttpClient` in front of it, in one layer. */
export const layerWithSimulator = layers.layerWithSimulator
