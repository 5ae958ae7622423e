import { isPlanTier, planId, type PlanTier as Tier } from '../../shared/ipc/plan-id'
import type { Plan as PlanDto, Subscription as SubscriptionDto, UsageItem } from '../../shared/ipc/types'
import type { UsageSummary } from '../quotas'
import type { Plan, Subscription } from '../subscriptions'

// Core records → contract DTOs. The contract names plans `${code}:${period}`.

function tierOf(code: string): Tier {
  if (!isPlanTier(code)) throw new Error(`plan code outside the contract's tiers: ${code}`)
  return code
}

export function toPlanDto(p: Plan): PlanDto {
  return {
    id: planId(p.code, p.period),
    tier: tierOf(p.code),
    period: p.period,
    price: p.price,
    // Only a real discount is shown struck through.
    originalPrice: p.originalPrice.amount > p.price.amount ? p.originalPrice : null,
    features: [...p.features],
    limits: { ...p.limits },
    trialDays: p.trialDays > 0 ? p.trialDays : null,
    sortOrder: p.sortOrder
  }
}

export function toSubscriptionDto(s: Subscription): SubscriptionDto {
  return {
    id: s.id,
    planId: planId(s.planCode, s.period),
    tier: tierOf(s.planCode),
    period: s.period,
    status: s.status,
    autoRenew: s.autoRenew,
    currentPeriodStart: s.currentPeriodStart,
    currentPeriodEnd: s.currentPeriodEnd,
    trialEndsAt: s.trialEndsAt,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    cancelReason: s.cancelReason
  }
}

export function toUsageItems(u: UsageSummary): { items: UsageItem[]; effectiveTier: Tier } {
  return {
    items: u.features.map((f) => ({
      feature: f.feature,
      kind: f.kind,
      unit: f.unit,
      limit: f.limit,
      used: f.used,
      resetsAt: f.resetsAt
    })),
    effectiveTier: isPlanTier(u.planCode) ? u.planCode : 'FREE'
  }
}
