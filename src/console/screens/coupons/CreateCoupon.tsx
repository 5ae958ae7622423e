import { useState } from 'react'
import { BILLING_PERIODS } from '../../../shared/catalog/periods'
import { PLAN_CODES } from '../../../shared/catalog/plans'
import { parseMoney } from '../../../shared/money'
import { api } from '../../api'
import { Err, fieldError, fromLocalInput, generalText, refusalOf, wholeNumber, type Refusal } from '../../form-kit'
import { useLocale, useT } from '../../i18n'
import { messages } from './messages'

// The new coupon's form, read into the relay's coupon input (src/relay/coupons/definitions.ts):
// amounts in fen from yuan by parseMoney, a percent as a decimal string, times in Beijing time.

const PAID = PLAN_CODES.filter((c) => c !== 'FREE')
type Problem = 'money' | 'percent' | 'whole' | 'time' | 'plans' | 'perAccount' | 'order' | 'idExists'

const blank = {
  id: '',
  name: '',
  kind: 'percent' as 'percent' | 'amount',
  percent: '',
  amount: '',
  minimum: '',
  maxDiscount: '',
  totalLimit: '',
  perAccountLimit: '',
  firstPurchaseOnly: false,
  validFrom: '',
  validUntil: '',
  plans: 'all' as 'all' | 'some',
  /** The plans chosen, each with one period or '' for every period of it. */
  chosen: {} as Record<string, string>,
  recharge: false,
  duration: 'once' as 'once' | 'repeating' | 'forever',
  periods: '3'
}

