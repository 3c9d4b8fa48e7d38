/**
 * The one export of the official `ecommpay` package (plain CommonJS without types of its own)
 * that the Gate signature benchmark calls.
 */
declare module "ecommpay" {
  /** Base64 HMAC-SHA512, keyed with `secret`, of `body`'s canonical string (`frame_mode` left out). */
  export function signer(body: object, secret: string): string
}
