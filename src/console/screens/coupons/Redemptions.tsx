import type { ConsoleRedemptions } from '../../../shared/console/api'
import { api, query } from '../../api'
import { Err, generalText, usePages } from '../../form-kit'
import { money, time, useLocale, useT } from '../../i18n'
import { messages } from './messages'

// Who used a coupon, with which code, on which order (a link to the order's detail).
export function Redemptions(props: { couponId: string; onClose(): void }) {
  const t = useT(messages)
  const locale = useLocale()
  const r = usePages(
    (before) => api<ConsoleRedemptions>('GET', `/v1/console/coupons/${encodeURIComponent(props.couponId)}/redemptions${query({ before })}`),
    (page) => page.redemptions,
    [props.couponId]
  )
  const list = r.rows
  return (
    <section className="card manage" data-testid="redemptions">
      <div className="toolbar">
        <h2>{t('redemptions.title', { id: props.couponId })}</h2>
        <button type="button" onClick={props.onClose}>
          {t('close')}
        </button>
      </div>
      <Err text={generalText(r.error, locale)} />
      {r.loaded && list.length === 0 && <p>{t('redemptions.none')}</p>}
      {list.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>{t('redemptions.at')}</th>
              <th>{t('redemptions.account')}</th>
              <th>{t('redemptions.order')}</th>
              <th>{t('redemptions.code')}</th>
              <th>{t('redemptions.state')}</th>
              <th className="num">{t('redemptions.discount')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((x) => (
              <tr key={x.redemptionId}>
                <td>{time(x.at, locale)}</td>
                <td className="break">
                  <a href={`#/accounts/${encodeURIComponent(x.accountId)}`}>{x.accountId}</a>
                </td>
                <td>{x.orderNo ? <a href={`#/orders/${encodeURIComponent(x.orderNo)}`}>{x.orderNo}</a> : '—'}</td>
                <td>{x.code ?? '—'}</td>
                <td>{t(`redemptions.state.${x.state}`)}</td>
                <td className="num">{money(x.discount, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {r.next && !r.loading && (
        <button type="button" onClick={r.more}>
          {t('common.more')}
        </button>
      )}
    </section>
  )
}
