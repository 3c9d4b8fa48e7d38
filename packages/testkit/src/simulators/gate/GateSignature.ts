/**
 * Gate's request and callback signature (gate.md §7), written here from the protocol notes
 * so the simulator is an oracle independent of the adapter's signer:
 *
 * every leaf becomes `path:value` (keys joined by `:`, array elements by index), booleans
 * are `1`/`0`, `null` is an empty value, empty objects and arrays give nothing, keys named
 * `frame_mode` or `signature` are skipped at any depth; at each level integer-like keys come
 * first in numeric order, then the others in UTF-16 code-unit order; the entries are joined
 * with `;` and signed with HMAC-SHA512 keyed by the secret's UTF-8 bytes, in base64.
 */
import { createHmac } from "node:crypto"
import * as Secrets from "../shared/Secrets.js"
import { JsonNumber } from "./GateJson.js"

/** Keys that never take part in the signature. */
const skipped = new Set(["frame_mode", "signature"])

const indexKey = /^(?:0|[1-9][0-9]*)$/

/** Integer-like keys numerically, then the rest by UTF-16 code units (the default sort). */
const orderedKeys = (keys: ReadonlyArray<string>): ReadonlyArray<string> => {
  const indices = keys.filter((key) => indexKey.test(key)).sort((a, b) => Number(a) - Number(b))
  const names = keys.filter((key) => !indexKey.test(key)).sort()
  return [...indices, ...names]
}

const leafText = (value: unknown): string | undefined => {
  if (value === null) return ""
  if (value === true) return "1"
  if (value === false) return "0"
  if (value instanceof JsonNumber) return value.text
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") return String(value)
  return undefined
}

const flatten = (node: unknown, prefix: string, out: Array<string>): void => {
  const container = typeof node === "object" && node !== null && !(node instanceof JsonNumber)
  if (!container) {
    const text = leafText(node)
    if (text !== undefined) out.push(`${prefix}:${text}`)
    return
  }
  const record = node as Record<string, unknown>
  const keys = Array.isArray(node) ? node.map((_, index) => String(index)) : orderedKeys(Object.keys(record))
  for (const key of keys) {
    if (skipped.has(key)) continue
    const child = record[key]
    if (child === undefined) continue
    flatten(child, prefix === "" ? key : `${prefix}:${key}`, out)
  }
}

/** The string Gate signs for `body`. */
export const canonical = (body: unknown): string => {
  const out: Array<string> = []
  flatten(body, "", out)
  return out.join(";")
}

/** The base64 HMAC-SHA512 signature of `body` under `secret`. */
export const sign = (body: unknown, secret: string): string =>
  createHmac("sha512", Buffer.from(secret, "utf8")).update(canonical(body), "utf8").digest("base64")

/** Whether `signature` is `body`'s signature under `secret`, compared in constant time. */
export const verify = (body: unknown, signature: string, secret: string): boolean => {
  return Secrets.sameText(sign(body, secret), signature)
}
