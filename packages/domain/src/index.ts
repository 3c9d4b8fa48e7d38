/**
 * @token-lifecycle/domain — the pure lifecycle of a payment token, its policies, schemas,
 * errors and ports. No I/O, no clock reads, no randomness: time and identity come in.
 */
export * as Capabilities from "./Capabilities.js"
export * as Card from "./Card.js"
export * as Command from "./Command.js"
export * as Event from "./Event.js"
export * as GatewayError from "./GatewayError.js"
export * as Identifiers from "./Identifiers.js"
export * as Identity from "./Identity.js"
export * as InvalidInput from "./InvalidInput.js"
export * as Lifecycle from "./Lifecycle.js"
export * as LifecycleError from "./LifecycleError.js"
export * as Policy from "./Policy.js"
export * as ProviderEvent from "./ProviderEvent.js"
export * as Scrub from "./Scrub.js"
export * as Signing from "./Signing.js"
export * as Token from "./Token.js"
export * as TokenGateway from "./TokenGateway.js"
export * as TokenIndex from "./TokenIndex.js"
export * as TokenLifecycle from "./TokenLifecycle.js"
export * as TokenRepository from "./TokenRepository.js"
