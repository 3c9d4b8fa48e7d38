/**
 * @token-lifecycle/adapters-komoju — KOMOJU (Degica): single-use tokens consumed by a payment or
 * a customer, idempotency keys on every POST, webhooks signed with HMAC-SHA256.
 */
export * as KomojuWebhooks from "./KomojuWebhooks.js"
