/**
 * KOMOJU: single-use tokens that lapse after 24 hours unused, made with the publishable key
 * in the browser or by the server, one merchant account each; not revocable.
 */
import * as Policy from "@token-lifecycle/domain/Policy"
import * as Cards from "../Cards.js"
import * as SingleUseCards from "./SingleUseCards.js"

const card = Cards.make("3530 1113 3330 0000", { month: 9, year: 2028 })

export const scenario = SingleUseCards.section(
  {
    title: "KOMOJU: single-use tokens, 24 hours unused",
    about: [
      "A KOMOJU token is made in the browser with the publishable key, or by the server with the",
      "secret key. It pays once and lapses after 24 hours unused; there is no revocation. The same",
      "card entered again gets a new token.",
    ],
    policy: Policy.komoju,
    boundTo: "one merchant account",
  },
  {
    account: "merchant-tokyo",
    customer: "cus-sato",
    card,
    reissued: Cards.renewed(card, { month: 9, year: 2032 }),
    // JPY has no minor unit.
    price: { amount: 3500, currency: "JPY" },
    orders: "order-3001",
  },
)
