/**
 * A token's audit trail as a table: its recorded events, in order, with their versions.
 */
import type { TokenKey } from "@token-lifecycle/domain/Identifiers"
import { TokenLifecycle } from "@token-lifecycle/domain/TokenLifecycle"
import type { RecordedEvent } from "@token-lifecycle/domain/TokenRepository"
import * as Effect from "effect/Effect"
import * as Describe from "./Describe.js"
import * as Format from "./Format.js"
import * as Table from "./Table.js"
import * as Transcript from "./Transcript.js"

const columns: ReadonlyArray<Table.Column> = [
  { header: "v", align: "right" },
  { header: "time" },
  { header: "event" },
  { header: "details" },
]

/** The table of one history. */
export const render = (history: ReadonlyArray<RecordedEvent>): ReadonlyArray<string> =>
  Table.render(
    columns,
    history.map(({ event, version }) => [String(version), Format.instant(event.at), event._tag, Describe.event(event)]),
    { indent: "    " },
  )

/** Print the audit trails of these tokens, each under the token's current state. */
export const print = (
  keys: ReadonlyArray<TokenKey>,
): Effect.Effect<void, never, TokenLifecycle | Transcript.Transcript> =>
  Effect.gen(function* () {
    const lifecycle = yield* TokenLifecycle
    yield* Transcript.write("", "Audit trails (TokenLifecycle.history)")
    for (const key of keys) {
      // The keys come from this run's own issues, so a missing history is a defect, not a refusal.
      const token = yield* Effect.orDie(lifecycle.get(key))
      const history = yield* Effect.orDie(lifecycle.history(key))
      yield* Transcript.write("", `  ${Describe.token(token)}`, ...render(history))
    }
  })
