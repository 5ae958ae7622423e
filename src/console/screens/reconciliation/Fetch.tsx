import { useState } from 'react'
import { api } from '../../api'
import { Err, fieldError, generalText, refusalOf, type Refusal, type Say } from '../../form-kit'
import { useLocale, useT } from '../../i18n'
import { messages } from './messages'

// One day's trade bill fetched by the relay through the provider's bill API
// (POST /v1/console/reconciliation/:provider/fetch {date}) and matched as an upload is.

type Key = keyof (typeof messages)['zh-CN']

/** The relay's refusals of a fetch, in the console's words (src/relay/providers/*\/bill.ts). */
function fetchRefusal(r: Refusal | undefined): Key | undefined {
  if (!r) return undefined
  if (r.info.code === 'METHOD_UNAVAILABLE') return 'fetch.notConfigured'
  if (r.info.code !== 'UNAVAILABLE') return undefined
  if (/no bill for/.test(r.info.message)) return 'fetch.noBill'
  if (/does not match its hash/.test(r.info.message)) return 'fetch.damaged'
  return 'fetch.unreachable'
}

export function FetchBill(props: { onImported(message: Say<typeof messages>, runId: string): void }) {
  const t = useT(messages)
  const locale = useLocale()
  const [provider, setProvider] = useState<'alipay' | 'wechat'>('alipay')
  const [date, setDate] = useState('')
  const [refusal, setRefusal] = useState<Refusal>()
  const [missing, setMissing] = useState(false)
  const [busy, setBusy] = useState(false)

  const submit = async () => {
    setRefusal(undefined)
    setMissing(!date)
    if (!date) return
    setBusy(true)
    try {
      const out = await api<{ run: { id: string; lines: number; differences: number } }>('POST', `/v1/console/reconciliation/${provider}/fetch`, { date })
      props.onImported((t) => t('import.done', { lines: out.run.lines, differences: out.run.differences }), out.run.id)
    } catch (e) {
      setRefusal(refusalOf(e))
    } finally {
      setBusy(false)
    }
  }
  const words = fetchRefusal(refusal)
  const dateError = missing ? t('fetch.noDate') : fieldError(refusal, 'date') ? t('fetch.badDate') : undefined

  return (
    <section className="card manage" data-testid="reconciliation-fetch">
      <h2>{t('fetch.title')}</h2>
      <div className="toolbar">
        <label>
          {t('import.provider')}
          <select name="fetch-provider" value={provider} onChange={(e) => setProvider(e.target.value as 'alipay' | 'wechat')}>
            <option value="alipay">{t('provider.alipay')}</option>
            <option value="wechat">{t('provider.wechat')}</option>
          </select>
        </label>
        <label>
          {t('fetch.date')}
          <input name="fetch-date" type="date" value={date} onChange={(e) => setDate(e.target.value)} />
        </label>
        <button type="button" className="primary" disabled={busy} onClick={() => void submit()}>
          {t('fetch.submit')}
        </button>
      </div>
      <p className="hint">{t('fetch.hint')}</p>
      <Err text={dateError} />
      <Err text={dateError ? undefined : words ? t(words, { provider: t(`provider.${provider}`), date }) : generalText(refusal, locale)} testId="reconciliation-fetch-error" />
    </section>
  )
}
