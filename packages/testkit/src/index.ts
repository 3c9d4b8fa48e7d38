/**
 * @token-lifecycle/testkit — arbitraries, in-memory ports, the reference gateway and the
 * conformance suite every adapter runs against its provider simulator.
 *
 * The conformance suite registers vitest tests, so it is imported by its own path
 * (`@token-lifecycle/testkit/Conformance`) from test files only; everything here also
 * works outside a test runner.
 */
export * as Arbitraries from "./Arbitraries.js"
export * as InMemoryTokenRepository from "./InMemoryTokenRepository.js"
export * as LifecycleArbitraries from "./LifecycleArbitraries.js"
export * as ManualClock from "./ManualClock.js"
export * as ReferenceGateway from "./ReferenceGateway.js"
export * as Runs from "./Runs.js"
export * as SequentialIdentity from "./SequentialIdentity.js"
export * as GateSimulation from "./simulators/gate/index.js"
export * as KomojuSimulation from "./simulators/komoju/index.js"
export * as RebillySimulation from "./simulators/rebilly/index.js"
export * as ZaiSimulation from "./simulators/zai/index.js"
