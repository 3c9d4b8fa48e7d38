/**
 * Plain-text tables for the benchmark's results, and the machine they ran on.
 */
import { availableParallelism, cpus, loadavg } from "node:os"
import type { Task } from "tinybench"

/** Node's version, the CPUs and the load average, for the first line of a report. */
export const machine = (): string =>
  `node ${process.version} · ${availableParallelism()} CPUs (${cpus()[0]?.model ?? "unknown CPU"}) · load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(", ")} at ${new Date().toISOString().slice(11, 16)} UTC`

export type Row = ReadonlyArray<string>

/** Aligned columns: text left, figures right (a cell starting with a digit or sign counts as a figure). */
export const table = (header: Row, rows: ReadonlyArray<Row>): string => {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)))
  const figure = (cell: string) => /^[-+±×0-9]/.test(cell)
  const line = (row: Row) =>
    row
      .map((cell, i) => (figure(cell) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd()
  return [line(header), line(widths.map((w) => "─".repeat(w))), ...rows.map(line)].join("\n")
}

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 })
const twoDecimals = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })

export const count = (n: number): string => grouped.format(n)
export const millis = (ms: number): string => `${twoDecimals.format(ms)} ms`
export const nanos = (ns: number): string => `${twoDecimals.format(ns)} ns`
export const percent = (p: number): string => `±${twoDecimals.format(p)} %`
export const ratio = (r: number): string => `${twoDecimals.format(r)}×`

/** A finished tinybench task's median sample, in milliseconds; a task that did not complete stops the run. */
export const medianMillis = (task: Task): number => {
  const result = task.result
  if (result.state !== "completed") throw new Error(`benchmark "${task.name}" did not complete: ${result.state}`)
  return result.latency.p50
}

/** The relative margin of error of a task's mean (95 %). */
export const relativeMargin = (task: Task): number =>
  task.result.state === "completed" ? task.result.latency.rme : Number.NaN

export const samples = (task: Task): number =>
  task.result.state === "completed" ? task.result.latency.samplesCount : 0
