/**
 * @token-lifecycle/adapters-zai — Zai (Assembly Payments): OAuth2 client credentials, short-lived
 * token auths for the browser library handed out per payment session, users and their card and
 * bank accounts, signed webhooks.
 */
export * as ZaiAccessToken from "./ZaiAccessToken.js"
export * as ZaiAccounts from "./ZaiAccounts.js"
export * as ZaiConfig from "./ZaiConfig.js"
export * as ZaiCore from "./ZaiCore.js"
export * as ZaiGateway from "./ZaiGateway.js"
export * as ZaiTokenAuths from "./ZaiTokenAuths.js"
export * as ZaiUsers from "./ZaiUsers.js"
export * as ZaiWebhookSignature from "./ZaiWebhookSignature.js"
export * as ZaiWebhooks from "./ZaiWebhooks.js"
