/**
 * What the KOMOJU simulator received, as a table: each request the adapter sent, the key it was
 * sent with, its idempotency key, and KOMOJU's answer. It shows what the steps alone cannot: the
 * publishable key only ever created tokens, every POST carried its own idempotency key, and a
 * use the lifecycle refused never reached KOMOJU.
 */
import { KomojuSimulator, type RequestRecord } from "@token-lifecycle/testkit/simulators/komoju/KomojuSimulator"
import * as Effect from "effect/Effect"
import * as Format from "./Format.js"
import * as Table from "./Table.js"
import * as Transcript from "./Transcript.js"

const columns: ReadonlyArray<Table.Column> = [
  { header: "time" },
  { header: "request" },
  { header: "key" },
  { header: "X-KOMOJU-IDEMPOTENCY" },
  { header: "answer" },
]

const answer = (record: RequestRecord): string =>
  record.code === undefined ? String(record.status) : `${record.status} (${record.code})`

/** The table of these requests, in the order received. */
export const render = (requests: ReadonlyArray<RequestRecord>): ReadonlyArray<string> =>
  Table.render(
    columns,
    requests.map((record) => [
      Format.instant(record.receivedAt),
      `${record.method} ${record.path}`,
      record.keyKind ?? "none",
      record.idempotencyKey ?? "none",
      answer(record),
    ]),
    { indent: "    " },
  )

/** Print every request the simulator has received so far. */
export const print: Effect.Effect<void, never, KomojuSimulator | Transcript.Transcript> = Effect.gen(function* () {
  const requests = yield* Effect.flatMap(KomojuSimulator, (simulator) => simulator.requests)
  yield* Transcript.write("", "What KOMOJU received (KomojuSimulator.requests)", "", ...render(requests))
})
