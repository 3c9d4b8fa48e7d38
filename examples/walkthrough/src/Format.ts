/**
 * How times, durations and cards read in the walkthrough. Nothing here ever sees a card
 * number: cards arrive already masked.
 */
import { type CardExpiry, formatExpiry, formatMasked, type MaskedCard } from "@token-lifecycle/domain/Card"

/** ISO 8601 in UTC, without the milliseconds when there are none (the walkthrough's clock moves in whole seconds). */
export const instant = (millis: number): string => new Date(millis).toISOString().replace(".000Z", "Z")

const day = 86_400_000
const units: ReadonlyArray<readonly [millis: number, unit: string]> = [
  [day, "d"],
  [3_600_000, "h"],
  [60_000, "min"],
  [1_000, "s"],
]

/**
 * A span of time in whole units: `2 h`, `30 min`, `24 h 1 min`, `18 d`. Days only from two
 * on, since providers state a day-long lifetime as 24 hours.
 */
export const duration = (millis: number): string => {
  const parts: Array<string> = []
  let rest = millis
  for (const [size, unit] of millis < 2 * day ? units.slice(1) : units) {
    const count = Math.floor(rest / size)
    if (count > 0) parts.push(`${count} ${unit}`)
    rest -= count * size
  }
  return parts.length === 0 ? "0 s" : parts.join(" ")
}

/** `555555******4444 exp 03/2025`: the masked number and the printed expiry. */
export const card = (masked: MaskedCard, expiry?: CardExpiry): string =>
  expiry === undefined ? formatMasked(masked) : `${formatMasked(masked)} exp ${formatExpiry(expiry)}`

/**
 * A provider's identifier, whole when short, else by its ends: `1b2c3d4e…9f0a`. Gate's tokens
 * have 64 characters (the simulator's request ids 41); whole, they would not fit a line, and a
 * token, which pays with the card, is best not printed whole.
 */
export const identifier = (id: string): string => (id.length <= 16 ? id : `${id.slice(0, 8)}…${id.slice(-4)}`)

/** Join the parts of a description that apply. */
export const details = (...parts: ReadonlyArray<string | undefined | false>): string =>
  parts.filter((part): part is string => typeof part === "string" && part.length > 0).join(" · ")
