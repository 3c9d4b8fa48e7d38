/**
 * The Rebilly simulator: a stateful Rebilly for payment tokens and their redemption, written from
 * the provider's rules, reachable in process (`RebillyHttpClient`) or over loopback HTTP
 * (`RebillyServer`), controlled through the `RebillySimulator` service (faults, clock, rate limit,
 * books).
 */
export * as RebillyBooks from "./RebillyBooks.js"
export * as RebillyCard from "./RebillyCard.js"
export * as RebillyCredentials from "./RebillyCredentials.js"
export * as RebillyEndpoints from "./RebillyEndpoints.js"
export * as RebillyFields from "./RebillyFields.js"
export * as RebillyHttpClient from "./RebillyHttpClient.js"
export * as RebillyProblems from "./RebillyProblems.js"
export * as RebillyRateLimit from "./RebillyRateLimit.js"
export * as RebillyResources from "./RebillyResources.js"
export * as RebillyRules from "./RebillyRules.js"
export * as RebillyServer from "./RebillyServer.js"
export * as RebillySimulator from "./RebillySimulator.js"
