import { z } from 'zod'
import { assertCurrency, toMajorString } from '../../shared/money'

// Every report CSV (revenue, tax, statement) through one helper, for Excel: UTF-8 with a BOM,
// CRLF line ends, a currency column on each row, amounts as major-unit decimal strings of that
// currency ("12.34", "-8.49": exact, no float). The header row is in one language, chosen by
// ?lang=zh-CN|en (default zh-CN, as invoice PDFs): one row of column names an importer can key on.

export const CsvLangSchema = z.enum(['zh-CN', 'en']).default('zh-CN')
export type CsvLang = z.infer<typeof CsvLangSchema>

export interface CsvColumn<R> {
  zh: string
  en: string
  /** The cell: text as it is, or an amount in minor units of the row's currency. */
  value: (row: R) => string | { minor: number }
}

/** A field as CSV wants it; a leading =, +, - or @ of text is quoted away so a spreadsheet never runs it as a formula. */
function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe
}

export function reportCsv<R extends { currency: string }>(columns: CsvColumn<R>[], rows: R[], lang: CsvLang): string {
  const lines = [columns.map((c) => field(lang === 'en' ? c.en : c.zh)).join(',')]
  for (const row of rows) {
    const currency = assertCurrency(row.currency)
    // An amount's minus sign is a number's, not a formula: it is written bare.
    lines.push(columns.map((c) => ((v) => (typeof v === 'string' ? field(v) : toMajorString({ amount: v.minor, currency })))(c.value(row))).join(','))
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`
}

export const minor = (amount: number): { minor: number } => ({ minor: amount })
