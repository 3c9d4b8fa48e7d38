/**
 * Input refused before anything else happens: no state is touched and no provider is called.
 */
import * as Data from "effect/Data"

/** A caller's input broke a rule. `field` names where, `reason` says which rule; the value itself is never kept. */
export class InvalidInput extends Data.TaggedError("InvalidInput")<{
  readonly field: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.field} ${this.reason}`
  }
}
