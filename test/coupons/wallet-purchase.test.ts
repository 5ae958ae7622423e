import { describe, expect, it } from 'vitest'
import type { Billing } from '../../src/main/billing'
import { BillingError } from '../../src/shared/errors'
import { key, openCore, recharge, snapshot, T0 } from '../ipc/core-fixture'
import { ipcOver } from '../ipc/handlers-fixture'
import { grant } from './support'

// A plan bought from the wallet with an account-bound coupon, offline (no relay configured):
// the device checks the grant, charges list − discount, marks the grant used in the same
// transaction and sends the purchase with { grantId, discount }.

function purchases(billing: Billing) {
  return (billing.db.sqlite.prepare("SELECT body FROM sync_outbox WHERE kind = 'subscription_purchase' ORDER BY seq").all() as { body: string }[]).map((r) =>
    JSON.parse(r.body) as Record<string, unknown>
  )
}
const stateOf = (billing: Billing, grantId: string) => billing.coupons.list().find((c) => c.grant.grantId === grantId)?.state
const refusal = (fn: () => unknown): { code: string; reason?: unknown } => {
  try {
    fn()
  } catch (e) {
    if (e instanceof BillingError) return { code: e.code, reason: e.details?.['reason'] }
    throw e
  }
  throw new Error('expected a refusal')
}

/** The grant arrived, then was used here a second later for BASIC monthly. */
function usedHere(): Billing {
  const { billing, clock } = openCore()
  recharge(billing, 10_000)
  billing.coupons.applyRecord(grant())
  clock.set(T0 + 1000)
  billing.subscriptions.buyFromWallet({ key: key(), planCode: 'BASIC', period: 'monthly', couponGrantId: 'grant-welcome-0001' })
  return billing
}

describe('buyFromWallet with an account-bound coupon', () => {
  it('charges list − discount, marks the grant used and sends the purchase with the coupon', () => {
    const { billing } = openCore()
    recharge(billing, 10_000)
    billing.coupons.applyRecord(grant())
    const sub = billing.subscriptions.buyFromWallet({ key: key(), planCode: 'BASIC', period: 'monthly', couponGrantId: 'grant-welcome-0001' })
    expect(sub.planCode).toBe('BASIC')
    expect(billing.wallet.balance().amount).toBe(10_000 - (2900 - 500))
    expect(stateOf(billing, 'grant-welcome-0001')).toBe('used')
    const [p] = purchases(billing)
    expect(p).toMatchObject({
      kind: 'subscription_purchase',
      planCode: 'BASIC',
      period: 'monthly',
      price: { amount: 2400, currency: 'CNY' },
      coupon: { grantId: 'grant-welcome-0001', discount: { amount: 500, currency: 'CNY' } },
      action: 'subscribe'
    })
    expect(billing.verify().ok).toBe(true)
  })

  it('another purchase with the used grant is refused and changes nothing', () => {
    const { billing } = openCore()
    recharge(billing, 20_000)
    billing.coupons.applyRecord(grant())
    billing.subscriptions.buyFromWallet({ key: key(), planCode: 'BASIC', period: 'monthly', couponGrantId: 'grant-welcome-0001' })
    const before = snapshot(billing)
    expect(refusal(() => billing.subscriptions.buyFromWallet({ key: key(), planCode: 'BASIC', period: 'monthly', couponGrantId: 'grant-welcome-0001' }))).toEqual({
      code: 'COUPON_REFUSED',
      reason: 'already_used'
    })
    expect(snapshot(billing)).toEqual(before)
    expect(purchases(billing)).toHaveLength(1)
  })

  it('a grant that does not apply is refused with its reason before anything is written', () => {
    const { billing, clock } = openCore()
    recharge(billing, 100_000)
    billing.coupons.applyRecord(grant())
    billing.coupons.applyRecord(grant({ grantId: 'grant-min-0002', minimum: { amount: 5000, currency: 'CNY' } }))
    const before = snapshot(billing)
    const buy = (planCode: string, grantId: string) => () => billing.subscriptions.buyFromWallet({ key: key(), planCode, period: 'monthly', couponGrantId: grantId })
    expect(refusal(buy('PREMIUM', 'grant-welcome-0001')).reason).toBe('not_applicable')
    expect(refusal(buy('BASIC', 'grant-min-0002')).reason).toBe('below_minimum')
    expect(refusal(buy('BASIC', 'no-such-grant')).reason).toBe('unknown')
    expect(snapshot(billing)).toEqual(before)
    clock.set(T0 + 31 * 86_400_000)
    expect(refusal(buy('BASIC', 'grant-welcome-0001')).reason).toBe('expired')
    expect(billing.wallet.balance()).toEqual(before.balance)
    expect(stateOf(billing, 'grant-welcome-0001')).toBe('available')
    expect(purchases(billing)).toHaveLength(0)
  })

  it('a wallet short of list − discount rolls the use back: the grant stays available', () => {
    const { billing } = openCore()
    recharge(billing, 2000)
    billing.coupons.applyRecord(grant())
    const err = refusal(() => billing.subscriptions.buyFromWallet({ key: key(), planCode: 'BASIC', period: 'monthly', couponGrantId: 'grant-welcome-0001' }))
    expect(err.code).toBe('INSUFFICIENT_FUNDS')
    expect(stateOf(billing, 'grant-welcome-0001')).toBe('available')
    expect(billing.wallet.balance().amount).toBe(2000)
  })

  it('a coupon that takes the whole price still sends the purchase (price 0) and uses the grant', () => {
    const { billing } = openCore()
    billing.coupons.applyRecord(grant({ off: { kind: 'percent', percent: '100' } }))
    billing.subscriptions.buyFromWallet({ key: key(), planCode: 'BASIC', period: 'monthly', couponGrantId: 'grant-welcome-0001' })
    expect(purchases(billing)[0]).toMatchObject({ price: { amount: 0 }, coupon: { discount: { amount: 2900 } } })
    expect(billing.verify().ok).toBe(true)
  })

  it('a relay record older than the local use does not make the grant available again; a later one wins', () => {
    const billing = usedHere()
    // Kept as the relay's latest word, but the use here stands.
    billing.coupons.applyRecord(grant({ at: T0 }))
    expect(stateOf(billing, 'grant-welcome-0001')).toBe('used')
    expect(billing.coupons.applyRecord(grant({ state: 'used', at: T0 + 5000 }))).toBe(true)
    expect(stateOf(billing, 'grant-welcome-0001')).toBe('used')
  })

  it('used here and then revoked on the relay (its claim released before the purchase synced): shown used until the relay judges the use', () => {
    const billing = usedHere()
    expect(billing.coupons.applyRecord(grant({ state: 'revoked', at: T0 + 5000 }))).toBe(true)
    expect(stateOf(billing, 'grant-welcome-0001')).toBe('used')
    // Refused by the relay (its coupon_refused debit): the grant is as the relay has it.
    expect(billing.coupons.refused('grant-welcome-0001')).toBe(true)
    expect(stateOf(billing, 'grant-welcome-0001')).toBe('revoked')
    expect(billing.coupons.refused('grant-welcome-0001')).toBe(false)
  })

  it('a use the relay refuses while it kept the grant available makes it usable here again', () => {
    const billing = usedHere()
    billing.coupons.refused('grant-welcome-0001')
    expect(stateOf(billing, 'grant-welcome-0001')).toBe('available')
    billing.subscriptions.buyFromWallet({ key: key(), planCode: 'BASIC', period: 'monthly', couponGrantId: 'grant-welcome-0001' })
    expect(stateOf(billing, 'grant-welcome-0001')).toBe('used')
    // Refused again: the relay's own records govern from then on, even ones older than this
    // device's (fast) clock said the use was.
    billing.coupons.refused('grant-welcome-0001')
    expect(billing.coupons.applyRecord(grant({ state: 'revoked', at: T0 + 500 }))).toBe(true)
    expect(stateOf(billing, 'grant-welcome-0001')).toBe('revoked')
  })
})

