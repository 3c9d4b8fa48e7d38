/**
 * The KOMOJU round-trip benchmark's setting (see `loopback.ts`): the real `KomojuGateway` against
 * the KOMOJU simulator, one fixed payment by token, and the bytes the adapter puts on the wire
 * for it, captured once for plain undici to send again.
 *
 * A token pays once, so the timed call is the payment's retry: the same request under the same
 * `X-KOMOJU-IDEMPOTENCY` key, which KOMOJU answers with the first answer without paying again.
 * Every client's request is therefore the same server work (a key looked up, an answer replayed),
 * and the adapter's call is exactly what it sends when a payment's answer was lost.
 *
 * Every fresh simulator, seeded alike, is primed with the captured token creation and first
 * payment, sent straight to its handler, so it holds the same token and payment under the same
 * ids and keys.
 *
 * Inputs are fixed: one merchant and its keys, one customer, one card (the networks' public test
 * number), the simulator seeded. Neither a key nor the card number is ever printed.
 */
import * as KomojuConfig from "@token-lifecycle/adapters-komoju/KomojuConfig"
import * as KomojuGateway from "@token-lifecycle/adapters-komoju/KomojuGateway"
import { parseCard } from "@token-lifecycle/domain/Card"
import { AccountRef, OwnerRef, type TokenId, UseReference } from "@token-lifecycle/domain/Identifiers"
import type { IssueRequest, UseRequest } from "@token-lifecycle/domain/TokenGateway"
import { apiPath } from "@token-lifecycle/testkit/simulators/komoju/KomojuSimulator"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type { WireRequest } from "./capture.js"
import { merchant, simulator } from "./komoju-roundtrip-simulator.js"
import * as Loopback from "./loopback.js"
import type { Placement } from "./renewable.js"
import { check, type Simulator } from "./roundtrip.js"

const card = Either.getOrThrowWith(
  parseCard({ number: "4111111111111111", expiry: { month: 12, year: 2030 }, holderName: "TARO YAMADA" }),
  () => new Error("the benchmark's card does not parse"),
)

const issueRequest: IssueRequest = {
  account: AccountRef.make(merchant.id),
  owner: OwnerRef.make("customer-1"),
  type: "card",
  card,
  idempotencyKey: "komoju-roundtrip-bench-token",
}

/** The payment every client makes: 2,500 yen with the token, under one reference (the idempotency key). */
const paymentWith = (tokenId: TokenId): UseRequest => ({
  tokenId,
  owner: issueRequest.owner,
  type: "card",
  operation: "payment",
  reference: UseReference.make("komoju-roundtrip-bench-order"),
  amount: { amount: 2500, currency: "JPY" },
})

/** KOMOJU's API at the server's `/api/v1`. */
const adapter = (baseUrl: string) =>
  KomojuGateway.layer.pipe(
    Layer.provide(
      KomojuConfig.layer({
        secretKey: merchant.secretKey,
        publishableKey: merchant.publishableKey,
        baseUrl: `${baseUrl}${apiPath}`,
        timeout: "10 seconds",
      }),
    ),
  )

export interface Setting extends Loopback.Loopback<KomojuGateway.KomojuGateway> {
  /** The gateway over `NodeHttpClient.layerUndici`, resolved once from the cached runtime. */
  readonly gateway: KomojuGateway.KomojuGatewayService
  /** The payment every client makes. */
  readonly payment: UseRequest
  /** KOMOJU's id of the payment: every answer names it. */
  readonly paymentId: string
  /** The request the adapter sent for `payment`, captured on the way to undici. */
  readonly captured: WireRequest
  /** Checks the simulator answered every request since it was primed, each by replay: nothing paid twice. */
  readonly verified: Simulator
}

/** Serve the simulator, build the measured gateway, capture the token's creation and the payment's bytes. */
export const start = async (placement: Placement): Promise<Setting> => {
  const loopback = await Loopback.start({ simulator, placement, adapter })
  const gateway = await loopback.run(KomojuGateway.KomojuGateway)
  const { value, requests } = await loopback.capture(
    Effect.gen(function* () {
      const komoju = yield* KomojuGateway.KomojuGateway
      const issued = yield* komoju.issue(issueRequest)
      if (issued._tag !== "Issued") return yield* Effect.dieMessage("the token was not issued")
      const payment = paymentWith(issued.tokenId)
      const receipt = yield* komoju.use(payment)
      return { payment, receipt }
    }),
  )
  const [, captured] = requests
  if (requests.length !== 2 || captured === undefined) {
    throw new Error("the token's creation and the payment were not captured, once each")
  }
  const paymentId = value.receipt.providerReference
  if (value.receipt.status !== "succeeded" || paymentId === undefined) {
    throw new Error("the capturing gateway's payment was not captured")
  }
  await loopback.simulator.prime(requests)
  return {
    ...loopback,
    gateway,
    payment: value.payment,
    paymentId,
    captured,
    // The primer's requests are in the log too, and were not replays.
    verified: Loopback.verifiedBy(loopback.simulator, (state, answered) => {
      check(state.answered === requests.length + answered, "the simulator answered every request")
      check(state.replayed === answered, "every request was answered by replay: nothing was paid twice")
    }),
  }
}
