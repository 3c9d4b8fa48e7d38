/**
 * A worker thread that serves one provider's simulator on 127.0.0.1 for a round-trip benchmark
 * (see `renewable.ts`). `workerData.module` names the module exporting the simulator's
 * definition as `simulator`; the worker serves it as the benchmark's own thread would, tells the
 * main thread its base URL, then answers its commands one by one.
 */
import { parentPort, workerData } from "node:worker_threads"
import type { Command, Definition, Message } from "./renewable.js"
import { serveHere } from "./renewable.js"

const port = parentPort
if (port === null) throw new Error("simulator-worker.js runs as a worker thread only")

const { module } = workerData as { readonly module: string }
const { simulator } = (await import(module)) as { readonly simulator: Definition<unknown> }
const served = await serveHere(simulator)

const answer = async (command: Command) => {
  switch (command.op) {
    case "prime":
      return void (await served.prime(command.requests))
    case "renew":
      return void (await served.renew())
    case "state":
      return served.state()
    case "close":
      return void (await served.close())
  }
}

port.on("message", (command: Command & { readonly id: number }) => {
  answer(command).then(
    (value) => port.postMessage({ id: command.id, ok: true, value } satisfies Message),
    (error: unknown) => port.postMessage({ id: command.id, ok: false, error: String(error) } satisfies Message),
  )
})
port.postMessage({ ready: served.baseUrl } satisfies Message)
