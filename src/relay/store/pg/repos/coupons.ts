import type { CouponGrantRow, CouponRow, CouponsRepo, PromotionCodeRow, RedemptionRow } from '../../coupons'
import { ts, tsOrNull, type Sql } from '../sql'
import { noRedemptionKey } from './orders'

// Coupons on PostgreSQL, statement for statement the SQLite repository's. The limits are single
// conditional statements (… WHERE redeemed < total_limit, an upsert guarded by its limit), never a
// read then a write: two units taking the last redemption both update the same row, so under
// REPEATABLE READ the second fails with a serialization error and runs again (unit-of-work.ts),
// now seeing the limit reached.

/** The rows as stored: timestamptz columns come back as Date, the domain's rows hold ms. */
type Stored<T> = { [K in keyof T]: T[K] extends number ? number | Date : T[K] extends number | null ? number | Date | null : T[K] }

const asRow = <T>(r: Stored<T>): T =>
  Object.fromEntries(Object.entries(r as Record<string, unknown>).map(([k, v]) => [k, v instanceof Date ? v.getTime() : v])) as T
const one = <T>(r: Stored<T> | undefined): T | undefined => r && asRow(r)
const all = <T>(rows: Stored<T>[]): T[] => rows.map(asRow)

/** Every column but seq (the insertion order that stands in for SQLite's rowid). */
const REDEMPTION_COLS = `id, coupon_id, code, grant_id, account_id, order_id, purchase_id, state, discount, currency,
  plan_code, period, periods_left, created_at, updated_at`

