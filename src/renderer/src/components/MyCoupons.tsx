import { useEffect, useId, useRef } from 'react'
import type { MoneyDto } from '../../../shared/ipc/types'
import { useI18n, useS } from '../context'
import { errorText, type Translate } from '../i18n'
import type { CouponsState, MyCoupon } from '../stores/coupons'
import { ErrorNote } from './ErrorNote'

/** What a coupon takes off and when, in words: "减 ¥5.00 · 满 ¥29.00 可用 · 适用于 基础版 · 有效期至 …". */
export function couponTerms(c: MyCoupon['grant'], t: Translate, money: (m: MoneyDto) => string, date: (ts: number) => string): string {
  const off = c.off.kind === 'amount' ? t('mine.off.amount', { amount: money(c.off.amount) }) : t('mine.off.percent', { percent: c.off.percent })
  const parts = [off]
  if (c.maxDiscount) parts.push(t('mine.maxDiscount', { amount: money(c.maxDiscount) }))
  if (c.minimum) parts.push(t('mine.minimum', { amount: money(c.minimum) }))
  const plans = c.appliesTo.map((a) => `${t(`plans.tier.${a.planCode}`)}${a.period ? ` ${t(`plans.period.${a.period}`)}` : ''}`)
  parts.push(plans.length ? t('mine.appliesTo', { plans: plans.join('、') }) : t('mine.appliesAll'))
  parts.push(c.validUntil === null ? t('mine.noEnd') : t('mine.validUntil', { date: date(c.validUntil) }))
  return parts.join(' · ')
}

/** 我的优惠券: the account-bound coupons, and the one to use when paying a plan from the wallet. */
export function MyCoupons({ planIds }: { planIds: string[] }): React.JSX.Element {
  const { t, money, date } = useI18n()
  const { mine, loaded, error, chosen, load, choose } = useS('coupons', (s) => s)
  const selectId = useId()
  useEffect(() => {
    void load()
  }, [load])
  const available = mine.filter((c) => c.state === 'available')
  const key = planIds.join(',')
  const chosenNow = useRef(chosen)
  chosenNow.current = chosen
  // The previews follow the plans shown (another period chosen); a new choice asks by itself.
  useEffect(() => {
    const grant = chosenNow.current
    if (grant) void choose(grant, key ? key.split(',') : [])
  }, [key, choose])

  return (
    <section className="card" aria-labelledby="mine-title">
      <h2 id="mine-title">{t('mine.title')}</h2>
      <ErrorNote error={error} />
      {loaded && mine.length === 0 && <p className="muted">{t('mine.empty')}</p>}
      {mine.length > 0 && (
        <ul className="coupons">
          {mine.map((c) => (
            <li key={c.grant.grantId} className={`coupon coupon-${c.state}`}>
              <strong>{c.grant.name}</strong> <span className={`tag tag-coupon-${c.state}`}>{t(`mine.state.${c.state}`)}</span>
              <div className="muted">{couponTerms(c.grant, t, money, date)}</div>
            </li>
          ))}
        </ul>
      )}
      {available.length > 0 && (
        <div className="field">
          <label htmlFor={selectId}>{t('mine.choose')}</label>
          <select id={selectId} value={chosen ?? ''} onChange={(e) => void choose(e.target.value || null, planIds)}>
            <option value="">{t('mine.none')}</option>
            {available.map((c) => (
              <option key={c.grant.grantId} value={c.grant.grantId}>
                {c.grant.name}
              </option>
            ))}
          </select>
          <span className="muted">{t('mine.offlineHint')}</span>
        </div>
      )}
    </section>
  )
}

/** Under a plan's price: what the chosen coupon makes of it when paid from the wallet, or why it does not apply. */
export function WalletCouponLine({ answer, testId }: { answer: CouponsState['previews'][string]; testId: string }): React.JSX.Element {
  const { t, money } = useI18n()
  return (
    <div className={answer.ok ? 'discount' : 'muted'} data-testid={testId}>
      {answer.ok ? t('mine.walletTotal', { total: money(answer.value.total), discount: money(answer.value.discount) }) : errorText(t, answer.error)}
    </div>
  )
}
