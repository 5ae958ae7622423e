import { useState } from 'react'
import { api } from '../../api'
import { Err, fieldError, FilePicker, fromLocalInput, generalText, refusalOf, type Refusal, type Say } from '../../form-kit'
import { useLocale, useT } from '../../i18n'
import { messages } from './messages'

// A provider's trade bill uploaded as text (POST /v1/console/reconciliation/:provider
// {csv, from, to}); the period is whole days in Beijing time, the end day included.

const DAY_MS = 86_400_000

function readText(file: File, encoding: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => resolve(String(r.result))
    r.onerror = () => reject(r.error ?? new Error('unreadable'))
    r.readAsText(file, encoding)
  })
}

type Key = keyof (typeof messages)['zh-CN']

export function ImportBill(props: { onImported(message: Say<typeof messages>, runId: string): void }) {
  const t = useT(messages)
  const locale = useLocale()
  const [provider, setProvider] = useState<'alipay' | 'wechat'>('alipay')
  const [encoding, setEncoding] = useState('gbk')
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [file, setFile] = useState<File>()
  // Keys of the messages, worded at render: the language may switch while one shows.
  const [local, setLocal] = useState<Record<string, Key>>({})
  const [refusal, setRefusal] = useState<Refusal>()
  const [busy, setBusy] = useState(false)

  const submit = async () => {
    setRefusal(undefined)
    const problems: Record<string, Key> = {}
    const start = fromLocalInput(from)
    const end = fromLocalInput(to)
    if (start === undefined || end === undefined || end < start) problems['from'] = 'import.badRange'
    if (!file) problems['file'] = 'import.noFile'
    setLocal(problems)
    if (Object.keys(problems).length) return
    let csv: string
    try {
      csv = await readText(file!, encoding)
    } catch {
      setLocal({ file: 'import.unreadable' })
      return
    }
    setBusy(true)
    try {
      const out = await api<{ run: { id: string; lines: number; differences: number } }>('POST', `/v1/console/reconciliation/${provider}`, { csv, from: start!, to: end! + DAY_MS })
      props.onImported((t) => t('import.done', { lines: out.run.lines, differences: out.run.differences }), out.run.id)
    } catch (e) {
      setRefusal(refusalOf(e))
    } finally {
      setBusy(false)
    }
  }
  // The parser's refusals (src/relay/reconcile/bills.ts): not this provider's bill, or a line it cannot read.
  const billRefusal = (r: Refusal | undefined): string | undefined => {
    if (r?.info.code !== 'INVALID_INPUT') return undefined
    const d = r.info.details ?? {}
    if (typeof d['line'] === 'number') return t('import.badLine', { line: d['line'] })
    if (/^this is not an? /.test(r.info.message)) return t('import.notABill', { provider: t(`provider.${provider}`) })
    return undefined
  }
  const relay = (field: string) => (fieldError(refusal, field) ? t('relay.reason', { reason: fieldError(refusal, field)! }) : undefined)

  return (
    <section className="card manage" data-testid="reconciliation-import">
      <h2>{t('import.title')}</h2>
      <div className="toolbar">
        <label>
          {t('import.provider')}
          <select
            name="provider"
            value={provider}
            onChange={(e) => {
              const p = e.target.value as 'alipay' | 'wechat'
              setProvider(p)
              setEncoding(p === 'alipay' ? 'gbk' : 'utf-8')
            }}
          >
            <option value="alipay">{t('provider.alipay')}</option>
            <option value="wechat">{t('provider.wechat')}</option>
          </select>
        </label>
        <label>
          {t('import.from')}
          <input name="from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('import.to')}
          <input name="to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          {t('import.encoding')}
          <select name="encoding" value={encoding} onChange={(e) => setEncoding(e.target.value)}>
            <option value="gbk">GBK</option>
            <option value="utf-8">UTF-8</option>
          </select>
        </label>
        <div className="field">
          {t('import.file')}
          <FilePicker name="bill" accept=".csv,text/csv" choose={t('file.choose')} none={t('file.none')} file={file} onFile={setFile} />
          <Err text={(local['file'] && t(local['file'])) ?? relay('csv')} />
        </div>
        <button type="button" className="primary" disabled={busy} onClick={() => void submit()}>
          {t('import.submit')}
        </button>
      </div>
      <p className="hint">{t('import.encoding.hint')}</p>
      <Err text={(local['from'] && t(local['from'])) ?? relay('from') ?? relay('to')} />
      <Err text={billRefusal(refusal) ?? generalText(refusal, locale)} testId="reconciliation-error" />
    </section>
  )
}
