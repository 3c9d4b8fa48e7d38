/**
 * `npm run bench:rebilly-roundtrip`: creating one Rebilly card token over loopback HTTP, through
 * the adapter, through the official `rebilly-js-sdk`, and through plain undici, in one run.
 *
 * The testkit's Rebilly simulator serves on 127.0.0.1 (see `rebilly-roundtrip-loopback.ts`). The adapter's call is `gateway.issue` on a cached runtime: the
 * checks made before sending, the body with its spec limits, the credential the operation
 * accepts, the request through `NodeHttpClient.layerUndici`, the answer decoded and checked to be
 * a fresh token for the card sent. The SDK's is `paymentTokens.create({data})` on one
 * `RebillyAPI` instance (axios) pointed at the same organization URL with the same secret key and
 * the same body. The baseline is `undici.request` of the very bytes the adapter sent (captured
 * once), its body read to the end. An informational row times the adapter's `RebillyClient`
 * (the same request, no port mapping).
 *
 * Method (checks, warm-up, rotated turns, renewals, latency table, throughput at one
 * concurrency): `roundtrip.ts`. Targets: the adapter's throughput at least 1.5 times the SDK's
 * and within 1.25 times plain undici's, and its p50 latency within 1.25 times plain undici's.
 * Every client must be answered with a new token, and every round the simulator must have
 * minted exactly one token per request.
 */
import * as Redacted from "effect/Redacted"
import RebillyAPI from "rebilly-js-sdk"
import * as undici from "undici"
import * as Loopback from "./loopback.js"
import * as Setting from "./rebilly-roundtrip-loopback.js"
import { organizationId, secretKey } from "./rebilly-roundtrip-simulator.js"
import * as Report from "./report.js"
import * as Roundtrip from "./roundtrip.js"

const loopback = await Setting.start(Loopback.placement("worker"))
const { captured } = loopback
const url = new URL(captured.path, loopback.baseUrl)
Roundtrip.check(url.hostname === "127.0.0.1", "the simulator serves on 127.0.0.1")
const body = captured.body
if (body === undefined) throw new Error("the token creation was captured without its body")
const card = Setting.issueRequest.card
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
  const outcome = await loopback.run(loopback.gateway.issue(Setting.issueRequest))
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

const clients: ReadonlyArray<Roundtrip.Client> = [
  { name: "baseline: undici.request of the same bytes", role: "baseline", once: rawOnce },
  { name: "adapter: gateway.issue (RebillyGateway, layerUndici)", role: "target", once: adapterOnce },
  { name: "rebilly-js-sdk 62: paymentTokens.create", role: "informational", once: sdkOnce },
  { name: "part: RebillyClient.createToken", role: "informational", once: clientOnce },
]

await Roundtrip.answeredOnce(clients, loopback.verified)

Roundtrip.introduce(
  "Rebilly round-trip benchmark",
  loopback.simulator.placement,
  `card token creation ${captured.method} ${url.pathname} on ${url.origin}: a ${body.length}-byte body with the secret key; every client answered with a new token`,
)

await Roundtrip.latency({ call: "one token-creation round trip on loopback", clients, simulator: loopback.verified })
console.log("")

const concurrency = 16
const rates = await Roundtrip.throughput({
  call: "token creations per second on loopback",
  clients,
  concurrency,
  requests: 2_000,
  rounds: 5,
  simulator: loopback.verified,
})
const rateOf = (name: string) => {
  const client = clients.find((c) => c.name.startsWith(name))
  return client === undefined ? Number.NaN : (rates.get(client) ?? Number.NaN)
}
const adapterRate = rateOf("adapter")
const versusSdk = adapterRate / rateOf("rebilly-js-sdk")
const versusRaw = rateOf("baseline") / adapterRate
console.log(
  `  ${versusSdk >= 1.5 ? "meets" : "MISSES"} the target of at least ${Report.ratio(1.5)} the SDK's rate at ${concurrency} in flight: ${Report.ratio(versusSdk)}`,
)
console.log(
  `  ${versusRaw <= 1.25 ? "meets" : "MISSES"} the target of plain undici's rate within ${Report.ratio(1.25)}: undici is ${Report.ratio(versusRaw)} the adapter's`,
)

await loopback.dispose()
await undici.getGlobalDispatcher().close()
