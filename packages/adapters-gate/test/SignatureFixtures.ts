/**
 * What the Gate signature tests share: the run parameters, one project secret and its signing
 * service, and the request bodies every signer orders alike.
 */
import { Signing } from "@token-lifecycle/domain/Signing"
import * as Runs from "@token-lifecycle/testkit/Runs"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as fc from "fast-check"
import * as GateSignature from "../src/Signature.js"

export const params = Runs.parameters()
/** Room for however many runs were asked for. */
export const timeout = 10_000 + params.numRuns * 5

export const secret = "test-project-secret"
export const service = GateSignature.make(Redacted.make(secret))

export const run = <A, E>(effect: Effect.Effect<A, E, Signing>): Exit.Exit<A, E> =>
  Effect.runSyncExit(Effect.provideService(effect, Signing, service))

export const succeed = <A, E>(effect: Effect.Effect<A, E, Signing>): A => {
  const exit = run(effect)
  if (Exit.isFailure(exit)) throw new Error(`expected success, got ${Cause.pretty(exit.cause)}`)
  return exit.value
}

/** The signature of a request body through the `Signing` port. */
export const signatureOf = (body: object): string => Redacted.value(succeed(GateSignature.sign(body)))

export type Plain = null | boolean | number | string | ReadonlyArray<Plain> | { readonly [key: string]: Plain }

/** Keys every signer orders alike, never `signature`, `frame_mode`, `general` or `customer`. */
export const safeKey = fc.stringMatching(/^[a-z][a-z_]{0,5}$/)

/** Request bodies: plain JSON data inside the cases every signer orders alike, strings from `text`. */
export const requestBodies = (text: fc.Arbitrary<string>): fc.Arbitrary<{ readonly [key: string]: Plain }> =>
  fc.letrec<{ node: Plain; object: { readonly [key: string]: Plain } }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small" },
      text,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("node"), { maxLength: 10 }),
      tie("object"),
    ),
    object: fc.dictionary(safeKey, tie("node"), { maxKeys: 5 }),
  })).object
