import { createHmac } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import * as KeyedHmac from "../src/internal/keyedHmac.js"

/** RFC 4231, test cases 1, 2 and 6 (a key longer than SHA-512's block, hashed first). */
const rfc4231 = [
  {
    key: Buffer.alloc(20, 0x0b),
    data: "Hi There",
    sha256: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    sha512:
      "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
  },
  {
    key: Buffer.from("Jefe"),
    data: "what do ya want for nothing?",
    sha256: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    sha512:
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
  },
  {
    key: Buffer.alloc(131, 0xaa),
    data: "Test Using Larger Than Block-Size Key - Hash Key First",
    sha256: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    sha512:
      "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
  },
] as const

const algorithms = ["sha256", "sha512"] as const
const encodings = ["base64", "base64url", "hex"] as const

/** Messages of every kind the fast path treats differently: text (any Unicode, some past the scratch) and bytes. */
const message: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 64 }),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }),
  fc.constantFrom("€".repeat(5_461), "€".repeat(5_462), "x".repeat(16_384), "x".repeat(16_385)),
  fc.constantFrom(new Uint8Array(16_384).fill(7), new Uint8Array(16_385).fill(7)),
)

describe("keyed HMAC (padded key blocks built once)", () => {
  it("gives RFC 4231's answers, including for a key longer than a block", () => {
    for (const vector of rfc4231) {
      for (const algorithm of algorithms) {
        const hmac = KeyedHmac.prepare(algorithm, vector.key)
        expect(hmac.encoded(vector.data, "hex")).toBe(vector[algorithm])
        expect(hmac.digest(Buffer.from(vector.data)).toString("hex")).toBe(vector[algorithm])
      }
    }
  })

  it("agrees with createHmac for any key, message and encoding, message after message on one key", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...algorithms),
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.tuple(message, fc.constantFrom(...encodings)), { minLength: 1, maxLength: 8 }),
        (algorithm, key, messages) => {
          const hmac = KeyedHmac.prepare(algorithm, key)
          for (const [text, encoding] of messages) {
            const expected = createHmac(algorithm, key).update(text).digest()
            expect(hmac.encoded(text, encoding)).toBe(expected.toString(encoding))
            expect(hmac.digest(text).equals(expected)).toBe(true)
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it("is not changed by the caller wiping the key bytes it was prepared from", () => {
    const key = Buffer.from("a project secret")
    const hmac = KeyedHmac.prepare("sha512", key)
    key.fill(0)
    expect(hmac.encoded("m", "base64")).toBe(createHmac("sha512", "a project secret").update("m").digest("base64"))
  })
})
