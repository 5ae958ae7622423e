import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../src/shared/errors'
import {
  CANCEL_REASONS,
  CHECKOUT_STATUSES,
  PAID_FEATURES,
  PAYMENT_KINDS,
  PAYMENT_STATUSES,
  PAYMENT_METHODS,
  PERIODS,
  QUOTA_FEATURES,
  SUBSCRIPTION_STATUSES,
  SYNC_WARNINGS,
  TIERS,
  WALLET_ENTRY_TYPES,
  planLimitsSchema
} from '../../src/shared/ipc/contract'
import { en } from '../../src/renderer/src/i18n/en'
import { zhCN } from '../../src/renderer/src/i18n/zh-CN'
import { errorText, formatCount, formatDate, translate } from '../../src/renderer/src/i18n'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('i18n dictionaries', () => {
  it('zh-CN and en have the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort())
  })

  it('each key has the same placeholders in both languages, and no empty text', () => {
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(zhCN[key]))
      expect(zhCN[key].trim(), key).not.toBe('')
      expect(en[key].trim(), key).not.toBe('')
    }
  })

  it('every code that comes from the contract has words', () => {
    const need = [
      ...ERROR_CODES.map((c) => `error.${c}`),
      ...WALLET_ENTRY_TYPES.map((c) => `entry.${c}`),
      ...PAYMENT_METHODS.map((c) => `method.${c}`),
      ...PAYMENT_KINDS.map((c) => `payment.kind.${c}`),
      ...PAYMENT_STATUSES.map((c) => `payment.status.${c}`),
      ...TIERS.map((c) => `plans.tier.${c}`),
      ...PERIODS.flatMap((c) => [`plans.period.${c}`, `plans.price.${c}`]),
      ...SUBSCRIPTION_STATUSES.map((c) => `plans.status.${c}`),
      ...CANCEL_REASONS.map((c) => `plans.reason.${c}`),
      ...Object.keys(planLimitsSchema.shape).map((c) => `plans.limit.${c}`),
      ...QUOTA_FEATURES.map((c) => `usage.feature.${c}`),
      ...PAID_FEATURES.map((c) => `gate.feature.${c}`),
      ...SYNC_WARNINGS.map((c) => `status.warning.${c}`),
      ...CHECKOUT_STATUSES.filter((s) => s !== 'pending').map((c) => `checkout.${c}`)
    ]
    const missing = need.filter((k) => !(k in zhCN))
    expect(missing).toEqual([])
  })

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'recharge.submit', { amount: 'CN¥5.00' })).toBe('Pay CN¥5.00')
    expect(translate('zh-CN', 'recharge.submit')).toBe('支付 {amount}')
  })

  it('English plurals by the number; counts with separators; dates that read one way', () => {
    expect(translate('en', 'gate.roomsFull', { limit: 1 })).toBe('Your plan allows 1 live room at once, and it is in use. End a running session or upgrade your plan.')
    expect(translate('en', 'gate.roomsFull', { limit: 3 })).toBe('Your plan allows 3 live rooms at once, and all are in use. End a running session or upgrade your plan.')
    expect(translate('zh-CN', 'gate.roomsFull', { limit: 3 })).toContain('3 个直播间')
    expect(formatCount(50000, 'zh-CN')).toBe('50,000')
    expect(formatCount(50000, 'en')).toBe('50,000')
    const d = Date.UTC(2026, 2, 4, 4)
    expect(formatDate(d, 'en')).toBe('4 Mar 2026')
    expect(formatDate(d, 'zh-CN')).toBe('2026/03/04')
  })

  it('an error naming a method says it by its name', () => {
    const t = (locale: 'zh-CN' | 'en') => (k: Parameters<typeof translate>[1], v?: Parameters<typeof translate>[2]) => translate(locale, k, v)
    const error = { code: 'METHOD_UNAVAILABLE' as const, message: 'alipay is not enabled', details: { method: 'alipay' } }
    expect(errorText(t('zh-CN'), error)).toBe('支付宝暂未开通，请换一种支付方式')
    expect(errorText(t('en'), error)).toBe('Alipay is not available yet. Please choose another payment method.')
  })

  it('says why a transition was refused where the dictionary knows the case (a checkout already paid), else the general text', () => {
    const t = (locale: 'zh-CN' | 'en') => (k: Parameters<typeof translate>[1], v?: Parameters<typeof translate>[2]) => translate(locale, k, v)
    const paid = { code: 'INVALID_TRANSITION' as const, message: 'checkout cannot go from paid to cancelled', details: { entity: 'checkout', from: 'paid', to: 'cancelled' } }
    expect(errorText(t('zh-CN'), paid)).toBe('这笔订单已经付款，不能取消；款项会在下次同步后到账。')
    expect(errorText(t('en'), paid)).toBe('This order is already paid and cannot be cancelled; the payment shows up after the next sync.')
    const other = { ...paid, details: { entity: 'checkout', from: 'expired', to: 'cancelled' } }
    expect(errorText(t('zh-CN'), other)).toBe('当前状态下不能进行此操作')
  })
})
