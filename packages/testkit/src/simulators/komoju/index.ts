/**
 * The KOMOJU simulator: a stateful KOMOJU written from the provider's rules, reachable in
 * process (`KomojuHttpClient`) or over loopback HTTP (`KomojuServer`), controlled through the
 * `KomojuSimulator` service (webhooks, faults, request budget, clock, books).
 */
export * as KomojuBooks from "./KomojuBooks.js"
export * as KomojuCards from "./KomojuCards.js"
export * as KomojuEndpoints from "./KomojuEndpoints.js"
export * as KomojuErrors from "./KomojuErrors.js"
export * as KomojuHttpClient from "./KomojuHttpClient.js"
export * as KomojuIdempotency from "./KomojuIdempotency.js"
export * as KomojuJson from "./KomojuJson.js"
export * as KomojuPaymentDetails from "./KomojuPaymentDetails.js"
export * as KomojuRateLimit from "./KomojuRateLimit.js"
export * as KomojuRequestView from "./KomojuRequestView.js"
export * as KomojuRules from "./KomojuRules.js"
export * as KomojuServer from "./KomojuServer.js"
export * as KomojuSimulator from "./KomojuSimulator.js"
export * as KomojuWebhooks from "./KomojuWebhooks.js"
