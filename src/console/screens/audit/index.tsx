import { useEffect, useState } from 'react'
import { api, query } from '../../api'
import { Err, fromLocalInput, generalText, refusalOf, type Refusal } from '../../form-kit'
import { time, useLocale, useT } from '../../i18n'
import { registerScreen } from '../registry'
import { messages } from './messages'
import type { AuditEntry } from '../../../shared/console/api'

// 操作日志: who did what, when, from where, with the state before and after; filtered by
// operator, action and days (Beijing time), paged on by "load more", exported as CSV with the
// same filters (the export is itself an audit entry).

/** An entry as the audit route pages it: the stored line and its position. */
type Entry = AuditEntry & { seq: number }

const DAY_MS = 86_400_000
const ACTIONS = Object.keys(messages['zh-CN'])
  .filter((k) => k.startsWith('action.'))
  .map((k) => k.slice('action.'.length))

interface Filters {
  operator: string
  action: string
  from: string
  to: string
}
const NONE: Filters = { operator: '', action: '', from: '', to: '' }

function params(f: Filters) {
  const from = fromLocalInput(f.from)
  const to = fromLocalInput(f.to)
  return { operator: f.operator.trim() || undefined, action: f.action || undefined, from, to: to === undefined ? undefined : to + DAY_MS }
}

function AuditScreen() {
  const t = useT(messages)
  const locale = useLocale()
  const [form, setForm] = useState<Filters>(NONE)
  const [applied, setApplied] = useState<Filters>(NONE)
  const [entries, setEntries] = useState<Entry[]>()
  const [next, setNext] = useState<number | null>(null)
  const [refusal, setRefusal] = useState<Refusal>()
  const [badRange, setBadRange] = useState(false)
  const [busy, setBusy] = useState(false)

  const load = async (f: Filters, before?: number) => {
    setBusy(true)
    setRefusal(undefined)
    try {
      const page = await api<{ entries: Entry[]; next: number | null }>('GET', `/v1/console/audit${query({ ...params(f), before, limit: 50 })}`)
      setEntries((old) => (before ? [...(old ?? []), ...page.entries] : page.entries))
      setNext(page.next)
    } catch (e) {
      setRefusal(refusalOf(e))
    } finally {
      setBusy(false)
    }
  }
  useEffect(() => {
    void load(NONE)
  }, [])

  const apply = (f: Filters) => {
    const p = params(f)
    setBadRange(p.from !== undefined && p.to !== undefined && p.to <= p.from)
    if (p.from !== undefined && p.to !== undefined && p.to <= p.from) return
    setForm(f)
    setApplied(f)
    void load(f)
  }
  const action = (a: string) => (`action.${a}` in messages['zh-CN'] ? t(`action.${a}` as 'action.login') : a)
  // Instants (…At, …From, …Until) as times in the billing zone; the rest as stored.
  const shown = (key: string, x: unknown) =>
    typeof x === 'number' && /(At|From|Until)$/.test(key) ? time(x, locale) : typeof x === 'string' ? x : JSON.stringify(x)
  // One line per changed field ("price: 3490"), the state before and after under their headings.
  const lines = (json: string): string => {
    try {
      const v = JSON.parse(json) as unknown
      if (v && typeof v === 'object' && !Array.isArray(v)) return Object.entries(v).map(([k, x]) => `  ${k}: ${shown(k, x)}`).join('\n')
    } catch {
      // not JSON: as stored
    }
    return `  ${json}`
  }
  const change = (e: Entry) => [e.before && `${t('before')}:\n${lines(e.before)}`, e.after && `${t('after')}:\n${lines(e.after)}`].filter(Boolean).join('\n') || '—'

  return (
    <section className="card manage">
      <h2>{t('title')}</h2>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault()
          apply(form)
        }}
      >
        <label>
          {t('filter.operator')}
          <input name="operator" value={form.operator} onChange={(e) => setForm({ ...form, operator: e.target.value })} />
        </label>
        <label>
          {t('filter.action')}
          <select name="action" value={form.action} onChange={(e) => setForm({ ...form, action: e.target.value })}>
            <option value="">{t('filter.anyAction')}</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {action(a)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('filter.from')}
          <input name="from" type="date" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </label>
        <label>
          {t('filter.to')}
          <input name="to" type="date" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
          <Err text={badRange ? t('filter.badRange') : undefined} />
        </label>
        <button type="submit" disabled={busy}>
          {t('filter.apply')}
        </button>
        <button type="button" onClick={() => apply(NONE)}>
          {t('filter.clear')}
        </button>
        <a className="button" href={`/v1/console/audit.csv${query(params(applied))}`} download data-testid="audit-csv">
          {t('common.exportCsv')}
        </a>
      </form>
      <Err text={generalText(refusal, locale)} />
      {entries && entries.length === 0 && <p>{t('none')}</p>}
      {entries && entries.length > 0 && (
        <table data-testid="audit">
          <thead>
            <tr>
              <th>{t('col.at')}</th>
              <th>{t('col.actor')}</th>
              <th>{t('col.action')}</th>
              <th>{t('col.target')}</th>
              <th>{t('col.address')}</th>
              <th>{t('col.change')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>{time(e.at, locale)}</td>
                <td>
                  <div>{e.actor}</div>
                  {e.operatorId && (
                    <button type="button" className="link" onClick={() => apply({ ...form, operator: e.operatorId! })}>
                      {t('onlyThis')}
                    </button>
                  )}
                </td>
                <td>{action(e.action)}</td>
                <td className="break">{e.target ?? '—'}</td>
                <td>{e.address ?? '—'}</td>
                <td className="change">
                  <pre className="json">{change(e)}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next !== null && (
        <button type="button" disabled={busy} onClick={() => void load(applied, next)}>
          {t('common.more')}
        </button>
      )}
    </section>
  )
}

registerScreen({ id: 'audit', title: 'nav.audit', permission: 'audit.read', component: AuditScreen })
