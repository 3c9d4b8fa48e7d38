/**
 * What the simulator keeps of a request: its API key read from HTTP Basic, and a view of its
 * body safe to show in a test failure. A card number becomes its last four digits behind
 * asterisks and a security code `[REDACTED]`, wherever they sit; a body that is not JSON is
 * described, never kept (it might hold a card number in any form).
 */
import { isObject, parseObject } from "./KomojuJson.js"

/** The key of `Authorization: Basic base64(key:)`; the colon may be missing, as in KOMOJU's mobile SDK. */
export const basicUser = (authorization: string | undefined): string | undefined => {
  const match = authorization === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization)
  if (match === null) return undefined
  const decoded = Buffer.from(match[1] ?? "", "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  const user = colon < 0 ? decoded : decoded.slice(0, colon)
  return user === "" ? undefined : user
}

const redactedKeys: Readonly<Record<string, (value: unknown) => unknown>> = {
  number: (value) =>
    typeof value === "string" || typeof value === "number" ? `****${String(value).slice(-4)}` : "[REDACTED]",
  verification_value: () => "[REDACTED]",
}

const redact = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(redact)
  if (!isObject(value)) return value
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      Object.hasOwn(redactedKeys, key) ? redactedKeys[key]?.(child) : redact(child),
    ]),
  )
}

/** The body as a test may see it. */
export const bodyView = (body: string): unknown => {
  const parsed = parseObject(body)
  return parsed === undefined ? `(${Buffer.byteLength(body)} bytes, not a JSON object)` : redact(parsed)
}