export function CreateCoupon(props: { onCreated(id: string): void; onCancel(): void }) {
  const t = useT(messages)
  const locale = useLocale()
  const [f, setF] = useState(blank)
  const [local, setLocal] = useState<Record<string, Problem>>({})
  const [refusal, setRefusal] = useState<Refusal>()
  const [busy, setBusy] = useState(false)
  const set = (patch: Partial<typeof blank>) => setF({ ...f, ...patch })
  const problem = (field: string) => {
    if (local[field]) return t(`problem.${local[field]}`)
    const relay = fieldError(refusal, field)
    if (relay === undefined) return undefined
    return field === 'id' && /exists already/.test(relay) ? t('problem.idExists') : t('problem.relay', { reason: relay })
  }

  const read = (): { input?: Record<string, unknown>; problems: Record<string, Problem> } => {
    const problems: Record<string, Problem> = {}
    const fen = (text: string, field: string, optional: boolean) => {
      if (optional && text.trim() === '') return undefined
      try {
        return parseMoney(text, 'CNY')
      } catch {
        problems[field] = 'money'
        return undefined
      }
    }
    const count = (text: string, field: string) => {
      const n = wholeNumber(text)
      if (n !== undefined && (Number.isNaN(n) || n < 1)) problems[field] = 'whole'
      return n === undefined || Number.isNaN(n) ? undefined : n
    }
    const at = (text: string, field: string) => {
      if (text === '') return undefined
      const ms = fromLocalInput(text)
      if (ms === undefined) problems[field] = 'time'
      return ms
    }
    const percentOk = /^\d{1,3}(\.\d{1,4})?$/.test(f.percent.trim()) && Number(f.percent) > 0 && Number(f.percent) <= 100
    if (f.kind === 'percent' && !percentOk) problems['off.percent'] = 'percent'
    const off = f.kind === 'percent' ? { kind: 'percent', percent: f.percent.trim() } : { kind: 'amount', amount: fen(f.amount, 'off.amount', false) }
    if (f.plans === 'some' && Object.keys(f.chosen).length === 0 && !f.recharge) problems['appliesTo'] = 'plans'
    const periods = f.duration === 'repeating' ? count(f.periods, 'duration.periods') : undefined
    const input: Record<string, unknown> = {
      ...(f.id.trim() ? { id: f.id.trim() } : {}),
      name: f.name,
      off,
      minimum: fen(f.minimum, 'minimum', true),
      maxDiscount: fen(f.maxDiscount, 'maxDiscount', true),
      totalLimit: count(f.totalLimit, 'totalLimit'),
      perAccountLimit: count(f.perAccountLimit, 'perAccountLimit'),
      firstPurchaseOnly: f.firstPurchaseOnly,
      validFrom: at(f.validFrom, 'validFrom'),
      validUntil: at(f.validUntil, 'validUntil'),
      appliesTo: {
        plans: f.plans === 'all' ? 'all' : Object.entries(f.chosen).map(([planCode, period]) => (period ? { planCode, period } : { planCode })),
        recharge: f.recharge
      },
      duration: f.duration === 'repeating' ? { kind: 'repeating', periods } : { kind: f.duration }
    }
    const [total, perAccount] = [input['totalLimit'], input['perAccountLimit']] as (number | undefined)[]
    if (total !== undefined && perAccount !== undefined && perAccount > total) problems['perAccountLimit'] = 'perAccount'
    const [from, until] = [input['validFrom'], input['validUntil']] as (number | undefined)[]
    if (from !== undefined && until !== undefined && until <= from) problems['validUntil'] = 'order'
    // JSON drops the undefined ones: an optional field left blank is not sent.
    return { input: JSON.parse(JSON.stringify(input)) as Record<string, unknown>, problems }
  }

  const submit = async () => {
    setRefusal(undefined)
    const { input, problems } = read()
    setLocal(problems)
    if (Object.keys(problems).length) return
    setBusy(true)
    try {
      const out = await api<{ coupon: { id: string } }>('POST', '/v1/admin/coupons', input)
      props.onCreated(out.coupon.id)
    } catch (e) {
      setRefusal(refusalOf(e))
    } finally {
      setBusy(false)
    }
  }

  const text = (field: keyof typeof blank, label: string, errorField: string = field, type = 'text') => (
    <label>
      {label}
      <input name={field} type={type} value={f[field] as string} onChange={(e) => set({ [field]: e.target.value })} />
      <Err text={problem(errorField)} />
    </label>
  )

  return (
    <section className="card manage" data-testid="coupon-create">
      <h2>{t('create.title')}</h2>
      <div className="grid">
        {text('name', t('create.name'))}
        {text('id', t('create.id'))}
        <label>
          {t('create.kind')}
          <select name="kind" value={f.kind} onChange={(e) => set({ kind: e.target.value as 'percent' | 'amount' })}>
            <option value="percent">{t('create.kind.percent')}</option>
            <option value="amount">{t('create.kind.amount')}</option>
          </select>
        </label>
        {f.kind === 'percent' ? text('percent', t('create.percent'), 'off.percent') : text('amount', t('create.amount'), 'off.amount')}
        {text('minimum', t('create.minimum'))}
        {text('maxDiscount', t('create.maxDiscount'))}
        {text('totalLimit', t('create.totalLimit'))}
        {text('perAccountLimit', t('create.perAccountLimit'))}
        {text('validFrom', t('create.validFrom'), 'validFrom', 'datetime-local')}
        {text('validUntil', t('create.validUntil'), 'validUntil', 'datetime-local')}
        <label className="inline">
          <input type="checkbox" name="firstPurchaseOnly" checked={f.firstPurchaseOnly} onChange={(e) => set({ firstPurchaseOnly: e.target.checked })} />
          {t('create.firstPurchaseOnly')}
        </label>
      </div>
      <h3>{t('create.appliesTo')}</h3>
      <div className="toolbar">
        <label className="inline">
          <input type="radio" name="plans" checked={f.plans === 'all'} onChange={() => set({ plans: 'all' })} />
          {t('create.allPlans')}
        </label>
        <label className="inline">
          <input type="radio" name="plans" checked={f.plans === 'some'} onChange={() => set({ plans: 'some' })} />
          {t('create.somePlans')}
        </label>
        {f.plans === 'some' &&
          PAID.map((code) => (
            <span className="inline-group" key={code}>
              <label className="inline">
                <input
                  type="checkbox"
                  name={`plan-${code}`}
                  checked={code in f.chosen}
                  onChange={(e) => {
                    const { [code]: _dropped, ...others } = f.chosen
                    set({ chosen: e.target.checked ? { ...f.chosen, [code]: '' } : others })
                  }}
                />
                {code}
              </label>
              {code in f.chosen && (
                <select name={`period-${code}`} value={f.chosen[code]} onChange={(e) => set({ chosen: { ...f.chosen, [code]: e.target.value } })}>
                  <option value="">{t('create.allPeriods')}</option>
                  {BILLING_PERIODS.map((p) => (
                    <option key={p} value={p}>
                      {t(`period.${p}`)}
                    </option>
                  ))}
                </select>
              )}
            </span>
          ))}
        <label className="inline">
          <input type="checkbox" name="recharge" checked={f.recharge} onChange={(e) => set({ recharge: e.target.checked })} />
          {t('create.recharge')}
        </label>
        <Err text={problem('appliesTo')} />
      </div>
      <h3>{t('create.duration')}</h3>
      <div className="toolbar">
        {(['once', 'repeating', 'forever'] as const).map((d) => (
          <label className="inline" key={d}>
            <input type="radio" name="duration" checked={f.duration === d} onChange={() => set({ duration: d })} />
            {t(`create.duration.${d}`)}
          </label>
        ))}
        {f.duration === 'repeating' && text('periods', t('create.periods'), 'duration.periods')}
      </div>
      <div className="toolbar">
        <button type="button" className="primary" disabled={busy} onClick={() => void submit()}>
          {t('create.submit')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
        <Err text={generalText(refusal, locale)} testId="coupon-create-error" />
      </div>
    </section>
  )
}
