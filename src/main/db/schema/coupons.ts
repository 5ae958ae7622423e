// Account-bound coupons (我的优惠券), owned by src/main/coupons: the relay's signed
// coupon_grant records, and this device's own use of one for a wallet-paid plan.
import { sql } from 'drizzle-orm'
import { check, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * One row per grant. `body` is the relay's latest coupon_grant record (JSON); `state` and `at`
 * are the state in force and when it was set. While `used_by` is set (a local use the relay has
 * not refused) a relay record older than the use, or a revocation, leaves the state used;
 * otherwise the relay's state is in force. `used_by` / `used_at`: the wallet purchase (its
 * subscription charge's payment ref) that used it on this device, cleared when the relay refuses it.
 */
export const couponGrants = sqliteTable(
  'coupon_grants',
  {
    grantId: text('grant_id').primaryKey(),
    body: text('body').notNull(),
    state: text('state').notNull(),
    at: integer('at').notNull(),
    usedBy: text('used_by'),
    usedAt: integer('used_at')
  },
  (t) => [check('coupon_grants_state_known', sql`${t.state} IN ('available', 'used', 'revoked')`)]
)
