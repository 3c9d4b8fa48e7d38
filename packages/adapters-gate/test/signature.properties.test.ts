import { describe, expect, it } from "@effect/vitest"
import { InvalidSignature } from "@token-lifecycle/domain/Signing"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as fc from "fast-check"
import * as GateSignature from "../src/Signature.js"
import {
  params,
  requestBodies,
  run,
  safeKey,
  secret,
  service,
  signatureOf,
  succeed,
  timeout,
} from "./SignatureFixtures.js"

const { JsonNumber } = GateSignature
type Json = GateSignature.Json

/** What the platform does when it signs a delivery: the canonical string of the body as it writes it. */
const signText = (canonical: string): string => Redacted.value(Effect.runSync(service.sign(canonical)))

// ---------------------------------------------------------------------------------------------
// Bodies

/** Request bodies with text any signer writes the same way (no lone surrogates). */
const requestBody = requestBodies(fc.string({ unit: "grapheme" }))

/** Number literals as a sender may spell them, big integers and trailing zeros included. */
const numberText = fc
  .tuple(
    fc.constantFrom("", "-"),
    fc.oneof(fc.constant("0"), fc.stringMatching(/^[1-9][0-9]{0,25}$/)),
    fc.option(fc.stringMatching(/^[0-9]{1,6}$/), { nil: undefined }),
    fc.option(fc.stringMatching(/^[eE][+-]?[0-9]{1,2}$/), { nil: undefined }),
  )
  .map(([sign, int, frac, exp]) => `${sign}${int}${frac === undefined ? "" : `.${frac}`}${exp ?? ""}`)

/** Any key a delivery may hold except the two no signature covers. */
const anyKey = fc
  .oneof(fc.string({ unit: "binary", maxLength: 6 }), safeKey, fc.nat({ max: 30 }).map(String))
  .filter((key) => key !== "signature" && key !== "frame_mode")

/** Callback bodies as parsed: numbers as text, any keys, arrays of any length. */
const callbackBody: fc.Arbitrary<{ readonly [key: string]: Json }> = fc.letrec<{
  node: Json
  object: { readonly [key: string]: Json }
}>((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    fc.string({ unit: "binary" }),
    numberText.map((text) => new JsonNumber(text)),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("node"), { maxLength: 12 }),
    tie("object"),
  ),
  object: fc.dictionary(anyKey, tie("node"), { maxKeys: 5 }),
})).object

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber)

/** Writes a tree as JSON, numbers as their text, with the given whitespace after separators. */
const write = (node: unknown, space = ""): string => {
  if (node instanceof JsonNumber) return node.text
  if (Array.isArray(node)) return `[${node.map((v) => write(v, space)).join(`,${space}`)}]`
  if (isObject(node)) {
    const members = Object.entries(node).map(([k, v]) => `${JSON.stringify(k)}:${space}${write(v, space)}`)
    return `{${members.join(`,${space}`)}}`
  }
  return JSON.stringify(node)
}

/** Every leaf's path, objects and arrays alike. */
const leafPaths = (node: unknown, prefix: ReadonlyArray<string> = []): Array<ReadonlyArray<string>> => {
  if (Array.isArray(node)) return node.flatMap((v, i) => leafPaths(v, [...prefix, String(i)]))
  if (isObject(node)) return Object.entries(node).flatMap(([k, v]) => leafPaths(v, [...prefix, k]))
  return [prefix]
}

const getAt = (node: unknown, path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], node)

/** A copy of `node` with the value at `path` replaced; keys keep their order. */
const setAt = (node: unknown, path: ReadonlyArray<string>, value: unknown): unknown => {
  const [head, ...rest] = path
  if (head === undefined) return value
  if (Array.isArray(node)) return node.map((v, i) => (String(i) === head ? setAt(v, rest, value) : v))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node as object)) {
    Object.defineProperty(out, k, { value: k === head ? setAt(v, rest, value) : v, enumerable: true, writable: true })
  }
  return out
}

/** A small deterministic generator, so rewrites are replayable from the property's inputs. */
const prng = (start: number) => {
  let state = start >>> 0 || 1
  return (bound: number): number => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) % bound
  }
}

