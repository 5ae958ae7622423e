import type { Clock } from '../../node/clock'
import type { Quote, QuoteRequest } from '../../shared/billing/coupons'
import { InvalidInput } from '../../shared/errors'
import { money } from '../../shared/money'
import type { DeviceContext } from '../accounts/accounts'
import type { RelayStore } from '../store/ports'
import { CouponRefused, type Coupons } from './coupons'
import { REFUSAL_MESSAGES } from './rules'

// POST /v1/quotes. A quote for a provider checkout only reads (POST /v1/checkouts prices the same
// way and reserves). A quote for a plan paid from the wallet with a code that applies claims the
// code for the account as an account-bound grant (its redemption taken now, its coupon_grant
// record in the feed), whose id the device's subscription_purchase names: the wallet purchase
// itself happens on the device, so this is where the code is redeemed. A wallet quote without a
// code for a plan the account bought with a repeating or forever coupon gives the renewal's
// discount the same way (a grant continuing that redemption: Coupons.renewalGrant).

export async function quote(deps: { store: RelayStore; clock: Clock; coupons: Coupons }, ctx: DeviceContext, req: QuoteRequest): Promise<Quote> {
  const { store, clock, coupons } = deps
  if (req.payment === 'wallet' && req.code === undefined && req.item.kind === 'plan') {
    const item = req.item
    const renews = await store.read(async (tx) => tx.coupons.renewable(ctx.accountId, item.planCode, item.period))
    if (renews) {
      return store.unit(async (tx) => {
        const now = clock.now()
        const g = await coupons.renewalGrant(tx, ctx.accountId, item, now)
        return g ? coupons.priceWithGrant(tx, ctx.accountId, req, g, now) : (await coupons.priceFor(tx, ctx.accountId, req, now)).quote
      })
    }
  }
  if (req.payment !== 'wallet' || req.code === undefined) {
    return store.read(async (tx) => (await coupons.priceFor(tx, ctx.accountId, req, clock.now())).quote)
  }
  if (req.item.kind !== 'plan') throw new InvalidInput('a recharge is not paid from the wallet', { field: 'payment' })
  try {
    return await store.unit(async (tx) => {
      const now = clock.now()
      const claimed = await tx.coupons.grantByCode(ctx.accountId, req.code!)
      // A claim past its end that its job has not released yet is released now, and claimed afresh.
      if (claimed && claimed.valid_until !== null && claimed.valid_until <= now) await coupons.releaseExpired(tx, claimed.id, now)
      else if (claimed) return coupons.priceWithGrant(tx, ctx.accountId, req, claimed, now)
      const priced = await coupons.priceFor(tx, ctx.accountId, req, now)
      const grant = await coupons.claimForWallet(tx, ctx.accountId, priced, now)
      return grant ? { ...priced.quote, grantId: grant.id } : priced.quote
    })
  } catch (err) {
    // Another device took the last redemption between the read and the take.
    if (!(err instanceof CouponRefused)) throw err
    const priced = await store.read(async (tx) => coupons.priceFor(tx, ctx.accountId, { item: req.item }, clock.now()))
    return { ...priced.quote, refusal: { code: err.refusal, message: REFUSAL_MESSAGES[err.refusal] }, discount: money(0, priced.quote.listPrice.currency) }
  }
}
