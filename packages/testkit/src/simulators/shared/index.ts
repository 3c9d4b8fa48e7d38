/**
 * What every provider simulator shares: one `Handler` per simulator (`SimulatedHttp`), reached
 * in process (`InProcessHttpClient`) or over loopback HTTP (`LoopbackServer`), with injected
 * faults (`Faults`) and signed deliveries sent late, twice or out of order (`Outbox`).
 */
export * as Faults from "./Faults.js"
export * as InProcessHttpClient from "./InProcessHttpClient.js"
export * as LoopbackServer from "./LoopbackServer.js"
export * as Outbox from "./Outbox.js"
export * as SimulatedHttp from "./SimulatedHttp.js"
