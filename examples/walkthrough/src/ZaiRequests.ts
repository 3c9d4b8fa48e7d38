/**
 * What the Zai simulator received, as a table: each request, from the platform (the adapter, on
 * the auth or the core host) or from the browser, and Zai's answer. It shows what the steps
 * alone cannot: one access token served every call, a token auth is asked for only when a
 * session needs one, and each account the browser reports is read back from Zai before its use
 * is recorded.
 */
import { type RequestRecord, ZaiSimulator } from "@token-lifecycle/testkit/simulators/zai/ZaiSimulator"
import * as Effect from "effect/Effect"
import * as Format from "./Format.js"
import * as Table from "./Table.js"
import * as Transcript from "./Transcript.js"

const columns: ReadonlyArray<Table.Column> = [
  { header: "time" },
  { header: "from" },
  { header: "request" },
  { header: "answer" },
]

/** `GET /card_accounts/3f2a9c1d…77e3/users`: long ids by their ends. */
const shortPath = (path: string): string =>
  path
    .split("/")
    .map((segment) => Format.identifier(decodeURIComponent(segment)))
    .join("/")

const from: Record<RequestRecord["via"], string> = {
  auth: "platform → auth host",
  core: "platform → core API",
  browser: "browser (PromisePay.js)",
}

/** The table of these requests, in the order received. */
export const render = (requests: ReadonlyArray<RequestRecord>): ReadonlyArray<string> =>
  Table.render(
    columns,
    requests.map((record) => [
      Format.instant(record.receivedAt),
      from[record.via],
      `${record.method} ${shortPath(record.path)}`,
      String(record.status),
    ]),
    { indent: "    " },
  )

/** Print every request the simulator has received so far. */
export const print: Effect.Effect<void, never, ZaiSimulator | Transcript.Transcript> = Effect.gen(function* () {
  const requests = yield* Effect.flatMap(ZaiSimulator, (simulator) => simulator.requests)
  yield* Transcript.write("", "What Zai received (ZaiSimulator.requests)", "", ...render(requests))
})
