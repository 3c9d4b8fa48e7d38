/**
 * Rebilly: single-use tokens that live 30 minutes, made by FramePay in the browser or by the
 * server, one organization each; not revocable; every card entry makes a new token.
 */
import * as Policy from "@token-lifecycle/domain/Policy"
import * as Cards from "../Cards.js"
import * as SingleUseCards from "./SingleUseCards.js"

const card = Cards.make("4111 1111 1111 1111", { month: 12, year: 2027 })

export const scenario = SingleUseCards.section(
  {
    title: "Rebilly: single-use payment tokens",
    about: [
      "A Rebilly payment token is usually made in the browser by FramePay (here the server asks, which",
      "Rebilly allows too). It pays once, within 30 minutes of its creation, and cannot be revoked: an",
      "unused token simply lapses. The same card entered again gets a new token.",
    ],
    policy: Policy.rebilly,
    boundTo: "one organization",
  },
  {
    account: "org-acme",
    customer: "cus-ada",
    card,
    reissued: Cards.renewed(card, { month: 12, year: 2030 }),
    price: { amount: 2500, currency: "USD" },
    orders: "inv-2001",
  },
)
