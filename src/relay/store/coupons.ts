import type { Currency } from '../../shared/money'
import type { Awaitable } from './ports'

// What the coupons domain (src/relay/coupons) needs from the database. Limits are enforced by
// the take* methods alone: each is one conditional statement (… WHERE redeemed < limit), so two
// checkouts can never both take the last redemption, whatever runs them.

export interface CouponRow {
  id: string
  name: string
  off_json: string
  currency: Currency
  minimum: number | null
  max_discount: number | null
  total_limit: number | null
  per_account_limit: number | null
  first_purchase_only: number
  valid_from: number | null
  valid_until: number | null
  active: number
  applies_json: string
  duration_json: string
  redeemed: number
  created_at: number
  updated_at: number
}

export interface PromotionCodeRow {
  code: string
  coupon_id: string
  total_limit: number | null
  per_account_limit: number | null
  valid_until: number | null
  active: number
  redeemed: number
  created_at: number
}

export interface CouponLimits {
  totalLimit: number | null
  perAccountLimit: number | null
  validUntil: number | null
}

export type RedemptionState = 'reserved' | 'consumed' | 'released' | 'returned'

export interface RedemptionRow {
  id: string
  coupon_id: string
  code: string | null
  grant_id: string | null
  account_id: string
  order_id: string | null
  purchase_id: string | null
  state: RedemptionState
  discount: number
  currency: Currency
  plan_code: string | null
  period: string | null
  /** Renewals it still discounts: 0 none (once), null every one (forever). */
  periods_left: number | null
  created_at: number
  updated_at: number
}

/**
 * 'expired': its validity ran out unused and its redemption was given back (coupons.ts,
 * releaseExpired); devices are told 'revoked'. A use bought before the end is still honoured.
 */
export type CouponGrantState = 'available' | 'used' | 'revoked' | 'expired'

export interface CouponGrantRow {
  id: string
  coupon_id: string
  account_id: string
  code: string | null
  state: CouponGrantState
  valid_from: number
  valid_until: number | null
  used_by: string | null
  renewal_of: string | null
  created_at: number
  updated_at: number
}

export interface CouponsRepo {
  insertCoupon(row: CouponRow): Awaitable<void>
  coupon(id: string): Awaitable<CouponRow | undefined>
  list(): Awaitable<CouponRow[]>
  setActive(id: string, active: boolean, now: number): Awaitable<void>
  /**
   * Sets the coupon's limits and end in one conditional statement: a total limit only while it is
   * at or above what is redeemed (… WHERE redeemed <= limit), so no take* meanwhile can slip past
   * it. False when the coupon redeems more than the new total limit (or is missing).
   */
  setLimits(id: string, limits: CouponLimits, now: number): Awaitable<boolean>
  insertCode(row: PromotionCodeRow): Awaitable<void>
  code(code: string): Awaitable<PromotionCodeRow | undefined>
  codesOf(couponId: string): Awaitable<PromotionCodeRow[]>
  /** One more redemption of the coupon unless its total limit is reached; false when it is. */
  takeCoupon(id: string, now: number): Awaitable<boolean>
  /** The same for a code. */
  takeCode(code: string): Awaitable<boolean>
  /** One more use by the account of a scope (`coupon:<id>`, `code:<CODE>`) unless `limit` is reached. */
  takeUse(scope: string, accountId: string, limit: number | null): Awaitable<boolean>
  /** Gives back what the take* methods took (a release or a full refund); `force` ones too. */
  giveBack(couponId: string, code: string | null, accountId: string, now: number): Awaitable<void>
  /** Takes again without limits: money for a discounted order arrived after its reservation was released. */
  retake(couponId: string, code: string | null, accountId: string, now: number): Awaitable<void>
  uses(scope: string, accountId: string): Awaitable<number>
  insertRedemption(row: RedemptionRow): Awaitable<void>
  redemptionOfOrder(orderId: string): Awaitable<RedemptionRow | undefined>
  /** Moves a redemption from `from` to `to`; false when it was not in `from`. */
  moveRedemption(id: string, from: RedemptionState, to: RedemptionState, now: number): Awaitable<boolean>
  /** The account's newest consumed redemption for (plan, period) that still discounts a renewal (or has a renewal grant waiting). */
  renewable(accountId: string, planCode: string, period: string): Awaitable<RedemptionRow | undefined>
  /** Counts one renewal off a repeating redemption (forever ones stay); false when none is left. */
  takeRenewal(id: string, now: number): Awaitable<boolean>
  /** An available renewal grant continuing the redemption, if one was issued. */
  renewalGrant(redemptionId: string): Awaitable<CouponGrantRow | undefined>
  /** Whether the account ever paid: a paid order (refunded ones too) or a wallet-paid grant. */
  hasPurchased(accountId: string): Awaitable<boolean>
  insertGrant(row: CouponGrantRow): Awaitable<void>
  grant(id: string): Awaitable<CouponGrantRow | undefined>
  grantsOf(accountId: string): Awaitable<CouponGrantRow[]>
  grantsOfCoupon(couponId: string, state: CouponGrantState): Awaitable<CouponGrantRow[]>
  /** Available grants with an end that took a redemption of their own (no renewal's), soonest end first. */
  endingGrants(): Awaitable<CouponGrantRow[]>
  /** An available grant the account claimed with `code`, if any. */
  grantByCode(accountId: string, code: string): Awaitable<CouponGrantRow | undefined>
  /** Moves a grant from `from` to `to`; false when it was not in `from` (used elsewhere, revoked). */
  moveGrant(id: string, from: CouponGrantState, to: CouponGrantState, usedBy: string | null, now: number): Awaitable<boolean>
}
