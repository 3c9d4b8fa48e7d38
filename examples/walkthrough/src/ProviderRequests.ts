/**
 * What a provider's simulator received, as a table under its title: one row per request, in the
 * order received, from the time it came to the provider's answer. It shows what the steps alone
 * cannot: which calls reached the provider, and that a use the lifecycle refused never did.
 * Which columns come between is the provider's module's to say.
 */
import * as Effect from "effect/Effect"
import * as Format from "./Format.js"
import * as Table from "./Table.js"
import * as Transcript from "./Transcript.js"

/** What every simulator records of a request: when it came. */
export interface Received {
  readonly receivedAt: number
}

/** How one provider's requests are shown, after the time each came. */
export interface RequestTable<Request extends Received> {
  /** Who received them: `Gate`. */
  readonly provider: string
  /** Where they were read from: `GateSimulator.requests`. */
  readonly source: string
  /** The columns after the time. */
  readonly columns: ReadonlyArray<Table.Column>
  /** One request's cells after its time, in the order of `columns`. */
  readonly row: (request: Request) => ReadonlyArray<string>
}

/** Print `table` of the requests `received` reads: every request the simulator has received so far. */
export const print = <Request extends Received, R>(
  table: RequestTable<Request>,
  received: Effect.Effect<ReadonlyArray<Request>, never, R>,
): Effect.Effect<void, never, R | Transcript.Transcript> =>
  Effect.flatMap(received, (requests) =>
    Transcript.write(
      "",
      `What ${table.provider} received (${table.source})`,
      "",
      ...Table.render(
        [{ header: "time" }, ...table.columns],
        requests.map((request) => [Format.instant(request.receivedAt), ...table.row(request)]),
        { indent: "    " },
      ),
    ),
  )
