/**
 * The calls the Rebilly round-trip benchmark makes, one card token creation each, against one
 * setting (see `rebilly-roundtrip-loopback.ts`). Each returns once the answer's body is read, and
 * throws unless the answer is a new token for the card sent:
 *
 * - plain undici: `undici.request` of the captured bytes (method, path, headers, body);
 * - the adapter: `gateway.issue(request)` on the cached runtime;
 * - the official `rebilly-js-sdk`: `paymentTokens.create({data})` on one `RebillyAPI` instance
 *   (axios) pointed at the same organization with the same secret key and the same body;
 * - the adapter's `RebillyClient.createToken` (the same request, no port mapping).
 */
import * as Redacted from "effect/Redacted"
import RebillyAPI from "rebilly-js-sdk"
import * as undici from "undici"
import type { Setting } from "./rebilly-roundtrip-loopback.js"
import { issueRequest } from "./rebilly-roundtrip-loopback.js"
import { organizationId, secretKey } from "./rebilly-roundtrip-simulator.js"
import { type Client, check } from "./roundtrip.js"

export const make = (loopback: Setting): ReadonlyArray<Client> => {
  const { captured } = loopback
  const url = new URL(captured.path, loopback.baseUrl)
  check(url.hostname === "127.0.0.1", "the simulator serves on 127.0.0.1")
  const body = captured.body
  if (body === undefined) throw new Error("the token creation was captured without its body")
  const card = issueRequest.card
  if (card === undefined) throw new Error("the benchmark's request has no card")

  const rawOnce = async () => {
    const answer = await undici.request(url, { method: captured.method, body, headers: captured.headers })
    const text = await answer.body.text()
    if (answer.statusCode !== 201 || !text.includes(`"last4":"${card.masked.last4}"`)) {
      throw new Error(`plain undici: no token was created (HTTP ${answer.statusCode})`)
    }
  }

  const sdk = RebillyAPI({
    apiKey: Redacted.value(secretKey),
    sandbox: true,
    timeout: 10_000,
    organizationId,
    urls: { live: loopback.baseUrl, sandbox: loopback.baseUrl },
  })
  /** The body the SDK sends: the adapter's, as data. */
  const data = JSON.parse(new TextDecoder().decode(body))

  const sdkOnce = async () => {
    const token = await sdk.paymentTokens.create({ data })
    const fields = token.fields as { readonly id?: unknown; readonly isUsed?: unknown }
    if (token.response.status !== 201 || typeof fields.id !== "string" || fields.isUsed !== false) {
      throw new Error("rebilly-js-sdk: no token was created")
    }
  }

  const adapterOnce = async () => {
    const outcome = await loopback.run(loopback.gateway.issue(issueRequest))
    if (outcome._tag !== "Issued" || outcome.tokenId.length === 0) throw new Error("the adapter: no token was issued")
  }

  /** The same token through the client: the card with the billing address and risk metadata `gateway.issue` sends. */
  const clientInput = {
    card,
    billingAddress: { firstName: "Jane", lastName: "Roe", country: "US", postalCode: "10001" },
    riskMetadata: { ipAddress: "198.51.100.47" },
  }
  const clientOnce = async () => {
    const created = await loopback.run(loopback.client.createToken(clientInput))
    if (created.value.isUsed || created.value.paymentInstrument.last4 !== card.masked.last4) {
      throw new Error("RebillyClient: no token was created")
    }
  }

  return [
    { name: "baseline: undici.request of the same bytes", role: "baseline", once: rawOnce },
    { name: "adapter: gateway.issue (RebillyGateway, layerUndici)", role: "target", once: adapterOnce },
    { name: "rebilly-js-sdk 62: paymentTokens.create", role: "informational", once: sdkOnce },
    { name: "part: RebillyClient.createToken", role: "informational", once: clientOnce },
  ]
}
