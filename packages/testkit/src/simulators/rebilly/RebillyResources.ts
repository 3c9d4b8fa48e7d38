/**
 * The resources as Rebilly writes them on the wire: `PaymentCardToken`, `PaymentCard` (a payment
 * instrument), `Transaction` (rebilly.md §5, §6; the spec's schemas). Times carry a `+00:00`
 * offset and whole seconds, as the sandbox writes them (§5.6).
 *
 * A token never shows `pan` or `cvv` (they are write-only): its `paymentInstrument` has only
 * `bin`, `last4`, `brand`, `expMonth`, `expYear`. `expirationTime` is `null` until the token has
 * expired unused, then `createdTime + 30 min`; a used token shows `usageTime` instead.
 *
 * With `liveExtras`, a token also carries the undocumented top-level fields the sandbox was seen
 * sending (`used`, `usedTime`, `expiredTime`, `last4`, `brand`, `browserData`), so a client that
 * does not ignore unknown fields fails against the simulator as it would against Rebilly.
 */
import { createHash } from "node:crypto"
import * as Books from "./RebillyBooks.js"
import type { Decline } from "./RebillyCard.js"

/** `2026-06-01T12:00:00+00:00`. */
export const time = (epochMillis: number): string => new Date(epochMillis).toISOString().replace(/\.\d{3}Z$/, "+00:00")

const selfLink = (href: string) => [{ rel: "self", href }]

export const tokenUrl = (baseUrl: string, id: string): string => `${baseUrl}/tokens/${encodeURIComponent(id)}`
export const instrumentUrl = (baseUrl: string, id: string): string =>
  `${baseUrl}/payment-instruments/${encodeURIComponent(id)}`
export const transactionUrl = (baseUrl: string, id: string): string =>
  `${baseUrl}/transactions/${encodeURIComponent(id)}`

const contactFields = [
  "firstName",
  "lastName",
  "organization",
  "address",
  "address2",
  "city",
  "region",
  "country",
  "postalCode",
  "dob",
  "jobTitle",
] as const

/** A contact as Rebilly answers it: every field present (`null` or `[]` when not given) and its `hash`. */
const contact = (given: Books.Contact) => {
  const fields = Object.fromEntries(contactFields.map((name) => [name, given[name] ?? null]))
  const full = {
    ...fields,
    phoneNumbers: given.phoneNumbers ?? [],
    emails: given.emails ?? [],
  }
  return { ...full, hash: createHash("md5").update(JSON.stringify(full)).digest("hex") }
}

const cardFields = (card: Books.Card) => ({
  bin: card.bin,
  last4: card.last4,
  ...(card.brand === undefined ? {} : { brand: card.brand }),
  expMonth: card.expMonth,
  expYear: card.expYear,
})

export const token = (record: Books.TokenRecord, now: number, baseUrl: string, liveExtras: boolean) => {
  const state = Books.stateOf(record, now)
  const usageTime = record.usedAt === undefined ? null : time(record.usedAt)
  const expirationTime = state === "expired" ? time(Books.expiresAt(record)) : null
  return {
    id: record.id,
    method: "payment-card",
    isUsed: state === "used",
    paymentInstrument: cardFields(record.card),
    ...(record.billingAddress === undefined ? {} : { billingAddress: contact(record.billingAddress) }),
    riskMetadata: record.riskMetadata ?? null,
    createdTime: time(record.createdAt),
    updatedTime: time(record.updatedAt),
    usageTime,
    expirationTime,
    ...(liveExtras
      ? {
          browserData: null,
          used: state === "used",
          usedTime: usageTime,
          expiredTime: expirationTime,
          last4: record.card.last4,
          ...(record.card.brand === undefined ? {} : { brand: record.card.brand }),
        }
      : {}),
    _links: selfLink(tokenUrl(baseUrl, record.id)),
  }
}

export const instrument = (record: Books.InstrumentRecord, baseUrl: string) => ({
  id: record.id,
  customerId: record.customerId,
  method: "payment-card",
  status: record.status,
  ...(record.card.digest === undefined ? {} : { fingerprint: record.card.digest.slice(0, 32) }),
  ...cardFields(record.card),
  bankCountry: null,
  ...(record.billingAddress === undefined ? {} : { billingAddress: contact(record.billingAddress) }),
  useAsBackup: record.useAsBackup,
  ...(record.customFields === undefined ? {} : { customFields: record.customFields }),
  createdTime: time(record.createdAt),
  updatedTime: time(record.updatedAt),
  lastPaymentTime: null,
  stickyGatewayAccountId: null,
  digitalWallet: null,
  riskMetadata: null,
  revision: record.revision,
  _links: [
    { rel: "self", href: instrumentUrl(baseUrl, record.id) },
    { rel: "customer", href: `${baseUrl}/customers/${encodeURIComponent(record.customerId)}` },
  ],
})

const gatewayResponse: Readonly<Record<Decline | "approved", { readonly code: string; readonly message: string }>> = {
  approved: { code: "00", message: "Approved" },
  "declined-card": { code: "05", message: "Do not honor" },
  "cvv-failure": { code: "N7", message: "Decline for CVV2 failure" },
  "expired-card": { code: "54", message: "Expired card or expiration date is missing" },
}

export const transaction = (record: Books.TransactionRecord, baseUrl: string) => {
  const response = gatewayResponse[record.decline ?? "approved"]
  return {
    id: record.id,
    websiteId: record.websiteId,
    customerId: record.customerId,
    type: record.type,
    status: "completed",
    result: record.result,
    amount: record.amount,
    currency: record.currency,
    requestAmount: record.amount,
    requestCurrency: record.currency,
    requestId: record.requestId ?? null,
    ...(record.billingAddress === undefined ? {} : { billingAddress: contact(record.billingAddress) }),
    method: "payment-card",
    paymentInstrument: { method: "payment-card", paymentInstrumentId: record.paymentInstrumentId },
    bin: record.card.bin,
    gatewayName: "TestProcessor",
    gateway: {
      response: { code: response.code, message: response.message },
    },
    isRebill: false,
    isRetry: false,
    processedTime: time(record.createdAt),
    createdTime: time(record.createdAt),
    updatedTime: time(record.createdAt),
    _links: selfLink(transactionUrl(baseUrl, record.id)),
  }
}

/** An Apple Pay merchant session, as `validationResponse` carries it (opaque to Rebilly's clients). */
export const applePaySession = (now: number, domainName: string, displayName: string, sessionId: string) => ({
  epochTimestamp: now,
  expiresAt: now + 60 * 60 * 1000,
  merchantSessionIdentifier: sessionId.slice(8),
  nonce: sessionId.slice(0, 8),
  merchantIdentifier: "merchant.com.rebilly.simulator",
  domainName,
  displayName,
  signature: sessionId,
})
