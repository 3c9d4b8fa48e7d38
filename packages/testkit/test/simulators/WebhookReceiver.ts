/**
 * A plain node server on 127.0.0.1 standing for the merchant's webhook (or callback) endpoint:
 * it keeps every request it receives and answers each with one status. Written without the
 * simulators' own server, so a delivery is checked by code that shares nothing with the sender.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import * as Effect from "effect/Effect"

export interface Received {
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export interface WebhookReceiver {
  readonly url: string
  /** Every request so far, in order. */
  readonly received: ReadonlyArray<Received>
}

/** A receiver at `path` answering `status`, for as long as the scope is open. */
export const receiver = (status: number, path = "/webhooks") =>
  Effect.acquireRelease(
    Effect.async<WebhookReceiver & { readonly close: () => void }>((resume) => {
      const received: Array<Received> = []
      const server = createServer((request, response) => {
        let body = ""
        request.setEncoding("utf8")
        request.on("data", (part: string) => {
          body += part
        })
        request.on("end", () => {
          const headers = Object.fromEntries(
            Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
          )
          received.push({ headers, body })
          response.writeHead(status).end()
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}${path}`, received, close: () => server.close() }))
      })
    }),
    (r) => Effect.sync(r.close),
  )
