/**
 * The Zai simulator: a stateful Zai written from the provider's rules — an OAuth2 issuer, the
 * core API's users, token auths and card and bank accounts, signed webhooks — reachable in
 * process (`ZaiHttpClient`) or over loopback HTTP (`ZaiServer`), controlled through the
 * `ZaiSimulator` service (browser, faults, rate limit, clock, webhooks, books).
 */
export * as ZaiBooks from "./ZaiBooks.js"
export * as ZaiEndpoints from "./ZaiEndpoints.js"
export * as ZaiErrors from "./ZaiErrors.js"
export * as ZaiHttpClient from "./ZaiHttpClient.js"
export * as ZaiIssuer from "./ZaiIssuer.js"
export * as ZaiRateLimit from "./ZaiRateLimit.js"
export * as ZaiRepresentations from "./ZaiRepresentations.js"
export * as ZaiRules from "./ZaiRules.js"
export * as ZaiServer from "./ZaiServer.js"
export * as ZaiSimulator from "./ZaiSimulator.js"
export * as ZaiWebhooks from "./ZaiWebhooks.js"
