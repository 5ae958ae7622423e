import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import { InvalidInput, NotFound } from '../../shared/errors'
import type { RelayStore } from '../store/ports'
import type { Coupons } from './coupons'
import {
  assertGrantable,
  codeRow,
  CouponGrantInputSchema,
  CouponInputSchema,
  couponRow,
  missingCoupon,
  PromotionCodeInputSchema,
  toCoupon,
  type Coupon
} from './definitions'

// What operators do with coupons: the admin HTTP routes, the CLI (`npm run relay -- coupon …`)
// and the later operator console all call these, each one unit of work over the store. Input
// is validated by zod (a ZodError names every bad field); unknown ids are NOT_FOUND.

export interface CouponAdminDeps {
  store: RelayStore
  clock: Clock
  ids: IdSource
  coupons: Coupons
}

export interface CouponSummary extends Coupon {
  codes: { code: string; totalLimit: number | null; perAccountLimit: number | null; validUntil: number | null; active: boolean; redeemed: number }[]
}

export async function createCoupon(d: CouponAdminDeps, input: unknown): Promise<Coupon> {
  const c = CouponInputSchema.parse(input)
  const now = d.clock.now()
  return d.store.unit(async (tx) => {
    const id = c.id ?? `cpn_${d.ids.next()}`
    if (await tx.coupons.coupon(id)) throw new InvalidInput(`coupon ${id} exists already`, { field: 'id' })
    const row = couponRow(id, c, now)
    await tx.coupons.insertCoupon(row)
    return toCoupon(row)
  })
}

export async function addPromotionCode(d: CouponAdminDeps, couponId: string, input: unknown): Promise<CouponSummary['codes'][number]> {
  const c = PromotionCodeInputSchema.parse(input)
  return d.store.unit(async (tx) => {
    if (!(await tx.coupons.coupon(couponId))) throw missingCoupon(couponId)
    // Codes are unique across coupons: a code names one coupon for ever.
    if (await tx.coupons.code(c.code)) throw new InvalidInput(`code ${c.code} exists already`, { field: 'code' })
    const row = codeRow(couponId, c, d.clock.now())
    await tx.coupons.insertCode(row)
    return codeSummary(row)
  })
}

/** Binds the coupon to one account (a welcome coupon), counted against its limits, sent in that account's feed. */
export async function grantCoupon(d: CouponAdminDeps, couponId: string, input: unknown): Promise<{ grantId: string; accountId: string; validUntil: number | null }> {
  const g = CouponGrantInputSchema.parse(input)
  const now = d.clock.now()
  return d.store.unit(async (tx) => {
    const row = await tx.coupons.coupon(couponId)
    if (!row) throw missingCoupon(couponId)
    const coupon = toCoupon(row)
    assertGrantable(coupon)
    if (!coupon.active) throw new InvalidInput(`coupon ${couponId} is inactive`, { couponId })
    if (!(await tx.accounts.get(g.accountId))) throw new NotFound('account', g.accountId)
    const grantId = g.grantId ?? `cg_${d.ids.next()}`
    if (await tx.coupons.grant(grantId)) throw new InvalidInput(`grant ${grantId} exists already`, { field: 'grantId' })
    await d.coupons.take(tx, g.accountId, coupon, undefined, now)
    const untils = [coupon.validUntil, g.validUntil ?? null].filter((v): v is number => v !== null)
    const out = await d.coupons.issueGrant(tx, coupon, { id: grantId, accountId: g.accountId, code: null, validUntil: untils.length ? Math.min(...untils) : null }, now)
    return { grantId: out.id, accountId: out.account_id, validUntil: out.valid_until }
  })
}

/**
 * Stops the coupon: no quote or checkout applies it from now on, and every grant of it still
 * available is revoked on every device (its coupon_grant record sent again). Reservations of
 * open orders stand: those orders were priced already.
 */
export async function deactivateCoupon(d: CouponAdminDeps, couponId: string): Promise<{ couponId: string; revokedGrants: number }> {
  const now = d.clock.now()
  return d.store.unit(async (tx) => {
    if (!(await tx.coupons.coupon(couponId))) throw missingCoupon(couponId)
    await tx.coupons.setActive(couponId, false, now)
    let revoked = 0
    for (const g of await tx.coupons.grantsOfCoupon(couponId, 'available')) {
      if (await d.coupons.moveGrant(tx, g, 'revoked', null, now)) {
        // A renewal's grant took no redemption of its own (its redemption is the first period's).
        if (g.renewal_of === null) await tx.coupons.giveBack(couponId, g.code, g.account_id, now)
        revoked++
      }
    }
    return { couponId, revokedGrants: revoked }
  })
}

export async function listCoupons(d: Pick<CouponAdminDeps, 'store'>): Promise<CouponSummary[]> {
  return d.store.read(async (tx) => {
    const out: CouponSummary[] = []
    for (const row of await tx.coupons.list()) out.push({ ...toCoupon(row), codes: (await tx.coupons.codesOf(row.id)).map(codeSummary) })
    return out
  })
}

function codeSummary(r: { code: string; total_limit: number | null; per_account_limit: number | null; valid_until: number | null; active: number; redeemed: number }) {
  return { code: r.code, totalLimit: r.total_limit, perAccountLimit: r.per_account_limit, validUntil: r.valid_until, active: r.active === 1, redeemed: r.redeemed }
}
