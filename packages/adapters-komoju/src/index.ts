/**
 * @token-lifecycle/adapters-komoju — KOMOJU (Degica): single-use tokens consumed by a payment or
 * a customer, idempotency keys on every POST, webhooks signed with HMAC-SHA256.
 */
export * as KomojuConfig from "./KomojuConfig.js"
export * as KomojuGateway from "./KomojuGateway.js"
export * as KomojuWebhooks from "./KomojuWebhooks.js"
