import { ErrorNote } from './ErrorNote'
import { useEffect, useId, useState } from 'react'
import { InvalidAmount } from '../../../shared/errors'
import type { PaymentMethod, RechargeOptions } from '../../../shared/ipc/types'
import { parseMoney, toMajorString, type Money } from '../../../shared/money'
import { useI18n, useS } from '../context'
import type { MessageKey } from '../i18n'
import { CouponField, QuoteBreakdown } from './CouponField'
import { quoteKey, useLiveQuotes } from './quotes'

type Check = { money: Money } | { problem: MessageKey; vars?: Record<string, string> }

/** The amount the user picked, checked against the relay's limits before anything is sent. */
function checkAmount(
  text: string,
  options: RechargeOptions,
  fmt: (m: Money) => string
): Check {
  if (!text.trim()) return { problem: 'recharge.chooseAmount' }
  let m: Money
  try {
    m = parseMoney(text, options.min.currency)
  } catch (err) {
    if (err instanceof InvalidAmount) return { problem: 'recharge.invalidAmount' }
    throw err
  }
  if (m.amount < options.min.amount) return { problem: 'recharge.belowMin', vars: { min: fmt(options.min) } }
  if (m.amount > options.max.amount) return { problem: 'recharge.aboveMax', vars: { max: fmt(options.max) } }
  return { money: m }
}

export function RechargePanel(): React.JSX.Element {
  const { t, money } = useI18n()
  const options = useS('wallet', (s) => s.options)
  const optionsError = useS('wallet', (s) => s.optionsError)
  const prefill = useS('settings', (s) => s.rechargePrefill)
  const clearPrefill = useS('settings', (s) => s.clearPrefill)
  const start = useS('checkout', (s) => s.start)
  const phase = useS('checkout', (s) => s.phase)
  const refused = useS('checkout', (s) => (s.phase === 'error' && s.purpose === 'recharge' ? s.error : null))
  const [text, setText] = useState('')
  const [method, setMethod] = useState<PaymentMethod>('alipay')
  const [touched, setTouched] = useState(false)
  const [code, setCode] = useState<string | null>(null)
  const amountOk = options ? checkAmount(text, options, money) : null
  const purposes = amountOk && 'money' in amountOk ? [{ kind: 'recharge' as const, amount: amountOk.money }] : []
  // The relay's live price of this amount (its bonus), with the code when one is applied.
  const quotes = useLiveQuotes(purposes, code)
  const answer = purposes[0] && quotes ? quotes[quoteKey(purposes[0])] : undefined
  const quote = answer?.ok ? answer.value : null
  const ids = { custom: useId(), hint: useId(), problem: useId() }

  // Sent here by the gate or a plan with a shortfall: top up at least that, within limits.
  useEffect(() => {
    if (prefill && options) {
      const amount = Math.min(Math.max(prefill.amount, options.min.amount), options.max.amount)
      setText(toMajorString({ amount, currency: options.min.currency }))
      setTouched(true)
      clearPrefill()
    }
  }, [prefill, options, clearPrefill])

  if (!options) {
    return (
      <section className="card">
        <h2>{t('recharge.title')}</h2>
        {optionsError ? <p role="alert">{t('recharge.optionsUnavailable')}</p> : <p>{t('common.loading')}</p>}
      </section>
    )
  }
  const check = checkAmount(text, options, money)
  const busy = phase === 'creating' || phase === 'waiting'
  const submit = (e: React.FormEvent): void => {
    e.preventDefault()
    setTouched(true)
    // A refused code is not sent: the checkout would be refused the same way.
    if ('money' in check) void start(method, { kind: 'recharge', amount: check.money }, code && quote?.coupon ? code : undefined)
  }
  return (
    <section className="card">
      <h2>{t('recharge.title')}</h2>
      <form onSubmit={submit} noValidate>
        <fieldset className="chips">
          <legend>{t('recharge.amount')}</legend>
          {options.presets.map((p) => {
            const major = toMajorString(p)
            return (
              <label key={p.amount} className={`chip ${text === major ? 'chip-on' : ''}`}>
                <input
                  type="radio"
                  name="preset"
                  value={major}
                  checked={text === major}
                  onChange={() => {
                    setText(major)
                    setTouched(true)
                  }}
                />
                {money(p)}
              </label>
            )
          })}
        </fieldset>
        <div className="field">
          <label htmlFor={ids.custom}>{t('recharge.custom')}</label>
          <input
            id={ids.custom}
            inputMode="decimal"
            autoComplete="off"
            value={text}
            aria-describedby={`${ids.hint} ${ids.problem}`}
            aria-invalid={touched && 'problem' in check}
            onChange={(e) => {
              setText(e.target.value)
              setTouched(true)
            }}
          />
          <span id={ids.hint} className="muted">
            {t('recharge.customHint', { min: money(options.min), max: money(options.max) })}
          </span>
          <span id={ids.problem} className="error" role={touched && 'problem' in check ? 'alert' : undefined}>
            {touched && 'problem' in check ? t(check.problem, check.vars) : ''}
          </span>
        </div>
        <CouponField
          applied={code}
          onApply={setCode}
          checking={purposes.length > 0 && code !== null && !quotes}
          coupon={quote?.coupon ?? null}
          refusal={code ? (quote?.refusal ?? null) : null}
          error={code && answer && !answer.ok ? answer.error : null}
        />
        {quote && <QuoteBreakdown quote={quote} />}
        <fieldset className="chips">
          <legend>{t('recharge.method')}</legend>
          {options.methods.map((m) => (
            <label key={m} className={`chip ${method === m ? 'chip-on' : ''}`}>
              <input type="radio" name="method" value={m} checked={method === m} onChange={() => setMethod(m)} />
              {t(`method.${m}`)}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="primary" disabled={busy || !('money' in check)}>
          {'money' in check ? t('recharge.submit', { amount: money(quote?.coupon ? quote.total : check.money) }) : t('recharge.chooseAmount')}
        </button>
        <ErrorNote error={refused} />
      </form>
    </section>
  )
}
