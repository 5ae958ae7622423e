import { useState } from 'react'
import type { ConsoleAccountDetail } from '../../../shared/console/api'
import { api } from '../../api'
import { Err, generalText, useLoad, type Say } from '../../form-kit'
import { money, time, useLocale, useT } from '../../i18n'
import { useSession } from '../../session'
import { Grant, Revoke } from './Actions'
import { messages } from './messages'

// One account: how it signs in, its devices (revoke behind a confirm step), its subscriptions
// and grants (grant or extend a plan with a reason: ./Actions.tsx), balances, latest transfers
// and orders.

export function AccountDetail(props: { accountId: string; onBack(): void }) {
  const t = useT(messages)
  const locale = useLocale()
  const manage = useSession((s) => s.can('accounts.manage'))
  const detail = useLoad(() => api<ConsoleAccountDetail>('GET', `/v1/console/accounts/${encodeURIComponent(props.accountId)}`), [props.accountId])
  const [done, setDone] = useState<Say<typeof messages>>()
  const changed = (message: Say<typeof messages>) => {
    setDone(() => message)
    detail.reload()
  }
  const d = detail.data
  const period = (p: string) => (`period.${p}` in messages['zh-CN'] ? t(`period.${p}` as 'period.monthly') : p)
  // A word the relay may add later falls back to its code.
  const word = (prefix: string, k: string) => (`${prefix}.${k}` in messages['zh-CN'] ? t(`${prefix}.${k}` as 'detail.none') : k)

  return (
    <section className="card manage" data-testid="account-detail">
      <div className="toolbar">
        <h2>{t('detail.title', { id: props.accountId })}</h2>
        <button type="button" onClick={props.onBack}>
          {t('detail.back')}
        </button>
      </div>
      {done && (
        <p className="ok" role="status">
          {done(t, locale)}
        </p>
      )}
      <Err text={generalText(detail.error, locale)} />
      {!d && !detail.error && <p>{t('common.loading')}</p>}
      {d && (
        <>
          <p>
            {t('detail.wallet', { currency: d.account.walletCurrency })} ·{' '}
            {d.account.plan
              ? d.account.plan.endsAt === null
                ? t('plan.lineForever', { plan: d.account.plan.planCode, period: period(d.account.plan.period) })
                : t('plan.line', { plan: d.account.plan.planCode, period: period(d.account.plan.period), endsAt: time(d.account.plan.endsAt, locale) })
              : t('search.free')}
          </p>

          <h3>{t('detail.balances')}</h3>
          {d.balances.length === 0 && <p>{t('detail.noBalance')}</p>}
          <table data-testid="balances">
            <tbody>
              {d.balances.map((b) => (
                <tr key={b.kind}>
                  <td>{word('balance', b.kind)}</td>
                  <td className="num">{money(b.balance, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>

          <h3>{t('detail.identities')}</h3>
          {d.identities.length === 0 ? (
            <p>{t('detail.none')}</p>
          ) : (
            <ul>
              {d.identities.map((i) => (
                <li key={`${i.kind}:${i.subject}`}>
                  {i.kind}: {i.subject}
                </li>
              ))}
            </ul>
          )}

          <h3>{t('detail.devices')}</h3>
          <table data-testid="devices">
            <thead>
              <tr>
                <th>{t('detail.device.name')}</th>
                <th>{t('detail.device.enrolledAt')}</th>
                <th>{t('detail.device.state')}</th>
              </tr>
            </thead>
            <tbody>
              {d.devices.map((dev) => (
                <tr key={dev.deviceId}>
                  <td>
                    {dev.name} <code>{dev.deviceId}</code>
                  </td>
                  <td>{time(dev.enrolledAt, locale)}</td>
                  <td>
                    <div className="row-actions">
                      {dev.revokedAt === null ? t('detail.device.active') : t('detail.device.revoked', { at: time(dev.revokedAt, locale) })}
                      {manage && dev.revokedAt === null && <Revoke deviceId={dev.deviceId} name={dev.name} onDone={changed} />}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>

          <h3>{t('detail.grants')}</h3>
          <table data-testid="grants">
            <thead>
              <tr>
                <th>{t('detail.grant.plan')}</th>
                <th>{t('detail.grant.source')}</th>
                <th>{t('detail.grant.from')}</th>
                <th>{t('detail.grant.until')}</th>
                <th>{t('detail.grant.status')}</th>
              </tr>
            </thead>
            <tbody>
              {d.grants.map((g) => (
                <tr key={g.grantId}>
                  <td>
                    {g.planCode} · {period(g.period)}
                  </td>
                  <td>{word('source', g.source)}</td>
                  <td>{time(g.startsAt, locale)}</td>
                  <td>{time(g.endsAt, locale)}</td>
                  <td>{word('status', g.status)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {manage && <Grant accountId={props.accountId} onDone={changed} />}

          <h3>{t('detail.orders')}</h3>
          {d.orders.length === 0 ? (
            <p>{t('detail.none')}</p>
          ) : (
            <table data-testid="orders">
              <thead>
                <tr>
                  <th>{t('detail.order.no')}</th>
                  <th>{t('detail.order.subject')}</th>
                  <th className="num">{t('detail.order.amount')}</th>
                  <th>{t('detail.order.state')}</th>
                  <th>{t('detail.at')}</th>
                </tr>
              </thead>
              <tbody>
                {d.orders.map((o) => (
                  <tr key={o.orderNo}>
                    <td>
                      <a href={`#/orders/${encodeURIComponent(o.orderNo)}`}>{o.orderNo}</a>
                    </td>
                    <td>{o.subject}</td>
                    <td className="num">{money(o.amount, locale)}</td>
                    <td>{word('order', o.state)}</td>
                    <td>{time(o.createdAt, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h3>{t('detail.transfers')}</h3>
          {d.transfers.length === 0 ? (
            <p>{t('detail.none')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>{t('detail.at')}</th>
                  <th>{t('detail.transfer.kind')}</th>
                  <th className="num">{t('detail.transfer.amount')}</th>
                  <th>{t('detail.transfer.source')}</th>
                </tr>
              </thead>
              <tbody>
                {d.transfers.map((x) => (
                  <tr key={x.id}>
                    <td>{time(x.at, locale)}</td>
                    <td>{word('transfer', x.kind)}</td>
                    <td className="num">{money(x.amount, locale)}</td>
                    <td>{x.sourceId}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  )
}
