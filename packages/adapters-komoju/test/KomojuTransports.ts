/**
 * How a test reaches the KOMOJU simulator: in process (the simulator's `HttpClient`), or over
 * real HTTP (undici to the simulator served on 127.0.0.1). Either way the layer gives the
 * `HttpClient` and the `KomojuConfig` an adapter needs, and the simulator to drive and read.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as KomojuHttpClient from "@token-lifecycle/testkit/simulators/komoju/KomojuHttpClient"
import * as KomojuServer from "@token-lifecycle/testkit/simulators/komoju/KomojuServer"
import * as KomojuSimulator from "@token-lifecycle/testkit/simulators/komoju/KomojuSimulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as KomojuConfig from "../src/KomojuConfig.js"

export type Settings = Parameters<typeof KomojuConfig.layer>[0]

/** The simulator answering in process. */
export const inProcess = (settings: Settings, simulator: KomojuSimulator.KomojuSimulatorOptions) =>
  Layer.mergeAll(KomojuHttpClient.layer(), KomojuConfig.layer(settings)).pipe(
    Layer.provideMerge(KomojuSimulator.layer(simulator)),
  )

/**
 * The simulator served on loopback HTTP. It runs in this process, on the test's clock: moving
 * the test clock moves KOMOJU's too.
 */
export const overLoopback = (settings: Settings, simulator: KomojuSimulator.KomojuSimulatorOptions) =>
  Layer.mergeAll(
    NodeHttpClient.layerUndici,
    Layer.unwrapEffect(
      Effect.map(KomojuServer.KomojuServer, (server) =>
        KomojuConfig.layer({ timeout: "10 seconds", ...settings, baseUrl: KomojuServer.apiBaseUrl(server) }),
      ),
    ),
  ).pipe(Layer.provideMerge(KomojuServer.layerWithSimulator(simulator)), Layer.orDie)
