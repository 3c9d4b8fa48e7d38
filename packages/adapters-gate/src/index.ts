/**
 * @token-lifecycle/adapters-gate — ECommPay Gate: signed requests, asynchronous callbacks,
 * reusable 64-character card tokens.
 */
export * as GateCallbacks from "./GateCallbacks.js"
export * as GateConfig from "./GateConfig.js"
export * as GateGateway from "./GateGateway.js"
export * as GateSignature from "./Signature.js"
