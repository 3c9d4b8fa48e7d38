/**
 * The architecture's boundary rules, checked rather than hoped for: the domain stays pure,
 * dependencies point inward, and configuration is read only through Effect `Config`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "@effect/vitest"

const root = join(import.meta.dirname, "..", "..", "..")

const sourcesUnder = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourcesUnder(path)
    return path.endsWith(".ts") ? [path] : []
  })

const importsOf = (source: string): ReadonlyArray<string> =>
  [...source.matchAll(/(?:import|export)[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? "",
  )

const domainSources = sourcesUnder(join(root, "packages", "domain", "src"))
const packages = readdirSync(join(root, "packages"))

describe("the domain is pure", () => {
  it("imports only effect and its own modules", () => {
    const offending = domainSources.flatMap((file) =>
      importsOf(readFileSync(file, "utf8"))
        .filter((spec) => !spec.startsWith("./") && !/^effect(\/|$)/.test(spec))
        .map((spec) => `${relative(root, file)} imports ${spec}`),
    )
    expect(offending).toEqual([])
  })

  it("reads no clock, draws no randomness and touches no process state", () => {
    const forbidden = [
      /\bDate\.now\s*\(/,
      /new\s+(?:globalThis\.)?Date\s*\(\s*\)/,
      /\bMath\.random\s*\(/,
      /\bperformance\.now\s*\(/,
      /\bprocess\./,
      /\bcrypto\./,
      /\bsetTimeout\s*\(/,
      /\bconsole\./,
    ]
    const offending = domainSources.flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, i) =>
          forbidden.some((pattern) => pattern.test(line)) ? [`${relative(root, file)}:${i + 1}: ${line.trim()}`] : [],
        ),
    )
    expect(offending).toEqual([])
  })
})

describe("dependencies point inward", () => {
  it("no adapter imports another adapter, the testkit, or a sibling's internals", () => {
    const offending = packages
      .filter((name) => name.startsWith("adapters-"))
      .flatMap((name) =>
        sourcesUnder(join(root, "packages", name, "src")).flatMap((file) =>
          importsOf(readFileSync(file, "utf8"))
            .filter(
              (spec) =>
                /^@token-lifecycle\/(adapters-|testkit)/.test(spec) ||
                (/\/internal\//.test(spec) && spec.startsWith("@")),
            )
            .map((spec) => `${relative(root, file)} imports ${spec}`),
        ),
      )
    expect(offending).toEqual([])
  })

  it("runtime packages read configuration through Effect Config, never process.env", () => {
    // The testkit is test tooling: it reads its run counts from the environment of the test run.
    const runtime = packages.filter((name) => name !== "testkit")
    const offending = runtime.flatMap((name) =>
      sourcesUnder(join(root, "packages", name, "src"))
        .filter((file) => readFileSync(file, "utf8").includes("process.env"))
        .map((file) => relative(root, file)),
    )
    expect(offending).toEqual([])
  })
})
