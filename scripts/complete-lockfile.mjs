// Completes package-lock.json with the platform-specific optional packages the registry
// mirror used here does not serve. npm cannot record a package it cannot fetch, yet `npm ci`
// insists on an entry for every optional dependency of every platform. Each missing one is
// recorded with its version and the platform it is for (read from its name), so `npm ci`
// accepts the lockfile and, on any other platform, skips it without fetching.
// Run after changing dependencies: `npm install && node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from "node:fs"

const path = new URL("../package-lock.json", import.meta.url)
const lock = JSON.parse(readFileSync(path, "utf8"))
const packages = lock.packages

const oses = ["android", "darwin", "freebsd", "linux", "win32", "openbsd", "netbsd", "sunos", "aix", "openharmony"]
const cpus = ["arm64", "x64", "ia32", "arm", "ppc64", "riscv64", "s390x", "loong64", "mips64el", "wasm32"]
const cpuAliases = {
  x86_64: "x64",
  aarch64: "arm64",
  amd64: "x64",
  x86: "ia32",
  armv7: "arm",
  ppc64le: "ppc64",
  loongarch64: "loong64",
}

const platformOf = (name) => {
  const parts = name.split("/").pop().split(/[-_.]/)
  const os =
    parts.find((p) => oses.includes(p)) ??
    (parts.includes("windows") ? "win32" : parts.includes("macos") ? "darwin" : undefined)
  const cpu = parts.map((p) => cpuAliases[p] ?? p).find((p) => cpus.includes(p))
  const libc = parts.includes("musl") ? "musl" : parts.includes("gnu") || parts.includes("glibc") ? "glibc" : undefined
  return { os, cpu, libc }
}

let added = 0
for (const [location, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${location}/node_modules/${name}`
    const hoisted = `node_modules/${name}`
    if (packages[nested] || packages[hoisted]) continue
    const { os, cpu, libc } = platformOf(name)
    // Without a platform in its name we cannot say where it belongs; keep it off this one.
    packages[hoisted] = {
      version: spec.replace(/^[\^~=]/, ""),
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(entry.dev ? { dev: true } : {}),
      ...(libc ? { libc: [libc] } : {}),
      optional: true,
      os: [os ?? "!linux"],
    }
    added++
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
)
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`package-lock.json: recorded ${added} platform package(s) the registry does not serve`)
