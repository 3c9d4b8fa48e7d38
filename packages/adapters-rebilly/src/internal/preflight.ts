/**
 * What is refused before anything is sent: input Rebilly would refuse, named by the field at
 * fault (in dot notation, as Rebilly's `invalidFields` are) and never by its value.
 */
import * as DecodeIssues from "@token-lifecycle/adapter-kit/DecodeIssues"
import { ProviderValidationError } from "@token-lifecycle/domain/GatewayError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { provider } from "./refusal.js"
import * as Wire from "./wire.js"

export const invalid = (field: string, message: string) =>
  new ProviderValidationError({ provider, message: `${field} ${message}`, fields: [{ field, message }] })

/**
 * A body checked against its wire Schema before it is sent: every broken limit named by its
 * dot-notation path (as Rebilly's `invalidFields` are), never by its value.
 */
export const checked = <A, I>(schema: Schema.Schema<A, I>, body: A): Effect.Effect<A, ProviderValidationError> =>
  Either.match(Schema.validateEither(schema, { errors: "all" })(body), {
    onRight: Effect.succeed,
    onLeft: (error) => {
      const fields = DecodeIssues.fieldProblems(error.issue)
      return Effect.fail(
        new ProviderValidationError({
          provider,
          message: DecodeIssues.describe(fields),
          fields,
        }),
      )
    },
  })

export const checkPageBound = (field: string, value: number): Effect.Effect<void, ProviderValidationError> =>
  Number.isInteger(value) && value >= Wire.pageBounds.min && value <= Wire.pageBounds.max
    ? Effect.void
    : Effect.fail(invalid(field, `must be a whole number from ${Wire.pageBounds.min} to ${Wire.pageBounds.max}`))

/** A token id as a path segment: at most 50 characters, and never a dot segment that would climb the path. */
export const checkTokenId = (id: string): Effect.Effect<void, ProviderValidationError> =>
  id.length === 0 || id.length > Wire.resourceIdMaxLength
    ? Effect.fail(invalid("token", `must be 1 to ${Wire.resourceIdMaxLength} characters`))
    : id === "." || id === ".."
      ? Effect.fail(invalid("token", "is not a token id"))
      : Effect.void
