import { useState } from 'react'
import { api } from '../../api'
import { Err, fieldError, fromLocalInput, generalText, refusalOf, toLocalInput, wholeNumber, type Refusal, type Say } from '../../form-kit'
import { useLocale, useT } from '../../i18n'
import { messages } from './messages'
import type { CouponView } from './view'

// What an operator with coupons.manage does to one coupon: add a promotion code, change its
// limits, deactivate it (behind a confirm step).

type Open = 'code' | 'limits' | 'deactivate' | undefined

type Key = keyof (typeof messages)['zh-CN']

export function CouponActions(props: { coupon: CouponView; onChanged(message: Say<typeof messages>): void }) {
  const t = useT(messages)
  const locale = useLocale()
  const c = props.coupon
  const [open, setOpen] = useState<Open>()
  const [refusal, setRefusal] = useState<Refusal>()
  // Keys of the messages, worded at render: the language may switch while one shows.
  const [local, setLocal] = useState<Record<string, Key>>({})
  const [busy, setBusy] = useState(false)
  const [code, setCode] = useState({ code: '', totalLimit: '', perAccountLimit: '', validUntil: '' })
  const [limits, setLimits] = useState({
    totalLimit: c.totalLimit === null ? '' : String(c.totalLimit),
    perAccountLimit: c.perAccountLimit === null ? '' : String(c.perAccountLimit),
    validUntil: c.validUntil === null ? '' : toLocalInput(c.validUntil)
  })

  const toggle = (o: Open) => {
    setOpen(open === o ? undefined : o)
    setRefusal(undefined)
    setLocal({})
  }
  const problem = (field: string) => {
    if (local[field]) return t(local[field])
    const relay = fieldError(refusal, field)
    if (relay === undefined) return undefined
    return field === 'code' && /exists already/.test(relay) ? t('code.exists') : t('problem.relay', { reason: relay })
  }
  const run = async (fn: () => Promise<Say<typeof messages>>) => {
    setRefusal(undefined)
    setBusy(true)
    try {
      const message = await fn()
      setOpen(undefined)
      props.onChanged(message)
    } catch (e) {
      setRefusal(refusalOf(e))
    } finally {
      setBusy(false)
    }
  }
  const counts = (values: Record<string, string>, problems: Record<string, Key>) => {
    const out: Record<string, number> = {}
    for (const [k, v] of Object.entries(values)) {
      const n = wholeNumber(v)
      if (n === undefined) continue
      if (Number.isNaN(n) || n < 1) problems[k] = 'problem.whole'
      else out[k] = n
    }
    return out
  }

  const addCode = () => {
    const problems: Record<string, Key> = {}
    if (!/^[A-Za-z0-9_-]{3,40}$/.test(code.code.trim())) problems['code'] = 'code.invalid'
    const n = counts({ totalLimit: code.totalLimit, perAccountLimit: code.perAccountLimit }, problems)
    const until = code.validUntil ? fromLocalInput(code.validUntil) : undefined
    if (code.validUntil && until === undefined) problems['validUntil'] = 'problem.time'
    setLocal(problems)
    if (Object.keys(problems).length) return
    void run(async () => {
      const out = await api<{ code: { code: string } }>('POST', `/v1/admin/coupons/${encodeURIComponent(c.id)}/codes`, {
        code: code.code.trim(),
        ...n,
        ...(until !== undefined ? { validUntil: until } : {})
      })
      setCode({ code: '', totalLimit: '', perAccountLimit: '', validUntil: '' })
      return (t) => t('code.done', { code: out.code.code })
    })
  }

  // The form starts from the coupon's limits: a field left blank lifts that limit (null).
  const saveLimits = () => {
    const problems: Record<string, Key> = {}
    const n = counts({ totalLimit: limits.totalLimit, perAccountLimit: limits.perAccountLimit }, problems)
    const until = limits.validUntil ? fromLocalInput(limits.validUntil) : null
    if (until === undefined) problems['validUntil'] = 'problem.time'
    setLocal(problems)
    if (Object.keys(problems).length) return
    void run(async () => {
      await api('POST', `/v1/admin/coupons/${encodeURIComponent(c.id)}/limits`, {
        totalLimit: n['totalLimit'] ?? null,
        perAccountLimit: n['perAccountLimit'] ?? null,
        validUntil: until
      })
      return (t) => t('limits.done')
    })
  }

  const deactivate = () =>
    void run(async () => {
      const out = await api<{ revokedGrants: number }>('POST', `/v1/admin/coupons/${encodeURIComponent(c.id)}/deactivate`, {})
      return (t) => t('deactivate.done', { id: c.id, n: out.revokedGrants })
    })

  const field = (value: string, name: string, label: string, onChange: (v: string) => void, type = 'text') => (
    <label>
      {label}
      <input name={name} type={type} value={value} onChange={(e) => onChange(e.target.value)} />
      <Err text={problem(name)} />
    </label>
  )

  return (
    <div>
      <div className="row-actions">
        <button type="button" onClick={() => toggle('code')} disabled={!c.active}>
          {t('code.add')}
        </button>
        <button type="button" onClick={() => toggle('limits')} disabled={!c.active}>
          {t('limits.edit')}
        </button>
        <button type="button" onClick={() => toggle('deactivate')} disabled={!c.active}>
          {t('deactivate')}
        </button>
      </div>
      {open === 'code' && (
        <div className="subform" data-testid="code-form">
          {field(code.code, 'code', t('code.code'), (v) => setCode({ ...code, code: v }))}
          {field(code.totalLimit, 'totalLimit', t('code.totalLimit'), (v) => setCode({ ...code, totalLimit: v }))}
          {field(code.perAccountLimit, 'perAccountLimit', t('code.perAccountLimit'), (v) => setCode({ ...code, perAccountLimit: v }))}
          {field(code.validUntil, 'validUntil', t('code.validUntil'), (v) => setCode({ ...code, validUntil: v }), 'datetime-local')}
          <button type="button" className="primary" disabled={busy} onClick={addCode}>
            {t('code.submit')}
          </button>
        </div>
      )}
      {open === 'limits' && (
        <div className="subform" data-testid="limits-form">
          {field(limits.totalLimit, 'totalLimit', t('limits.totalLimit'), (v) => setLimits({ ...limits, totalLimit: v }))}
          {field(limits.perAccountLimit, 'perAccountLimit', t('limits.perAccountLimit'), (v) => setLimits({ ...limits, perAccountLimit: v }))}
          {field(limits.validUntil, 'validUntil', t('limits.validUntil'), (v) => setLimits({ ...limits, validUntil: v }), 'datetime-local')}
          <p className="hint">{t('limits.hint')}</p>
          <button type="button" className="primary" disabled={busy} onClick={saveLimits}>
            {t('limits.submit')}
          </button>
        </div>
      )}
      {open === 'deactivate' && (
        <div className="confirm" role="dialog">
          <p>{t('deactivate.confirm', { id: c.id })}</p>
          <button type="button" className="primary" disabled={busy} onClick={deactivate}>
            {t('deactivate.yes')}
          </button>
          <button type="button" onClick={() => toggle(undefined)}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      {open && <Err text={generalText(refusal, locale)} />}
    </div>
  )
}
