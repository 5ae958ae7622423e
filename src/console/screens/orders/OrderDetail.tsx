import { useState } from 'react'
import type { ConsoleOrderDetail } from '../../../shared/console/api'
import { api } from '../../api'
import { errorText, money, time, useLocale, useT } from '../../i18n'
import { useSession } from '../../session'
import type { ScreenProps } from '../registry'
import { DataTable } from '../../lib/DataTable'
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
            ) : left.amount === 0 ? (
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
        <DataTable
          testId="order-refunds"
          rows={d.refunds}
          rowKey={(r) => r.refundKey}
          empty={t('common.empty')}
          columns={[
            { label: t('orders.col.refundKey'), className: 'mono', cell: (r) => r.refundKey },
            { label: t('orders.col.refundAmount'), num: true, cell: (r) => money(r.amount, locale) },
            { label: t('orders.col.state'), cell: (r) => refundStateLabel(t, r.state) },
            { label: t('orders.col.reason'), cell: (r) => r.reason },
            { label: t('orders.col.at'), className: 'nowrap', cell: (r) => time(r.at, locale) }
          ]}
        />
      </section>

      <section className="card">
        <h2>{t('orders.transitions.title')}</h2>
        <DataTable
          testId="order-transitions"
          rows={d.transitions}
          rowKey={(_, i) => String(i)}
          empty={t('common.empty')}
          columns={[
            { label: t('orders.col.from'), cell: (r) => stateLabel(t, r.from) },
            { label: t('orders.col.to'), cell: (r) => stateLabel(t, r.to) },
            { label: t('orders.col.cause'), className: 'mono', cell: (r) => r.cause },
            { label: t('orders.col.at'), className: 'nowrap', cell: (r) => time(r.at, locale) }
          ]}
        />
      </section>

      <section className="card">
        <h2>{t('orders.notifications.title')}</h2>
        <DataTable
          testId="order-notifications"
          rows={d.notifications}
          rowKey={(n, i) => `${n.eventId ?? ''}:${i}`}
          empty={t('common.empty')}
          columns={[
            { label: t('orders.col.provider'), cell: (n) => providerLabel(t, n.provider) },
            { label: t('orders.col.eventId'), className: 'mono', cell: (n) => n.eventId ?? '—' },
            { label: t('orders.col.type'), cell: (n) => codeLabel(t, 'event', n.type) },
            { label: t('orders.col.outcome'), cell: (n) => codeLabel(t, 'outcome', n.outcome) },
            { label: t('orders.col.at'), className: 'nowrap', cell: (n) => time(n.at, locale) }
          ]}
        />
      </section>

      <section className="card">
        <h2>{t('orders.transfers.title')}</h2>
        <DataTable
          testId="order-transfers"
          rows={d.transfers}
          rowKey={(x) => x.id}
          empty={t('common.empty')}
          columns={[
            { label: t('orders.col.transfer'), className: 'mono', cell: (x) => x.id },
            { label: t('orders.col.kind'), className: 'nowrap', cell: (x) => codeLabel(t, 'transfer', x.kind) },
            { label: t('orders.col.debit'), className: 'mono', cell: (x) => x.debit },
            { label: t('orders.col.credit'), className: 'mono', cell: (x) => x.credit },
            { label: t('orders.col.money'), num: true, cell: (x) => money(x.amount, locale) },
            { label: t('orders.col.at'), className: 'nowrap', cell: (x) => time(x.at, locale) }
          ]}
        />
      </section>
    </div>
  )
}
