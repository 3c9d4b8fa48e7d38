/**
 * Zai users (provider notes §5): a token auth is issued for a user, so the user comes first.
 * `POST /users` with the platform's own id; the spec requires `id`, `first_name`, `last_name`,
 * `email` and `country` (ISO 3166-1 alpha-3). Zai has no user type on the wire: a pay-in user
 * (who pays) and a pay-out user (who is paid) differ in what Zai needs to know of them, and a
 * pay-out user must also give an address (Zai's pay-out onboarding guide) to pass verification.
 *
 * Everything Zai would refuse is refused here first, every problem at once, with the wire's
 * field names. A date of birth and a government number are personal data: `Redacted` from the
 * moment they enter, sent and never shown (Zai itself answers them as `encrypted`).
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { type FieldProblem, type GatewayError, ProviderValidationError } from "@token-lifecycle/domain/GatewayError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { provider } from "./internal/refusal.js"
import * as Wire from "./internal/wire.js"
import { ZaiCore } from "./ZaiCore.js"

export type Role = "payin" | "payout"

export interface Address {
  readonly line1: string
  readonly line2?: string
  readonly city: string
  readonly state: string
  readonly zip: string
}

export interface UserDetails {
  /** The platform's id for the user: no `.` in it. */
  readonly id: string
  readonly firstName: string
  readonly lastName: string
  /** Unique on the platform. */
  readonly email: string
  /** ISO 3166-1 alpha-3: `AUS`, `USA`, `GBR`. */
  readonly country: string
  /** International format: `+` and digits, no spaces. */
  readonly mobile?: string
  /** Recommended for pay-in users, required for pay-out users. */
  readonly address?: Address
  /** `DD/MM/YYYY`. */
  readonly dateOfBirth?: Redacted.Redacted<string>
  /** A tax file number, a social security number: what verification asks for in the user's country. */
  readonly governmentNumber?: Redacted.Redacted<string>
  readonly ipAddress?: string
}

/** A user as Zai shows it. */
export interface User {
  readonly id: string
  readonly email?: string
  readonly firstName?: string
  readonly lastName?: string
  readonly country?: string
  readonly createdAt?: number
}

export interface ZaiUsersService {
  /** A user who pays: the owner of card token auths (and of bank ones, for direct debit). */
  readonly createPayin: (details: UserDetails) => Effect.Effect<User, GatewayError>
  /** A user who is paid: the owner of bank token auths for payouts. */
  readonly createPayout: (details: UserDetails) => Effect.Effect<User, GatewayError>
  readonly get: (id: string) => Effect.Effect<User, GatewayError>
}

export class ZaiUsers extends Context.Tag("@token-lifecycle/adapters-zai/ZaiUsers")<ZaiUsers, ZaiUsersService>() {}

const blank = (text: string | undefined) => text === undefined || text.trim() === ""

/** A real date written `DD/MM/YYYY`. */
const isDate = (text: string): boolean => {
  const match = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text)
  if (match === null) return false
  const [day, month, year] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/** Every problem Zai would find in `details` for a user of `role`; none of them repeats a value. */
export const problemsOf = (role: Role, details: UserDetails): ReadonlyArray<FieldProblem> => {
  const problems: Array<FieldProblem> = []
  const add = (field: string, message: string) => problems.push({ field, message })
  if (blank(details.id)) add("id", "is required")
  else if (details.id.includes(".")) add("id", "cannot contain a '.'")
  if (blank(details.firstName)) add("first_name", "is required")
  if (blank(details.lastName)) add("last_name", "is required")
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(details.email)) add("email", "is not an email address")
  if (!/^[A-Za-z]{3}$/.test(details.country)) add("country", "must be an ISO 3166-1 alpha-3 code, such as AUS")
  if (details.mobile !== undefined && !/^\+[0-9]{6,15}$/.test(details.mobile)) {
    add("mobile", "must be in international format: '+' and digits, no spaces")
  }
  if (details.dateOfBirth !== undefined && !isDate(Redacted.value(details.dateOfBirth))) {
    add("dob", "must be a date written DD/MM/YYYY")
  }
  const address = details.address
  if (role === "payout") {
    if (blank(address?.line1)) add("address_line1", "is required for a pay-out user")
    if (blank(address?.city)) add("city", "is required for a pay-out user")
    if (blank(address?.state)) add("state", "is required for a pay-out user")
    if (blank(address?.zip)) add("zip", "is required for a pay-out user")
  }
  return problems
}

/** The body of `POST /users`: the sensitive fields leave their wrapper here only. */
export const requestBody = (details: UserDetails): Wire.UserRequest => {
  const optional = {
    mobile: details.mobile,
    address_line1: details.address?.line1,
    address_line2: details.address?.line2,
    city: details.address?.city,
    state: details.address?.state,
    zip: details.address?.zip,
    dob: details.dateOfBirth === undefined ? undefined : Redacted.value(details.dateOfBirth),
    government_number: details.governmentNumber === undefined ? undefined : Redacted.value(details.governmentNumber),
    ip_address: details.ipAddress,
  }
  return {
    id: details.id,
    first_name: details.firstName,
    last_name: details.lastName,
    email: details.email,
    country: details.country.toUpperCase(),
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  }
}

const userOf = (user: Wire.User): User => ({
  id: user.id,
  ...(user.email === undefined ? {} : { email: user.email }),
  ...(user.first_name === undefined ? {} : { firstName: user.first_name }),
  ...(user.last_name === undefined ? {} : { lastName: user.last_name }),
  ...(user.location === undefined || user.location === null ? {} : { country: user.location }),
  ...(user.created_at === undefined || Number.isNaN(Date.parse(user.created_at))
    ? {}
    : { createdAt: Date.parse(user.created_at) }),
})

export const make: Effect.Effect<ZaiUsersService, never, ZaiCore> = Effect.gen(function* () {
  const core = yield* ZaiCore

  const create = (role: Role) => (details: UserDetails) =>
    Effect.gen(function* () {
      const problems = problemsOf(role, details)
      if (problems.length > 0) {
        return yield* new ProviderValidationError({
          provider,
          message: problems.map((problem) => `${problem.field} ${problem.message}`).join("; "),
          fields: problems,
        })
      }
      const answer = yield* core.call({
        operation: `create ${role} user`,
        resource: "user",
        request: HttpClientRequest.post(Wire.paths.users).pipe(HttpClientRequest.bodyUnsafeJson(requestBody(details))),
        success: Wire.UserAnswer,
        // The id is the platform's: a repeat cannot make a second user.
        idempotent: true,
      })
      return userOf(answer.users)
    })

  const get = (id: string) =>
    core
      .call({
        operation: "show user",
        resource: "user",
        request: HttpClientRequest.get(Wire.paths.user(id)),
        success: Wire.UserAnswer,
        idempotent: true,
      })
      .pipe(Effect.map((answer) => userOf(answer.users)))

  return { createPayin: create("payin"), createPayout: create("payout"), get }
})

export const layer: Layer.Layer<ZaiUsers, never, ZaiCore> = Layer.effect(ZaiUsers, make)
