/**
 * @token-lifecycle/adapters-gate — the ECommPay Gate adapter.
 */
export * as GateSignature from "./Signature.js"
