/**
 * What the Rebilly simulator received: each request the adapter sent, the kind of credential
 * Rebilly let in, and its answer (with the fields a 422 named). It shows that a use the lifecycle
 * refused, and a call made with the wrong kind of key, never reached Rebilly.
 */
import { RebillySimulator, type RequestRecord } from "@token-lifecycle/testkit/simulators/rebilly/RebillySimulator"
import * as Effect from "effect/Effect"
import * as ProviderRequests from "./ProviderRequests.js"

const answer = (record: RequestRecord): string =>
  record.invalidFields === undefined ? String(record.status) : `${record.status} (${record.invalidFields.join(", ")})`

const table: ProviderRequests.RequestTable<RequestRecord> = {
  provider: "Rebilly",
  source: "RebillySimulator.requests",
  columns: [{ header: "request" }, { header: "credential" }, { header: "answer" }],
  row: (record) => [`${record.method} ${record.path}`, record.scheme ?? "", answer(record)],
}

/** Print every request the simulator has received so far. */
export const print = ProviderRequests.print(
  table,
  Effect.flatMap(RebillySimulator, (simulator) => simulator.requests),
)
