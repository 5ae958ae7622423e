import { describe, expect, it } from 'vitest'
import { AlreadyClaimed, Wallet, type WalletRecord } from '../../src/main/wallet'
import { cny, expectRejected, setup, T0 } from './fixture'

describe('first-free', () => {
  it('is used once per account, paid by promotions, with the claim in the same transaction', () => {
    const records: WalletRecord[] = []
    const { db, wallet, clock, ids } = setup({ onRecord: (r) => records.push(r) })
    const r = wallet.useFirstFree({ key: 'f', price: 500, feature: 'ai', reason: 'first' })
    expect(r).toEqual({ entryId: 'w-1', price: cny(500), balance: cny(0), at: T0 })
    expect(wallet.firstFreeUsed()).toBe(true)
    const promo = db.sqlite.prepare("SELECT balance FROM wallet_accounts WHERE id = 'promotions:CNY:local'").get()
    expect(promo).toEqual({ balance: -500 })
    expect(db.sqlite.prepare('SELECT account_id, entry_id FROM wallet_first_free_claims').all()).toEqual([
      { account_id: 'local', entry_id: 'w-1' }
    ])
    expect(records).toEqual([expect.objectContaining({ kind: 'first_free_claim', id: 'w-1', price: cny(500) })])
    expect(wallet.useFirstFree({ key: 'f', price: 500, feature: 'ai', reason: 'first' })).toEqual(r) // replay
    expect(expectRejected(db, wallet, 'ALREADY_CLAIMED', () => wallet.useFirstFree({ key: 'f2', price: 1, feature: 'ai', reason: '' }))).toBeInstanceOf(AlreadyClaimed)
    // Once per account, not per Wallet object or currency: a fresh Wallet for the account sees the claim.
    const usd = new Wallet({ db, clock, ids, currency: 'USD' })
    expect(usd.firstFreeUsed()).toBe(true)
    // Another account has its own.
    const other = new Wallet({ db, clock, ids, accountId: 'acct-2' })
    expect(other.firstFreeUsed()).toBe(false)
    expect(wallet.verify().ok).toBe(true)
  })

  it('is atomic with its use: when the use fails, there is no claim either', () => {
    const { db, wallet, clock, ids } = setup()
    const failing = new Wallet({
      db,
      clock,
      ids,
      onRecord: () => {
        throw new Error('outbox down')
      }
    })
    expect(() => failing.useFirstFree({ key: 'f', price: 500, feature: 'ai', reason: '' })).toThrow('outbox down')
    expect(wallet.firstFreeUsed()).toBe(false)
    expect(db.sqlite.prepare('SELECT COUNT(*) AS n FROM wallet_first_free_claims').get()).toEqual({ n: 0 })
    expect(db.sqlite.prepare('SELECT COUNT(*) AS n FROM wallet_entries').get()).toEqual({ n: 0 })
    // The claim row's primary key is a second guard: a claim written behind the cache's back blocks a second use.
    db.sqlite
      .prepare("INSERT INTO wallet_first_free_claims (account_id, entry_id, op_key, feature, price, currency, created_at) VALUES ('local', 'x', 'x', 'ai', 1, 'CNY', 0)")
      .run()
    expect(() => wallet.useFirstFree({ key: 'f2', price: 500, feature: 'ai', reason: '' })).toThrow(/UNIQUE|PRIMARY/)
    expect(wallet.balance()).toEqual(cny(0))
    expect(db.sqlite.prepare('SELECT COUNT(*) AS n FROM wallet_entries').get()).toEqual({ n: 0 })
  })
})

