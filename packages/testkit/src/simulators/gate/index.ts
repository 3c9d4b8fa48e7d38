/**
 * The ECommPay Gate simulator: a stateful Gate written from the provider's rules, reachable in
 * process (`GateHttpClient`) or over loopback HTTP (`GateServer`), controlled through the
 * `GateSimulator` service (callbacks, faults, clock, books).
 */
export * as GateBooks from "./GateBooks.js"
export * as GateCallbacks from "./GateCallbacks.js"
export * as GateDelivery from "./GateDelivery.js"
export * as GateEndpoints from "./GateEndpoints.js"
export * as GateErrors from "./GateErrors.js"
export * as GateHttpClient from "./GateHttpClient.js"
export * as GateJson from "./GateJson.js"
export * as GateRules from "./GateRules.js"
export * as GateServer from "./GateServer.js"
export * as GateSignature from "./GateSignature.js"
export * as GateSimulator from "./GateSimulator.js"
