import type { MouseEvent } from 'react'
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
  // The Blob URL is made at the click (the browser downloads from the href it then has) and let
  // go a minute later: one made per render was revoked by a re-render before the download read it.
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    const url = URL.createObjectURL(new Blob([toCsv(rows)], { type: 'text/csv;charset=utf-8' }))
    e.currentTarget.href = url
    setTimeout(() => URL.revokeObjectURL(url), 60_000)
  }
  return (
    <a className="csv" href="#csv" download={filename} onClick={onClick}>
      {label}
    </a>
  )
}
