/**
 * Plain-text tables with aligned columns, for a terminal. Pure: rows in, lines out.
 */

export interface Column {
  readonly header: string
  readonly align?: "left" | "right"
}

export interface TableOptions {
  /** Put before every line, to nest the table under a heading. */
  readonly indent?: string
  /** Between columns. */
  readonly gap?: string
}

const pad = (text: string, width: number, align: "left" | "right"): string =>
  align === "right" ? text.padStart(width) : text.padEnd(width)

/**
 * Render `rows` under `columns`: a header, a rule under it, then one line per row. Every
 * column is as wide as its widest cell; trailing spaces are dropped so the last column
 * may be as long as it needs.
 */
export const render = (
  columns: ReadonlyArray<Column>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  options: TableOptions = {},
): ReadonlyArray<string> => {
  const indent = options.indent ?? ""
  const gap = options.gap ?? "  "
  const widths = columns.map((column, i) =>
    rows.reduce((widest, row) => Math.max(widest, (row[i] ?? "").length), column.header.length),
  )
  const line = (cells: ReadonlyArray<string>): string =>
    (
      indent + columns.map((column, i) => pad(cells[i] ?? "", widths[i] ?? 0, column.align ?? "left")).join(gap)
    ).trimEnd()
  return [
    line(columns.map((column) => column.header)),
    line(widths.map((width) => "─".repeat(width))),
    ...rows.map(line),
  ]
}

/** Two aligned columns without header: a label and its value. */
export const renderPairs = (
  pairs: ReadonlyArray<readonly [label: string, value: string]>,
  options: TableOptions = {},
): ReadonlyArray<string> => {
  const indent = options.indent ?? ""
  const gap = options.gap ?? "  "
  const width = pairs.reduce((widest, [label]) => Math.max(widest, label.length), 0)
  return pairs.map(([label, value]) => `${indent}${label.padEnd(width)}${gap}${value}`.trimEnd())
}
