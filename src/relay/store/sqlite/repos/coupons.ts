import type Database from 'better-sqlite3'
import type { CouponGrantRow, CouponRow, CouponsRepo, PromotionCodeRow, RedemptionRow } from '../../coupons'

export function sqliteCoupons(s: Database.Database): CouponsRepo {
  const insertCoupon = s.prepare(
    `INSERT INTO coupons (id, name, off_json, currency, minimum, max_discount, total_limit, per_account_limit, first_purchase_only,
      valid_from, valid_until, active, applies_json, duration_json, redeemed, created_at, updated_at)
     VALUES (@id, @name, @off_json, @currency, @minimum, @max_discount, @total_limit, @per_account_limit, @first_purchase_only,
      @valid_from, @valid_until, @active, @applies_json, @duration_json, @redeemed, @created_at, @updated_at)`
  )
  const coupon = s.prepare<[string], CouponRow>('SELECT * FROM coupons WHERE id = ?')
  const list = s.prepare<[], CouponRow>('SELECT * FROM coupons ORDER BY created_at, id')
  const setActive = s.prepare('UPDATE coupons SET active = ?, updated_at = ? WHERE id = ?')
  const setLimits = s.prepare(
    `UPDATE coupons SET total_limit = @totalLimit, per_account_limit = @perAccountLimit, valid_until = @validUntil, updated_at = @now
     WHERE id = @id AND (@totalLimit IS NULL OR redeemed <= @totalLimit)`
  )
  const insertCode = s.prepare(
    `INSERT INTO promotion_codes (code, coupon_id, total_limit, per_account_limit, valid_until, active, redeemed, created_at)
     VALUES (@code, @coupon_id, @total_limit, @per_account_limit, @valid_until, @active, @redeemed, @created_at)`
  )
  const code = s.prepare<[string], PromotionCodeRow>('SELECT * FROM promotion_codes WHERE code = ?')
  const codesOf = s.prepare<[string], PromotionCodeRow>('SELECT * FROM promotion_codes WHERE coupon_id = ? ORDER BY created_at, code')
  // The limits: each a single conditional statement, never a read then a write.
  const takeCoupon = s.prepare('UPDATE coupons SET redeemed = redeemed + 1, updated_at = ? WHERE id = ? AND (total_limit IS NULL OR redeemed < total_limit)')
  const takeCode = s.prepare('UPDATE promotion_codes SET redeemed = redeemed + 1 WHERE code = ? AND (total_limit IS NULL OR redeemed < total_limit)')
  const takeUse = s.prepare(
    `INSERT INTO coupon_uses (scope, account_id, used) SELECT @scope, @account, 1 WHERE @limit IS NULL OR @limit >= 1
     ON CONFLICT (scope, account_id) DO UPDATE SET used = used + 1 WHERE @limit IS NULL OR used < @limit`
  )
  const couponBack = s.prepare('UPDATE coupons SET redeemed = max(redeemed - 1, 0), updated_at = ? WHERE id = ?')
  const codeBack = s.prepare('UPDATE promotion_codes SET redeemed = max(redeemed - 1, 0) WHERE code = ?')
  const useBack = s.prepare('UPDATE coupon_uses SET used = max(used - 1, 0) WHERE scope = ? AND account_id = ?')
  const couponAgain = s.prepare('UPDATE coupons SET redeemed = redeemed + 1, updated_at = ? WHERE id = ?')
  const codeAgain = s.prepare('UPDATE promotion_codes SET redeemed = redeemed + 1 WHERE code = ?')
  const useAgain = s.prepare(
    'INSERT INTO coupon_uses (scope, account_id, used) VALUES (?, ?, 1) ON CONFLICT (scope, account_id) DO UPDATE SET used = used + 1'
  )
  const uses = s.prepare<[string, string], { used: number }>('SELECT used FROM coupon_uses WHERE scope = ? AND account_id = ?')
  const insertRedemption = s.prepare(
    `INSERT INTO coupon_redemptions (id, coupon_id, code, grant_id, account_id, order_id, purchase_id, state, discount, currency,
      plan_code, period, periods_left, created_at, updated_at)
     VALUES (@id, @coupon_id, @code, @grant_id, @account_id, @order_id, @purchase_id, @state, @discount, @currency,
      @plan_code, @period, @periods_left, @created_at, @updated_at)`
  )
  const redemptionOfOrder = s.prepare<[string], RedemptionRow>('SELECT * FROM coupon_redemptions WHERE order_id = ?')
  const moveRedemption = s.prepare('UPDATE coupon_redemptions SET state = ?, updated_at = ? WHERE id = ? AND state = ?')
  const renewable = s.prepare<[string, string, string], RedemptionRow>(
    `SELECT * FROM coupon_redemptions WHERE account_id = ? AND plan_code = ? AND period = ? AND state = 'consumed'
       AND (periods_left IS NULL OR periods_left > 0
            OR EXISTS (SELECT 1 FROM coupon_grants g WHERE g.renewal_of = coupon_redemptions.id AND g.state = 'available'))
     ORDER BY rowid DESC LIMIT 1`
  )
  const takeRenewal = s.prepare('UPDATE coupon_redemptions SET periods_left = periods_left - 1, updated_at = ? WHERE id = ? AND (periods_left IS NULL OR periods_left > 0)')
  const renewalGrant = s.prepare<[string], CouponGrantRow>("SELECT * FROM coupon_grants WHERE renewal_of = ? AND state = 'available' LIMIT 1")
  const hasPurchased = s.prepare<[string, string], { n: number }>(
    `SELECT EXISTS (SELECT 1 FROM orders WHERE account_id = ? AND state IN ('paid', 'partially_refunded', 'refunded'))
       OR EXISTS (SELECT 1 FROM grants WHERE account_id = ? AND source = 'wallet') AS n`
  )
  const insertGrant = s.prepare(
    `INSERT INTO coupon_grants (id, coupon_id, account_id, code, state, valid_from, valid_until, used_by, renewal_of, created_at, updated_at)
     VALUES (@id, @coupon_id, @account_id, @code, @state, @valid_from, @valid_until, @used_by, @renewal_of, @created_at, @updated_at)`
  )
  const grant = s.prepare<[string], CouponGrantRow>('SELECT * FROM coupon_grants WHERE id = ?')
  const grantsOf = s.prepare<[string], CouponGrantRow>('SELECT * FROM coupon_grants WHERE account_id = ? ORDER BY created_at, id')
  const endingGrants = s.prepare<[], CouponGrantRow>("SELECT * FROM coupon_grants WHERE state = 'available' AND valid_until IS NOT NULL AND renewal_of IS NULL ORDER BY valid_until, id")
  const grantsOfCoupon = s.prepare<[string, string], CouponGrantRow>('SELECT * FROM coupon_grants WHERE coupon_id = ? AND state = ? ORDER BY created_at, id')
  const grantByCode = s.prepare<[string, string], CouponGrantRow>(
    "SELECT * FROM coupon_grants WHERE account_id = ? AND code = ? AND state = 'available' ORDER BY created_at LIMIT 1"
  )
  const moveGrant = s.prepare('UPDATE coupon_grants SET state = ?, used_by = COALESCE(?, used_by), updated_at = ? WHERE id = ? AND state = ?')
  return {
    insertCoupon: (row) => void insertCoupon.run(row),
    coupon: (id) => coupon.get(id),
    list: () => list.all(),
    setActive: (id, active, now) => void setActive.run(active ? 1 : 0, now, id),
    setLimits: (id, l, now) => setLimits.run({ ...l, id, now }).changes === 1,
    insertCode: (row) => void insertCode.run(row),
    code: (c) => code.get(c),
    codesOf: (id) => codesOf.all(id),
    takeCoupon: (id, now) => takeCoupon.run(now, id).changes === 1,
    takeCode: (c) => takeCode.run(c).changes === 1,
    takeUse: (scope, account, limit) => takeUse.run({ scope, account, limit }).changes === 1,
    giveBack: (couponId, c, account, now) => {
      couponBack.run(now, couponId)
      useBack.run(`coupon:${couponId}`, account)
      if (c !== null) {
        codeBack.run(c)
        useBack.run(`code:${c}`, account)
      }
    },
    retake: (couponId, c, account, now) => {
      couponAgain.run(now, couponId)
      useAgain.run(`coupon:${couponId}`, account)
      if (c !== null) {
        codeAgain.run(c)
        useAgain.run(`code:${c}`, account)
      }
    },
    uses: (scope, account) => uses.get(scope, account)?.used ?? 0,
    insertRedemption: (row) => void insertRedemption.run(row),
    redemptionOfOrder: (orderId) => redemptionOfOrder.get(orderId),
    moveRedemption: (id, from, to, now) => moveRedemption.run(to, now, id, from).changes === 1,
    renewable: (account, planCode, period) => renewable.get(account, planCode, period),
    // NULL - 1 stays NULL: a forever coupon is never used up.
    takeRenewal: (id, now) => takeRenewal.run(now, id).changes === 1,
    renewalGrant: (id) => renewalGrant.get(id),
    hasPurchased: (account) => hasPurchased.get(account, account)!.n === 1,
    insertGrant: (row) => void insertGrant.run(row),
    grant: (id) => grant.get(id),
    grantsOf: (account) => grantsOf.all(account),
    grantsOfCoupon: (id, state) => grantsOfCoupon.all(id, state),
    endingGrants: () => endingGrants.all(),
    grantByCode: (account, c) => grantByCode.get(account, c),
    moveGrant: (id, from, to, usedBy, now) => moveGrant.run(to, usedBy, now, id, from).changes === 1
  }
}
