import { useState, type FormEvent } from 'react'
import type { ConsoleOrder } from '../../../shared/console/api'
import { CURRENCIES, parseMoney, type Money } from '../../../shared/money'
import { api, ConsoleApiError, type ErrorInfo } from '../../api'
import { errorText, money, useLocale, useT, type ConsoleLocale, type T } from '../../i18n'
import { messages, type OrdersKey } from './messages'

// A refund of the order through its provider (POST /v1/console/orders/:orderNo/refunds), for an
// operator with refunds.create. The refund key is made once per form: a double click, a retry
// after a timeout or a provider error all send the same key, and the relay makes them one refund.
// A new key only for a new refund: after one is made, or when the amount changes after a refusal
// (the relay refuses a key reused for another amount).

/** The relay's RefundView (src/relay/refunds/desk.ts). */
export interface RefundResult {
  refundKey: string
  orderNo: string
  amount: Money
  state: 'requested' | 'pending' | 'succeeded' | 'failed'
  providerRefundId: string | null
  error: string | null
  reason: string
  requestedBy: string
  createdAt: number
}

const newKey = (): string => crypto.randomUUID()

/** What is wrong and where; its words are made at render, so a language switch changes them too. */
type Problem = { field: 'amount' | 'reason' | 'form'; text(t: T<OrdersKey>, locale: ConsoleLocale): string }

export function RefundForm({ order, left, onRefunded, onStale }: { order: ConsoleOrder; left: Money; onRefunded(result: RefundResult): void; onStale(): void }) {
  const t = useT(messages)
  const locale = useLocale()
  const [key, setKey] = useState(newKey)
  const [mode, setMode] = useState<'full' | 'partial'>('full')
  const [amountText, setAmountText] = useState('')
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<Problem>()
  const [failedOnce, setFailedOnce] = useState(false)
  const [result, setResult] = useState<RefundResult>()

  /** The amount changed after a refusal: that is another refund, with a key of its own. */
  const changed = () => {
    if (failedOnce) {
      setKey(newKey())
      setFailedOnce(false)
    }
  }

  const submit = async (e?: FormEvent) => {
    e?.preventDefault()
    if (busy) return
    const checked = check(mode, amountText, reason, left)
    if ('field' in checked) return setProblem(checked)
    setProblem(undefined)
    setResult(undefined)
    setBusy(true)
    try {
      const body = { ...(checked.amount ? { amount: checked.amount } : {}), reason: reason.trim(), refundKey: key }
      const { refund } = await api<{ refund: RefundResult }>('POST', `/v1/console/orders/${encodeURIComponent(order.orderNo)}/refunds`, body)
      setResult(refund)
      if (refund.state === 'succeeded' || refund.state === 'pending') {
        // Made: the form is a new one, for another refund.
        setKey(newKey())
        setFailedOnce(false)
        setAmountText('')
        setReason('')
        setMode('full')
      } else setFailedOnce(true)
      onRefunded(refund)
    } catch (err) {
      const info: ErrorInfo = err instanceof ConsoleApiError ? err.info : { code: 'INTERNAL', message: String(err) }
      if (info.code === 'IDEMPOTENCY_CONFLICT') setKey(newKey())
      else setFailedOnce(true)
      setProblem(refusal(info, order.amount.currency))
      // What this page knew of the order is out of date (another refund, a state change): read it again.
      if (info.code === 'INVALID_AMOUNT' || info.code === 'INVALID_TRANSITION') onStale()
    } finally {
      setBusy(false)
    }
  }

  const fieldError = (field: Problem['field']) =>
    problem?.field === field && (
      <p className="error" role="alert" data-testid={`refund-error-${field}`}>
        {problem.text(t, locale)}
      </p>
    )
  const retryable = problem?.field === 'form' && failedOnce

  return (
    <form className="card refund" onSubmit={(e) => void submit(e)} data-testid="refund-form" aria-busy={busy}>
      <h2>{t('refund.title')}</h2>
      <fieldset className="choice">
        <label className="inline">
          <input type="radio" name="mode" value="full" checked={mode === 'full'} onChange={() => (setMode('full'), changed())} />
          {t('refund.full', { left: money(left, locale) })}
        </label>
        <label className="inline">
          <input type="radio" name="mode" value="partial" checked={mode === 'partial'} onChange={() => (setMode('partial'), changed())} />
          {t('refund.partial')}
        </label>
      </fieldset>
      {mode === 'partial' && (
        <label>
          {t('refund.amount', { currency: order.amount.currency })}
          <input
            name="amount"
            inputMode="decimal"
            value={amountText}
            onChange={(e) => {
              setAmountText(e.target.value)
              changed()
            }}
            aria-invalid={problem?.field === 'amount'}
          />
        </label>
      )}
      {fieldError('amount')}
      <label>
        {t('refund.reason')}
        <textarea name="reason" rows={2} maxLength={200} value={reason} placeholder={t('refund.reason.placeholder')} onChange={(e) => setReason(e.target.value)} aria-invalid={problem?.field === 'reason'} />
      </label>
      {fieldError('reason')}
      <p className="hint">
        {t('refund.key')}
        <br />
        <code className="mono" data-testid="refund-key">
          {key}
        </code>
      </p>
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? t('refund.submitting') : retryable ? t('refund.retry') : t('refund.submit')}
        </button>
      </div>
      {fieldError('form')}
      {result && (
        <p className={result.state === 'failed' ? 'error' : 'result'} role="status" data-testid="refund-result" data-state={result.state}>
          {t(`refund.result.${result.state}`, { amount: money(result.amount, locale), error: result.error ?? '' })}
        </p>
      )}
    </form>
  )
}

