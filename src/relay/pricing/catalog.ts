import { InvalidAmount, InvalidInput } from '../../shared/errors'
import { toMajorString, type Money } from '../../shared/money'
import type {
  BillingPeriod,
  CheckoutItem,
  PlanCode,
  PlanLimits,
  PricesResponse,
  RechargeRules
} from '../../shared/relay-contract'

// The relay's price list: the only prices a checkout can carry. It mirrors the app's seeded
// catalog (CNY, fen). A client never sends a plan price; for a recharge it names the amount
// to credit, which must satisfy the recharge rules.

export const PLAN_PRICES: Record<Exclude<PlanCode, 'FREE'>, Record<BillingPeriod, number>> = {
  BASIC: { monthly: 2900, quarterly: 7900, yearly: 29900, lifetime: 89900 },
  PREMIUM: { monthly: 5900, quarterly: 15900, yearly: 59900, lifetime: 179900 },
  ENTERPRISE: { monthly: 19900, quarterly: 54900, yearly: 199900, lifetime: 599900 }
}

/** Mirrors the app's seeded catalog (src/main/subscriptions/plans.ts); -1 = unlimited (the app's null). */
export const PLAN_LIMITS: Record<PlanCode, PlanLimits> = {
  FREE: { maxStreams: 1, maxStorageGb: 1, maxAiRequests: 50, maxExportCount: 5 },
  BASIC: { maxStreams: 1, maxStorageGb: 10, maxAiRequests: 1000, maxExportCount: 50 },
  PREMIUM: { maxStreams: 3, maxStorageGb: 50, maxAiRequests: 5000, maxExportCount: 200 },
  ENTERPRISE: { maxStreams: 10, maxStorageGb: 500, maxAiRequests: 50000, maxExportCount: -1 }
}

export const PLAN_NAMES: Record<PlanCode, string> = {
  FREE: '免费版',
  BASIC: '基础版',
  PREMIUM: '高级版',
  ENTERPRISE: '企业版'
}
const PERIOD_NAMES: Record<BillingPeriod, string> = {
  monthly: '月付',
  quarterly: '季付',
  yearly: '年付',
  lifetime: '永久'
}

export const DEFAULT_RECHARGE_RULES: RechargeRules = {
  currency: 'CNY',
  min: 100,
  max: 500_000,
  presets: [1000, 3000, 5000, 10_000, 20_000, 50_000]
}

export interface PricedItem {
  amount: Money
  subject: string
}

/** The amount and subject of what a checkout buys, from the relay's own lists. */
export function priceItem(item: CheckoutItem, rules: RechargeRules = DEFAULT_RECHARGE_RULES): PricedItem {
  if (item.kind === 'plan') {
    if (item.planCode === 'FREE') throw new InvalidInput('the FREE plan cannot be bought', { planCode: 'FREE' })
    const amount = PLAN_PRICES[item.planCode][item.period]
    return {
      amount: { amount, currency: 'CNY' },
      subject: `${PLAN_NAMES[item.planCode]} ${PERIOD_NAMES[item.period]}`
    }
  }
  const { amount, currency } = item.amount
  if (currency !== rules.currency) {
    throw new InvalidAmount(`recharges are in ${rules.currency}`, { currency })
  }
  if (!Number.isInteger(amount) || amount < rules.min || amount > rules.max) {
    throw new InvalidAmount(`recharge must be between ${rules.min} and ${rules.max} minor units`, {
      amount,
      min: rules.min,
      max: rules.max
    })
  }
  return { amount: { amount, currency }, subject: `钱包充值 ${toMajorString({ amount, currency })} 元` }
}

export function priceList(rules: RechargeRules = DEFAULT_RECHARGE_RULES): PricesResponse {
  const plans: PricesResponse['plans'] = []
  for (const planCode of ['FREE', 'BASIC', 'PREMIUM', 'ENTERPRISE'] as const) {
    for (const period of ['monthly', 'quarterly', 'yearly', 'lifetime'] as const) {
      const amount = planCode === 'FREE' ? 0 : PLAN_PRICES[planCode][period]
      plans.push({ planCode, period, price: { amount, currency: 'CNY' }, limits: PLAN_LIMITS[planCode] })
    }
  }
  return { plans, recharge: rules }
}
