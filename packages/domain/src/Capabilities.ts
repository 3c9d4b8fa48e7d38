/**
 * What a gateway can do. Adapters declare theirs as literal types, so a team swapping one
 * provider for another learns at compile time what the new one lacks (`require`), and at run
 * time every missing operation answers with a typed `Unsupported`.
 */
import * as Either from "effect/Either"
import { Unsupported } from "./GatewayError.js"

export interface Capabilities {
  /** The server can ask the provider for a token. */
  readonly issue: boolean
  readonly retrieve: boolean
  readonly list: boolean
  readonly revoke: boolean
  /** The server can use the token through the provider (pay, pay out, verify, create an instrument). */
  readonly use: boolean
  /** A token serves more than one use. */
  readonly reusable: boolean
  /** Issuance is answered later, by callback. */
  readonly asynchronous: boolean
}

export type Operation = "issue" | "retrieve" | "list" | "revoke" | "use"

/** The operations a capability set (as a literal type) supports. */
export type Supported<C extends Capabilities> = {
  [K in Operation]: C[K] extends true ? K : never
}[Operation]

/**
 * Assert that a gateway supports these operations. With literal capabilities, naming an
 * unsupported operation does not compile; with widened ones, it fails at run time.
 */
export const require = <C extends Capabilities, const K extends Supported<C>>(
  gateway: { readonly provider: string; readonly capabilities: C },
  ...operations: ReadonlyArray<K>
): Either.Either<void, Unsupported> => {
  for (const operation of operations) {
    if (!gateway.capabilities[operation]) {
      return Either.left(new Unsupported({ provider: gateway.provider, operation }))
    }
  }
  return Either.void
}
