import { InvalidAmount, InvalidInput } from '../../shared/errors'
import { toMajorString, type Money } from '../../shared/money'
import type { BillingPeriod, CheckoutItem, PricesResponse, RechargeRules } from '../../shared/relay-contract'
import { BILLING_PERIODS, documentPlan, PLAN_CODES, type CatalogDocument } from '../../shared/catalog'
import type { CatalogVersion } from '../catalog/catalog'

// The relay's prices: the only prices a checkout can carry, from the catalog version in force
// (src/relay/catalog). A client never sends a plan price; for a recharge it names the amount to
// credit, which must satisfy the version's recharge rules.

const PERIOD_NAMES: Record<BillingPeriod, string> = {
  monthly: '月付',
  quarterly: '季付',
  yearly: '年付',
  lifetime: '永久'
}

export interface PricedItem {
  amount: Money
  subject: string
}

/** A catalog's recharge rules in the contract's shape. */
export function rechargeRulesOf(doc: CatalogDocument): RechargeRules {
  return { currency: doc.currency, min: doc.rechargeRules.min, max: doc.rechargeRules.max, presets: [...doc.rechargeRules.presets] }
}

/** The amount and subject of what a checkout buys, by the catalog `doc`. */
export function priceItem(item: CheckoutItem, doc: CatalogDocument): PricedItem {
  if (item.kind === 'plan') {
    if (item.planCode === 'FREE') throw new InvalidInput('the FREE plan cannot be bought', { planCode: 'FREE' })
    const plan = documentPlan(doc, item.planCode, item.period)
    if (!plan || !plan.active) {
      throw new InvalidInput(`${item.planCode} is not sold ${item.period}`, { planCode: item.planCode, period: item.period, catalogVersion: doc.version })
    }
    return {
      amount: { amount: plan.price, currency: doc.currency },
      subject: `${plan.name} ${PERIOD_NAMES[item.period]}`
    }
  }
  const rules = rechargeRulesOf(doc)
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

/** GET /v1/prices of a catalog version: the summary older apps read, and the whole document. */
export function priceList(v: CatalogVersion): PricesResponse {
  const doc = v.document
  const free = documentPlan(doc, 'FREE', 'monthly')!
  const plans: PricesResponse['plans'] = []
  for (const planCode of PLAN_CODES) {
    for (const period of BILLING_PERIODS) {
      // FREE is listed at 0 for every period (a lease may name any); paid tiers as sold.
      const plan = planCode === 'FREE' ? free : documentPlan(doc, planCode, period)
      if (!plan || !plan.active) continue
      plans.push({ planCode, period, price: { amount: plan.price, currency: doc.currency }, limits: plan.limits })
    }
  }
  return {
    plans,
    recharge: rechargeRulesOf(doc),
    catalog: { version: v.version, effectiveFrom: v.effectiveFrom, document: doc }
  }
}
