import type { CouponGrant, CouponRefusal } from '../../shared/billing/coupons'
import type { Money } from '../../shared/money'

// The device's own check of an account-bound coupon before it uses one offline for a plan
// paid from the wallet: the same reasons the relay's quote gives (COUPON_REFUSALS), judged on
// the grant as signed in the feed and the device clock. The relay checks again on sync.

export interface GrantUse {
  planCode: string
  period: string
  /** The plan's list price in the catalog in force here. */
  list: Money
  now: number
}

/** Why `grant` (in `state`, the state in force here) cannot take money off `use`, or null when it can. */
export function grantRefusal(grant: CouponGrant, state: CouponGrant['state'], use: GrantUse): CouponRefusal | null {
  if (state === 'used') return 'already_used'
  if (state === 'revoked') return 'inactive'
  if (use.now < grant.validFrom) return 'not_yet_valid'
  if (grant.validUntil !== null && use.now >= grant.validUntil) return 'expired'
  if (grant.appliesTo.length > 0 && !grant.appliesTo.some((a) => a.planCode === use.planCode && (a.period === undefined || a.period === use.period))) {
    return 'not_applicable'
  }
  const currencies = [grant.minimum, grant.maxDiscount, grant.off.kind === 'amount' ? grant.off.amount : undefined]
  if (currencies.some((m) => m !== undefined && m.currency !== use.list.currency)) return 'currency'
  if (grant.minimum && use.list.amount < grant.minimum.amount) return 'below_minimum'
  return null
}
