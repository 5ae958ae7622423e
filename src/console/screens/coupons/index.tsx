import { useState } from 'react'
import { api } from '../../api'
import { Err, generalText, useLoad, type Say } from '../../form-kit'
import { money, time, useLocale, useT } from '../../i18n'
import { useSession } from '../../session'
import { registerScreen, type ScreenProps } from '../registry'
import { CouponActions } from './CouponActions'
import { CreateCoupon } from './CreateCoupon'
import { messages } from './messages'
import { Redemptions } from './Redemptions'
import type { CouponView } from './view'

// 优惠券: every coupon with its rules, codes and use; creating, codes, limits and deactivation
// for coupons.manage; a coupon's redemptions at #/coupons/<id>.

function CouponsScreen({ rest, navigate }: ScreenProps) {
  const t = useT(messages)
  const locale = useLocale()
  const manage = useSession((s) => s.can('coupons.manage'))
  const coupons = useLoad(() => api<{ coupons: CouponView[] }>('GET', '/v1/admin/coupons'), [])
  const [creating, setCreating] = useState(false)
  const [done, setDone] = useState<Say<typeof messages>>()
  const changed = (message: Say<typeof messages>) => {
    setDone(() => message)
    coupons.reload()
  }

  const off = (c: CouponView) => (c.off.kind === 'percent' ? t('off.percent', { percent: c.off.percent }) : t('off.amount', { amount: money(c.off.amount, locale) }))
  const rules = (c: CouponView): string[] => {
    const out: string[] = []
    if (c.minimum) out.push(t('rule.minimum', { amount: money(c.minimum, locale) }))
    if (c.maxDiscount) out.push(t('rule.cap', { amount: money(c.maxDiscount, locale) }))
    if (c.perAccountLimit !== null) out.push(t('rule.perAccount', { n: c.perAccountLimit }))
    if (c.firstPurchaseOnly) out.push(t('rule.first'))
    const plans = c.appliesTo.plans === 'all' ? [t('rule.allPlans')] : c.appliesTo.plans.map((p) => (p.period ? `${p.planCode} · ${t(`period.${p.period}` as 'period.monthly')}` : p.planCode))
    out.push(t('rule.plans', { plans: [...plans, ...(c.appliesTo.recharge ? [t('rule.recharge')] : [])].join('、') }))
    out.push(c.duration.kind === 'repeating' ? t('rule.repeating', { n: c.duration.periods }) : t(`rule.${c.duration.kind}`))
    return out
  }
  const list = coupons.data?.coupons ?? []

  return (
    <>
      <section className="card manage">
        <div className="toolbar">
          <h2>{t('list.title')}</h2>
          {manage && !creating && (
            <button type="button" className="primary" onClick={() => (setCreating(true), setDone(undefined))} data-testid="coupon-new">
              {t('create.open')}
            </button>
          )}
        </div>
        {!manage && <p className="hint">{t('list.noPermission')}</p>}
        {done && (
          <p className="ok" role="status">
            {done(t, locale)}
          </p>
        )}
        <Err text={generalText(coupons.error, locale)} />
        {coupons.data && list.length === 0 && <p>{t('list.none')}</p>}
      </section>
      {creating && (
        <CreateCoupon
          onCancel={() => setCreating(false)}
          onCreated={(id) => {
            setCreating(false)
            changed((t) => t('create.done', { id }))
          }}
        />
      )}
      {list.length > 0 && (
        <section className="card manage">
          <table data-testid="coupons">
            <thead>
              <tr>
                <th>{t('list.id')}</th>
                <th>{t('list.name')}</th>
                <th>{t('list.off')}</th>
                <th>{t('list.rules')}</th>
                <th className="num">{t('list.used')}</th>
                <th>{t('list.valid')}</th>
                <th>{t('list.codes')}</th>
                <th>{t('list.state')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.id} data-coupon={c.id}>
                  <td className="nowrap">{c.id}</td>
                  <td>{c.name}</td>
                  <td className="nowrap">{off(c)}</td>
                  <td>
                    {rules(c).map((r) => (
                      <div key={r}>{r}</div>
                    ))}
                  </td>
                  <td className="num nowrap">
                    {c.redeemed} / {c.totalLimit ?? t('unlimited')}
                  </td>
                  <td>{c.validFrom === null && c.validUntil === null ? t('valid.always') : t('valid.range', { from: time(c.validFrom, locale), until: time(c.validUntil, locale) })}</td>
                  <td className="nowrap">
                    {c.codes.map((k) => (
                      <div key={k.code}>
                        <code>{k.code}</code> {k.redeemed}/{k.totalLimit ?? t('unlimited')}
                      </div>
                    ))}
                  </td>
                  <td>
                    <span className={c.active ? 'tag on nowrap' : 'tag off nowrap'}>{c.active ? t('list.active') : t('list.inactive')}</span>
                  </td>
                  <td>
                    <div className="row-actions">
                      <button type="button" className="link" onClick={() => navigate('coupons', c.id)}>
                        {t('redemptions.open')}
                      </button>
                    </div>
                    {manage && <CouponActions coupon={c} onChanged={changed} />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {rest && <Redemptions couponId={rest} onClose={() => navigate('coupons')} />}
    </>
  )
}

registerScreen({ id: 'coupons', title: 'nav.coupons', permission: 'read', component: CouponsScreen })
