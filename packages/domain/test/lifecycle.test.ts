import { describe, expect, it } from "@effect/vitest"
import { cardExpiryEnd } from "../src/Card.js"
import * as Command from "../src/Command.js"
import type { LifecycleEvent } from "../src/Event.js"
import { CardFingerprint, TokenId } from "../src/Identifiers.js"
import { evolve, expiryOf, initial } from "../src/Lifecycle.js"
import * as Policy from "../src/Policy.js"
import {
  expiry,
  facts,
  fingerprint,
  hours,
  intruder,
  key,
  masked,
  minutes,
  owner,
  ref,
  requested,
  T0,
  tokenId,
} from "./fixtures.js"
import { given } from "./given.js"

const issuedFrom = (policy: Policy.LifecyclePolicy, at = T0 + 1000): LifecycleEvent => {
  const expiresAt = expiryOf(policy, "card", at, expiry)
  return expiresAt === undefined
    ? { _tag: "TokenIssued", key, at, tokenId, issuedAt: at }
    : { _tag: "TokenIssued", key, at, tokenId, issuedAt: at, expiresAt }
}
const use = (by = owner, reference = "pay-1") => Command.use({ by, for: "card", reference: ref(reference) })

describe("issuing", () => {
  it("a request leaves the token pending until the provider answers", () => {
    const state = given()
      .when(Command.request(facts(Policy.gate)), T0)
      .thenEvents(requested(Policy.gate))
    expect(state._tag).toBe("Pending")
  })

  it("the provider's answer activates it, with the policy's lifetime counted from the provider's creation time", () => {
    const createdAt = T0 + 500
    given(requested(Policy.rebilly))
      .when(Command.issue({ tokenId, issuedAt: createdAt }), T0 + 1000)
      .thenEvents({
        _tag: "TokenIssued",
        key,
        at: T0 + 1000,
        tokenId,
        issuedAt: createdAt,
        expiresAt: createdAt + minutes(30),
      })
  })

  it("a token issued without a request (in the browser) carries its facts in the event", () => {
    const state = given()
      .when(Command.issue({ tokenId, token: facts(Policy.komoju) }), T0)
      .thenEvents({
        _tag: "TokenIssued",
        key,
        at: T0,
        tokenId,
        issuedAt: T0,
        expiresAt: T0 + hours(24),
        token: facts(Policy.komoju),
      })
    expect(state).toMatchObject({ _tag: "Active", owner, tokenId, uses: 0 })
  })

  it("a Gate token lives until the end of the card's printed month", () => {
    const state = given(requested(Policy.gate))
      .when(Command.issue({ tokenId }), T0)
      .thenEvents({
        _tag: "TokenIssued",
        key,
        at: T0,
        tokenId,
        issuedAt: T0,
        expiresAt: Date.UTC(2031, 0, 1),
      })
    expect(state._tag).toBe("Active")
  })

  it("a Zai token auth has no expiry in the answer, so its lifetime comes from the policy, per type", () => {
    const zai = Policy.zai({ cardTimeToLive: "45 minutes" })
    expect(expiryOf(zai, "card", T0, undefined)).toBe(T0 + minutes(45))
    expect(expiryOf(zai, "bank", T0, undefined)).toBe(T0 + hours(2))
  })

  it("a card whose month is over cannot start a token", () => {
    const lapsed = facts(Policy.komoju, { card: { masked, expiry: { month: 5, year: 2026 } } })
    const error = given().when(Command.request(lapsed), T0).thenRefused("CardExpired")
    expect(error.expiredAt).toBe(Date.UTC(2026, 5, 1))
  })

  it("a command other than Request or Issue on an unknown token is refused", () => {
    given().when(use(), T0).thenRefused("TokenNotFound")
    given().when(Command.issue({ tokenId }), T0).thenRefused("TokenNotFound")
  })

  it("the provider's acknowledgement records its reference once; the same one again changes nothing", () => {
    const ack: LifecycleEvent = { _tag: "TokenRequestAcknowledged", key, at: T0 + 1, requestRef: "req-9" }
    given(requested(Policy.gate))
      .when(Command.acknowledge("req-9"), T0 + 1)
      .thenEvents(ack)
    given(requested(Policy.gate), ack)
      .when(Command.acknowledge("req-9"), T0 + 2)
      .thenEvents()
    given(requested(Policy.gate), ack)
      .when(Command.acknowledge("req-10"), T0 + 2)
      .thenRefused("CommandNotApplicable")
  })

  it("the provider's refusal fails a pending token, keeping its code and never its text", () => {
    const state = given(requested(Policy.gate))
      .when(Command.fail({ kind: "declined", providerCode: "3021" }), T0 + 5)
      .thenEvents({ _tag: "TokenFailed", key, at: T0 + 5, reason: { kind: "declined", providerCode: "3021" } })
    expect(state).toMatchObject({ _tag: "Failed", ending: { cause: "refused-by-provider", providerCode: "3021" } })
  })
})

