/**
 * `npm run bench:rebilly-roundtrip`: creating one Rebilly card token over loopback HTTP, through
 * the adapter, through the official `rebilly-js-sdk`, and through plain undici, in one run.
 *
 * The testkit's Rebilly simulator serves on 127.0.0.1 in this process (see
 * `rebilly-roundtrip-loopback.ts`). The adapter's call is `gateway.issue` on a cached runtime: the
 * checks made before sending, the body with its spec limits, the credential the operation
 * accepts, the request through `NodeHttpClient.layerUndici`, the answer decoded and checked to be
 * a fresh token for the card sent. The SDK's is `paymentTokens.create({data})` on one
 * `RebillyAPI` instance (axios) pointed at the same organization URL with the same secret key and
 * the same body. The baseline is `undici.request` of the very bytes the adapter sent (captured
 * once), its body read to the end. An informational row times the adapter's `RebillyClient`
 * (the same request, no port mapping).
 *
 * Method (warm-up, rotated turns, renewals, latency table, throughput at one concurrency):
 * `roundtrip.ts`. Targets: the adapter's throughput at least 1.5 times the SDK's, and its p50
 * latency within 1.25 times plain undici's. Before measuring, every client must be answered
 * with a new token; every timed answer is checked too, and every round the simulator must have
 * minted exactly one token per request.
 */
import * as Redacted from "effect/Redacted"
import RebillyAPI from "rebilly-js-sdk"
import * as undici from "undici"
import * as Loopback from "./rebilly-roundtrip-loopback.js"
import * as Report from "./report.js"
import * as Roundtrip from "./roundtrip.js"

const loopback = await Loopback.start()
const { captured } = loopback
const url = new URL(captured.path, loopback.origin)
Roundtrip.check(url.hostname === "127.0.0.1", "the simulator serves on 127.0.0.1")
const body = captured.body
if (body === undefined) throw new Error("the token creation was captured without its body")
const card = Loopback.issueRequest.card
if (card === undefined) throw new Error("the benchmark's request has no card")

const rawOnce = async () => {
  const answer = await undici.request(url, { method: captured.method, body, headers: captured.headers })
  const text = await answer.body.text()
  if (answer.statusCode !== 201 || !text.includes(`"last4":"${card.masked.last4}"`)) {
    throw new Error(`plain undici: no token was created (HTTP ${answer.statusCode})`)
  }
}

const sdk = RebillyAPI({
  apiKey: Redacted.value(Loopback.secretKey),
  sandbox: true,
  timeout: 10_000,
  organizationId: Loopback.organizationId,
  urls: { live: loopback.origin, sandbox: loopback.origin },
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
  const outcome = await loopback.run(loopback.gateway.issue(Loopback.issueRequest))
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

/** The current simulator minted `requests` tokens: one per request, none refused. */
const checkMinted = async (requests: number) => {
  Roundtrip.check((await loopback.minted()) === requests, "the simulator minted one token per request")
}

// Every client must be answered with a new token (each throws otherwise) before anything is measured.
await loopback.renew()
for (const client of clients) await client.once()
await checkMinted(clients.length)

console.log(`token-lifecycle Rebilly round-trip benchmark · ${Roundtrip.machine()}`)
console.log(
  `card token creation ${captured.method} ${url.pathname} on ${url.origin}: a ${body.length}-byte body with the secret key; every client answered with a new token`,
)
console.log("")

const renewal = {
  every: 100,
  run: async (requests: number) => {
    await checkMinted(requests)
    await loopback.renew()
  },
}

await loopback.renew()
await Roundtrip.latency({
  call: "one token-creation round trip on loopback",
  clients,
  warmupTurns: 300,
  turns: 2_000,
  // The simulator is replaced by a fresh one every 100 turns.
  renewal,
  targetRatioAtP50: 1.25,
})
console.log("")

const concurrency = 16
await loopback.renew()
const rates = await Roundtrip.throughput({
  call: "token creations per second on loopback",
  clients,
  concurrency,
  requests: 2_000,
  rounds: 5,
  afterRound: renewal.run,
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
