/**
 * The provider boundary's errors. Every adapter maps its provider's failures into these, so
 * business code handles one vocabulary whichever provider is behind the port. Any text that
 * came from the provider is scrubbed of card-number-like digits when the error is built.
 */
import * as Data from "effect/Data"
import { scrubCardNumbers } from "./Scrub.js"

/** One field the provider (or our own pre-flight check) refused, with why. */
export interface FieldProblem {
  readonly field: string
  readonly message: string
}

const scrubFields = (fields: ReadonlyArray<FieldProblem>): ReadonlyArray<FieldProblem> =>
  fields.map((f) => ({ field: scrubCardNumbers(f.field), message: scrubCardNumbers(f.message) }))

/** The request was refused as invalid: by the provider, or by the adapter before sending it. */
export class ProviderValidationError extends Data.TaggedError("ProviderValidationError")<{
  readonly provider: string
  readonly message: string
  readonly fields: ReadonlyArray<FieldProblem>
  readonly providerCode?: string
}> {
  constructor(args: {
    readonly provider: string
    readonly message: string
    readonly fields?: ReadonlyArray<FieldProblem>
    readonly providerCode?: string
  }) {
    super({
      ...args,
      message: scrubCardNumbers(args.message),
      fields: scrubFields(args.fields ?? []),
      ...(args.providerCode === undefined ? {} : { providerCode: scrubCardNumbers(args.providerCode) }),
    })
  }
}

/** The provider does not know the resource, or it is not ours to see. */
export class ProviderNotFound extends Data.TaggedError("ProviderNotFound")<{
  readonly provider: string
  readonly resource: string
  readonly message: string
}> {
  constructor(args: { readonly provider: string; readonly resource: string; readonly message?: string }) {
    super({ ...args, message: scrubCardNumbers(args.message ?? `${args.resource} not found`) })
  }
}

/** The credentials were refused, or do not allow this operation. */
export class ProviderUnauthorized extends Data.TaggedError("ProviderUnauthorized")<{
  readonly provider: string
  readonly message: string
}> {
  constructor(args: { readonly provider: string; readonly message: string }) {
    super({ ...args, message: scrubCardNumbers(args.message) })
  }
}

/** Too many requests. `retryAfterMillis` is how long to wait, when the provider said. */
export class ProviderRateLimited extends Data.TaggedError("ProviderRateLimited")<{
  readonly provider: string
  readonly retryAfterMillis?: number
}> {
  override get message(): string {
    return this.retryAfterMillis === undefined
      ? `${this.provider} rate limit reached`
      : `${this.provider} rate limit reached; retry after ${this.retryAfterMillis} ms`
  }
}

/** The provider failed on its side (a 5xx, maintenance, an upstream error). */
export class ProviderUnavailable extends Data.TaggedError("ProviderUnavailable")<{
  readonly provider: string
  readonly status?: number
  readonly message: string
}> {
  constructor(args: { readonly provider: string; readonly status?: number; readonly message: string }) {
    super({ ...args, message: scrubCardNumbers(args.message) })
  }
}

/** No answer in time, or the connection broke before one came. */
export class ProviderTimeout extends Data.TaggedError("ProviderTimeout")<{
  readonly provider: string
  readonly operation: string
  readonly afterMillis?: number
}> {
  override get message(): string {
    return this.afterMillis === undefined
      ? `${this.provider} ${this.operation}: no answer`
      : `${this.provider} ${this.operation}: no answer within ${this.afterMillis} ms`
  }
}

/** The provider answered, but not in a shape we understand. */
export class ProviderProtocolError extends Data.TaggedError("ProviderProtocolError")<{
  readonly provider: string
  readonly message: string
  readonly status?: number
}> {
  constructor(args: { readonly provider: string; readonly message: string; readonly status?: number }) {
    super({ ...args, message: scrubCardNumbers(args.message) })
  }
}

/** The provider understood and said no: a declined card, an expired card, a duplicate payment id. */
export class ProviderDeclined extends Data.TaggedError("ProviderDeclined")<{
  readonly provider: string
  readonly code: string
  readonly message: string
}> {
  constructor(args: { readonly provider: string; readonly code: string; readonly message: string }) {
    super({ ...args, code: scrubCardNumbers(args.code), message: scrubCardNumbers(args.message) })
  }
}

/** The provider (behind this adapter) does not offer the operation at all. */
export class Unsupported extends Data.TaggedError("Unsupported")<{
  readonly provider: string
  readonly operation: string
}> {
  override get message(): string {
    return `${this.provider} does not support ${this.operation}`
  }
}

export type GatewayError =
  | ProviderValidationError
  | ProviderNotFound
  | ProviderUnauthorized
  | ProviderRateLimited
  | ProviderUnavailable
  | ProviderTimeout
  | ProviderProtocolError
  | ProviderDeclined
  | Unsupported

/**
 * Whether repeating the same request later may succeed. Says nothing of whether repeating is
 * safe. Any tagged error can be asked: only the transient `GatewayError`s answer yes.
 */
export const isTransient = (error: { readonly _tag: string }): boolean =>
  error._tag === "ProviderRateLimited" || error._tag === "ProviderUnavailable" || error._tag === "ProviderTimeout"