describe('chargeOrFree, the product rule', () => {
  it('pays when the balance covers the price', () => {
    const { wallet } = setup()
    wallet.recharge({ key: 'r', paymentId: 'p', provider: 'alipay', amount: 1000 })
    const out = wallet.chargeOrFree({ key: 'c', price: 1000, feature: 'ai', reason: '' })
    expect(out).toEqual({ outcome: 'paid', entryId: 'w-2', price: cny(1000), balance: cny(0), at: T0 })
    expect(wallet.firstFreeUsed()).toBe(false)
    expect(wallet.balance()).toEqual(cny(0))
  })

  it('uses first-free when the balance does not cover it, then asks for a recharge', () => {
    const { db, wallet } = setup()
    wallet.recharge({ key: 'r', paymentId: 'p', provider: 'alipay', amount: 300 })
    const free = wallet.chargeOrFree({ key: 'c1', price: 500, feature: 'ai', reason: '' })
    expect(free).toMatchObject({ outcome: 'first_free', price: cny(500), balance: cny(300) })
    expect(wallet.balance()).toEqual(cny(300))
    const before = JSON.stringify(db.sqlite.prepare('SELECT * FROM wallet_entries').all())
    const need = wallet.chargeOrFree({ key: 'c2', price: 500, feature: 'ai', reason: '' })
    expect(need).toEqual({ outcome: 'needs_recharge', price: cny(500), shortfall: cny(200), balance: cny(300), debt: cny(0) })
    expect(JSON.stringify(db.sqlite.prepare('SELECT * FROM wallet_entries').all())).toBe(before)
    // needs_recharge stores nothing: the same key succeeds once the wallet is topped up.
    wallet.recharge({ key: 'r2', paymentId: 'p2', provider: 'alipay', amount: 200 })
    expect(wallet.chargeOrFree({ key: 'c2', price: 500, feature: 'ai', reason: '' })).toMatchObject({ outcome: 'paid', balance: cny(0) })
    // A paid key replays as paid even though the wallet could not pay it now.
    expect(wallet.chargeOrFree({ key: 'c2', price: 500, feature: 'ai', reason: '' })).toMatchObject({ outcome: 'paid' })
    expect(wallet.chargeOrFree({ key: 'c1', price: 500, feature: 'ai', reason: '' })).toEqual(free)
    expect(wallet.verify().ok).toBe(true)
  })

  it('rejects bad prices with typed errors and no change', () => {
    const { db, wallet } = setup()
    for (const price of [0, -1, 1.5, 10_000_000_001]) {
      expectRejected(db, wallet, 'INVALID_AMOUNT', () => wallet.chargeOrFree({ key: 'c', price, feature: 'ai', reason: '' }))
    }
    expectRejected(db, wallet, 'CURRENCY_MISMATCH', () =>
      wallet.chargeOrFree({ key: 'c', price: { amount: 1, currency: 'JPY' }, feature: 'ai', reason: '' })
    )
    expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.chargeOrFree({ key: '', price: 1, feature: 'ai', reason: '' }))
    expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.chargeOrFree({ key: 'c', price: 1, feature: '', reason: '' }))
  })
})

