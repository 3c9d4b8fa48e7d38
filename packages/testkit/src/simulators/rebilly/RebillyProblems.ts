/**
 * How the simulator says no: RFC 9457 problem details (rebilly.md §7), `{type, title, status,
 * detail, instance}`, with `invalidFields: [{field, message}]` on 422 (dot notation for nested
 * fields). `type` is `about:blank`, so `title` is the status's phrase, except for 429 where the
 * spec's example gives "Rate Limit Exceeded".
 *
 * A `detail` or `message` never quotes what the caller sent: a field may hold a card number.
 */

export interface InvalidField {
  readonly field: string
  readonly message: string
}

export interface Problem {
  readonly status: number
  readonly title: string
  readonly detail: string
  readonly invalidFields?: ReadonlyArray<InvalidField>
  /** Extra answer headers (`Allow` on 405). */
  readonly headers?: Readonly<Record<string, string>>
}

const serverTitles: Readonly<Record<number, string>> = {
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
}

const problem =
  (status: number, title: string) =>
  (detail: string): Problem => ({ status, title, detail })

export const Problems = {
  badRequest: problem(400, "Bad Request"),
  unauthorized: problem(401, "Unauthorized"),
  forbidden: problem(403, "Forbidden"),
  notFound: problem(404, "Not Found"),
  methodNotAllowed: (allow: ReadonlyArray<string>): Problem => ({
    status: 405,
    title: "Method Not Allowed",
    detail: `This resource accepts ${allow.join(", ")} only.`,
    headers: { allow: allow.join(", ") },
  }),
  conflict: problem(409, "Conflict"),
  invalid: (invalidFields: ReadonlyArray<InvalidField>, detail = "The request has invalid data."): Problem => ({
    status: 422,
    title: "Unprocessable Entity",
    detail,
    invalidFields,
  }),
  rateLimited: (): Problem => ({
    status: 429,
    title: "Rate Limit Exceeded",
    detail: "A request cannot be executed because the user has sent too many requests within a certain period of time",
  }),
  server: (status: number): Problem => ({
    status,
    title: serverTitles[status] ?? "Server Error",
    detail: "The request could not be completed. Try again later.",
  }),
} as const

/** The body of a problem answer for a request to `instance`. */
export const body = (refused: Problem, instance: string) => ({
  type: "about:blank",
  title: refused.title,
  status: refused.status,
  detail: refused.detail,
  instance,
  ...(refused.invalidFields === undefined ? {} : { invalidFields: refused.invalidFields }),
})
