/**
 * KOMOJU's webhooks (komoju.md §8): the event body, its signature and headers, and the resend
 * schedule.
 *
 * - Body: `{"id", "type", "resource": "event", "data": <the resource>, "created_at", "reason"}`,
 *   serialised once; the sink receives exactly the signed bytes.
 * - `X-Komoju-Signature`: lowercase hex HMAC-SHA256 of the raw body, keyed by the merchant's
 *   webhook secret; `X-Komoju-Event`: the type; `X-Komoju-ID`: the delivery's id;
 *   `User-Agent: Komoju-Webhook`; `Content-Type: application/json`.
 *
 * Assumptions where KOMOJU documents nothing (§11.7):
 * - `X-Komoju-ID` names one webhook to one endpoint and stays the same on every resend and copy
 *   of it; it differs from the event's `id`;
 * - a delivery counts as accepted on any 2xx; a refused one is sent again after 1, 2, 4, … minutes
 *   (doubling, at most 6 hours apart), 12 attempts in all.
 */
import { createHmac } from "node:crypto"
import type { ResendSchedule } from "../shared/Outbox.js"

export type EventType =
  | "payment.authorized"
  | "payment.captured"
  | "payment.failed"
  | "payment.cancelled"
  | "customer.created"
  | "customer.deleted"

/** An event before it gets its ids and signature. */
export interface EventDraft {
  readonly type: EventType
  readonly merchantId: string
  /** The id of the resource the event is about. */
  readonly reference: string
  readonly data: Record<string, unknown>
  readonly reason: string | null
}

/** The lowercase hex HMAC-SHA256 of `rawBody` under `secret`. */
export const sign = (rawBody: string, secret: string): string =>
  createHmac("sha256", secret).update(rawBody, "utf8").digest("hex")

export const headerNames = {
  deliveryId: "x-komoju-id",
  signature: "x-komoju-signature",
  event: "x-komoju-event",
} as const

/** The body and headers KOMOJU sends for `draft`. */
export const seal = (
  draft: EventDraft,
  ids: { readonly event: string; readonly delivery: string },
  createdAt: string,
  secret: string,
): { readonly headers: Readonly<Record<string, string>>; readonly body: string } => {
  const body = JSON.stringify({
    id: ids.event,
    type: draft.type,
    resource: "event",
    data: draft.data,
    created_at: createdAt,
    reason: draft.reason,
  })
  return {
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "Komoju-Webhook",
      [headerNames.deliveryId]: ids.delivery,
      [headerNames.event]: draft.type,
      [headerNames.signature]: sign(body, secret),
    },
  }
}

const minute = 60_000

export const resendSchedule: ResendSchedule = {
  maxAttempts: 12,
  delayBeforeAttempt: (n) => Math.min(minute * 2 ** (n - 2), 6 * 60 * minute),
}
