/**
 * How Zai's token issuer says no (provider notes §2): `{"error": "<string>"}` with 400, 401,
 * 422 or 500. Credentials or client details refused (401, 422) cannot succeed on a retry with
 * the same configuration, so both read as unauthorized; a 400 means the request we built was
 * refused. Core API refusals (§8) are mapped elsewhere: their body has another shape.
 */
import { type ProviderAnswer, refusalByStatus } from "@token-lifecycle/adapter-kit/ProviderHttp"
import {
  type GatewayError,
  ProviderProtocolError,
  ProviderUnauthorized,
  ProviderValidationError,
} from "@token-lifecycle/domain/GatewayError"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

export const provider = "zai"

const TokenRefusal = Schema.Struct({ error: Schema.String })

/** Provider text is kept short: it goes into errors and logs. */
const maximumMessageLength = 200

/**
 * The typed error for a non-2xx answer from `POST /tokens`. `hide` removes text that must not
 * reach an error (the client secret, should the issuer ever echo it).
 */
export const tokenRefusal =
  (hide: (text: string) => string) =>
  (answer: ProviderAnswer): GatewayError => {
    const decoded = Schema.decodeUnknownEither(TokenRefusal)(answer.body)
    const said = Either.isRight(decoded) ? hide(decoded.right.error).slice(0, maximumMessageLength) : undefined
    const message = `tokens: ${said ?? `HTTP ${answer.status}`}`
    // An issuer refusing the client's details (422) is a configuration problem, like refused credentials.
    if (answer.status === 422) return new ProviderUnauthorized({ provider, message })
    const byStatus = refusalByStatus(provider, answer, message)
    if (byStatus !== undefined) return byStatus
    if (answer.status === 400) return new ProviderValidationError({ provider, message })
    return new ProviderProtocolError({ provider, status: answer.status, message })
  }
