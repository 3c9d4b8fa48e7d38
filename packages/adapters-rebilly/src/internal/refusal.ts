/**
 * How Rebilly says no, mapped into the domain's provider errors. Every refusal is an RFC 9457
 * problem (`type`, `title`, `status`, `detail`, and `invalidFields` on 400 and 422), sent as
 * `application/json` per the spec (`application/problem+json` is read alike). The status decides
 * the kind of error; the body gives the message and the fields.
 */
import { type ProviderAnswer, rateLimited, refusalByStatus } from "@token-lifecycle/adapter-kit/ProviderHttp"
import {
  type FieldProblem,
  type GatewayError,
  ProviderDeclined,
  ProviderProtocolError,
  ProviderValidationError,
} from "@token-lifecycle/domain/GatewayError"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Problem, retryAfterHeaders } from "./wire.js"

export const provider = "rebilly"

const readProblem = Schema.decodeUnknownOption(Problem)

/** A problem `type` other than `about:blank` names the problem: kept as the provider's code. */
const codeOf = (problem: Problem): string | undefined =>
  problem.type === undefined || problem.type === "about:blank" ? undefined : problem.type

const fieldsOf = (problem: Problem): ReadonlyArray<FieldProblem> =>
  (problem.invalidFields ?? []).map((invalid) => ({
    field: invalid.field ?? "",
    message: invalid.message ?? "is invalid",
  }))

/** A refusal of a call about `resource` (what a 404 did not find). */
export const refusal =
  (resource: string) =>
  (answer: ProviderAnswer): GatewayError => {
    const problem = Option.getOrElse(readProblem(answer.body), (): Problem => ({}))
    const message = problem.detail ?? problem.title ?? problem.error ?? `HTTP ${answer.status}`
    const code = codeOf(problem)
    switch (answer.status) {
      case 429:
        return rateLimited(provider, answer, retryAfterHeaders)
      case 400:
      case 422: {
        const fields = fieldsOf(problem)
        const named = fields.map(({ field, message }) => (field === "" ? message : `${field}: ${message}`))
        return new ProviderValidationError({
          provider,
          message: named.length === 0 ? message : `${message} (${named.join("; ")})`,
          fields,
          ...(code === undefined ? {} : { providerCode: code }),
        })
      }
      case 409:
        return new ProviderDeclined({ provider, code: code ?? "conflict", message })
    }
    return (
      refusalByStatus(provider, answer, message, resource) ??
      new ProviderProtocolError({
        provider,
        status: answer.status,
        message: `unexpected HTTP ${answer.status}: ${message}`,
      })
    )
  }
