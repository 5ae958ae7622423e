import { useEffect, useState } from 'react'
import { PERIODS, planSchema } from '../../../shared/ipc/schemas/subscriptions'
import type { Plan } from '../../../shared/ipc/types'
import { useI18n, useS } from '../context'
import { CheckoutPanel } from './CheckoutPanel'
import { CurrentPlan } from './CurrentPlan'
import { ErrorNote } from './ErrorNote'
import { hasKey, type MessageKey } from '../i18n'
import { CouponField } from './CouponField'
import { MyCoupons, WalletCouponLine } from './MyCoupons'
import { useLiveQuotes } from './quotes'

type Period = (typeof PERIODS)[number]
type LimitKey = keyof Plan['limits']
const LIMIT_KEYS = Object.keys(planSchema.shape.limits.shape) as LimitKey[]
const QR_METHODS = ['alipay', 'wechat'] as const

export function PlansScreen(): React.JSX.Element {
  const { t, money, number } = useI18n()
  const { plans, subscription, busy, error, errorPlanId, shortfall, loaded } = useS('plans', (s) => s)
  const { load, subscribe, startTrial } = useS('plans', (s) => s)
  const startCheckout = useS('checkout', (s) => s.start)
  const checkoutPhase = useS('checkout', (s) => s.phase)
  const goRecharge = useS('settings', (s) => s.goRecharge)
  // The payment methods the catalog in force offers (main's recharge options); the plans
  // screen pays by QR code only.
  const offered = useS('wallet', (s) => s.options?.methods ?? null)
  const loadWallet = useS('wallet', (s) => s.load)
  const qrMethods = QR_METHODS.filter((m) => offered === null || offered.includes(m))
  const [period, setPeriod] = useState<Period>('monthly')
  const [code, setCode] = useState<string | null>(null)
  const chosenCoupon = useS('coupons', (s) => s.chosen)
  const previews = useS('coupons', (s) => s.previews)
  const reloadCoupons = useS('coupons', (s) => s.load)
  useEffect(() => {
    void load()
  }, [load])
  useEffect(() => {
    if (offered === null) void loadWallet()
  }, [offered, loadWallet])

  const shown = plans.filter((p) => p.period === period || p.tier === 'FREE')
  const tiersSeen = new Set<string>()
  const columns = shown.filter((p) => (tiersSeen.has(p.tier) ? false : (tiersSeen.add(p.tier), true)))
  const periods = PERIODS.filter((p) => plans.some((pl) => pl.period === p))
  const paid = columns.filter((p) => p.price.amount > 0)
  // With a promotion code applied: the relay's quote of each plan shown, for the QR payments.
  const quotes = useLiveQuotes(code ? paid.map((p) => ({ kind: 'plan' as const, planId: p.id })) : [], code)
  const quoteOf = (planId: string) => (quotes?.[planId]?.ok ? quotes[planId].value : null)
  const anyApplied = paid.some((p) => quoteOf(p.id)?.coupon)
  const firstAnswer = paid.map((p) => quotes?.[p.id]).find((a) => a !== undefined)
  const buy = async (planId: string): Promise<void> => {
    await subscribe(planId, chosenCoupon ?? undefined)
    if (chosenCoupon) void reloadCoupons()
  }
  const limit = (v: number | null): string => (v === null ? t('common.unlimited') : number(v))
  const live = subscription && (subscription.status === 'active' || subscription.status === 'trialing' || subscription.status === 'past_due') ? subscription : null
  // What the wallet button does for this plan: subscribe, pay the next period of the running one, or switch to it.
  const walletAction = (p: Plan): MessageKey =>
    !live ? 'plans.subscribe' : live.planId === p.id ? (live.status === 'trialing' ? 'plans.payAfterTrial' : 'plans.renew') : 'plans.switch'

  return (
    <div className="screen">
      <CurrentPlan />
      {errorPlanId === null && <ErrorNote error={error} />}
      <CheckoutPanel purpose="plan" />
      <MyCoupons planIds={paid.map((p) => p.id)} />
      <section className="card">
        <h2>{t('plans.title')}</h2>
        <fieldset className="chips">
          <legend>{t('plans.periodLabel')}</legend>
          {periods.map((p) => (
            <label key={p} className={`chip ${period === p ? 'chip-on' : ''}`}>
              <input type="radio" name="period" value={p} checked={period === p} onChange={() => setPeriod(p)} />
              {t(`plans.period.${p}`)}
            </label>
          ))}
        </fieldset>
        <p className="muted">{t('plans.codeFor')}</p>
        <CouponField
          applied={code}
          onApply={setCode}
          checking={code !== null && paid.length > 0 && !quotes}
          coupon={paid.map((p) => quoteOf(p.id)?.coupon).find((c) => c) ?? null}
          refusal={code && !anyApplied && firstAnswer?.ok ? (firstAnswer.value.refusal ?? null) : null}
          error={code && firstAnswer && !firstAnswer.ok ? firstAnswer.error : null}
        />
        {!loaded && <p>{t('common.loading')}</p>}
        <div className="table-wrap">
          <table className="compare">
            <thead>
              <tr>
                <td />
                {columns.map((p) => (
                  <th key={p.id} scope="col">
                    {t(`plans.tier.${p.tier}`)}
                    {subscription?.planId === p.id && <span className="tag">{t('plans.isCurrent')}</span>}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">{t('plans.priceRow')}</th>
                {columns.map((p) => (
                  <td key={p.id}>
                    <strong>{t(`plans.price.${p.period}`, { price: money(p.price) })}</strong>
                    {p.originalPrice && p.originalPrice.amount > p.price.amount && (
                      <div className="muted strike">{t('plans.originalPrice', { price: money(p.originalPrice) })}</div>
                    )}
                    {quoteOf(p.id)?.coupon && (
                      <div className="discount" data-testid={`code-total-${p.id}`}>
                        {t('plans.withCode', { total: money(quoteOf(p.id)!.total), discount: money(quoteOf(p.id)!.discount) })}
                      </div>
                    )}
                    {anyApplied && quoteOf(p.id)?.refusal && <div className="muted">{t(`coupon.refusal.${quoteOf(p.id)!.refusal!.code}`)}</div>}
                    {chosenCoupon && previews[p.id] && <WalletCouponLine answer={previews[p.id]!} testId={`coupon-total-${p.id}`} />}
                  </td>
                ))}
              </tr>
              {LIMIT_KEYS.map((k) => (
                <tr key={k}>
                  <th scope="row">{t(`plans.limit.${k}`)}</th>
                  {columns.map((p) => (
                    <td key={p.id}>{limit(p.limits[k])}</td>
                  ))}
                </tr>
              ))}
              <tr>
                <th scope="row">{t('plans.features')}</th>
                {columns.map((p) => (
                  <td key={p.id}>
                    <ul className="features">
                      {p.features.map((f) => (
                        <li key={f}>{hasKey(`plans.feature.${f}`) ? t(`plans.feature.${f}` as MessageKey) : f}</li>
                      ))}
                    </ul>
                  </td>
                ))}
              </tr>
              <tr>
                <td />
                {columns.map((p) => {
                  const isCurrent = subscription?.planId === p.id && subscription.status !== 'trialing'
                  const free = p.price.amount === 0
                  const action = walletAction(p)
                  const label = `${t(`plans.tier.${p.tier}`)} ${t(`plans.period.${p.period}`)}`
                  return (
                    <td key={p.id}>
                      {!isCurrent && !free && (
                        <div className="plan-actions">
                          <button
                            type="button"
                            className="primary"
                            disabled={busy}
                            aria-label={`${t(action)}: ${label}`}
                            onClick={() => void buy(p.id)}
                          >
                            {t(action)}
                          </button>
                          {action === 'plans.switch' && <p className="muted hint">{t('plans.switchHint')}</p>}
                          {p.trialDays !== null && p.trialDays > 0 && !subscription && (
                            <button
                              type="button"
                              disabled={busy}
                              aria-label={`${t('plans.trial', { days: p.trialDays })}: ${label}`}
                              onClick={() => void startTrial(p.id)}
                            >
                              {t('plans.trial', { days: p.trialDays })}
                            </button>
                          )}
                          {p.trialDays !== null && p.trialDays > 0 && !subscription && (
                            <p className="muted hint">{t('plans.trialHint', { days: p.trialDays, price: t(`plans.price.${p.period}`, { price: money(p.price) }) })}</p>
                          )}
                          {qrMethods.map((m) => (
                            <button
                              key={m}
                              type="button"
                              className="secondary"
                              disabled={busy || checkoutPhase === 'creating' || checkoutPhase === 'waiting'}
                              aria-label={`${t('plans.payBy', { method: t(`method.${m}`) })}: ${label}`}
                              onClick={() => void startCheckout(m, { kind: 'plan', planId: p.id }, quoteOf(p.id)?.coupon && code ? code : undefined)}
                            >
                              {t('plans.payBy', { method: t(`method.${m}`) })}
                            </button>
                          ))}
                          {errorPlanId === p.id && <ErrorNote error={error} />}
                          {shortfall?.planId === p.id && (
                            <p className="notice" role="alert">
                              {t('plans.needsRecharge', { price: money(shortfall.price), shortfall: money(shortfall.shortfall) })}{' '}
                              <button type="button" className="link-button" onClick={() => goRecharge(shortfall.shortfall)}>
                                {t('plans.goRecharge')}
                              </button>
                            </p>
                          )}
                        </div>
                      )}
                    </td>
                  )
                })}
              </tr>
            </tbody>
          </table>
        </div>
      </section>
    </div>
  )
}