/** The same data with every object's keys inserted in a shuffled order. */
const shuffled = (node: unknown, next: (bound: number) => number): unknown => {
  if (Array.isArray(node)) return node.map((v) => shuffled(v, next))
  if (!isObject(node)) return node
  // Draw each entry from those left: a uniform shuffle.
  const left = Object.entries(node)
  const entries: Array<[string, unknown]> = []
  while (left.length > 0) entries.push(...left.splice(next(left.length), 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of entries) {
    Object.defineProperty(out, k, { value: shuffled(v, next), enumerable: true, writable: true })
  }
  return out
}

/** The same data with `frame_mode` and `signature` keys, holding anything, added to some objects. */
const withUnsignedKeys = (node: unknown, next: (bound: number) => number, extras: ReadonlyArray<unknown>): unknown => {
  if (Array.isArray(node)) return node.map((v) => withUnsignedKeys(v, next, extras))
  if (!isObject(node)) return node
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) out[k] = withUnsignedKeys(v, next, extras)
  const pick = () => extras[next(extras.length)]
  if (next(2) === 0) out.frame_mode = pick()
  if (next(2) === 0) out.signature = pick()
  return out
}

/** Places `signature` in a delivery: at the top, or in `general` (creating it when absent). */
const placed = (body: { readonly [key: string]: Json }, where: "top" | "general", signature: string) =>
  where === "top"
    ? { ...body, signature }
    : { ...body, general: { ...(isObject(body.general) ? body.general : {}), signature } }

/** A correctly signed delivery: the raw text and the signature it carries. */
const signedDelivery = (body: { readonly [key: string]: Json }, where: "top" | "general", space: string) => {
  const unsigned = placed(body, where, "")
  const signature = signText(GateSignature.canonical(unsigned))
  return { unsigned, signature, raw: write(placed(body, where, signature), space) }
}

const refused = (exit: Exit.Exit<unknown, unknown>): boolean =>
  Exit.isFailure(exit) && Cause.failureOption(exit.cause)._tag === "Some"

// ---------------------------------------------------------------------------------------------

describe("signing requests (properties)", () => {
  it(
    "changing any signed value's text changes the signature",
    () => {
      const leaf = fc.oneof(
        fc.string({ unit: "grapheme" }),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
      )
      const text = (v: unknown) => (v === null ? "" : typeof v === "boolean" ? (v ? "1" : "0") : String(v))
      fc.assert(
        fc.property(requestBody, fc.nat(), leaf, (body, pick, replacement) => {
          const paths = leafPaths(body).filter((p) => p.length > 0)
          fc.pre(paths.length > 0)
          const path = paths[pick % paths.length] ?? []
          fc.pre(text(getAt(body, path)) !== text(replacement))
          const changed = setAt(body, path, replacement) as object
          expect(GateSignature.canonical(changed)).not.toBe(GateSignature.canonical(body))
          expect(signatureOf(changed)).not.toBe(signatureOf(body))
        }),
        params,
      )
    },
    timeout,
  )

  it(
    "the order keys are written in never changes the signature",
    () => {
      fc.assert(
        fc.property(requestBody, fc.integer(), (body, start) => {
          const reordered = shuffled(body, prng(start)) as object
          expect(signatureOf(reordered)).toBe(signatureOf(body))
        }),
        params,
      )
    },
    timeout,
  )

  it(
    "the order keys are written in never changes the canonical string, whatever the keys",
    () => {
      fc.assert(
        fc.property(callbackBody, fc.integer(), (body, start) => {
          expect(GateSignature.canonical(shuffled(body, prng(start)) as object)).toBe(GateSignature.canonical(body))
        }),
        params,
      )
    },
    timeout,
  )

  it(
    "adding or removing `frame_mode` and `signature` keys anywhere never changes the signature",
    () => {
      fc.assert(
        fc.property(
          requestBody,
          fc.integer(),
          fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 1, maxLength: 4 }),
          (body, start, extras) => {
            const decorated = withUnsignedKeys(body, prng(start), extras) as object
            expect(signatureOf(decorated)).toBe(signatureOf(body))
          },
        ),
        params,
      )
    },
    timeout,
  )

  it(
    "what we sign is what the platform reads back from the bytes JSON.stringify sends",
    () => {
      const body = fc.dictionary(fc.string(), fc.jsonValue()).filter((b) => !Object.hasOwn(b, "signature"))
      fc.assert(
        fc.property(body, (b) => {
          const signature = signText(GateSignature.canonical(b))
          const exit = run(GateSignature.verifyCallback(JSON.stringify({ ...b, signature })))
          if (Exit.isFailure(exit)) throw new Error(`refused: ${Cause.pretty(exit.cause)}`)
          expect(GateSignature.canonical(exit.value)).toBe(GateSignature.canonical(b))
        }),
        params,
      )
    },
    timeout,
  )

  it(
    "a signed request body verifies as a delivery when its signature sits where deliveries keep it",
    () => {
      fc.assert(
        fc.property(requestBody, fc.boolean(), (body, withGeneral) => {
          const { customer: _customer, ...rest } = body
          const request = withGeneral ? { ...rest, general: { project_id: 1 } } : rest
          const sent = JSON.stringify(succeed(GateSignature.signBody(request)))
          expect(Exit.isSuccess(run(GateSignature.verifyCallback(sent)))).toBe(true)
        }),
        params,
      )
    },
    timeout,
  )
})

