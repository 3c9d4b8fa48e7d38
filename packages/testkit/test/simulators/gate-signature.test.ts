/**
 * The simulator's own Gate signer and JSON reader, against the published vectors (gate.md §10)
 * and the rules of gate.md §7 one by one.
 */
import { describe, expect, it } from "@effect/vitest"
import * as GateJson from "../../src/simulators/gate/GateJson.js"
import * as GateSignature from "../../src/simulators/gate/GateSignature.js"

describe("Gate signature (simulator's signer)", () => {
  it("V1: tokenize-shaped body, booleans as 1, frame_mode skipped", () => {
    const body = GateJson.parse(
      '{"customer":{"project_id":0,"id":"sutm_id"},"card":{"pan":"4242424242424242","year":2020,"month":8,"card_holder":"John Smith","cvv":"123","save":true},"frame_mode":"popup"}',
    )
    expect(GateSignature.canonical(body)).toBe(
      "card:card_holder:John Smith;card:cvv:123;card:month:8;card:pan:4242424242424242;card:save:1;card:year:2020;customer:id:sutm_id;customer:project_id:0",
    )
    expect(GateSignature.sign(body, "secret")).toBe(
      "lY0LTSAzpR7zGce5qfYGacOuYlHGWqkMcQlqmjlsDDZI2gVcE1qVeWANnkIR7mdOqRXJnL1kO0lUmkQ0YYLWRg==",
    )
  })

  it("V2: payment status", () => {
    expect(GateSignature.sign({ payment: { id: "000049", status: "success" } }, "secret")).toBe(
      "/3TrhHVz9BHaLfgLyhoxO7dsQNzbzZa/TdO3pxQocXWwgVM6tGlzMLVfpOxFNTnkR9iiFVK/77ZedMcbkCjmng==",
    )
  })

  it("PHP token-callback template #2 verifies with its own signature left in place", () => {
    const body = GateJson.parse(
      '{"general":{"signature":"R5wq+3/y4lG9ty5sHR6MuscWBRg/bzAo9dxlMkVOUhQ+KpS7FwHMx+5saiLQnn90Rl7rhp1U37dgThSorpn1Ew==","project_id":"[2] projectId"},"request":{"action":"[36] action","errors":"[38] errors","id":"[3] requestId","status":"[37] status"},"customer":{"id":"[18] userLogin"},"token_status":"[71] status","token_created_at":"[70] created_at","token":"[68] tokenString"}',
    )
    expect(GateSignature.canonical(body)).toBe(
      "customer:id:[18] userLogin;general:project_id:[2] projectId;request:action:[36] action;request:errors:[38] errors;request:id:[3] requestId;request:status:[37] status;token:[68] tokenString;token_created_at:[70] created_at;token_status:[71] status",
    )
    const signature = GateJson.at(body, "general", "signature")
    expect(typeof signature).toBe("string")
    expect(GateSignature.verify(body, signature as string, "123")).toBe(true)
    expect(GateSignature.verify(body, signature as string, "1234")).toBe(false)
  })

  it("null is an empty value, empty objects and arrays give nothing, false is 0", () => {
    expect(GateSignature.canonical({ a: null, b: {}, c: [], d: false, e: "" })).toBe("a:;d:0;e:")
  })

  it("array elements are keyed by index, integer keys sort numerically before other keys", () => {
    expect(GateSignature.canonical({ x: { 10: "ten", 2: "two", b: "b", a: "a" } })).toBe("x:2:two;x:10:ten;x:a:a;x:b:b")
    expect(GateSignature.canonical({ items: [{ code: 1 }, { code: 2 }] })).toBe("items:0:code:1;items:1:code:2")
  })

  it("keys sort by UTF-16 code unit per level, children right after their key", () => {
    expect(GateSignature.canonical({ "a-b": 1, a1: 2, a: { b: 3 }, B: 4 })).toBe("B:4;a:b:3;a-b:1;a1:2")
  })

  it("signature and frame_mode are skipped at any depth", () => {
    const plain = { general: { project_id: 1 }, nested: { deep: [{ v: 1 }] } }
    const noisy = {
      general: { project_id: 1, signature: "x" },
      nested: { frame_mode: "iframe", deep: [{ v: 1, signature: "y" }] },
      signature: "z",
    }
    expect(GateSignature.canonical(noisy)).toBe(GateSignature.canonical(plain))
  })

  it("values pass through unescaped, and a number keeps the text it was sent with", () => {
    expect(GateSignature.canonical(GateJson.parse('{"a":"x;y:z","n":1.50,"e":1e3}'))).toBe("a:x;y:z;e:1e3;n:1.50")
  })

  it("the key is the secret's UTF-8 bytes, never base64-decoded", () => {
    const body = { payment: { id: "1" } }
    expect(GateSignature.sign(body, "c2VjcmV0")).not.toBe(GateSignature.sign(body, "secret"))
    expect(GateSignature.sign(body, "ключ")).toHaveLength(88)
  })

  it("verify refuses a tampered body and a wrong signature", () => {
    const body = { payment: { id: "000049", status: "success" } }
    const signature = GateSignature.sign(body, "secret")
    expect(GateSignature.verify(body, signature, "secret")).toBe(true)
    expect(GateSignature.verify({ payment: { id: "000049", status: "decline" } }, signature, "secret")).toBe(false)
    expect(GateSignature.verify(body, signature.slice(1), "secret")).toBe(false)
  })
})

describe("Gate JSON reader", () => {
  it("refuses anything but one complete JSON value", () => {
    for (const text of ['{"a":1', '{"a":1}x', "", "{'a':1}", '{"a":01}', '["a",]', "nul"]) {
      expect(() => GateJson.parse(text)).toThrow(GateJson.JsonSyntaxError)
    }
  })

  it("reads what JSON.parse reads, numbers aside", () => {
    const text = '{"s":"a\\"b\\u00e9\\n","t":true,"f":false,"z":null,"arr":[1,"2",{"k":[]}],"o":{}}'
    const parsed = GateJson.parse(text)
    expect(JSON.parse(JSON.stringify(parsed, (_, v) => (v instanceof GateJson.JsonNumber ? v.value : v)))).toEqual(
      JSON.parse(text),
    )
  })

  it("keeps __proto__ as an ordinary field", () => {
    const parsed = GateJson.parse('{"__proto__":{"x":1}}')
    expect(GateSignature.canonical(parsed)).toBe("__proto__:x:1")
  })
})
