/**
 * `npm start`: print the walkthrough to the terminal.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Transcript from "./Transcript.js"
import * as Walkthrough from "./Walkthrough.js"

const exit = await Effect.runPromiseExit(
  Walkthrough.program.pipe(Effect.provide(Transcript.layer((line) => process.stdout.write(`${line}\n`)))),
)
if (Exit.isFailure(exit)) {
  process.stderr.write(`the walkthrough stopped:\n${Cause.pretty(exit.cause)}\n`)
  process.exitCode = 1
}