export function pgCoupons(q: Sql): CouponsRepo {
  const couponBack = (couponId: string, now: number) => q.run('UPDATE coupons SET redeemed = GREATEST(redeemed - 1, 0), updated_at = $1 WHERE id = $2', [ts(now), couponId])
  const codeBack = (code: string) => q.run('UPDATE promotion_codes SET redeemed = GREATEST(redeemed - 1, 0) WHERE code = $1', [code])
  const useBack = (scope: string, account: string) => q.run('UPDATE coupon_uses SET used = GREATEST(used - 1, 0) WHERE scope = $1 AND account_id = $2', [scope, account])
  const couponAgain = (couponId: string, now: number) => q.run('UPDATE coupons SET redeemed = redeemed + 1, updated_at = $1 WHERE id = $2', [ts(now), couponId])
  const codeAgain = (code: string) => q.run('UPDATE promotion_codes SET redeemed = redeemed + 1 WHERE code = $1', [code])
  const useAgain = (scope: string, account: string) =>
    q.run(
      'INSERT INTO coupon_uses (scope, account_id, used) VALUES ($1, $2, 1) ON CONFLICT (scope, account_id) DO UPDATE SET used = coupon_uses.used + 1',
      [scope, account]
    )
  return {
    insertCoupon: async (r) =>
      void (await q.later(
        `INSERT INTO coupons (id, name, off_json, currency, minimum, max_discount, total_limit, per_account_limit, first_purchase_only,
          valid_from, valid_until, active, applies_json, duration_json, redeemed, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [
          r.id,
          r.name,
          r.off_json,
          r.currency,
          r.minimum,
          r.max_discount,
          r.total_limit,
          r.per_account_limit,
          r.first_purchase_only,
          tsOrNull(r.valid_from),
          tsOrNull(r.valid_until),
          r.active,
          r.applies_json,
          r.duration_json,
          r.redeemed,
          ts(r.created_at),
          ts(r.updated_at)
        ]
      )),
    coupon: async (id) => one(await q.get<Stored<CouponRow>>('SELECT * FROM coupons WHERE id = $1', [id])),
    list: async () => all(await q.all<Stored<CouponRow>>('SELECT * FROM coupons ORDER BY created_at, id')),
    setActive: async (id, active, now) => void (await q.later('UPDATE coupons SET active = $1, updated_at = $2 WHERE id = $3', [active ? 1 : 0, ts(now), id])),
    // Conditional on what is redeemed, like takeCoupon: a unit taking a redemption meanwhile
    // updates the same row, so one of the two fails (serialization) and runs again seeing the other.
    setLimits: async (id, l, now) =>
      (await q.run(
        `UPDATE coupons SET total_limit = $1, per_account_limit = $2, valid_until = $3, updated_at = $4
         WHERE id = $5 AND ($1::integer IS NULL OR redeemed <= $1::integer)`,
        [l.totalLimit, l.perAccountLimit, tsOrNull(l.validUntil), ts(now), id]
      )) === 1,
    insertCode: async (r) =>
      void (await q.later(
        `INSERT INTO promotion_codes (code, coupon_id, total_limit, per_account_limit, valid_until, active, redeemed, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [r.code, r.coupon_id, r.total_limit, r.per_account_limit, tsOrNull(r.valid_until), r.active, r.redeemed, ts(r.created_at)]
      )),
    code: async (c) => one(await q.get<Stored<PromotionCodeRow>>('SELECT * FROM promotion_codes WHERE code = $1', [c])),
    codesOf: async (id) => all(await q.all<Stored<PromotionCodeRow>>('SELECT * FROM promotion_codes WHERE coupon_id = $1 ORDER BY created_at, code', [id])),
    takeCoupon: async (id, now) =>
      (await q.run('UPDATE coupons SET redeemed = redeemed + 1, updated_at = $1 WHERE id = $2 AND (total_limit IS NULL OR redeemed < total_limit)', [
        ts(now),
        id
      ])) === 1,
    takeCode: async (c) =>
      (await q.run('UPDATE promotion_codes SET redeemed = redeemed + 1 WHERE code = $1 AND (total_limit IS NULL OR redeemed < total_limit)', [c])) === 1,
    // A row inserted at 1 (when the limit allows one), or one more use while under the limit; a
    // concurrent unit's use of the same (scope, account) fails this one (serialization) or waits.
    takeUse: async (scope, account, limit) =>
      (await q.run(
        `INSERT INTO coupon_uses (scope, account_id, used) SELECT $1::text, $2::text, 1 WHERE $3::int IS NULL OR $3::int >= 1
         ON CONFLICT (scope, account_id) DO UPDATE SET used = coupon_uses.used + 1 WHERE $3::int IS NULL OR coupon_uses.used < $3::int`,
        [scope, account, limit]
      )) === 1,
    giveBack: async (couponId, c, account, now) => {
      await couponBack(couponId, now)
      await useBack(`coupon:${couponId}`, account)
      if (c !== null) {
        await codeBack(c)
        await useBack(`code:${c}`, account)
      }
    },
    retake: async (couponId, c, account, now) => {
      await couponAgain(couponId, now)
      await useAgain(`coupon:${couponId}`, account)
      if (c !== null) {
        await codeAgain(c)
        await useAgain(`code:${c}`, account)
      }
    },
    uses: async (scope, account) => (await q.get<{ used: number }>('SELECT used FROM coupon_uses WHERE scope = $1 AND account_id = $2', [scope, account]))?.used ?? 0,
    insertRedemption: async (r) =>
      void (r.order_id && q.memo.delete(noRedemptionKey(r.order_id)),
      await q.later(
        `INSERT INTO coupon_redemptions (id, coupon_id, code, grant_id, account_id, order_id, purchase_id, state, discount, currency,
          plan_code, period, periods_left, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [
          r.id,
          r.coupon_id,
          r.code,
          r.grant_id,
          r.account_id,
          r.order_id,
          r.purchase_id,
          r.state,
          r.discount,
          r.currency,
          r.plan_code,
          r.period,
          r.periods_left,
          ts(r.created_at),
          ts(r.updated_at)
        ]
      )),
    redemptionOfOrder: async (orderId) =>
      // The order's read may have told that it has none (repos/orders.ts).
      q.memo.has(noRedemptionKey(orderId)) ? undefined : one(await q.get<Stored<RedemptionRow>>(`SELECT ${REDEMPTION_COLS} FROM coupon_redemptions WHERE order_id = $1`, [orderId])),
    moveRedemption: async (id, from, to, now) =>
      (await q.run('UPDATE coupon_redemptions SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4', [to, ts(now), id, from])) === 1,
    renewable: async (account, planCode, period) =>
      one(
        await q.get<Stored<RedemptionRow>>(
          `SELECT ${REDEMPTION_COLS} FROM coupon_redemptions r WHERE account_id = $1 AND plan_code = $2 AND period = $3 AND state = 'consumed'
             AND (periods_left IS NULL OR periods_left > 0
                  OR EXISTS (SELECT 1 FROM coupon_grants g WHERE g.renewal_of = r.id AND g.state = 'available'))
           ORDER BY seq DESC LIMIT 1`,
          [account, planCode, period]
        )
      ),
    // NULL - 1 stays NULL: a forever coupon is never used up.
    takeRenewal: async (id, now) =>
      (await q.run('UPDATE coupon_redemptions SET periods_left = periods_left - 1, updated_at = $1 WHERE id = $2 AND (periods_left IS NULL OR periods_left > 0)', [
        ts(now),
        id
      ])) === 1,
    renewalGrant: async (id) => one(await q.get<Stored<CouponGrantRow>>("SELECT * FROM coupon_grants WHERE renewal_of = $1 AND state = 'available' LIMIT 1", [id])),
    hasPurchased: async (account) =>
      (await q.get<{ n: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM orders WHERE account_id = $1 AND state IN ('paid', 'partially_refunded', 'refunded'))
           OR EXISTS (SELECT 1 FROM grants WHERE account_id = $1 AND source = 'wallet') AS n`,
        [account]
      ))!.n,
    insertGrant: async (r) =>
      void (await q.later(
        `INSERT INTO coupon_grants (id, coupon_id, account_id, code, state, valid_from, valid_until, used_by, renewal_of, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [r.id, r.coupon_id, r.account_id, r.code, r.state, ts(r.valid_from), tsOrNull(r.valid_until), r.used_by, r.renewal_of, ts(r.created_at), ts(r.updated_at)]
      )),
    grant: async (id) => one(await q.get<Stored<CouponGrantRow>>('SELECT * FROM coupon_grants WHERE id = $1', [id])),
    grantsOf: async (account) => all(await q.all<Stored<CouponGrantRow>>('SELECT * FROM coupon_grants WHERE account_id = $1 ORDER BY created_at, id', [account])),
    grantsOfCoupon: async (id, state) =>
      all(await q.all<Stored<CouponGrantRow>>('SELECT * FROM coupon_grants WHERE coupon_id = $1 AND state = $2 ORDER BY created_at, id', [id, state])),
    endingGrants: async () => all(await q.all<Stored<CouponGrantRow>>("SELECT * FROM coupon_grants WHERE state = 'available' AND valid_until IS NOT NULL AND renewal_of IS NULL ORDER BY valid_until, id")),
    grantByCode: async (account, c) =>
      one(
        await q.get<Stored<CouponGrantRow>>("SELECT * FROM coupon_grants WHERE account_id = $1 AND code = $2 AND state = 'available' ORDER BY created_at LIMIT 1", [
          account,
          c
        ])
      ),
    moveGrant: async (id, from, to, usedBy, now) =>
      (await q.run('UPDATE coupon_grants SET state = $1, used_by = COALESCE($2, used_by), updated_at = $3 WHERE id = $4 AND state = $5', [to, usedBy, ts(now), id, from])) === 1
  }
}
