/**
 * @token-lifecycle/adapters-zai — Zai (Assembly Payments): OAuth2 client credentials, signed
 * webhooks, short-lived token auths for the browser library.
 */
export * as ZaiAccessToken from "./ZaiAccessToken.js"
export * as ZaiConfig from "./ZaiConfig.js"
export * as ZaiWebhookSignature from "./ZaiWebhookSignature.js"
