/**
 * What the KOMOJU simulator received: each request the adapter sent, the key it was sent with,
 * its idempotency key, and KOMOJU's answer. It shows that the publishable key only ever created
 * tokens, that every POST carried its own idempotency key, and that a use the lifecycle refused
 * never reached KOMOJU.
 */
import { KomojuSimulator, type RequestRecord } from "@token-lifecycle/testkit/simulators/komoju/KomojuSimulator"
import * as Effect from "effect/Effect"
import * as ProviderRequests from "./ProviderRequests.js"

const answer = (record: RequestRecord): string =>
  record.code === undefined ? String(record.status) : `${record.status} (${record.code})`

const table: ProviderRequests.RequestTable<RequestRecord> = {
  provider: "KOMOJU",
  source: "KomojuSimulator.requests",
  columns: [{ header: "request" }, { header: "key" }, { header: "X-KOMOJU-IDEMPOTENCY" }, { header: "answer" }],
  row: (record) => [
    `${record.method} ${record.path}`,
    record.keyKind ?? "none",
    record.idempotencyKey ?? "none",
    answer(record),
  ],
}

/** Print every request the simulator has received so far. */
export const print = ProviderRequests.print(
  table,
  Effect.flatMap(KomojuSimulator, (simulator) => simulator.requests),
)
