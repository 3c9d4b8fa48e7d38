/**
 * The Zai adapter against the testkit's Zai simulator, through the conformance suite every
 * adapter passes, in process and over loopback HTTP. Zai's server side only issues token auths:
 * the browser spends them, so `use`, `retrieve`, `list` and `revoke` are checked to answer a
 * typed `Unsupported`, and the lifecycle records a use without asking the provider.
 */
import * as Policy from "@token-lifecycle/domain/Policy"
import * as Conformance from "@token-lifecycle/testkit/Conformance"
import * as ZaiStack from "./ZaiStack.js"

const users = ["buyer-1", "buyer-2"] as const

const fixture: Conformance.Fixture = {
  account: "marketplace-1",
  owner: users[0],
  otherOwner: users[1],
  type: "card",
  operation: "instrument",
}

Conformance.suite("ZaiGateway over the Zai simulator, in process", {
  gateway: ZaiStack.withUsers(ZaiStack.inProcess(ZaiStack.simulatorOptions("conformance")), users),
  policy: Policy.zai(),
  fixture,
})

Conformance.suite("ZaiGateway over the Zai simulator, on loopback HTTP", {
  gateway: ZaiStack.withUsers(ZaiStack.overLoopback(ZaiStack.simulatorOptions("conformance")), users),
  policy: Policy.zai(),
  fixture,
  timeout: 20_000,
})
