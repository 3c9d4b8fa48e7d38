/**
 * @token-lifecycle/adapters-komoju — KOMOJU (Degica): single-use tokens consumed by a payment or
 * converted into a reusable customer, idempotency keys on every POST, webhooks signed with
 * HMAC-SHA256.
 */
export * as KomojuConfig from "./KomojuConfig.js"
export * as KomojuCustomerGateway from "./KomojuCustomerGateway.js"
export * as KomojuCustomers from "./KomojuCustomers.js"
export * as KomojuGateway from "./KomojuGateway.js"
export * as KomojuWebhooks from "./KomojuWebhooks.js"
