/**
 * What the Zai simulator received: each request, from the platform (the adapter, on the auth or
 * the core host) or from the browser, and Zai's answer. It shows that one access token served
 * every call, that a token auth is asked for only when a session needs one, and that each account
 * the browser reports is read back from Zai before its use is recorded.
 */
import { type RequestRecord, ZaiSimulator } from "@token-lifecycle/testkit/simulators/zai/ZaiSimulator"
import * as Effect from "effect/Effect"
import * as Format from "./Format.js"
import * as ProviderRequests from "./ProviderRequests.js"

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

const table: ProviderRequests.RequestTable<RequestRecord> = {
  provider: "Zai",
  source: "ZaiSimulator.requests",
  columns: [{ header: "from" }, { header: "request" }, { header: "answer" }],
  row: (record) => [from[record.via], `${record.method} ${shortPath(record.path)}`, String(record.status)],
}

/** Print every request the simulator has received so far. */
export const print = ProviderRequests.print(
  table,
  Effect.flatMap(ZaiSimulator, (simulator) => simulator.requests),
)
