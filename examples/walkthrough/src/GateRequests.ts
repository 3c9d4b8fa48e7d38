/**
 * What the Gate simulator received: each request the adapter sent, and Gate's answer with its
 * code. It shows that every request was signed well enough to be accepted, and that a use the
 * lifecycle refused never reached Gate.
 */
import { GateSimulator, type RequestRecord } from "@token-lifecycle/testkit/simulators/gate/GateSimulator"
import * as Effect from "effect/Effect"
import * as Format from "./Format.js"
import * as ProviderRequests from "./ProviderRequests.js"

const answer = (record: RequestRecord): string =>
  record.code === undefined ? String(record.status) : `${record.status} (Gate code ${record.code})`

const table: ProviderRequests.RequestTable<RequestRecord> = {
  provider: "Gate",
  source: "GateSimulator.requests",
  columns: [{ header: "request" }, { header: "path" }, { header: "answer" }],
  row: (record) => [Format.identifier(record.requestId), record.path, answer(record)],
}

/** Print every request the simulator has received so far. */
export const print = ProviderRequests.print(
  table,
  Effect.flatMap(GateSimulator, (simulator) => simulator.requests),
)
