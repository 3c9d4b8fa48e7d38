/**
 * Text that came from outside (a provider's error message, say) may echo what it was sent.
 * Anything in it that could be a card number is removed before the text is kept anywhere.
 */

/** 12 to 19 digits, possibly grouped by single spaces or dashes: the shapes a card number is written in. */
const cardNumberLike = /(?<![0-9])[0-9](?:[ -]?[0-9]){11,18}(?![0-9])/g

/** Replace every card-number-like run of digits with `[redacted]`. */
export const scrubCardNumbers = (text: string): string => text.replace(cardNumberLike, "[redacted]")
