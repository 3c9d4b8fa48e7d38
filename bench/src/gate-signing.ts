/**
 * The Gate signature benchmark's input and measured loops: one fixed tokenize body and one
 * fixed project secret, signed the same way on every run. Nothing here reads the clock or
 * randomness.
 *
 * Each loop signs the body `count` times and returns the last signature, so the work cannot
 * be optimised away and the signers can be compared before anything is measured.
 */
import { createHmac } from "node:crypto"
import { createRequire } from "node:module"
import * as GateSignature from "@token-lifecycle/adapters-gate/Signature"
import { Signing } from "@token-lifecycle/domain/Signing"
import { signer } from "ecommpay"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

/**
 * A tokenize request as the adapter builds it before signing (gate.md §4.1): the customer's id,
 * IP address and project id, and the card's number, expiry and holder. Seven leaves in two
 * objects, no `signature` yet. The card number is the networks' public test number.
 */
export const tokenizeBody = {
  customer: { id: "customer_123", ip_address: "198.51.100.47", project_id: 123 },
  card: { pan: "4242424242424242", year: 2030, month: 12, card_holder: "JANE ROE" },
} as const

/** A fixed project secret for the benchmark only; it keys nothing else and is never printed. */
const secret = "bench-gate-project-secret-7f3c9a1e5b2d8046"
const redactedSecret = Redacted.make(secret)

/** The canonical string, computed once, outside every measured loop. */
export const canonicalTokenize: string = GateSignature.canonical(tokenizeBody)

/** The floor: Node's HMAC-SHA512 over the canonical string computed beforehand. */
export const floor = (count: number): string => {
  let last = ""
  for (let i = 0; i < count; i++) last = createHmac("sha512", secret).update(canonicalTokenize).digest("base64")
  return last
}

/** The `Signing` service `GateGateway` builds from its configured secret (`GateSignature.make`). */
const signing = GateSignature.make(redactedSecret)

/**
 * `count` runs of the effect `step` builds, one after another in the same fiber, and the last
 * signature. A request handler's fiber is already running when it signs, so the fiber's start
 * is paid once per batch here, not once per signature.
 */
const batch = <A, R>(
  count: number,
  step: () => Effect.Effect<A, never, R>,
  signatureOf: (a: A) => string,
): Effect.Effect<string, never, R> =>
  Effect.gen(function* () {
    let last = ""
    for (let i = 0; i < count; i++) last = signatureOf(yield* step())
    return last
  })

const inOneFiber = <A>(count: number, step: () => Effect.Effect<A>, signatureOf: (a: A) => string): string =>
  Effect.runSync(batch(count, step, signatureOf))

/**
 * Ours, as `GateGateway` signs a request, less the copy of the body that receives the signature:
 * `GateSignature.signWith(signing, body)` (the order-ambiguity check, the canonical string,
 * adapter-kit's HMAC, a `Redacted` result) with the project's signing service at hand, built and
 * yielded once per request.
 */
export const oursAsGateway = (count: number): string =>
  inOneFiber(count, () => GateSignature.signWith(signing, tokenizeBody), Redacted.value)

/** `GateSignature.sign(body)` in a fiber that has `Signing` already: the gateway's step without its per-request `provideService`. */
export const oursSigningProvided = (count: number): string =>
  Effect.runSync(
    batch(count, () => GateSignature.sign(tokenizeBody), Redacted.value).pipe(Effect.provideService(Signing, signing)),
  )

/** The signature `signBody` wrote into `customer`, where a tokenize body carries it. */
const customerSignature = (signed: object): string => {
  const value = (signed as { readonly customer?: { readonly signature?: unknown } }).customer?.signature
  if (typeof value !== "string") throw new Error("signBody left no signature in `customer`")
  return value
}

/** The whole step `GateGateway` runs: `signBodyWith`, the signature and the body copy that carries it in `customer`. */
export const oursSignBody = (count: number): string =>
  inOneFiber(count, () => GateSignature.signBodyWith(signing, tokenizeBody), customerSignature)

/** The floor's string through the `Signing` service, in a running fiber: what `Effect` and `Redacted` add to the HMAC. */
export const signingServiceInFiber = (count: number): string =>
  inOneFiber(count, () => signing.sign(canonicalTokenize), Redacted.value)

/** Ours without Effect: the exported `GateSignature.canonical` (no order check) and the floor's HMAC. */
export const oursCanonicalThenHmac = (count: number): string => {
  let last = ""
  for (let i = 0; i < count; i++) {
    last = createHmac("sha512", secret).update(GateSignature.canonical(tokenizeBody)).digest("base64")
  }
  return last
}

/** Ours with a fiber started for every signature: `Effect.runSync` of the gateway's step, as a caller outside Effect would. */
export const oursRunSyncEach = (count: number): string => {
  let last = ""
  for (let i = 0; i < count; i++) {
    last = Redacted.value(
      Effect.runSync(GateSignature.sign(tokenizeBody).pipe(Effect.provideService(Signing, signing))),
    )
  }
  return last
}

/** The version of the `ecommpay` package installed, read from its manifest. */
export const ecommpayVersion: string = (createRequire(import.meta.url)("ecommpay/package.json") as { version: string })
  .version

/** The official `ecommpay` package's `signer` on the same body and secret. */
export const ecommpaySigner = (count: number): string => {
  let last = ""
  for (let i = 0; i < count; i++) last = signer(tokenizeBody, secret)
  return last
}
