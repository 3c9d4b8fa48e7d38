/**
 * Zai's signed webhooks (provider notes §9), written here from the protocol notes so the
 * simulator is an oracle independent of the adapter's verifier.
 *
 * A webhook is one object's Show representation, sent as JSON with the header
 * `Webhooks-signature: t=<unix seconds>,v=<signature>`: the signature is HMAC-SHA256, keyed with
 * the secret's bytes, over `"{t}.{raw body}"`, in base64url without padding. While a secret is
 * rotated several secrets are live and each gives its own `v`. Zai signs every attempt afresh,
 * so a redelivery carries the time it was sent.
 *
 * Delivery follows Zai's best-practice page: retried with exponential backoff (5 min, 25 min,
 * 1 h 45, 7 h 05, 28 h 25), in no guaranteed order.
 */
import { createHmac } from "node:crypto"
import type { ResendSchedule } from "../shared/Outbox.js"

/** The object types the simulator sends webhooks for (Zai subscribes per object type). */
export type ObjectType = "accounts" | "users"

/** What a webhook is about: an object type, or Zai's subscription test. */
export type Kind = ObjectType | "test"

/** The body of Zai's subscription test. */
export const testBody = { message: "Zai callback test" }

/** The header's name as Zai writes it; receivers read header names without regard to case. */
export const headerName = "Webhooks-signature"

/** The base64url (no padding) HMAC-SHA256 of `"{timestamp}.{rawBody}"` under `secret`. */
export const signature = (secret: string, timestamp: string, rawBody: string): string =>
  createHmac("sha256", Buffer.from(secret, "utf8")).update(`${timestamp}.${rawBody}`, "utf8").digest("base64url")

/** The header value for `rawBody` sent at `epochMillis`: one `v` per live secret. */
export const header = (secrets: ReadonlyArray<string>, epochMillis: number, rawBody: string): string => {
  const timestamp = String(Math.floor(epochMillis / 1000))
  return [`t=${timestamp}`, ...secrets.map((secret) => `v=${signature(secret, timestamp, rawBody)}`)].join(",")
}

/** The headers of one attempt. */
export const headers = (
  secrets: ReadonlyArray<string>,
  epochMillis: number,
  rawBody: string,
): Readonly<Record<string, string>> => ({
  "content-type": "application/json",
  [headerName.toLowerCase()]: header(secrets, epochMillis, rawBody),
})

const minutes = (m: number): number => m * 60_000

/** The waits before attempts 2 to 6 (best-practice page). */
const resendWaits = [minutes(5), minutes(25), minutes(105), minutes(425), minutes(1705)]

export const schedule: ResendSchedule = {
  maxAttempts: resendWaits.length + 1,
  delayBeforeAttempt: (n) => resendWaits[Math.min(Math.max(n - 2, 0), resendWaits.length - 1)] as number,
}
