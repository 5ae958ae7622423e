import { useEffect } from 'react'
import type { UsageItem } from '../../../shared/ipc/types'
import { useI18n, useS } from '../context'
import { ErrorNote } from './ErrorNote'

export function UsageScreen(): React.JSX.Element {
  const { t } = useI18n()
  const { items, effectiveTier, error, load } = useS('usage', (s) => s)
  useEffect(() => {
    void load()
  }, [load])
  return (
    <div className="screen">
      <section className="card">
        <h2>{t('usage.title')}</h2>
        <ErrorNote error={error} />
        {effectiveTier && <p className="muted">{t('usage.effectiveTier', { tier: t(`plans.tier.${effectiveTier}`) })}</p>}
        <ul className="usage-list">
          {items.map((item) => (
            <UsageBar key={item.feature} item={item} />
          ))}
        </ul>
      </section>
    </div>
  )
}

/** Storage is counted in MB; people read GB (display only, not money). */
const MB_PER_GB = 1024
const gbFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })
const shown = (item: UsageItem, n: number): string => (item.unit === 'MB' ? gbFormat.format(n / MB_PER_GB) : String(n))

function UsageBar({ item }: { item: UsageItem }): React.JSX.Element {
  const { t, date } = useI18n()
  const name = t(`usage.feature.${item.feature}`)
  const gauge = item.kind === 'gauge'
  const exhausted = item.limit !== null && item.used >= item.limit
  const pct = item.limit === null ? 0 : item.limit === 0 ? 100 : Math.min(100, (item.used / item.limit) * 100)
  const text =
    item.limit === null
      ? t(gauge ? 'usage.inUseUnlimited' : 'usage.usedUnlimited', { used: shown(item, item.used) })
      : t(gauge ? 'usage.inUse' : 'usage.used', { used: shown(item, item.used), limit: shown(item, item.limit) })
  return (
    <li className="usage-item" data-feature={item.feature}>
      <div className="usage-head">
        <span className="usage-name">{name}</span>
        <span>
          {text}
          {exhausted && <strong className="error"> · {t('usage.exhausted')}</strong>}
        </span>
      </div>
      <div
        className={`bar ${exhausted ? 'bar-full' : pct >= 80 ? 'bar-high' : ''}`}
        role="progressbar"
        aria-label={name}
        aria-valuemin={0}
        aria-valuenow={item.used}
        aria-valuemax={item.limit ?? undefined}
        aria-valuetext={text}
      >
        <span style={{ width: `${pct}%` }} />
      </div>
      {item.resetsAt !== null && <span className="muted">{t('usage.resetsOn', { date: date(item.resetsAt) })}</span>}
    </li>
  )
}
