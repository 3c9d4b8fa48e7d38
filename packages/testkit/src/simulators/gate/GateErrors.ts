/**
 * How the simulator says no: Gate's codes and messages (gate.md §8, from the platform's code
 * table) and the HTTP status each is sent with. The error body follows the adapter's wire
 * contract: `{status: "error", code, message, request_id, project_id, errors: [{code, message,
 * field, description}]}`; 400 for request and token errors, 403 for signature and access,
 * 500/503 for server faults.
 *
 * Choices where Gate's behaviour is unknown:
 * - a card number failing the Luhn check, or a field of the wrong type, is 502 "Validation
 *   error" with the field named in `errors` (the table has no card-number code in the
 *   request-validation range; 502 is its generic "received data cannot be validated");
 * - a token of another customer is 3101 "Card not found" (the table: "card data from token
 *   does not belong to the customer in the request"); 3241 is not used;
 * - a revoked token is 3027 "Invalid token provided", with `description` saying it is revoked;
 * - an unknown project is 303 "Access denied" (403); a body without a project id is 2442.
 */

export interface GateErrorItem {
  readonly code: number
  readonly message: string
  readonly field?: string
  readonly description?: string
}

/** A refusal: what the answer will carry. */
export interface GateRefusal {
  readonly httpStatus: number
  readonly code: number
  readonly message: string
  readonly errors: ReadonlyArray<GateErrorItem>
}

const refusal =
  (httpStatus: number, code: number, message: string) =>
  (field?: string, description?: string): GateRefusal => ({
    httpStatus,
    code,
    message,
    errors: [
      {
        code,
        message,
        ...(field === undefined ? {} : { field }),
        ...(description === undefined ? {} : { description }),
      },
    ],
  })

export const Refusals = {
  invalidJson: refusal(400, 2003, "Invalid JSON string"),
  requiredField: refusal(400, 2004, "Required field not provided"),
  projectIdMissing: refusal(400, 2442, "Project ID not found"),
  accessDenied: refusal(403, 303, "Access denied"),
  invalidSignature: refusal(403, 3261, "Invalid signature"),
  emptySignature: refusal(403, 3262, "Empty signature"),
  validation: refusal(400, 502, "Validation error"),
  cardExpired: refusal(400, 3021, "Card expired"),
  invalidToken: refusal(400, 3027, "Invalid token provided"),
  tokenMissing: refusal(400, 3221, "Card token not found"),
  cardNotFound: refusal(400, 3101, "Card not found"),
  duplicatePaymentId: refusal(400, 3041, "Payment ID already exists"),
  payoutWithoutPurchase: refusal(400, 3107, "Payout Constraint, card without successful purchase"),
  internalError: refusal(500, 501, "Internal error"),
  tryAgain: refusal(503, 601, "Try again"),
  notFound: refusal(404, 702, "Malformed request"),
} as const

/** The body of a refusal. The project id is echoed only when the request carried a readable one. */
export const errorBody = (refused: GateRefusal, requestId: string, projectId: number | undefined) => ({
  status: "error",
  code: refused.code,
  message: refused.message,
  request_id: requestId,
  ...(projectId === undefined ? {} : { project_id: projectId }),
  errors: refused.errors,
})
