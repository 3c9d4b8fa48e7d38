/**
 * The Zai endpoints the simulator answers, named by the official spec's `operationId`, and on
 * which host each lives: `token` on the OAuth2 issuer, the rest on the core API (provider notes
 * §1). A request is matched by method and path; the `{id}` of a path is handed to the rules.
 */

export type Host = "auth" | "core"

export type Endpoint =
  | "token"
  | "generateToken"
  | "createUser"
  | "showUser"
  | "createCardAccount"
  | "showCardAccount"
  | "showCardAccountUser"
  | "redactCardAccount"
  | "createBankAccount"
  | "showBankAccount"
  | "showBankAccountUser"
  | "redactBankAccount"
  | "showUserCardAccount"
  | "showUserBankAccount"

export interface Route {
  readonly host: Host
  readonly method: "GET" | "POST" | "DELETE"
  /** The spec's path template. */
  readonly path: string
}

export const routes: Readonly<Record<Endpoint, Route>> = {
  token: { host: "auth", method: "POST", path: "/tokens" },
  generateToken: { host: "core", method: "POST", path: "/token_auths" },
  createUser: { host: "core", method: "POST", path: "/users" },
  showUser: { host: "core", method: "GET", path: "/users/{id}" },
  createCardAccount: { host: "core", method: "POST", path: "/card_accounts" },
  showCardAccount: { host: "core", method: "GET", path: "/card_accounts/{id}" },
  showCardAccountUser: { host: "core", method: "GET", path: "/card_accounts/{id}/users" },
  redactCardAccount: { host: "core", method: "DELETE", path: "/card_accounts/{id}" },
  createBankAccount: { host: "core", method: "POST", path: "/bank_accounts" },
  showBankAccount: { host: "core", method: "GET", path: "/bank_accounts/{id}" },
  showBankAccountUser: { host: "core", method: "GET", path: "/bank_accounts/{id}/users" },
  redactBankAccount: { host: "core", method: "DELETE", path: "/bank_accounts/{id}" },
  showUserCardAccount: { host: "core", method: "GET", path: "/users/{id}/card_accounts" },
  showUserBankAccount: { host: "core", method: "GET", path: "/users/{id}/bank_accounts" },
}

export const endpoints = Object.keys(routes) as ReadonlyArray<Endpoint>

export interface Matched {
  readonly endpoint: Endpoint
  /** The path's `{id}`, decoded; absent for paths without one. */
  readonly id?: string
}

const segmentsOf = (path: string): ReadonlyArray<string> => path.split("/").filter((segment) => segment !== "")

const matches = (template: string, path: string): { readonly ok: boolean; readonly id?: string } => {
  const expected = segmentsOf(template)
  const actual = segmentsOf(path)
  if (expected.length !== actual.length) return { ok: false }
  let id: string | undefined
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i] as string
    const got = actual[i] as string
    if (want === "{id}") {
      try {
        id = decodeURIComponent(got)
      } catch {
        return { ok: false }
      }
    } else if (want !== got) return { ok: false }
  }
  return id === undefined ? { ok: true } : { ok: true, id }
}

/** The endpoint of `host` that `method` and `path` name, if any. */
export const match = (host: Host, method: string, path: string): Matched | undefined => {
  const verb = method.toUpperCase()
  for (const endpoint of endpoints) {
    const route = routes[endpoint]
    if (route.host !== host || route.method !== verb) continue
    const found = matches(route.path, path)
    if (found.ok) return found.id === undefined ? { endpoint } : { endpoint, id: found.id }
  }
  return undefined
}
