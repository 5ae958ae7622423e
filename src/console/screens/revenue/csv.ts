// A table's rows as CSV by the relay's rule for report CSVs (src/relay/reports/csv.ts): UTF-8 with
// a BOM for Excel, CRLF, a field with a comma, quote or line break quoted, and text that a
// spreadsheet would run as a formula (=, +, @, or - not starting a number) quoted away.

function cell(value: string): string {
  const safe = /^[=+@\t\r]/.test(value) || (/^-/.test(value) && !/^-\d/.test(value)) ? `'${value}` : value
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe
}

export function toCsv(rows: string[][]): string {
  return `\uFEFF${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`
}
