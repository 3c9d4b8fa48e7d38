/**
 * @token-lifecycle/adapter-kit — what the provider adapters share, written once.
 */
export * as DecodeIssues from "./DecodeIssues.js"
export * as Hmac from "./Hmac.js"
export * as KeyedIdentity from "./KeyedIdentity.js"
export * as ProviderDeliveries from "./ProviderDeliveries.js"
export * as ProviderHttp from "./ProviderHttp.js"