describe('refunds and debt', () => {
  it('takes a refund from the wallet, records the rest as debt, and a recharge repays it first', () => {
    const records: WalletRecord[] = []
    const { db, wallet } = setup({ onRecord: (r) => records.push(r) })
    wallet.recharge({ key: 'r1', paymentId: 'pay-1', provider: 'stripe', amount: 1000 })
    wallet.consume({ key: 'c', amount: 700, feature: 'ai', reason: '' })
    const ref = wallet.refund({ key: 'f', refundId: 'rf-1', paymentId: 'pay-1', amount: 1000 })
    expect(ref).toMatchObject({ fromWallet: cny(300), toDebt: cny(700), balance: cny(0), debt: cny(700) })
    expect(wallet.debt()).toEqual(cny(700))
    expect(records.at(-1)).toMatchObject({ kind: 'refund', refundId: 'rf-1', paymentId: 'pay-1', toDebt: cny(700) })
    const clearing = db.sqlite.prepare("SELECT balance FROM wallet_accounts WHERE id = 'clearing.stripe:CNY:local'").get()
    expect(clearing).toEqual({ balance: 0 })

    // Paid use stops while debt is outstanding, first-free aside.
    wallet.useFirstFree({ key: 'ff', price: 1, feature: 'ai', reason: '' })
    expect(wallet.chargeOrFree({ key: 'x', price: 100, feature: 'ai', reason: '' })).toEqual({
      outcome: 'needs_recharge',
      price: cny(100),
      shortfall: cny(800),
      balance: cny(0),
      debt: cny(700)
    })

    const rc = wallet.recharge({ key: 'r2', paymentId: 'pay-2', provider: 'alipay', amount: 500 })
    expect(rc).toMatchObject({ repaidDebt: cny(500), balance: cny(0), debt: cny(200) })
    expectRejected(db, wallet, 'INSUFFICIENT_FUNDS', () => wallet.consume({ key: 'y', amount: 1, feature: 'ai', reason: '' }))
    const rc2 = wallet.recharge({ key: 'r3', paymentId: 'pay-3', provider: 'alipay', amount: 500 })
    expect(rc2).toMatchObject({ repaidDebt: cny(200), balance: cny(300), debt: cny(0) })
    expect(wallet.chargeOrFree({ key: 'x', price: 100, feature: 'ai', reason: '' })).toMatchObject({ outcome: 'paid', balance: cny(200) })
    expect(wallet.verify().ok).toBe(true)
  })

  it('money released from a hold repays debt too', () => {
    const { wallet } = setup()
    wallet.recharge({ key: 'r1', paymentId: 'pay-1', provider: 'stripe', amount: 1000 })
    const h = wallet.hold({ key: 'h', amount: 800, feature: 'live', reason: '', ttlMs: 10_000 })
    wallet.refund({ key: 'f', refundId: 'rf', paymentId: 'pay-1', amount: 1000 })
    expect(wallet.debt()).toEqual(cny(800))
    expect(wallet.settle({ key: 's', holdId: h.holdId, amount: 100 })).toMatchObject({ released: cny(700), balance: cny(0) })
    expect(wallet.debt()).toEqual(cny(100))
    expect(wallet.verify().ok).toBe(true)
  })

  it('refunds once per refund id and never more than the payment', () => {
    const { db, wallet } = setup()
    wallet.recharge({ key: 'r1', paymentId: 'pay-1', provider: 'paypal', amount: 1000 })
    const a = wallet.refund({ key: 'f1', refundId: 'rf-1', paymentId: 'pay-1', amount: 400 })
    expect(wallet.refund({ key: 'f1', refundId: 'rf-1', paymentId: 'pay-1', amount: 400 })).toEqual(a)
    expect(wallet.refund({ key: 'other-key', refundId: 'rf-1', paymentId: 'pay-1', amount: 400 })).toEqual(a)
    expect(wallet.balance()).toEqual(cny(600))
    expectRejected(db, wallet, 'IDEMPOTENCY_CONFLICT', () =>
      wallet.refund({ key: 'f2', refundId: 'rf-1', paymentId: 'pay-1', amount: 401 })
    )
    expectRejected(db, wallet, 'INVALID_AMOUNT', () => wallet.refund({ key: 'f3', refundId: 'rf-2', paymentId: 'pay-1', amount: 601 }))
    expectRejected(db, wallet, 'NOT_FOUND', () => wallet.refund({ key: 'f4', refundId: 'rf-3', paymentId: 'nope', amount: 1 }))
    expectRejected(db, wallet, 'INVALID_AMOUNT', () => wallet.refund({ key: 'f5', refundId: 'rf-4', paymentId: 'pay-1', amount: 0 }))
    wallet.refund({ key: 'f6', refundId: 'rf-5', paymentId: 'pay-1', amount: 600 })
    expect(wallet.balance()).toEqual(cny(0))
    expect(wallet.debt()).toEqual(cny(0))
    expect(wallet.verify().ok).toBe(true)
  })
})
