/**
 * The Gate round-trip benchmark's setting (see `loopback.ts`): the real `GateGateway` against the
 * Gate simulator, one fixed tokenize request, and the bytes the adapter puts on the wire for it,
 * captured once for plain undici to send again.
 *
 * Inputs are fixed: one project and secret, one customer, one card (the networks' public test
 * number), the simulator seeded. Neither the secret nor the card number is ever printed.
 */
import * as GateConfig from "@token-lifecycle/adapters-gate/GateConfig"
import * as GateGateway from "@token-lifecycle/adapters-gate/GateGateway"
import { parseCard } from "@token-lifecycle/domain/Card"
import { AccountRef, OwnerRef } from "@token-lifecycle/domain/Identifiers"
import { type IssueRequest, TokenGateway } from "@token-lifecycle/domain/TokenGateway"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type { WireRequest } from "./capture.js"
import { project, simulator } from "./gate-roundtrip-simulator.js"
import * as Loopback from "./loopback.js"
import type { Placement } from "./renewable.js"
import type { Simulator } from "./roundtrip.js"
import { check } from "./roundtrip.js"

const card = Either.getOrThrowWith(
  parseCard({ number: "4111111111111111", expiry: { month: 12, year: 2030 }, holderName: "JANE ROE" }),
  () => new Error("the benchmark's card does not parse"),
)

/** One tokenize of one card for one customer: Gate answers 200 "accepted" every time. */
export const issueRequest: IssueRequest = {
  account: AccountRef.make(String(project.id)),
  owner: OwnerRef.make("customer-1"),
  type: "card",
  card,
  customer: { ipAddress: "198.51.100.47" },
  idempotencyKey: "gate-roundtrip-bench-1",
}

const adapter = (baseUrl: string) =>
  GateGateway.layer.pipe(
    Layer.provide(
      Layer.succeed(GateConfig.GateConfig, {
        projectId: project.id,
        secretKey: project.secret,
        baseUrl,
        timeout: Duration.seconds(10),
      }),
    ),
  )

export interface Setting extends Loopback.Loopback<TokenGateway> {
  /** The gateway over `NodeHttpClient.layerUndici`, resolved once from the cached runtime. */
  readonly gateway: TokenGateway["Type"]
  /** The request the adapter sent for `issueRequest`, captured on the way to undici. */
  readonly captured: WireRequest
  /** Checks the simulator answered every request, each tokenize queueing its callback. */
  readonly verified: Simulator
}

/** Serve the simulator, build the measured gateway, and capture one tokenize request's bytes. */
export const start = async (placement: Placement): Promise<Setting> => {
  const loopback = await Loopback.start({ simulator, placement, adapter })
  const gateway = await loopback.run(TokenGateway)
  const { value, requests } = await loopback.capture(Effect.flatMap(TokenGateway, (g) => g.issue(issueRequest)))
  const captured = requests.at(-1)
  if (value._tag !== "Accepted" || captured === undefined)
    throw new Error("the capturing gateway's tokenize was not accepted")
  return {
    ...loopback,
    gateway,
    captured,
    verified: Loopback.verifiedBy(loopback.simulator, (state, requests) => {
      check(state.answered === requests, "the simulator answered every request")
      check(state.pendingCallbacks === requests, "each accepted tokenize queued its callback")
    }),
  }
}
