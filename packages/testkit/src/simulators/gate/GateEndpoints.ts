/**
 * The Gate endpoints the simulator answers, and where each keeps its project id and signature:
 * in `general` for payments, in `customer` for token management (gate.md §3).
 */

export type Endpoint = "tokenize" | "bytoken" | "revoke" | "sale" | "payout" | "account_verification"

export const paths: Readonly<Record<Endpoint, string>> = {
  tokenize: "/v2/customer/card/tokenize",
  bytoken: "/v2/customer/card/bytoken",
  revoke: "/v2/customer/card/token/revoke",
  sale: "/v2/payment/card/sale/token",
  payout: "/v2/payment/card/payout/token",
  account_verification: "/v2/payment/card/account_verification/token",
}

export const endpoints = Object.keys(paths) as ReadonlyArray<Endpoint>

export const endpointOf = (path: string): Endpoint | undefined => endpoints.find((endpoint) => paths[endpoint] === path)

export type PaymentEndpoint = "sale" | "payout" | "account_verification"

export const isPayment = (endpoint: Endpoint): endpoint is PaymentEndpoint =>
  endpoint === "sale" || endpoint === "payout" || endpoint === "account_verification"

/** The object holding `project_id` and `signature` in a request to `endpoint`. */
export const authObject = (endpoint: Endpoint): "general" | "customer" => (isPayment(endpoint) ? "general" : "customer")
