import type { Money } from '../../../shared/money'

// A coupon as GET /v1/admin/coupons answers it (the relay's CouponSummary; the relay's type
// lives outside the console's zone, so the fields the screen reads are named here).
export interface CouponView {
  id: string
  name: string
  off: { kind: 'percent'; percent: string } | { kind: 'amount'; amount: Money }
  minimum?: Money
  maxDiscount?: Money
  totalLimit: number | null
  perAccountLimit: number | null
  firstPurchaseOnly: boolean
  validFrom: number | null
  validUntil: number | null
  active: boolean
  appliesTo: { plans: 'all' | { planCode: string; period?: string }[]; recharge: boolean }
  duration: { kind: 'once' } | { kind: 'repeating'; periods: number } | { kind: 'forever' }
  redeemed: number
  codes: { code: string; totalLimit: number | null; perAccountLimit: number | null; validUntil: number | null; active: boolean; redeemed: number }[]
}
