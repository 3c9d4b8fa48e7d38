/**
 * The Rebilly operations the simulator answers, where each lives (paths relative to the
 * organization's base URL, rebilly.md §2, §4, §6) and which kinds of credential each accepts,
 * as the spec's `security` says per operation (an operation without one takes the root default:
 * secret key or JWT).
 */

export type Endpoint =
  | "createToken"
  | "listTokens"
  | "getToken"
  | "validateDigitalWallet"
  | "createPaymentInstrument"
  | "getPaymentInstrument"
  | "createTransaction"
  | "getTransaction"

/** `REB-APIKEY: sk_…`, `Authorization: pk_…`, `Authorization: Bearer <jwt>`. */
export type Scheme = "secret" | "publishable" | "jwt"

/** The spec's `security` of each operation. */
export const acceptedSchemes: Readonly<Record<Endpoint, ReadonlyArray<Scheme>>> = {
  createToken: ["publishable", "secret", "jwt"],
  listTokens: ["secret", "jwt"],
  getToken: ["publishable"],
  validateDigitalWallet: ["publishable", "secret", "jwt"],
  createPaymentInstrument: ["secret", "jwt"],
  getPaymentInstrument: ["secret", "jwt"],
  createTransaction: ["secret", "jwt"],
  getTransaction: ["secret", "jwt"],
}

/** The endpoints that create something and answer 201 (rate-limited in the sandbox: non-GET calls). */
export const isWrite = (endpoint: Endpoint): boolean =>
  endpoint === "createToken" ||
  endpoint === "validateDigitalWallet" ||
  endpoint === "createPaymentInstrument" ||
  endpoint === "createTransaction"

export type Route =
  | { readonly _tag: "Found"; readonly endpoint: Endpoint; readonly id?: string }
  /** A known path with a method it does not serve. */
  | { readonly _tag: "MethodNotAllowed"; readonly allow: ReadonlyArray<string> }
  | { readonly _tag: "NotFound" }

interface PathRule {
  readonly pattern: RegExp
  readonly methods: Readonly<Record<string, Endpoint>>
}

const segment = "([^/]+)"

const rules: ReadonlyArray<PathRule> = [
  { pattern: /^\/tokens$/, methods: { POST: "createToken", GET: "listTokens" } },
  { pattern: new RegExp(`^/tokens/${segment}$`), methods: { GET: "getToken" } },
  { pattern: /^\/digital-wallets\/validation$/, methods: { POST: "validateDigitalWallet" } },
  { pattern: /^\/payment-instruments$/, methods: { POST: "createPaymentInstrument" } },
  { pattern: new RegExp(`^/payment-instruments/${segment}$`), methods: { GET: "getPaymentInstrument" } },
  { pattern: /^\/transactions$/, methods: { POST: "createTransaction" } },
  { pattern: new RegExp(`^/transactions/${segment}$`), methods: { GET: "getTransaction" } },
]

const decode = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

/** Where `method path` goes; `path` is relative to the organization (no `/organizations/{id}`). */
export const route = (method: string, path: string): Route => {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path
  for (const rule of rules) {
    const match = rule.pattern.exec(trimmed)
    if (match === null) continue
    const endpoint = rule.methods[method.toUpperCase()]
    if (endpoint === undefined) return { _tag: "MethodNotAllowed", allow: Object.keys(rule.methods) }
    const raw = match[1]
    if (raw === undefined) return { _tag: "Found", endpoint }
    const id = decode(raw)
    return id === undefined ? { _tag: "NotFound" } : { _tag: "Found", endpoint, id }
  }
  return { _tag: "NotFound" }
}

/**
 * Splits `/organizations/{id}/rest` into the organization and the rest. A client whose base URL
 * stops at the host (a loopback server, say) sends the prefix; one whose base URL holds it does not.
 */
export const organizationOf = (path: string): { readonly organizationId?: string; readonly rest: string } => {
  const match = /^\/organizations\/([^/]+)(\/.*)?$/.exec(path)
  if (match === null) return { rest: path }
  const organizationId = decode(match[1] ?? "")
  return organizationId === undefined ? { rest: path } : { organizationId, rest: match[2] ?? "/" }
}
