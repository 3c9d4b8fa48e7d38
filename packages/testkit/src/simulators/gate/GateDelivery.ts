/**
 * Callback delivery as Gate does it (gate.md §2): callbacks can come late, twice, out of order,
 * and are sent again until the receiver answers 200 — 6 times 10 s apart, then
 * `70 + 10·1.12^(n−4)` s up to 4 h, at most 120 attempts. The outbox itself is the simulators'
 * shared one (`Outbox`); this module holds Gate's schedule and the names Gate's callbacks go by.
 */
import type * as Outbox from "../shared/Outbox.js"
import type { CallbackKind } from "./GateCallbacks.js"

export type CallbackOptions = Outbox.DeliveryOptions
export type PendingCallback = Outbox.Pending<CallbackKind>
export type DeliveredCallback = Outbox.Delivered<CallbackKind>
export type OutgoingCallback = Outbox.Outgoing<CallbackKind>

/** Gate's attempts per callback. */
export const maxAttempts = 120

/** The wait before attempt `n` (n ≥ 2), in milliseconds. */
export const resendDelayMillis = (n: number): number => {
  if (n <= 7) return 10_000
  return Math.min((70 + 10 * 1.12 ** (n - 4)) * 1000, 4 * 60 * 60 * 1000)
}

export const resendSchedule: Outbox.ResendSchedule = { maxAttempts, delayBeforeAttempt: resendDelayMillis }
