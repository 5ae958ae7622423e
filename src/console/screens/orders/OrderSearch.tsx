import { useEffect, type FormEvent } from 'react'
import { errorText, money, time, useLocale, useT } from '../../i18n'
import type { ScreenProps } from '../registry'
import { ORDER_STATES, PROVIDERS, providerLabel, stateLabel } from './labels'
import { messages } from './messages'
import { useOrderSearch } from './store'

// The order search: by number, account, provider, state and order date; newest first, "load
// more" pages on with the relay's cursor. A row opens the order (#/orders/<orderNo>).

export function OrderSearch({ navigate }: Pick<ScreenProps, 'navigate'>) {
  const t = useT(messages)
  const locale = useLocale()
  const s = useOrderSearch()
  const badRange = Boolean(s.filters.from && s.filters.to && s.filters.from > s.filters.to)

  // The filters stay while an order is open; the list is read again on the way back, so a refund
  // made there shows here.
  useEffect(() => {
    void s.search()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!badRange) void s.search()
  }
  const f = s.filters
  return (
    <div className="orders">
      <h1>{t('orders.title')}</h1>
      <form className="toolbar" onSubmit={submit} role="search">
        <label>
          {t('orders.search.q')}
          <input name="q" value={f.q} onChange={(e) => s.setFilters({ q: e.target.value })} />
        </label>
        <label>
          {t('orders.search.account')}
          <input name="account" value={f.account} onChange={(e) => s.setFilters({ account: e.target.value })} />
        </label>
        <label>
          {t('orders.search.provider')}
          <select name="provider" value={f.provider} onChange={(e) => s.setFilters({ provider: e.target.value })}>
            <option value="">{t('orders.search.any')}</option>
            {PROVIDERS.map((p) => (
              <option key={p} value={p}>
                {providerLabel(t, p)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('orders.search.state')}
          <select name="state" value={f.state} onChange={(e) => s.setFilters({ state: e.target.value })}>
            <option value="">{t('orders.search.any')}</option>
            {ORDER_STATES.map((st) => (
              <option key={st} value={st}>
                {stateLabel(t, st)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('orders.search.from')}
          <input type="date" name="from" value={f.from} onChange={(e) => s.setFilters({ from: e.target.value })} />
        </label>
        <label>
          {t('orders.search.to')}
          <input type="date" name="to" value={f.to} onChange={(e) => s.setFilters({ to: e.target.value })} />
        </label>
        <button type="submit" disabled={s.loading}>
          {t('orders.search.submit')}
        </button>
      </form>
      {badRange && <p className="error" role="alert">{t('orders.search.range.invalid')}</p>}
      {s.error && (
        <p className="error" role="alert" data-testid="orders-error">
          {errorText(s.error, locale)}
        </p>
      )}
      <table data-testid="orders">
        <thead>
          <tr>
            <th>{t('orders.col.orderNo')}</th>
            <th>{t('orders.col.account')}</th>
            <th>{t('orders.col.provider')}</th>
            <th>{t('orders.col.subject')}</th>
            <th className="num">{t('orders.col.amount')}</th>
            <th className="num">{t('orders.col.refunded')}</th>
            <th>{t('orders.col.state')}</th>
            <th>{t('orders.col.createdAt')}</th>
          </tr>
        </thead>
        <tbody>
          {s.orders.map((o) => (
            <tr key={o.orderNo}>
              <td>
                <a
                  href={`#/orders/${encodeURIComponent(o.orderNo)}`}
                  onClick={(e) => {
                    e.preventDefault()
                    navigate('orders', o.orderNo)
                  }}
                >
                  {o.orderNo}
                </a>
              </td>
              <td className="mono">{o.accountId}</td>
              <td className="provider">{providerLabel(t, o.provider)}</td>
              <td>{o.subject}</td>
              <td className="num">{money(o.amount, locale)}</td>
              <td className="num">{money(o.refunded, locale)}</td>
              <td className="state">{stateLabel(t, o.state)}</td>
              <td className="nowrap">{time(o.createdAt, locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {s.searched && !s.loading && !s.error && s.orders.length === 0 && <p>{t('orders.none')}</p>}
      {s.loading && <p className="loading">{t('common.loading')}</p>}
      {s.next && !s.loading && (
        <button type="button" onClick={() => void s.more()}>
          {t('common.more')}
        </button>
      )}
    </div>
  )
}
