import { useState } from 'react'
import type { ConsoleFapiaoList } from '../../../shared/console/api'
import { api, query } from '../../api'
import { Err, generalText, usePages, type Say } from '../../form-kit'
import { money, time, useLocale, useT } from '../../i18n'
import { useSession } from '../../session'
import { registerScreen } from '../registry'
import { Decide } from './Decide'
import { messages } from './messages'

// 发票申请: the requests by status; a request waiting is issued or refused by an operator with
// invoices.manage.

const STATUSES = ['requested', 'issued', 'refused'] as const

function FapiaoScreen() {
  const t = useT(messages)
  const locale = useLocale()
  const manage = useSession((s) => s.can('invoices.manage'))
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('requested')
  const list = usePages(
    (after) => api<ConsoleFapiaoList>('GET', `/v1/console/fapiao${query({ status, after })}`),
    (page) => page.requests,
    [status]
  )
  const [open, setOpen] = useState<{ invoice: string; decision: 'issued' | 'refused' }>()
  const [done, setDone] = useState<Say<typeof messages>>()
  const rows = list.rows

  return (
    <section className="card manage">
      <div className="toolbar">
        <h2>{t('list.title')}</h2>
        <label>
          {t('list.status')}
          <select name="status" value={status} onChange={(e) => (setStatus(e.target.value as typeof status), setOpen(undefined))}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!manage && <p className="hint">{t('list.noPermission')}</p>}
      {done && (
        <p className="ok" role="status">
          {done(t, locale)}
        </p>
      )}
      <Err text={generalText(list.error, locale)} />
      {list.loaded && rows.length === 0 && <p>{t('list.none')}</p>}
      {rows.length > 0 && (
        <table data-testid="fapiao">
          <thead>
            <tr>
              <th>{t('list.invoice')}</th>
              <th>{t('list.account')}</th>
              <th>{t('list.buyer')}</th>
              <th className="num">{t('list.total')}</th>
              <th>{t('list.requestedAt')}</th>
              <th>{t('list.decidedAt')}</th>
              <th>{t('list.result')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => [
              <tr key={r.invoiceNumber} data-invoice={r.invoiceNumber}>
                <td className="nowrap">{r.invoiceNumber}</td>
                <td className="break">
                  <a href={`#/accounts/${encodeURIComponent(r.accountId)}`}>{r.accountId}</a>
                </td>
                <td>{r.title ?? '—'}</td>
                <td className="num">{money(r.total, locale)}</td>
                <td>{time(r.requestedAt, locale)}</td>
                <td>{time(r.decidedAt, locale)}</td>
                <td>
                  {r.status === 'issued' && t('list.fapiaoNo', { number: r.fapiaoNumber ?? '' })}
                  {r.status === 'refused' && r.reason}
                  {r.status === 'requested' && manage && open?.invoice !== r.invoiceNumber && (
                    <div className="row-actions">
                      <button type="button" onClick={() => (setOpen({ invoice: r.invoiceNumber, decision: 'issued' }), setDone(undefined))}>
                        {t('issue.open')}
                      </button>
                      <button type="button" onClick={() => (setOpen({ invoice: r.invoiceNumber, decision: 'refused' }), setDone(undefined))}>
                        {t('refuse.open')}
                      </button>
                    </div>
                  )}
                </td>
              </tr>,
              open?.invoice === r.invoiceNumber && (
                <tr key={`${r.invoiceNumber}:decide`} data-decide={r.invoiceNumber}>
                  <td colSpan={7}>
                    <Decide
                      invoiceNumber={r.invoiceNumber}
                      decision={open.decision}
                      onCancel={() => setOpen(undefined)}
                      onDone={(message) => {
                        setOpen(undefined)
                        setDone(() => message)
                        list.reload()
                      }}
                    />
                  </td>
                </tr>
              )
            ])}
          </tbody>
        </table>
      )}
      {list.next && !list.loading && (
        <button type="button" onClick={list.more}>
          {t('common.more')}
        </button>
      )}
    </section>
  )
}

registerScreen({ id: 'fapiao', title: 'nav.fapiao', permission: 'read', component: FapiaoScreen })