describe("verifying callbacks (properties)", () => {
  const where = fc.constantFrom("top" as const, "general" as const)
  const space = fc.constantFrom("", " ", "\n  ")

  it(
    "a correctly signed callback verifies and yields what was signed",
    () => {
      fc.assert(
        fc.property(callbackBody, where, space, (body, at, sp) => {
          const { unsigned, raw } = signedDelivery(body, at, sp)
          const exit = run(GateSignature.verifyCallback(raw))
          if (Exit.isFailure(exit)) throw new Error(`refused: ${Cause.pretty(exit.cause)}`)
          expect(GateSignature.canonical(exit.value)).toBe(GateSignature.canonical(unsigned))
          expect(JSON.stringify(exit.value)).not.toContain('"signature"')
        }),
        params,
      )
    },
    timeout,
  )

  it(
    "changing one character of any value is refused",
    () => {
      const digits = "0123456789"
      fc.assert(
        fc.property(
          callbackBody,
          where,
          fc.nat(),
          fc.nat(),
          fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
          (body, at, pick, position, char) => {
            const { signature, unsigned } = signedDelivery(body, at, "")
            const paths = leafPaths(unsigned).filter((p) => p.length > 0 && p[p.length - 1] !== "signature")
            const candidates = paths.filter((p) => getAt(unsigned, p) !== null && getAt(unsigned, p) !== "")
            fc.pre(candidates.length > 0)
            const path = candidates[pick % candidates.length] ?? []
            const value = getAt(unsigned, path)
            let tampered: unknown
            if (typeof value === "boolean") {
              tampered = !value
            } else if (value instanceof JsonNumber) {
              const indices = [...value.text].flatMap((c, i) => (digits.includes(c) ? [i] : []))
              const i = indices[position % indices.length] ?? 0
              const replacement = (Number(value.text.charAt(i)) + 1 + (position % 9)) % 10
              const text = `${value.text.slice(0, i)}${replacement}${value.text.slice(i + 1)}`
              fc.pre(/^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/.test(text))
              tampered = new JsonNumber(text)
            } else {
              const points = [...(value as string)]
              const i = position % points.length
              fc.pre(points[i] !== char)
              points[i] = char
              tampered = points.join("")
            }
            const raw = write(placed(setAt(unsigned, path, tampered) as { [key: string]: Json }, at, signature))
            expect(run(GateSignature.verifyCallback(raw))).toEqual(
              Exit.fail(new InvalidSignature({ reason: "mismatch" })),
            )
          },
        ),
        params,
      )
    },
    timeout,
  )

  it(
    "changing any character of the signature is refused",
    () => {
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
      fc.assert(
        fc.property(callbackBody, where, fc.nat({ max: 87 }), fc.constantFrom(...alphabet), (body, at, i, char) => {
          const { signature, unsigned } = signedDelivery(body, at, "")
          fc.pre(signature[i] !== char)
          const changed = signature.slice(0, i) + char + signature.slice(i + 1)
          const exit = run(GateSignature.verifyCallback(write(placed(unsigned, at, changed))))
          expect(refused(exit)).toBe(true)
          expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).not.toContain(changed)
        }),
        params,
      )
    },
    timeout,
  )

  it(
    "numbers are signed as their text: two spellings of one value sign differently",
    () => {
      /** Another spelling of the same number: a trailing zero, the other `e`, a leading zero in the exponent. */
      const respell = (text: string, how: number): string => {
        const [, mantissa = "", exponent = ""] = /^([^eE]*)(.*)$/.exec(text) ?? []
        if (how === 0) return `${mantissa}${mantissa.includes(".") ? "0" : ".0"}${exponent}`
        if (how === 1)
          return exponent === "" ? `${text}e0` : `${mantissa}${exponent[0] === "e" ? "E" : "e"}${exponent.slice(1)}`
        return exponent === "" ? `${text}E+0` : `${mantissa}${exponent.replace(/^([eE][+-]?)/, "$10")}`
      }
      fc.assert(
        fc.property(numberText, fc.nat({ max: 2 }), callbackBody, (text, how, rest) => {
          const other = respell(text, how)
          expect(Number(other)).toBe(Number(text))
          expect(other).not.toBe(text)
          const body = { ...rest, amount: new JsonNumber(text) }
          const respelled = { ...rest, amount: new JsonNumber(other) }
          const signature = signText(GateSignature.canonical(body))
          const otherSignature = signText(GateSignature.canonical(respelled))
          expect(otherSignature).not.toBe(signature)
          expect(Exit.isSuccess(run(GateSignature.verifyCallback(write({ ...body, signature }))))).toBe(true)
          expect(
            Exit.isSuccess(run(GateSignature.verifyCallback(write({ ...respelled, signature: otherSignature })))),
          ).toBe(true)
          expect(run(GateSignature.verifyCallback(write({ ...respelled, signature })))).toEqual(
            Exit.fail(new InvalidSignature({ reason: "mismatch" })),
          )
        }),
        params,
      )
    },
    timeout,
  )

  it("`1.50` and `1.5` sign differently and each verifies against its own text", () => {
    const signature150 = signText("amount:1.50")
    const signature15 = signText("amount:1.5")
    expect(signature150).not.toBe(signature15)
    expect(Exit.isSuccess(run(GateSignature.verifyCallback(`{"amount":1.50,"signature":"${signature150}"}`)))).toBe(
      true,
    )
    expect(Exit.isSuccess(run(GateSignature.verifyCallback(`{"amount":1.5,"signature":"${signature15}"}`)))).toBe(true)
    expect(run(GateSignature.verifyCallback(`{"amount":1.5,"signature":"${signature150}"}`))).toEqual(
      Exit.fail(new InvalidSignature({ reason: "mismatch" })),
    )
  })

  it(
    "no refusal ever prints the secret or a signature",
    () => {
      fc.assert(
        fc.property(callbackBody, where, fc.string({ minLength: 1, maxLength: 3 }), (body, at, junk) => {
          const { signature, raw } = signedDelivery(body, at, "")
          const broken = [raw.replace(signature, signature.split("").reverse().join("")), raw + junk, raw.slice(0, -1)]
          for (const text of broken) {
            const exit = run(GateSignature.verifyCallback(text))
            if (Exit.isSuccess(exit)) continue
            const printed = [Cause.pretty(exit.cause), JSON.stringify(exit.cause)]
            for (const p of printed) {
              expect(p).not.toContain(secret)
              expect(p).not.toContain(signature)
              expect(p).not.toContain(signature.split("").reverse().join(""))
            }
          }
        }),
        { ...params, numRuns: Math.max(1, Math.floor(params.numRuns / 4)) },
      )
    },
    timeout,
  )
})
