import { useEffect, useId, useState } from 'react'
import { useI18n } from '../context'

// A day picker in the app's language (the browser's <input type="date"> follows the browser's
// locale, not the app's): year, month and day as three selects. `value` is YYYY-MM-DD or ''.

const pad = (n: number): string => String(n).padStart(2, '0')
const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate()

export function DateField({ label, value, onChange, years }: { label: string; value: string; onChange: (v: string) => void; years: number[] }): React.JSX.Element {
  const { t, locale } = useI18n()
  const id = useId()
  const [parts, setParts] = useState(() => value.split('-').map(Number))
  useEffect(() => setParts(value ? value.split('-').map(Number) : []), [value])
  const [y, m, d] = parts
  const set = (next: (number | undefined)[]) => {
    const [ny, nm, nd] = next
    // A day beyond the chosen month's last (31 → February) becomes its last.
    const day = ny && nm && nd ? Math.min(nd, daysIn(ny, nm)) : nd
    setParts([ny ?? NaN, nm ?? NaN, day ?? NaN])
    if (ny && nm && day) onChange(`${ny}-${pad(nm)}-${pad(day)}`)
    else if (!ny && !nm && !day) onChange('')
  }
  const months = new Intl.DateTimeFormat(locale === 'en' ? 'en' : 'zh-CN', { month: 'short', timeZone: 'UTC' })
  const monthName = (n: number): string => months.format(Date.UTC(2000, n - 1, 1))
  const num = (v: string): number | undefined => (v ? Number(v) : undefined)
  const dayCount = y && m ? daysIn(y, m) : 31
  return (
    <fieldset className="field date-field" aria-labelledby={id}>
      <legend id={id}>{label}</legend>
      <select aria-label={`${label} ${t('date.year')}`} value={y || ''} onChange={(e) => set([num(e.target.value), m || undefined, d || undefined])}>
        <option value="">{t('date.yearAny')}</option>
        {years.map((n) => (
          <option key={n} value={n}>
            {t('date.yearOption', { year: n })}
          </option>
        ))}
      </select>
      <select aria-label={`${label} ${t('date.month')}`} value={m || ''} onChange={(e) => set([y || undefined, num(e.target.value), d || undefined])}>
        <option value="">{t('date.monthAny')}</option>
        {Array.from({ length: 12 }, (_, i) => i + 1).map((n) => (
          <option key={n} value={n}>
            {monthName(n)}
          </option>
        ))}
      </select>
      <select aria-label={`${label} ${t('date.day')}`} value={d || ''} onChange={(e) => set([y || undefined, m || undefined, num(e.target.value)])}>
        <option value="">{t('date.dayAny')}</option>
        {Array.from({ length: dayCount }, (_, i) => i + 1).map((n) => (
          <option key={n} value={n}>
            {t('date.dayOption', { day: n })}
          </option>
        ))}
      </select>
    </fieldset>
  )
}
