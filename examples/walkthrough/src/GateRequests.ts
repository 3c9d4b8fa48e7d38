/**
 * What the Gate simulator received, as a table: each request the adapter sent, and Gate's
 * answer. It shows what the steps alone cannot: every request was signed well enough to be
 * accepted, and a use the lifecycle refused never reached Gate.
 */
import { GateSimulator, type RequestRecord } from "@token-lifecycle/testkit/simulators/gate/GateSimulator"
import * as Effect from "effect/Effect"
import * as Format from "./Format.js"
import * as Table from "./Table.js"
import * as Transcript from "./Transcript.js"

const columns: ReadonlyArray<Table.Column> = [
  { header: "time" },
  { header: "request" },
  { header: "path" },
  { header: "answer" },
]

const answer = (record: RequestRecord): string =>
  record.code === undefined ? String(record.status) : `${record.status} (Gate code ${record.code})`

/** The table of these requests, in the order received. */
export const render = (requests: ReadonlyArray<RequestRecord>): ReadonlyArray<string> =>
  Table.render(
    columns,
    requests.map((record) => [
      Format.instant(record.receivedAt),
      Format.identifier(record.requestId),
      record.path,
      answer(record),
    ]),
    { indent: "    " },
  )

/** Print every request the simulator has received so far. */
export const print: Effect.Effect<void, never, GateSimulator | Transcript.Transcript> = Effect.gen(function* () {
  const requests = yield* Effect.flatMap(GateSimulator, (simulator) => simulator.requests)
  yield* Transcript.write("", "What Gate received (GateSimulator.requests)", "", ...render(requests))
})
