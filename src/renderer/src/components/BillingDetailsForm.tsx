import { useEffect, useState } from 'react'
import { BillingDetailsSchema } from '../../../shared/billing/invoices'
import { taxpayerIdProblem } from '../../../shared/billing/taxpayer-id'
import { useI18n, useS } from '../context'
import { hasKey, type MessageKey } from '../i18n'
import { ErrorNote } from './ErrorNote'
import { TextField } from './TextField'

// 开票信息: checked here with the relay's own schema (BillingDetailsSchema), each field's problem
// beside it; main checks again and the relay stores it.

const FIELDS = ['title', 'taxpayerId', 'email', 'address', 'phone', 'bank', 'bankAccount'] as const
type Field = (typeof FIELDS)[number]
type Form = { type: 'personal' | 'company' } & Record<Field, string>

const EMPTY: Form = { type: 'personal', title: '', taxpayerId: '', email: '', address: '', phone: '', bank: '', bankAccount: '' }

/** The form as the schema reads it: blank optional fields left out. */
function detailsOf(f: Form): Record<string, string> {
  const out: Record<string, string> = { type: f.type }
  for (const k of FIELDS) if (f[k].trim() !== '') out[k] = f[k]
  return out
}

/** Each field's first problem, as a message key. */
export function fieldProblems(f: Form): Partial<Record<Field, MessageKey>> {
  const r = BillingDetailsSchema.safeParse(detailsOf(f))
  if (r.success) return {}
  const out: Partial<Record<Field, MessageKey>> = {}
  // The schema checks the taxpayer id only once the other fields pass; the form says it at once, by the same rule.
  const id = f.taxpayerId.trim().toUpperCase()
  const idProblem = id ? taxpayerIdProblem(id) : f.type === 'company' ? 'required' : null
  if (idProblem) out.taxpayerId = `billing.error.taxpayer_id_${idProblem}`
  for (const issue of r.error.issues) {
    const field = issue.path[0] as Field
    if (out[field]) continue
    const own = `billing.error.${issue.message}`
    out[field] = hasKey(own) ? own : issue.code === 'too_big' ? 'billing.error.tooLong' : hasKey(`billing.error.${field}`) ? (`billing.error.${field}` as MessageKey) : 'billing.error.invalid'
  }
  return out
}

export function BillingDetailsForm(): React.JSX.Element {
  const { t } = useI18n()
  const { details, detailsLoaded, detailsError, detailsSaved, loadDetails, saveDetails } = useS('invoices', (s) => s)
  const [form, setForm] = useState<Form>(EMPTY)
  const [submitted, setSubmitted] = useState(false)
  useEffect(() => {
    void loadDetails()
  }, [loadDetails])
  useEffect(() => {
    if (details) setForm({ ...EMPTY, ...details } as Form)
  }, [details])
  const problems = submitted ? fieldProblems(form) : {}
  const set = (k: keyof Form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value })
  const field = (k: Field, label: MessageKey, hint: MessageKey | '' = '', extra: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <TextField
      label={t(label)}
      hint={hint ? t(hint) : ''}
      problem={problems[k] ? t(problems[k]) : ''}
      value={form[k]}
      onChange={set(k)}
      name={k}
      autoComplete="off"
      {...extra}
    />
  )
  return (
    <section className="card" aria-labelledby="billing-title">
      <h2 id="billing-title">{t('billing.title')}</h2>
      <p className="muted">{t('billing.hint')}</p>
      {!detailsLoaded && <p>{t('common.loading')}</p>}
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          setSubmitted(true)
          if (Object.keys(fieldProblems(form)).length === 0) void saveDetails(detailsOf(form))
        }}
      >
        <fieldset className="chips">
          <legend>{t('billing.type')}</legend>
          {(['personal', 'company'] as const).map((ty) => (
            <label key={ty} className={`chip ${form.type === ty ? 'chip-on' : ''}`}>
              <input type="radio" name="type" value={ty} checked={form.type === ty} onChange={() => setForm({ ...form, type: ty })} />
              {t(`billing.type.${ty}`)}
            </label>
          ))}
        </fieldset>
        {field('title', 'billing.name', 'billing.nameHint')}
        {field('taxpayerId', 'billing.taxpayerId', 'billing.taxpayerIdHint', { spellCheck: false })}
        {field('email', 'billing.email', 'billing.emailHint', { type: 'email', inputMode: 'email' })}
        <p className="muted">{t('billing.specialHint')}</p>
        {field('address', 'billing.address')}
        {field('phone', 'billing.phone', '', { inputMode: 'tel' })}
        {field('bank', 'billing.bank')}
        {field('bankAccount', 'billing.bankAccount', '', { inputMode: 'numeric' })}
        <button type="submit" className="primary">
          {t('billing.save')}
        </button>
        {detailsSaved && (
          <p className="success" role="status">
            {t('billing.saved')}
          </p>
        )}
        <ErrorNote error={detailsError} />
      </form>
    </section>
  )
}
