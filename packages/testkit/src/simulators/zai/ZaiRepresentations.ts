/**
 * What Zai answers for a record (its "Show" representation, provider notes §5, §6; spec
 * examples): wrapped in the plural key (`users`, `card_accounts`, `bank_accounts`), timestamps
 * in ISO 8601 with milliseconds and `Z`, the country as `location`, a date of birth or
 * government number only as `encrypted`, the card number as `XXXX-XXXX-XXXX-1111`, the bank
 * numbers masked. A webhook for an object carries the same representation.
 */
import type { BankAccountRecord, CardAccountRecord, UserRecord } from "./ZaiBooks.js"

export const zaiTime = (millis: number): string => new Date(millis).toISOString()

export const user = (record: UserRecord) => {
  const self = `/users/${encodeURIComponent(record.id)}`
  return {
    created_at: zaiTime(record.createdAt),
    updated_at: zaiTime(record.createdAt),
    full_name: `${record.firstName} ${record.lastName}`,
    email: record.email,
    mobile: record.mobile ?? null,
    phone: null,
    logo_url: null,
    color_1: null,
    color_2: null,
    first_name: record.firstName,
    last_name: record.lastName,
    id: record.id,
    custom_descriptor: record.customDescriptor ?? null,
    location: record.country,
    verification_state: "pending",
    held_state: false,
    roles: ["customer"],
    dob: record.hasDob ? "encrypted" : null,
    government_number: record.hasGovernmentNumber ? "encrypted" : null,
    drivers_license: null,
    flags: {},
    related: { addresses: record.addressId },
    links: {
      self,
      items: `${self}/items`,
      card_accounts: `${self}/card_accounts`,
      paypal_accounts: `${self}/paypal_accounts`,
      payid_accounts: `${self}/payid_accounts`,
      bank_accounts: `${self}/bank_accounts`,
      wallet_accounts: `${self}/wallet_accounts`,
    },
  }
}

/** `GET /card_accounts/{id}`; `withCard: false` is the create answer (the spec's 201 example has no `card`). */
export const cardAccount = (record: CardAccountRecord, withCard = true) => ({
  id: record.id,
  active: record.active,
  verification_status: "verified",
  currency: record.currency,
  cvv_verified: true,
  created_at: zaiTime(record.createdAt),
  updated_at: zaiTime(record.updatedAt),
  ...(withCard
    ? {
        card: {
          type: record.brand,
          full_name: record.fullName,
          number: record.masked,
          expiry_month: record.expiryMonth,
          expiry_year: record.expiryYear,
        },
      }
    : {}),
  links: { self: `/card_accounts/${record.id}`, users: `/card_accounts/${record.id}/users` },
})

export const bankAccount = (record: BankAccountRecord) => ({
  id: record.id,
  active: record.active,
  created_at: zaiTime(record.createdAt),
  updated_at: zaiTime(record.updatedAt),
  verification_status: "not_verified",
  currency: record.currency,
  bank: {
    bank_name: record.bankName,
    country: record.country,
    account_name: record.accountName,
    routing_number: record.routingNumber,
    account_number: record.accountNumber,
    holder_type: record.holderType,
    account_type: record.accountType,
    direct_debit_authority_status: null,
  },
  links: {
    self: `/bank_accounts/${record.id}`,
    users: `/bank_accounts/${record.id}/users`,
    direct_debit_authorities: `/bank_accounts/${record.id}/direct_debit_authorities`,
  },
})
