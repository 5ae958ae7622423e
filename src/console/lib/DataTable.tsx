import type { ReactNode } from 'react'

// A table of a screen: its columns say the header, the cell shown and (for an export the relay has
// no .csv route for) the CSV value, so what is exported is what is shown, in major units.

export interface Column<R> {
  label: string
  num?: boolean
  className?: string
  cell(row: R): ReactNode
  /** The CSV value (amounts as major-unit decimal strings). */
  csv?(row: R): string
}

export function DataTable<R>({ testId, columns, rows, rowKey, empty }: { testId: string; columns: Column<R>[]; rows: R[]; rowKey(row: R, index: number): string; empty: string }) {
  const cls = (c: Column<R>) => [c.num ? 'num' : '', c.className ?? ''].filter(Boolean).join(' ') || undefined
  return (
    <>
      <table data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} className={c.num ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, n) => (
            <tr key={rowKey(r, n)}>
              {columns.map((c, i) => (
                <td key={i} className={cls(c)}>
                  {c.cell(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p>{empty}</p>}
    </>
  )
}

/** The rows of a CSV export: the header, then each row's csv values. */
export function csvRows<R>(columns: Column<R>[], rows: R[]): string[][] {
  return [columns.map((c) => c.label), ...rows.map((r) => columns.map((c) => c.csv?.(r) ?? ''))]
}
