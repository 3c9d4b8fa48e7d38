/**
 * @token-lifecycle/adapters-rebilly — Rebilly: single-use card tokens that live 30 minutes, created
 * synchronously, redeemed into a transaction or a payment instrument, never revoked.
 */
export * as RebillyClient from "./RebillyClient.js"
export * as RebillyConfig from "./RebillyConfig.js"
export * as RebillyGateway from "./RebillyGateway.js"
