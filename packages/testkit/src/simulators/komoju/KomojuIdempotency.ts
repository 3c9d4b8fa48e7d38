/**
 * `X-KOMOJU-IDEMPOTENCY` (komoju.md §6): a POST carrying a key KOMOJU has already answered gets
 * that first answer again, and the operation is not repeated; a POST whose key's first request
 * has not been answered yet gets 409. A key is honoured for 24 hours after its first use, then
 * can be used afresh. Keys belong to one merchant.
 *
 * A request is "the same" when its method, path and raw body are the same. What KOMOJU does with
 * the same key on another request is not documented; here it is refused (422
 * `idempotency_key_reused`) rather than answered with another request's outcome.
 *
 * The first answer is kept as soon as the request is processed, with the instant it is sent:
 * until then a retry gets 409 (a `Slow` answer keeps its key in flight for its delay). Keeping
 * it at once, rather than when the answer leaves, means a client that gave up waiting cannot
 * leave a key in flight for ever.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { WireAnswer } from "../shared/SimulatedHttp.js"

/** How long a key is honoured after its first use. */
export const keyLifetime = Duration.hours(24)
const keyLifetimeMillis = Duration.toMillis(keyLifetime)

/** The longest key KOMOJU takes, in ASCII characters. */
export const maxKeyLength = 100

/** Whether `key` is one KOMOJU takes: 1 to 100 printable ASCII characters. */
export const isValidKey = (key: string): boolean => key.length <= maxKeyLength && /^[\x20-\x7e]+$/.test(key)

export type Answer = Extract<WireAnswer, { _tag: "Respond" }>

interface Entry {
  readonly fingerprint: string
  readonly firstUsedAt: number
  /** The first answer once processed, and when it is (or was) sent. */
  readonly answer: { readonly value: Answer; readonly sentAt: number } | undefined
}

/** What to do with a request carrying a key. */
export type Claim =
  | { readonly _tag: "Fresh" }
  | { readonly _tag: "Replay"; readonly answer: Answer }
  | { readonly _tag: "InFlight" }
  | { readonly _tag: "Mismatch" }

export interface Ledger {
  /** Claims `key` for a request, in one step: concurrent requests with one key see each other. */
  readonly claim: (scopedKey: string, fingerprint: string, now: number) => Effect.Effect<Claim>
  /** Keeps the first answer to a `Fresh` claim, sent at `sentAt`. */
  readonly settle: (scopedKey: string, answer: Answer, sentAt: number) => Effect.Effect<void>
}

/** The key as stored: one merchant's keys never meet another's. */
export const scoped = (merchantId: string, key: string): string => JSON.stringify([merchantId, key])

export const fingerprint = (method: string, path: string, body: string): string =>
  JSON.stringify([method.toUpperCase(), path, body])

export const makeLedger: Effect.Effect<Ledger> = Effect.map(
  Ref.make<ReadonlyMap<string, Entry>>(new Map()),
  (entries): Ledger => ({
    claim: (key, print, now) =>
      Ref.modify(entries, (current): readonly [Claim, ReadonlyMap<string, Entry>] => {
        const entry = current.get(key)
        if (entry === undefined || now >= entry.firstUsedAt + keyLifetimeMillis) {
          const fresh: Entry = { fingerprint: print, firstUsedAt: now, answer: undefined }
          return [{ _tag: "Fresh" }, new Map(current).set(key, fresh)]
        }
        if (entry.answer === undefined || now < entry.answer.sentAt) return [{ _tag: "InFlight" }, current]
        if (entry.fingerprint !== print) return [{ _tag: "Mismatch" }, current]
        return [{ _tag: "Replay", answer: entry.answer.value }, current]
      }),
    settle: (key, answer, sentAt) =>
      Ref.update(entries, (current) => {
        const entry = current.get(key)
        return entry === undefined
          ? current
          : new Map(current).set(key, { ...entry, answer: { value: answer, sentAt } })
      }),
  }),
)
