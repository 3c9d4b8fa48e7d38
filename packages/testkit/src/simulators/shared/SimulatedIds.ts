/**
 * Identifiers and secrets a simulator makes up, all drawn from its one `Random`: seeded, a run
 * makes the same ids every time, so tests and the walkthrough can name them.
 */
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"

/** The simulator's `Random`: seeded with `seed` when given, the ambient one otherwise. */
export const randomFor = (seed: string | number | undefined): Effect.Effect<Random.Random> =>
  seed === undefined ? Effect.random : Effect.succeed(Random.make(seed))

/** `length` characters drawn from `letters`. */
export const text = (random: Random.Random, letters: string, length: number): Effect.Effect<string> =>
  Effect.map(Effect.all(Array.from({ length }, () => random.nextIntBetween(0, letters.length))), (picks) =>
    picks.map((i) => letters.charAt(i)).join(""),
  )

/** `length` lowercase hex digits. */
export const hex = (random: Random.Random, length: number): Effect.Effect<string> =>
  text(random, "0123456789abcdef", length)

/** `count` bytes, drawn four at a time. */
export const bytes = (random: Random.Random, count: number): Effect.Effect<Buffer> =>
  Effect.map(
    Effect.all(Array.from({ length: Math.ceil(count / 4) }, () => random.nextIntBetween(0, 2 ** 32))),
    (words) => {
      const buffer = Buffer.alloc(words.length * 4)
      for (const [i, word] of words.entries()) buffer.writeUInt32BE(word, i * 4)
      return buffer.subarray(0, count)
    },
  )

/** A version-4 UUID. */
export const uuid = (random: Random.Random): Effect.Effect<string> =>
  Effect.map(bytes(random, 16), (b) => {
    b[6] = ((b[6] ?? 0) & 0x0f) | 0x40
    b[8] = ((b[8] ?? 0) & 0x3f) | 0x80
    const h = b.toString("hex")
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
  })
