import { useState } from 'react'
import type { ConsoleOrderDetail } from '../../../shared/console/api'
import { api } from '../../api'
import { errorText, money, time, useLocale, useT } from '../../i18n'
import { useSession } from '../../session'
import type { ScreenProps } from '../registry'
import { useLoad } from '../../lib/useLoad'
import { codeLabel, providerLabel, refundStateLabel, stateLabel } from './labels'
import { messages } from './messages'
import { RefundForm } from './RefundForm'

// One order (GET /v1/console/orders/:orderNo): what was bought and paid, its state changes, the
// provider's notifications, the ledger transfers it made, its refunds; and, for an operator
// who may refund, the refund form beside it. A refund made reloads the detail.

const REFUNDABLE = new Set(['paid', 'partially_refunded'])

export function OrderDetail({ orderNo, navigate }: { orderNo: string } & Pick<ScreenProps, 'navigate'>) {
  const t = useT(messages)
  const locale = useLocale()
  const canRefund = useSession((s) => s.can('refunds.create'))
  const [version, setVersion] = useState(0)
  const detail = useLoad(`${orderNo}:${version}`, () => api<ConsoleOrderDetail>('GET', `/v1/console/orders/${encodeURIComponent(orderNo)}`))
  const d = detail.data

  const back = (
    <button
      type="button"
      className="link"
      onClick={() => {
        navigate('orders')
      }}
    >
      {t('orders.back')}
    </button>
  )
  if (detail.error && !d)
    return (
      <div className="order-detail">
        {back}
        <p className="error" role="alert" data-testid="order-error">
          {errorText(detail.error, locale)}
        </p>
      </div>
    )
  if (!d) return <p className="loading">{t('common.loading')}</p>

  const o = d.order
  const inFlight = d.refunds.filter((r) => r.state === 'requested' || r.state === 'pending').reduce((s, r) => s + r.amount.amount, 0)
  const left = { amount: Math.max(0, o.amount.amount - o.refunded.amount - inFlight), currency: o.amount.currency }

  return (
    <div className="order-detail">
      {back}
      <h1>{t('orders.detail.title', { orderNo: o.orderNo })}</h1>
      <div className="detail-grid">
        <section className="card">
          <dl className="facts" data-testid="order-facts">
            <dt>{t('orders.col.state')}</dt>
            <dd data-testid="order-state">{stateLabel(t, o.state)}</dd>
            <dt>{t('orders.col.subject')}</dt>
            <dd>{o.subject}</dd>
            <dt>{t('orders.col.amount')}</dt>
            <dd data-testid="order-amount">{money(o.amount, locale)}</dd>
            <dt>{t('orders.detail.discount')}</dt>
            <dd>{money(o.discount, locale)}</dd>
            <dt>{t('orders.col.refunded')}</dt>
            <dd data-testid="order-refunded">{money(o.refunded, locale)}</dd>
            <dt>{t('orders.detail.left')}</dt>
            <dd data-testid="order-left">{money(left, locale)}</dd>
            <dt>{t('orders.col.provider')}</dt>
            <dd>{providerLabel(t, o.provider)}</dd>
            <dt>{t('orders.detail.paymentId')}</dt>
            <dd className="mono">{o.providerPaymentId ?? '—'}</dd>
            <dt>{t('orders.col.account')}</dt>
            <dd className="mono">{o.accountId}</dd>
            <dt>{t('orders.detail.device')}</dt>
            <dd className="mono">{o.deviceId}</dd>
            <dt>{t('orders.col.createdAt')}</dt>
            <dd>{time(o.createdAt, locale)}</dd>
            <dt>{t('orders.detail.updatedAt')}</dt>
            <dd>{time(o.updatedAt, locale)}</dd>
          </dl>
        </section>
        {canRefund && (
          <div className="refund-side">
            {!REFUNDABLE.has(o.state) ? (
              <p className="card hint">{t('refund.notRefundable')}</p>
            ) : left.amount === 0 && inFlight === 0 ? (
              <p className="card hint">{t('refund.nothingLeft')}</p>
            ) : (
              <RefundForm order={o} left={left} onRefunded={() => setVersion((v) => v + 1)} onStale={() => setVersion((v) => v + 1)} />
            )}
          </div>
        )}
      </div>
      {detail.error && <p className="error">{errorText(detail.error, locale)}</p>}

      <section className="card">
        <h2>{t('orders.refunds.title')}</h2>
        <table data-testid="order-refunds">
          <thead>
            <tr>
              <th>{t('orders.col.refundKey')}</th>
              <th className="num">{t('orders.col.refundAmount')}</th>
              <th>{t('orders.col.state')}</th>
              <th>{t('orders.col.reason')}</th>
              <th>{t('orders.col.at')}</th>
            </tr>
          </thead>
          <tbody>
            {d.refunds.map((r) => (
              <tr key={r.refundKey}>
                <td className="mono">{r.refundKey}</td>
                <td className="num">{money(r.amount, locale)}</td>
                <td>{refundStateLabel(t, r.state)}</td>
                <td>{r.reason}</td>
                <td className="nowrap">{time(r.at, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {d.refunds.length === 0 && <p>{t('common.empty')}</p>}
      </section>

      <section className="card">
        <h2>{t('orders.transitions.title')}</h2>
        <table data-testid="order-transitions">
          <thead>
            <tr>
              <th>{t('orders.col.from')}</th>
              <th>{t('orders.col.to')}</th>
              <th>{t('orders.col.cause')}</th>
              <th>{t('orders.col.at')}</th>
            </tr>
          </thead>
          <tbody>
            {d.transitions.map((tr, i) => (
              <tr key={i}>
                <td>{stateLabel(t, tr.from)}</td>
                <td>{stateLabel(t, tr.to)}</td>
                <td className="mono">{tr.cause}</td>
                <td className="nowrap">{time(tr.at, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {d.transitions.length === 0 && <p>{t('common.empty')}</p>}
      </section>

      <section className="card">
        <h2>{t('orders.notifications.title')}</h2>
        <table data-testid="order-notifications">
          <thead>
            <tr>
              <th>{t('orders.col.provider')}</th>
              <th>{t('orders.col.eventId')}</th>
              <th>{t('orders.col.type')}</th>
              <th>{t('orders.col.outcome')}</th>
              <th>{t('orders.col.at')}</th>
            </tr>
          </thead>
          <tbody>
            {d.notifications.map((n, i) => (
              <tr key={`${n.eventId ?? ''}:${i}`}>
                <td>{providerLabel(t, n.provider)}</td>
                <td className="mono">{n.eventId ?? '—'}</td>
                <td>{codeLabel(t, 'event', n.type)}</td>
                <td>{codeLabel(t, 'outcome', n.outcome)}</td>
                <td className="nowrap">{time(n.at, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {d.notifications.length === 0 && <p>{t('common.empty')}</p>}
      </section>

      <section className="card">
        <h2>{t('orders.transfers.title')}</h2>
        <table data-testid="order-transfers">
          <thead>
            <tr>
              <th>{t('orders.col.transfer')}</th>
              <th>{t('orders.col.kind')}</th>
              <th>{t('orders.col.debit')}</th>
              <th>{t('orders.col.credit')}</th>
              <th className="num">{t('orders.col.money')}</th>
              <th>{t('orders.col.at')}</th>
            </tr>
          </thead>
          <tbody>
            {d.transfers.map((x) => (
              <tr key={x.id}>
                <td className="mono">{x.id}</td>
                <td className="nowrap">{codeLabel(t, 'transfer', x.kind)}</td>
                <td className="mono">{x.debit}</td>
                <td className="mono">{x.credit}</td>
                <td className="num">{money(x.amount, locale)}</td>
                <td className="nowrap">{time(x.at, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {d.transfers.length === 0 && <p>{t('common.empty')}</p>}
      </section>
    </div>
  )
}
