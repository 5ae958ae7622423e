import { describe, expect, it } from 'vitest'
import { cny, setup } from './fixture'

// Promotion credit (充值赠送) in the device's wallet: given with a recharge, spent after the
// cash, never refunded as cash, given back to by a hold only as much as the hold took from it,
// taken back by the relay with a refund (promotion credit first, then the cash, then debt).

function funded(cash: number, bonus: number) {
  const s = setup()
  s.wallet.recharge({ key: 'r1', paymentId: 'pay-1', provider: 'alipay', amount: cash, bonus })
  return s
}

describe('recharge bonus in the wallet', () => {
  it('credits the bonus beside the cash, from promotions, once per payment', () => {
    const { wallet, db } = funded(10_000, 1_000)
    expect(wallet.balance()).toEqual(cny(10_000))
    expect(wallet.bonus()).toEqual(cny(1_000))
    const promotions = db.sqlite.prepare("SELECT balance FROM wallet_accounts WHERE id = 'promotions:CNY:local'").pluck().get()
    expect(promotions).toBe(-1_000)
    // The same payment under another key credits nothing more.
    const again = wallet.recharge({ key: 'r2', paymentId: 'pay-1', provider: 'alipay', amount: 10_000, bonus: 1_000 })
    expect(again.bonus).toEqual(cny(1_000))
    expect(wallet.bonus()).toEqual(cny(1_000))
    expect(wallet.verify().ok).toBe(true)
  })

  it('does not repay debt with the bonus', () => {
    const { wallet } = setup()
    wallet.postExternalDebit({ key: 'x', amount: 300, feature: 'ai', reason: 'elsewhere' })
    const r = wallet.recharge({ key: 'r1', paymentId: 'pay-1', provider: 'alipay', amount: 100, bonus: 500 })
    expect(r).toMatchObject({ repaidDebt: cny(100), balance: cny(0), debt: cny(200), bonus: cny(500) })
    expect(wallet.bonus()).toEqual(cny(500))
    // While debt is owed, paid use stops, bonus or not.
    expect(() => wallet.consume({ key: 'c', amount: 1, feature: 'ai', reason: '' })).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_FUNDS' }))
  })

  it('while a debt is owed, the shortfall is the debt plus what the bonus does not cover', () => {
    const { wallet } = setup()
    wallet.postExternalDebit({ key: 'x', amount: 200, feature: 'ai', reason: 'elsewhere' })
    wallet.recharge({ key: 'r0', paymentId: 'pay-0', provider: 'alipay', amount: 0 + 1, bonus: 500 })
    expect([wallet.debt(), wallet.bonus(), wallet.balance()]).toEqual([cny(199), cny(500), cny(0)])
    wallet.useFirstFree({ key: 'ff', price: 1, feature: 'ai', reason: '' })
    expect(wallet.chargeOrFree({ key: 'p', price: 10, feature: 'ai', reason: '' })).toMatchObject({ outcome: 'needs_recharge', shortfall: cny(199) })
    expect(wallet.chargeOrFree({ key: 'q', price: 700, feature: 'ai', reason: '' })).toMatchObject({ outcome: 'needs_recharge', shortfall: cny(399) })
    expect(() => wallet.consume({ key: 'c', amount: 10, feature: 'ai', reason: '' })).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_FUNDS', details: expect.objectContaining({ shortfall: 199 }) }))
  })

  it('spends the cash first, then the bonus, and refuses beyond both', () => {
    const { wallet } = funded(500, 300)
    wallet.consume({ key: 'c1', amount: 400, feature: 'ai', reason: '' })
    expect([wallet.balance(), wallet.bonus()]).toEqual([cny(100), cny(300)])
    const c2 = wallet.consume({ key: 'c2', amount: 250, feature: 'ai', reason: '' })
    expect(c2.balance).toEqual(cny(0))
    expect(wallet.bonus()).toEqual(cny(150))
    expect(() => wallet.consume({ key: 'c3', amount: 151, feature: 'ai', reason: '' })).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_FUNDS', details: expect.objectContaining({ balance: 150, shortfall: 1 }) })
    )
    wallet.consume({ key: 'c4', amount: 150, feature: 'ai', reason: '' })
    expect([wallet.balance(), wallet.bonus()]).toEqual([cny(0), cny(0)])
    expect(wallet.verify().ok).toBe(true)
  })

  it('lets the product rule pay from the bonus, and counts it in the shortfall', () => {
    const { wallet } = funded(100, 200)
    wallet.useFirstFree({ key: 'ff', price: 1, feature: 'ai', reason: '' })
    expect(wallet.chargeOrFree({ key: 'p1', price: 250, feature: 'ai', reason: '' })).toMatchObject({ outcome: 'paid', balance: cny(0) })
    expect(wallet.bonus()).toEqual(cny(50))
    expect(wallet.chargeOrFree({ key: 'p2', price: 80, feature: 'ai', reason: '' })).toMatchObject({ outcome: 'needs_recharge', shortfall: cny(30) })
  })

  it('gives a voided or expired hold back where it came from', () => {
    const { wallet, clock } = funded(100, 200)
    const h = wallet.hold({ key: 'h1', amount: 250, feature: 'live', reason: '', ttlMs: 1000 })
    expect([wallet.balance(), wallet.bonus(), wallet.held()]).toEqual([cny(0), cny(50), cny(250)])
    wallet.void({ key: 'v1', holdId: h.holdId })
    expect([wallet.balance(), wallet.bonus(), wallet.held()]).toEqual([cny(100), cny(200), cny(0)])
    wallet.hold({ key: 'h2', amount: 150, feature: 'live', reason: '', ttlMs: 1000 })
    clock.advance(1000)
    expect(wallet.expireHolds()).toHaveLength(1)
    expect([wallet.balance(), wallet.bonus(), wallet.held()]).toEqual([cny(100), cny(200), cny(0)])
    expect(wallet.verify().ok).toBe(true)
  })

  it('settles a hold from its cash first and releases the rest to the bonus first', () => {
    const { wallet } = funded(100, 200)
    const h = wallet.hold({ key: 'h1', amount: 250, feature: 'live', reason: '', ttlMs: 60_000 })
    // 250 held = 100 cash + 150 bonus. Settling 120 uses the 100 cash and 20 bonus; 130 bonus returns.
    const s = wallet.settle({ key: 's1', holdId: h.holdId, amount: 120 })
    expect(s).toMatchObject({ settled: cny(120), released: cny(130), balance: cny(0) })
    expect([wallet.balance(), wallet.bonus()]).toEqual([cny(0), cny(180)])
    // A hold taken from the cash alone gives back cash only.
    wallet.recharge({ key: 'r2', paymentId: 'pay-2', provider: 'alipay', amount: 500 })
    const h2 = wallet.hold({ key: 'h2', amount: 300, feature: 'live', reason: '', ttlMs: 60_000 })
    wallet.settle({ key: 's2', holdId: h2.holdId, amount: 100 })
    expect([wallet.balance(), wallet.bonus()]).toEqual([cny(400), cny(180)])
    expect(wallet.verify().ok).toBe(true)
  })

  it('never refunds the bonus as cash: a refund takes cash, then debt, and leaves the bonus', () => {
    const { wallet } = funded(1_000, 100)
    wallet.consume({ key: 'c1', amount: 900, feature: 'ai', reason: '' })
    const r = wallet.refund({ key: 'rf1', refundId: 'rf-1', paymentId: 'pay-1', amount: 1_000 })
    expect(r).toMatchObject({ fromWallet: cny(100), fromBonus: cny(0), toDebt: cny(900) })
    expect(wallet.bonus()).toEqual(cny(100))
  })

  it('gives the bonus back to the relay: what is left of it first, then the cash, then debt; once per key', () => {
    const { wallet } = funded(300, 100)
    wallet.consume({ key: 'c1', amount: 320, feature: 'ai', reason: '' })
    expect([wallet.balance(), wallet.bonus()]).toEqual([cny(0), cny(80)])
    wallet.recharge({ key: 'r2', paymentId: 'pay-2', provider: 'wechat', amount: 10 })
    const w = wallet.withdrawBonus({ key: 'wb1', refundId: 'rf-1', amount: 100 })
    expect(w).toMatchObject({ fromBonus: cny(80), fromWallet: cny(10), toDebt: cny(10), balance: cny(0), debt: cny(10) })
    expect(wallet.withdrawBonus({ key: 'wb1', refundId: 'rf-1', amount: 100 })).toEqual(w)
    expect(() => wallet.withdrawBonus({ key: 'wb1', refundId: 'rf-1', amount: 90 })).toThrow(expect.objectContaining({ code: 'IDEMPOTENCY_CONFLICT' }))
    expect([wallet.bonus(), wallet.debt()]).toEqual([cny(0), cny(10)])
    expect(wallet.verify().ok).toBe(true)
  })

  it("posts another device's spend from the bonus too, unless told the cash must pay", () => {
    const { wallet } = funded(100, 100)
    const a = wallet.postExternalDebit({ key: 'x1', amount: 150, deviceId: 'dev-b', feature: 'ai', reason: 'elsewhere' })
    expect(a).toMatchObject({ fromWallet: cny(100), fromBonus: cny(50), toDebt: cny(0) })
    const b = wallet.postExternalDebit({ key: 'x2', amount: 30, deviceId: 'relay', feature: 'recharge_bonus', reason: 'debit', useBonus: false })
    expect(b).toMatchObject({ fromWallet: cny(0), fromBonus: cny(0), toDebt: cny(30) })
    expect([wallet.bonus(), wallet.debt()]).toEqual([cny(50), cny(30)])
  })

  it('refuses a bonus that is not positive minor units of the wallet currency, changing nothing', () => {
    const { wallet } = setup()
    for (const bonus of [0, -1, 1.5, { amount: 10, currency: 'USD' as const }]) {
      expect(() => wallet.recharge({ key: 'r', paymentId: 'p', provider: 'alipay', amount: 100, bonus })).toThrow(expect.objectContaining({ code: expect.stringMatching(/INVALID_AMOUNT|CURRENCY_MISMATCH/) }))
    }
    expect([wallet.balance(), wallet.bonus()]).toEqual([cny(0), cny(0)])
  })

  it("pays from the bonus the debt the relay does not have, keeping the total; not while a hold is open, nor another split", () => {
    const { wallet } = setup()
    const total = () => wallet.balance().amount + wallet.bonus().amount - wallet.debt().amount
    wallet.recharge({ key: 'r1', paymentId: 'pay-1', provider: 'alipay', amount: 100, bonus: 300 })
    wallet.postExternalDebit({ key: 'x', amount: 250, feature: 'ai', reason: '', useBonus: false })
    expect([wallet.balance(), wallet.bonus(), wallet.debt()]).toEqual([cny(0), cny(300), cny(150)])
    // The relay owes 50: it spent 100 of the bonus where this wallet went into debt.
    expect(wallet.alignDebt({ debt: 50 })).toEqual({ moved: true, balance: cny(0), bonus: cny(200), debt: cny(50) })
    expect(total()).toBe(150)
    // The same state again moves nothing.
    expect(wallet.alignDebt({ debt: 50 })).toMatchObject({ moved: false })
    // The relay owing more than this wallet is another disagreement: nothing moves.
    expect(wallet.alignDebt({ debt: 120 })).toMatchObject({ moved: false, bonus: cny(200), debt: cny(50) })
    // Nor when the bonus cannot pay the whole difference.
    wallet.postExternalDebit({ key: 'y', amount: 400, feature: 'ai', reason: '', useBonus: false })
    expect(wallet.alignDebt({ debt: 0 })).toMatchObject({ moved: false, bonus: cny(200), debt: cny(450) })
    // Nor while a hold is open (its money is still to be settled here).
    wallet.recharge({ key: 'r2', paymentId: 'pay-2', provider: 'alipay', amount: 460 })
    const h = wallet.hold({ key: 'h', amount: 10, feature: 'live', reason: '', ttlMs: 1000 })
    wallet.postExternalDebit({ key: 'z', amount: 100, feature: 'ai', reason: '', useBonus: false })
    expect(wallet.alignDebt({ debt: 0 })).toMatchObject({ moved: false })
    wallet.void({ key: 'v', holdId: h.holdId })
    expect(wallet.verify().ok).toBe(true)
  })
})
