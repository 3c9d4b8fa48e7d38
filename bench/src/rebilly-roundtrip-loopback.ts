/**
 * The Rebilly round-trip benchmark's setting (see `loopback.ts`): the real `RebillyGateway` and
 * `RebillyClient` against the Rebilly simulator, one fixed card token request, and the bytes the
 * adapter puts on the wire for it, captured once for plain undici and the official SDK to send
 * again.
 *
 * Every call creates a new token (`POST /tokens`), so every client's request is the same server
 * work; a renewal checks the simulator minted one token per request. Inputs are fixed: one
 * organization and its secret key, one card (the networks' public test number), the simulator
 * seeded. Neither the key nor the card number is ever printed.
 */
import * as RebillyClient from "@token-lifecycle/adapters-rebilly/RebillyClient"
import * as RebillyConfig from "@token-lifecycle/adapters-rebilly/RebillyConfig"
import * as RebillyGateway from "@token-lifecycle/adapters-rebilly/RebillyGateway"
import { parseCard } from "@token-lifecycle/domain/Card"
import { AccountRef, OwnerRef } from "@token-lifecycle/domain/Identifiers"
import { type IssueRequest, TokenGateway, type TokenGatewayService } from "@token-lifecycle/domain/TokenGateway"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type { WireRequest } from "./capture.js"
import * as Loopback from "./loopback.js"
import { organizationId, secretKey, simulator } from "./rebilly-roundtrip-simulator.js"
import type { Placement } from "./renewable.js"
import { check, type Simulator } from "./roundtrip.js"

const card = Either.getOrThrowWith(
  parseCard({ number: "4111111111111111", cvv: "123", expiry: { month: 12, year: 2030 }, holderName: "JANE ROE" }),
  () => new Error("the benchmark's card does not parse"),
)

/** The token every client asks for: the card with the billing address it needs to pay, and the payer's IP. */
export const issueRequest: IssueRequest = {
  account: AccountRef.make(organizationId),
  owner: OwnerRef.make("customer-1"),
  type: "card",
  card,
  idempotencyKey: "rebilly-roundtrip-bench",
  customer: { firstName: "Jane", lastName: "Roe", country: "US", postalCode: "10001", ipAddress: "198.51.100.47" },
}

/** The gateway and the client, at the organization's URL on the server. */
const adapter = (baseUrl: string) =>
  Layer.mergeAll(RebillyGateway.layer, RebillyClient.layer).pipe(
    Layer.provide(
      RebillyConfig.layer({
        organizationId,
        baseUrl: `${baseUrl}/organizations/${organizationId}`,
        secretKey,
        timeout: "10 seconds",
      }),
    ),
  )

export interface Setting extends Loopback.Loopback<TokenGateway | RebillyClient.RebillyClient> {
  readonly gateway: TokenGatewayService
  readonly client: RebillyClient.RebillyClientService
  /** The adapter's `POST /tokens` for `issueRequest`, captured on the way to undici. */
  readonly captured: WireRequest
  /** Checks the simulator minted one token per request, none refused. */
  readonly verified: Simulator
}

/** Serve the simulator, build the measured adapter, capture the bytes of one token creation. */
export const start = async (placement: Placement): Promise<Setting> => {
  const loopback = await Loopback.start({ simulator, placement, adapter })
  const gateway = await loopback.run(TokenGateway)
  const client = await loopback.run(RebillyClient.RebillyClient)
  const { value, requests } = await loopback.capture(Effect.flatMap(TokenGateway, (g) => g.issue(issueRequest)))
  const [captured] = requests
  if (value._tag !== "Issued") throw new Error("the capturing gateway's token was not issued")
  if (requests.length !== 1 || captured === undefined) throw new Error("the token's creation was not captured, once")
  return {
    ...loopback,
    gateway,
    client,
    captured,
    verified: Loopback.verifiedBy(loopback.simulator, ({ tokens }, requests) =>
      check(tokens === requests, "the simulator minted one token per request"),
    ),
  }
}
