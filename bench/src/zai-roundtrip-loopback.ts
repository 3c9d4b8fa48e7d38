/**
 * The Zai round-trip benchmark's setting (see `loopback.ts`): the real Zai adapter against the Zai
 * simulator (both of Zai's hosts at one base URL), one fixed token-auth request, and the bytes the
 * adapter puts on the wire for it (bearer token included), captured for plain undici to send
 * again.
 *
 * A fresh simulator knows neither the user nor any access token, so each renewal, outside the
 * timed calls, creates the user through the adapter (whose first call meets a 401 and
 * re-authenticates once) and captures the request again through a second adapter (with an access
 * token of its own, which the fresh simulator issued). Inputs are fixed; the client secret is
 * never printed.
 */
import * as ZaiAccounts from "@token-lifecycle/adapters-zai/ZaiAccounts"
import * as ZaiConfig from "@token-lifecycle/adapters-zai/ZaiConfig"
import * as ZaiCore from "@token-lifecycle/adapters-zai/ZaiCore"
import * as ZaiGateway from "@token-lifecycle/adapters-zai/ZaiGateway"
import * as ZaiUsers from "@token-lifecycle/adapters-zai/ZaiUsers"
import { AccountRef, OwnerRef } from "@token-lifecycle/domain/Identifiers"
import { type IssueRequest, TokenGateway } from "@token-lifecycle/domain/TokenGateway"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type { WireRequest } from "./capture.js"
import * as Loopback from "./loopback.js"
import type { Placement } from "./renewable.js"
import { check, type Simulator } from "./roundtrip.js"
import { client, simulator } from "./zai-roundtrip-simulator.js"

const userId = "bench-buyer-1"

/** One card token auth for one user: Zai answers 200 with a new token every time. */
export const issueRequest: IssueRequest = {
  account: AccountRef.make("bench-marketplace"),
  owner: OwnerRef.make(userId),
  type: "card",
  idempotencyKey: "unused-by-zai",
}

/** The adapter's services, sharing one access token, with both hosts at the server's one base URL. */
const adapter = (baseUrl: string) =>
  Layer.mergeAll(ZaiGateway.layer, ZaiUsers.layer, ZaiAccounts.layer).pipe(
    Layer.provideMerge(ZaiCore.layer),
    Layer.provide(
      ZaiConfig.layer({
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        scope: client.scope,
        webhookSecret: Redacted.make("unused-by-token-auths"),
        authBaseUrl: baseUrl,
        coreBaseUrl: baseUrl,
        timeout: "10 seconds",
      }),
    ),
  )

export interface Setting extends Loopback.Loopback<TokenGateway | ZaiCore.ZaiCore | ZaiUsers.ZaiUsers> {
  /** The gateway over `NodeHttpClient.layerUndici`, resolved once from the cached runtime. */
  readonly gateway: TokenGateway["Type"]
  /** The last token-auth request the capturing adapter sent, with a token the current simulator issued. */
  readonly captured: () => WireRequest
  /** Renews with the user created and the request captured again; checks every token auth was issued. */
  readonly verified: Simulator
}

export const start = async (placement: Placement): Promise<Setting> => {
  const loopback = await Loopback.start({ simulator, placement, adapter })
  const gateway = await loopback.run(TokenGateway)

  let captured: WireRequest | undefined
  const prepare = async () => {
    await loopback.run(
      Effect.flatMap(ZaiUsers.ZaiUsers, (users) =>
        users.createPayin({
          id: userId,
          firstName: "Bench",
          lastName: "Buyer",
          email: "bench-buyer-1@example.com",
          country: "AUS",
        }),
      ),
    )
    const { value, requests } = await loopback.capture(Effect.flatMap(TokenGateway, (g) => g.issue(issueRequest)))
    captured = requests.at(-1)
    if (value._tag !== "Issued") throw new Error("the capturing adapter's token auth was not issued")
  }
  await prepare()

  return {
    ...loopback,
    gateway,
    captured: () => {
      if (captured === undefined) throw new Error("no token auth was captured")
      return captured
    },
    verified: {
      // One more token auth than the clients': the capture made at the renewal.
      ...Loopback.verifiedBy(loopback.simulator, ({ tokenAuths }, requests) =>
        check(tokenAuths === requests + 1, "the simulator issued every token auth"),
      ),
      renew: async () => {
        await loopback.simulator.renew()
        await prepare()
      },
    },
  }
}