/** The form's amount (undefined: all that is left) and reason, or what is wrong with them. */
function check(mode: 'full' | 'partial', text: string, reason: string, left: Money): { amount?: Money } | Problem {
  let amount: Money | undefined
  if (mode === 'partial') {
    try {
      amount = parseMoney(text, left.currency)
    } catch {
      return { field: 'amount', text: (t) => t('refund.bad.amount', { digits: CURRENCIES[left.currency] }) }
    }
    if (amount.amount <= 0) return { field: 'amount', text: (t) => t('refund.bad.zero') }
    if (amount.amount > left.amount) return { field: 'amount', text: (t, locale) => t('refund.bad.tooMuch', { left: money(left, locale) }) }
  }
  const r = reason.trim()
  if (r.length < 3 || r.length > 200) return { field: 'reason', text: (t) => t('refund.bad.reason') }
  return amount ? { amount } : {}
}

/** A refusal in the console's words, beside the field it is about. */
function refusal(info: ErrorInfo, currency: Money['currency']): Problem {
  const d = info.details ?? {}
  const relays = (_t: T<OrdersKey>, locale: ConsoleLocale) => errorText(info, locale)
  switch (info.code) {
    case 'INVALID_AMOUNT':
      return {
        field: 'amount',
        text: (t, locale) =>
          t('refund.refused.INVALID_AMOUNT', {
            left: money({ amount: Number(d['left'] ?? 0), currency }, locale),
            refunded: money({ amount: Number(d['refunded'] ?? 0), currency }, locale)
          })
      }
    case 'INVALID_INPUT':
      return d['field'] === 'reason' ? { field: 'reason', text: (t) => t('refund.bad.reason') } : { field: 'form', text: relays }
    case 'UNAVAILABLE':
      return { field: 'form', text: (t) => t('refund.refused.UNAVAILABLE', { message: info.message }) }
    case 'IDEMPOTENCY_CONFLICT':
    case 'METHOD_UNAVAILABLE':
    case 'INVALID_TRANSITION':
    case 'CURRENCY_MISMATCH': {
      const key = `refund.refused.${info.code}` as const
      return { field: 'form', text: (t) => t(key) }
    }
    default:
      return { field: 'form', text: relays }
  }
}
