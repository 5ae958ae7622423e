import { useId, useState } from 'react'
import { PromotionCodeSchema } from '../../../shared/billing/coupons'
import type { ErrorInfo } from '../../../shared/errors'
import { useI18n } from '../context'
import { errorText } from '../i18n'
import type { LiveQuote } from './quotes'

/**
 * A promotion code for a checkout: typed, applied, and beside it what the relay's quote says
 * (the coupon taken, or why it does not apply and what to do). The parent asks for the quote
 * with the applied code and passes back its `refusal` or `error`.
 */
export function CouponField({
  applied,
  onApply,
  checking,
  coupon,
  refusal,
  error
}: {
  applied: string | null
  onApply: (code: string | null) => void
  checking: boolean
  coupon: LiveQuote['coupon'] | null
  refusal: LiveQuote['refusal'] | null
  error: ErrorInfo | null
}): React.JSX.Element {
  const { t } = useI18n()
  const [text, setText] = useState(applied ?? '')
  const [badFormat, setBadFormat] = useState(false)
  const ids = { input: useId(), hint: useId(), problem: useId() }
  const apply = (): void => {
    const parsed = PromotionCodeSchema.safeParse(text)
    setBadFormat(!parsed.success)
    onApply(parsed.success ? parsed.data : null)
  }
  const problem = badFormat ? t('coupon.refusal.unknown') : refusal ? t(`coupon.refusal.${refusal.code}`) : error ? errorText(t, error) : ''
  return (
    <div className="field coupon-field">
      <label htmlFor={ids.input}>{t('coupon.label')}</label>
      <div className="inline">
        <input
          id={ids.input}
          autoComplete="off"
          spellCheck={false}
          value={text}
          aria-describedby={`${ids.hint} ${ids.problem}`}
          aria-invalid={problem ? true : undefined}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault()
              apply()
            }
          }}
        />
        <button type="button" onClick={apply} disabled={!text.trim()}>
          {t('coupon.apply')}
        </button>
        {applied && (
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setText('')
              setBadFormat(false)
              onApply(null)
            }}
          >
            {t('coupon.remove')}
          </button>
        )}
      </div>
      <span id={ids.hint} className="muted">
        {checking ? t('coupon.checking') : coupon ? t('coupon.quote.applied', { name: coupon.name }) : t('coupon.hint')}
      </span>
      <span id={ids.problem} className="error" aria-live="polite" role={problem ? 'alert' : undefined} data-testid="coupon-problem">
        {problem}
      </span>
    </div>
  )
}

/** The quote's lines: list price, discount, total, and a recharge's bonus. */
export function QuoteBreakdown({ quote }: { quote: LiveQuote }): React.JSX.Element {
  const { t, money } = useI18n()
  return (
    <dl className="quote" data-testid="quote">
      <dt>{t('coupon.quote.list', { price: money(quote.listPrice) })}</dt>
      {quote.discount.amount > 0 && <dd className="discount">{t('coupon.quote.discount', { amount: money(quote.discount) })}</dd>}
      <dd className="total">{t('coupon.quote.total', { total: money(quote.total) })}</dd>
      {quote.bonus && quote.bonus.amount > 0 && <dd className="bonus">{t('coupon.quote.bonus', { bonus: money(quote.bonus) })}</dd>}
    </dl>
  )
}
