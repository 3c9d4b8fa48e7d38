/**
 * The KOMOJU endpoints the simulator answers (komoju.md §3, §5), under `/api/v1`, and which key
 * each takes: the publishable key only where official clients use it (creating a token, reading
 * and paying a session), the secret key everywhere.
 */

export type Endpoint =
  | "createToken"
  | "createPayment"
  | "showPayment"
  | "capturePayment"
  | "cancelPayment"
  | "createCustomer"
  | "showCustomer"
  | "deleteCustomer"
  | "createSession"
  | "showSession"
  | "paySession"

interface Route {
  readonly endpoint: Endpoint
  readonly method: "GET" | "POST" | "DELETE"
  /** Path segments after `/api/v1`; `:id` matches one segment. */
  readonly segments: ReadonlyArray<string>
}

const routes: ReadonlyArray<Route> = [
  { endpoint: "createToken", method: "POST", segments: ["tokens"] },
  { endpoint: "createPayment", method: "POST", segments: ["payments"] },
  { endpoint: "showPayment", method: "GET", segments: ["payments", ":id"] },
  { endpoint: "capturePayment", method: "POST", segments: ["payments", ":id", "capture"] },
  { endpoint: "cancelPayment", method: "POST", segments: ["payments", ":id", "cancel"] },
  { endpoint: "createCustomer", method: "POST", segments: ["customers"] },
  { endpoint: "showCustomer", method: "GET", segments: ["customers", ":id"] },
  { endpoint: "deleteCustomer", method: "DELETE", segments: ["customers", ":id"] },
  { endpoint: "createSession", method: "POST", segments: ["sessions"] },
  { endpoint: "showSession", method: "GET", segments: ["sessions", ":id"] },
  { endpoint: "paySession", method: "POST", segments: ["sessions", ":id", "pay"] },
]

export const endpoints: ReadonlyArray<Endpoint> = routes.map((route) => route.endpoint)

/** Endpoints a publishable key may call. */
export const publishable: ReadonlySet<Endpoint> = new Set(["createToken", "showSession", "paySession"])

export interface Matched {
  readonly endpoint: Endpoint
  /** The `:id` segment, or `""`. */
  readonly id: string
}

/** Where KOMOJU's API sits under its origin; clients use `<origin>/api/v1` as their base URL. */
export const apiPath = "/api/v1"

const prefix = `${apiPath}/`

/** The endpoint `method path` reaches, if any. */
export const match = (method: string, path: string): Matched | undefined => {
  if (!path.startsWith(prefix)) return undefined
  const segments = path.slice(prefix.length).replace(/\/+$/, "").split("/")
  for (const route of routes) {
    if (route.method !== method.toUpperCase() || route.segments.length !== segments.length) continue
    let id = ""
    const fits = route.segments.every((expected, i) => {
      const actual = segments[i] ?? ""
      if (expected !== ":id") return expected === actual
      id = actual
      return actual !== ""
    })
    if (fits) return { endpoint: route.endpoint, id }
  }
  return undefined
}
