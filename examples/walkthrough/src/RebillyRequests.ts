/**
 * What the Rebilly simulator received, as a table: each request the adapter sent, the kind of
 * credential Rebilly let in, and its answer (with the fields a 422 named). It shows what the
 * steps alone cannot: a use the lifecycle refused, and a call made with the wrong kind of key,
 * never reached Rebilly.
 */
import { RebillySimulator, type RequestRecord } from "@token-lifecycle/testkit/simulators/rebilly/RebillySimulator"
import * as Effect from "effect/Effect"
import * as Format from "./Format.js"
import * as Table from "./Table.js"
import * as Transcript from "./Transcript.js"

const columns: ReadonlyArray<Table.Column> = [
  { header: "time" },
  { header: "request" },
  { header: "credential" },
  { header: "answer" },
]

const answer = (record: RequestRecord): string =>
  record.invalidFields === undefined ? String(record.status) : `${record.status} (${record.invalidFields.join(", ")})`

/** The table of these requests, in the order received. */
export const render = (requests: ReadonlyArray<RequestRecord>): ReadonlyArray<string> =>
  Table.render(
    columns,
    requests.map((record) => [
      Format.instant(record.receivedAt),
      `${record.method} ${record.path}`,
      record.scheme ?? "",
      answer(record),
    ]),
    { indent: "    " },
  )

/** Print every request the simulator has received so far. */
export const print: Effect.Effect<void, never, RebillySimulator | Transcript.Transcript> = Effect.gen(function* () {
  const requests = yield* Effect.flatMap(RebillySimulator, (simulator) => simulator.requests)
  yield* Transcript.write("", "What Rebilly received (RebillySimulator.requests)", "", ...render(requests))
})