describe('IPC: the wallet buy button with a coupon', () => {
  it('subscribes with a grant, previews it, and answers typed errors for bad input and refusals', async () => {
    const { billing } = openCore()
    recharge(billing, 10_000)
    billing.coupons.applyRecord(grant())
    const { call } = ipcOver(billing)
    expect(await call('coupons.preview', { planId: 'BASIC:monthly', grantId: 'grant-welcome-0001' })).toEqual({
      ok: true,
      value: { grantId: 'grant-welcome-0001', list: { amount: 2900, currency: 'CNY' }, discount: { amount: 500, currency: 'CNY' }, total: { amount: 2400, currency: 'CNY' } }
    })
    expect(await call('coupons.preview', { planId: 'PREMIUM:monthly', grantId: 'grant-welcome-0001' })).toMatchObject({
      ok: false,
      error: { code: 'COUPON_REFUSED', details: { reason: 'not_applicable' } }
    })
    const before = snapshot(billing)
    for (const bad of [{ couponGrantId: '' }, { couponGrantId: 42 }, { couponGrantId: 'x'.repeat(129) }]) {
      expect(await call('subscription.subscribe', { idempotencyKey: key(), planId: 'BASIC:monthly', ...bad })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    }
    expect(await call('subscription.startTrial', { idempotencyKey: key(), planId: 'BASIC:monthly', couponGrantId: 'grant-welcome-0001' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' }
    })
    expect(snapshot(billing)).toEqual(before)
    const ok = await call('subscription.subscribe', { idempotencyKey: key(), planId: 'BASIC:monthly', couponGrantId: 'grant-welcome-0001' })
    expect(ok).toMatchObject({ ok: true, value: { outcome: 'subscribed' } })
    expect((await call('coupons.mine', {})) as unknown).toMatchObject({ ok: true, value: { coupons: [{ state: 'used' }] } })
    expect(await call('subscription.subscribe', { idempotencyKey: key(), planId: 'BASIC:monthly', couponGrantId: 'grant-welcome-0001' })).toMatchObject({
      ok: false,
      error: { code: 'COUPON_REFUSED', details: { reason: 'already_used' } }
    })
  })
})
