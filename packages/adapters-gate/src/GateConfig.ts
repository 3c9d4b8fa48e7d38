/**
 * What the Gate adapter needs to know: the project, its secret, where Gate is and how long
 * to wait. Read from Effect `Config` (the secret as `Redacted`), or given directly.
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"

export interface GateOptions {
  readonly projectId: number
  readonly secretKey: Redacted.Redacted<string>
  /** Default `https://api.ecommpay.com`. */
  readonly baseUrl: string
  /** How long one request may take. */
  readonly timeout: Duration.Duration
}

export class GateConfig extends Context.Tag("@token-lifecycle/adapters-gate/GateConfig")<GateConfig, GateOptions>() {}

export const defaultBaseUrl = "https://api.ecommpay.com"

export const layer = (options: {
  readonly projectId: number
  readonly secretKey: Redacted.Redacted<string>
  readonly baseUrl?: string
  readonly timeout?: Duration.DurationInput
}): Layer.Layer<GateConfig> =>
  Layer.succeed(GateConfig, {
    projectId: options.projectId,
    secretKey: options.secretKey,
    baseUrl: options.baseUrl ?? defaultBaseUrl,
    timeout: Duration.decode(options.timeout ?? "30 seconds"),
  })

/** `GATE_PROJECT_ID`, `GATE_SECRET_KEY`, and optionally `GATE_BASE_URL` and `GATE_TIMEOUT` (e.g. `20 seconds`). */
export const config: Config.Config<GateOptions> = Config.all({
  projectId: Config.integer("GATE_PROJECT_ID").pipe(
    Config.validate({ message: "must be positive", validation: (n) => n > 0 }),
  ),
  secretKey: Config.redacted("GATE_SECRET_KEY"),
  baseUrl: Config.string("GATE_BASE_URL").pipe(Config.withDefault(defaultBaseUrl)),
  timeout: Config.duration("GATE_TIMEOUT").pipe(Config.withDefault(Duration.seconds(30))),
})

export const layerConfig = (from: Config.Config<GateOptions> = config) => Layer.effect(GateConfig, from)
