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
import { CATALOG_CURRENCY, catalogPlan, PLAN_TIERS } from '../../shared/catalog'

// The relay's price list: the only prices a checkout can carry. The data is the shared plan
// catalog (src/shared/catalog), the same one the app seeds its plans from. A client
// never sends a plan price; for a recharge it names the amount to credit, which must satisfy
// the recharge rules.

export const PLAN_LIMITS: Record<PlanCode, PlanLimits> = Object.fromEntries(
  PLAN_TIERS.map((t) => [t.code, t.limits])
) as Record<PlanCode, PlanLimits>

export const PLAN_NAMES: Record<PlanCode, string> = Object.fromEntries(PLAN_TIERS.map((t) => [t.code, t.name])) as Record<
  PlanCode,
  string
>

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
    const plan = catalogPlan(item.planCode, item.period)
    if (!plan) throw new InvalidInput(`${item.planCode} is not sold ${item.period}`, { planCode: item.planCode, period: item.period })
    return {
      amount: { amount: plan.price, currency: CATALOG_CURRENCY },
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
      // FREE is listed at 0 for every period (a lease may name any); paid tiers at their catalog price.
      const amount = planCode === 'FREE' ? 0 : (catalogPlan(planCode, period)?.price ?? null)
      if (amount === null) continue
      plans.push({ planCode, period, price: { amount, currency: 'CNY' }, limits: PLAN_LIMITS[planCode] })
    }
  }
  return { plans, recharge: rules }
}
