/**
 * Plain-text tables for the benchmark's results.
 */

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
