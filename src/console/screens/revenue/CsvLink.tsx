import { useEffect, useMemo } from 'react'
import { toCsv } from './csv'

// Two kinds of export, both a plain <a download>: the relay's .csv routes (same origin, so the
// session cookie goes along), and, for a table the relay has no .csv route for, the table's own
// rows written by the relay's rule (UTF-8 with BOM for Excel, CRLF, amounts as major-unit
// decimal strings) into a Blob URL.

export function RelayCsvLink({ href, label, filename }: { href: string; label: string; filename: string }) {
  return (
    <a className="csv" href={href} download={filename}>
      {label}
    </a>
  )
}

export function TableCsvLink({ rows, label, filename }: { rows: string[][]; label: string; filename: string }) {
  const text = toCsv(rows)
  const href = useMemo(() => URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' })), [text])
  useEffect(() => () => URL.revokeObjectURL(href), [href])
  return (
    <a className="csv" href={href} download={filename}>
      {label}
    </a>
  )
}