describe("using", () => {
  it("a single-use token is used once and then refused", () => {
    const firstUse: LifecycleEvent = {
      _tag: "TokenUsed",
      key,
      at: T0 + minutes(5),
      by: owner,
      for: "card",
      reference: ref("pay-1"),
      uses: 1,
    }
    const used = given(requested(Policy.rebilly), issuedFrom(Policy.rebilly))
      .when(use(), T0 + minutes(5))
      .thenEvents(firstUse)
    expect(used).toMatchObject({ _tag: "Used", ending: { cause: "used-up" } })
    const second = given(requested(Policy.rebilly), issuedFrom(Policy.rebilly), firstUse)
      .when(use(owner, "pay-2"), T0 + minutes(6))
      .thenRefused("TokenAlreadyUsed")
    expect(second.usedAt).toBe(T0 + minutes(5))
  })

  it("a Gate token serves many uses and stays active", () => {
    let history: LifecycleEvent[] = [requested(Policy.gate), issuedFrom(Policy.gate)]
    for (let i = 1; i <= 3; i++) {
      const event: LifecycleEvent = {
        _tag: "TokenUsed",
        key,
        at: T0 + minutes(i),
        by: owner,
        for: "card",
        reference: ref(`pay-${i}`),
        uses: i,
      }
      const state = given(...history)
        .when(use(owner, `pay-${i}`), T0 + minutes(i))
        .thenEvents(event)
      expect(state._tag).toBe("Active")
      history = [...history, event]
    }
  })

  it("only the owner may use a token", () => {
    given(requested(Policy.komoju), issuedFrom(Policy.komoju))
      .when(use(intruder), T0 + 2000)
      .thenRefused("WrongOwner")
  })

  it("a Zai bank token is refused for a card account", () => {
    const zai = Policy.zai()
    const { card: _noCard, ...bankFacts } = facts(zai, { type: "bank" })
    const history: LifecycleEvent[] = [
      { _tag: "TokenRequested", key, at: T0, token: bankFacts },
      { _tag: "TokenIssued", key, at: T0, tokenId, issuedAt: T0, expiresAt: T0 + hours(2) },
    ]
    const error = given(...history)
      .when(Command.use({ by: owner, for: "card", reference: ref("acc-1") }), T0 + 10)
      .thenRefused("WrongTokenType")
    expect(error.message).toBe("token key-1 is a bank token and cannot be used for card")
  })

  it("a pending token cannot be used yet", () => {
    given(requested(Policy.gate))
      .when(use(), T0 + 1)
      .thenRefused("TokenNotActive")
  })
})

describe("expiry", () => {
  const issued = issuedFrom(Policy.rebilly, T0)
  const deadline = T0 + minutes(30)

  it("is lazy: a use one millisecond before the deadline is accepted, at the deadline it is refused", () => {
    given(requested(Policy.rebilly), issued)
      .when(use(), deadline - 1)
      .thenEvents({
        _tag: "TokenUsed",
        key,
        at: deadline - 1,
        by: owner,
        for: "card",
        reference: ref("pay-1"),
        uses: 1,
      })
    const error = given(requested(Policy.rebilly), issued).when(use(), deadline).thenRefused("TokenExpired")
    expect(error.expiredAt).toBe(deadline)
  })

  it("is recorded only once due, naming the deadline that was met", () => {
    given(requested(Policy.rebilly), issued)
      .when(Command.expire(), deadline - 1)
      .thenRefused("NotYetExpired")
    const state = given(requested(Policy.rebilly), issued)
      .when(Command.expire(), deadline)
      .thenEvents({ _tag: "TokenExpired", key, at: deadline, cause: "time-to-live" })
    expect(state).toMatchObject({ _tag: "Expired", ending: { at: deadline, cause: "time-to-live" } })
  })

  it("of a Gate token comes with the card's expiry", () => {
    const end = cardExpiryEnd(expiry)
    given(requested(Policy.gate), issuedFrom(Policy.gate))
      .when(Command.expire(), end)
      .thenEvents({ _tag: "TokenExpired", key, at: end, cause: "card-expiry" })
  })

  it("reported by the provider is accepted at any time", () => {
    given(requested(Policy.gate), issuedFrom(Policy.gate))
      .when(Command.expire("provider"), T0 + 5000)
      .thenEvents({ _tag: "TokenExpired", key, at: T0 + 5000, cause: "provider" })
  })
})

describe("revocation", () => {
  it("the merchant revokes a Gate token", () => {
    const state = given(requested(Policy.gate), issuedFrom(Policy.gate))
      .when(Command.revoke("merchant"), T0 + 5000)
      .thenEvents({ _tag: "TokenRevoked", key, at: T0 + 5000, by: "merchant" })
    expect(state).toMatchObject({ _tag: "Revoked", ending: { cause: "revoked-by-merchant" } })
  })

  it("Rebilly, KOMOJU and Zai tokens cannot be revoked by the merchant", () => {
    for (const policy of [Policy.rebilly, Policy.komoju, Policy.zai()]) {
      const error = given(requested(policy), issuedFrom(policy))
        .when(Command.revoke("merchant"), T0 + 2000)
        .thenRefused("UnsupportedByPolicy")
      expect(error.operation).toBe("Revoke")
    }
  })

  it("a revocation reported by the provider overtakes a pending issuance", () => {
    const state = given(requested(Policy.gate))
      .when(Command.revoke("provider"), T0 + 10)
      .thenEvents({ _tag: "TokenRevoked", key, at: T0 + 10, by: "provider" })
    expect(state._tag).toBe("Revoked")
  })
})

