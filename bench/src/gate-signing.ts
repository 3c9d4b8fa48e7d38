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
import * as Hmac from "@token-lifecycle/adapter-kit/Hmac"
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

/** The signer `GateGateway` builds from its configured secret (`GateSignature.requestSigner`). */
const gateSigner = GateSignature.requestSigner(redactedSecret)

/** The signature a signed tokenize body carries in `customer`. */
const customerSignature = (signed: object): string => {
  const value = (signed as { readonly customer?: { readonly signature?: unknown } }).customer?.signature
  if (typeof value !== "string") throw new Error("the signed body holds no signature in `customer`")
  return value
}

/**
 * Ours, as `GateGateway` signs every request: `signer.signature(body)`, the order-ambiguity
 * check, the canonical bytes and adapter-kit's HMAC, called as a plain function inside the
 * gateway's running request effect.
 */
export const oursAsGateway = (count: number): string => {
  let last = ""
  for (let i = 0; i < count; i++) last = gateSigner.signature(tokenizeBody)
  return last
}

/** The gateway's whole step: `signer.signed(body)`, the signature and the copy of the body that carries it in `customer`. */
export const oursSignedBody = (count: number): string => {
  let last: object = tokenizeBody
  for (let i = 0; i < count; i++) last = gateSigner.signed(tokenizeBody)
  return customerSignature(last)
}

/** Adapter-kit's HMAC (key blocks padded once, one-shot hashes) over the floor's precomputed string. */
const hmac = Hmac.signer({ algorithm: "sha512", encoding: "base64", key: redactedSecret })
export const oursHmacOfString = (count: number): string => {
  let last = ""
  for (let i = 0; i < count; i++) last = hmac(canonicalTokenize)
  return last
}

/** The `Signing` port Gate's callbacks verify with (`GateSignature.make`). */
const signing = GateSignature.make(redactedSecret)

/**
 * `count` runs of the effect `step` builds, one after another in one fiber, and the last
 * signature: a request handler's fiber is already running when it signs.
 */
const inOneFiber = <A>(count: number, step: () => Effect.Effect<A, never, Signing>, signatureOf: (a: A) => string) =>
  Effect.runSync(
    Effect.gen(function* () {
      let last = ""
      for (let i = 0; i < count; i++) last = signatureOf(yield* step())
      return last
    }).pipe(Effect.provideService(Signing, signing)),
  )

/** Through the `Signing` port instead: `GateSignature.signBody(body)` in a fiber that has `Signing`, a `Redacted` signature on the way. */
export const oursThroughPort = (count: number): string =>
  inOneFiber(count, () => GateSignature.signBody(tokenizeBody), customerSignature)

/** The port with a fiber started for every signature: `Effect.runSync(signBody)`, as a caller outside Effect would. */
export const oursRunSyncEach = (count: number): string => {
  let last: object = tokenizeBody
  for (let i = 0; i < count; i++) {
    last = Effect.runSync(GateSignature.signBody(tokenizeBody).pipe(Effect.provideService(Signing, signing)))
  }
  return customerSignature(last)
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
