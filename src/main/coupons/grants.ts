import { CouponGrantSchema, type CouponGrant } from '../../shared/billing/coupons'
import { couponDiscount } from '../../shared/billing/discount'
import { money, type Money } from '../../shared/money'
import type { BillingDb } from '../db/open'
import { grantRefusal, type GrantUse } from './check'
import { CouponRefused } from './errors'

// 我的优惠券: the account-bound coupons the relay granted (signed coupon_grant records) and their
// use on this device. A use marks the grant used in the caller's transaction (the wallet
// purchase that takes the discount), so a grant is spent at most once here; the relay
// confirms the use on sync, and a refused use is charged by the relay (wallet_debit / debt).
// The relay's latest record is kept (`body`, by its `at`; records come in feed order, so of two
// in the same millisecond the later wins); the state in force is the latest of it
// and this device's own use (a record seen again, or one older than the use, changes nothing
// shown). A grant used here stays used while the relay has not judged that use (a 'revoked'
// record, e.g. its claim released at its end before the purchase synced, is kept, not shown);
// when the relay refuses the use (its coupon_refused debit), the relay's own state returns.

export interface MyCoupon {
  grant: CouponGrant
  state: CouponGrant['state']
  usedAt: number | null
}

export interface CouponRedemption {
  grantId: string
  discount: Money
}

interface Row {
  grant_id: string
  body: string
  state: CouponGrant['state']
  at: number
  used_by: string | null
  used_at: number | null
}

export class CouponGrants {
  private readonly upsert
  private readonly byId
  private readonly all
  private readonly markUsed
  private readonly useRefused

  constructor(private readonly db: BillingDb) {
    const s = db.sqlite
    this.upsert = s.prepare<[string, string, string, number]>(
      `INSERT INTO coupon_grants (grant_id, body, state, at) VALUES (?, ?, ?, ?)
       ON CONFLICT (grant_id) DO UPDATE SET
         body = excluded.body,
         state = CASE WHEN coupon_grants.used_by IS NOT NULL AND (excluded.at <= coupon_grants.at OR excluded.state = 'revoked') THEN coupon_grants.state
                      ELSE excluded.state END,
         at = max(coupon_grants.at, excluded.at)
       WHERE excluded.at >= json_extract(coupon_grants.body, '$.at')`
    )
    this.byId = s.prepare<[string], Row>('SELECT * FROM coupon_grants WHERE grant_id = ?')
    this.all = s.prepare<[], Row>('SELECT * FROM coupon_grants ORDER BY at DESC, grant_id')
    this.useRefused = s.prepare<[string]>(
      "UPDATE coupon_grants SET state = json_extract(body, '$.state'), at = json_extract(body, '$.at'), used_by = NULL, used_at = NULL WHERE grant_id = ? AND used_by IS NOT NULL"
    )
    this.markUsed = s.prepare<[string, number, number, string]>(
      "UPDATE coupon_grants SET state = 'used', used_by = ?, used_at = ?, at = ? WHERE grant_id = ? AND state = 'available'"
    )
  }

  /** A coupon_grant record from the feed; true when it was kept (no older than the relay record held). */
  applyRecord(grant: CouponGrant): boolean {
    return this.upsert.run(grant.grantId, JSON.stringify(grant), grant.state, grant.at).changes > 0
  }

  /** The relay refused this device's use of `grantId` (charged the list price): the grant is as the relay has it. */
  refused(grantId: string): boolean {
    return this.useRefused.run(grantId).changes > 0
  }

  list(): MyCoupon[] {
    return this.all.all().map(toCoupon)
  }

  /** What `grantId` would take off (no write), or the typed refusal. */
  preview(grantId: string, use: GrantUse): CouponRedemption {
    const c = this.find(grantId)
    const refusal = grantRefusal(c.grant, c.state, use)
    if (refusal) throw new CouponRefused(refusal, grantId)
    const maxDiscount = c.grant.maxDiscount ? money(c.grant.maxDiscount.amount, c.grant.maxDiscount.currency) : undefined
    return { grantId, discount: couponDiscount(use.list, c.grant.off, maxDiscount ? { maxDiscount } : {}) }
  }

  /** Checks and spends the grant for the purchase `usedBy`, inside the caller's transaction. */
  redeem(grantId: string, use: GrantUse, usedBy: string): CouponRedemption {
    return this.db.tx(() => {
      const r = this.preview(grantId, use)
      if (this.markUsed.run(usedBy, use.now, use.now, grantId).changes !== 1) throw new CouponRefused('already_used', grantId)
      return r
    })
  }

  private find(grantId: string): MyCoupon {
    const row = this.byId.get(grantId)
    if (!row) throw new CouponRefused('unknown', grantId)
    return toCoupon(row)
  }
}

function toCoupon(r: Row): MyCoupon {
  return { grant: CouponGrantSchema.parse(JSON.parse(r.body)), state: r.state, usedAt: r.used_at }
}