describe("the same card again", () => {
  const history = [requested(Policy.gate), issuedFrom(Policy.gate)]
  const later = { month: 3, year: 2033 }

  it("refreshes a Gate token's expiry and nothing else", () => {
    const before = given(...history).state
    const after = given(...history)
      .when(Command.refreshExpiry({ expiry: later, fingerprint }), T0 + hours(1))
      .thenEvents({
        _tag: "TokenExpiryRefreshed",
        key,
        at: T0 + hours(1),
        expiry: later,
        expiresAt: Date.UTC(2033, 3, 1),
      })
    expect(after).toMatchObject({
      tokenId,
      owner,
      key,
      card: { fingerprint, expiry: later },
      expiresAt: Date.UTC(2033, 3, 1),
    })
    expect(before).toMatchObject({ tokenId, owner, key, card: { fingerprint, expiry } })
  })

  it("with the same expiry changes nothing", () => {
    given(...history)
      .when(Command.refreshExpiry({ expiry, fingerprint }), T0 + hours(1))
      .thenEvents()
  })

  it("with another card's fingerprint is refused", () => {
    given(...history)
      .when(Command.refreshExpiry({ expiry: later, fingerprint: CardFingerprint.make("fp_other") }), T0 + 1)
      .thenRefused("FingerprintMismatch")
  })

  it("is not a refresh under policies that issue a new token", () => {
    given(requested(Policy.rebilly), issuedFrom(Policy.rebilly))
      .when(Command.refreshExpiry({ expiry: later }), T0 + 2000)
      .thenRefused("UnsupportedByPolicy")
  })

  it("with an expiry already past is refused", () => {
    given(...history)
      .when(Command.refreshExpiry({ expiry: { month: 1, year: 2026 } }), T0 + 1)
      .thenRefused("CardExpired")
  })
})

describe("ended tokens", () => {
  const usedHistory: LifecycleEvent[] = [
    requested(Policy.rebilly),
    issuedFrom(Policy.rebilly),
    { _tag: "TokenUsed", key, at: T0 + 2000, by: owner, for: "card", reference: ref("pay-1"), uses: 1 },
  ]
  const commands: ReadonlyArray<Command.LifecycleCommand> = [
    Command.request(facts(Policy.rebilly)),
    Command.acknowledge("r"),
    Command.issue({ tokenId }),
    use(),
    Command.expire("clock"),
    Command.expire("provider"),
    Command.revoke("merchant"),
    Command.revoke("provider"),
    Command.refreshExpiry({ expiry }),
    Command.fail({ kind: "other" }),
  ]

  it("refuse every command with the error of their ending", () => {
    for (const command of commands)
      given(...usedHistory)
        .when(command, T0 + hours(48))
        .thenRefused("TokenAlreadyUsed")
  })

  it("a repeated issuance callback for the token we hold changes nothing; another token id is refused", () => {
    const history = [requested(Policy.gate), issuedFrom(Policy.gate)]
    given(...history)
      .when(Command.issue({ tokenId }), T0 + 5)
      .thenEvents()
    given(...history)
      .when(Command.issue({ tokenId: TokenId.make("tok_2") }), T0 + 5)
      .thenRefused("TokenAlreadyExists")
  })
})

describe("time", () => {
  it("never runs backwards: a command judged earlier than the last event is stamped at that event's time", () => {
    given(requested(Policy.gate, T0 + 10_000))
      .when(Command.issue({ tokenId }), T0)
      .thenEvents({
        _tag: "TokenIssued",
        key,
        at: T0 + 10_000,
        tokenId,
        issuedAt: T0 + 10_000,
        expiresAt: Date.UTC(2031, 0, 1),
      })
  })
})

describe("evolve", () => {
  it("keeps every field an event does not change", () => {
    // A token with every optional field set: request reference, token id, expiry, a use.
    const full = given(
      requested(Policy.gate),
      { _tag: "TokenRequestAcknowledged", key, at: T0, requestRef: "req-1" },
      issuedFrom(Policy.gate, T0),
      { _tag: "TokenUsed", key, at: T0 + 1, by: owner, for: "card", reference: ref("pay-1"), uses: 1 },
    ).state
    const revoked = evolve(full, { _tag: "TokenRevoked", key, at: T0 + 2, by: "merchant" })
    expect(revoked).toStrictEqual({
      ...full,
      _tag: "Revoked",
      ending: { at: T0 + 2, cause: "revoked-by-merchant" },
      updatedAt: T0 + 2,
    })
  })

  it("ignores an event that cannot follow the state", () => {
    expect(
      evolve(initial, { _tag: "TokenUsed", key, at: T0, by: owner, for: "card", reference: ref("x"), uses: 1 }),
    ).toBe(initial)
  })
})
