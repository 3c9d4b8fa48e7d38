/**
 * What every provider simulator shares: one `Handler` per simulator (`SimulatedHttp`), reached
 * in process (`InProcessHttpClient`) or over loopback HTTP (`LoopbackServer`), each provider's
 * layers for both made by `SimulatorLayers`; the service every simulator offers (`Simulator`:
 * its clock, faults and webhooks), with injected faults (`Faults`), a log of the requests it
 * received (`RequestLog`), the secrets it is given (`Secrets`), signed deliveries sent late,
 * twice or out of order (`Outbox`), a clock a test can move (`SimulatedClock`), seeded ids
 * (`SimulatedIds`) and card numbers read without being kept (`SimulatedCard`).
 */
export * as Entries from "./Entries.js"
export * as Faults from "./Faults.js"
export * as InProcessHttpClient from "./InProcessHttpClient.js"
export * as LoopbackServer from "./LoopbackServer.js"
export * as Outbox from "./Outbox.js"
export * as RequestLog from "./RequestLog.js"
export * as Secrets from "./Secrets.js"
export * as SimulatedCard from "./SimulatedCard.js"
export * as SimulatedClock from "./SimulatedClock.js"
export * as SimulatedHttp from "./SimulatedHttp.js"
export * as SimulatedIds from "./SimulatedIds.js"
export * as Simulator from "./Simulator.js"
export * as SimulatorLayers from "./SimulatorLayers.js"
