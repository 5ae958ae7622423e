import { describe, expect, it } from 'vitest'
import { AlreadyClaimed, Wallet, type WalletRecord } from '../../src/main/wallet'
import { cny, expectRejected, setup, T0 } from './fixture'

// What the sync layer posts for effects that happened elsewhere: another device's spending
// (or a lost first-free claim the relay charged), and another device's winning first-free claim.

describe('postExternalDebit', () => {
  it('takes what the wallet covers, records the rest as debt, once per key, without reporting it back', () => {
    const records: WalletRecord[] = []
    const { db, wallet } = setup({ onRecord: (r) => records.push(r) })
    wallet.recharge({ key: 'r1', paymentId: 'p1', provider: 'alipay', amount: 1000 })
    records.length = 0

    const a = wallet.postExternalDebit({ key: 'feed:1', amount: 600, deviceId: 'dev-b', feature: 'ai_request', reason: 'spent on device dev-b' })
    expect(a).toEqual({ entryId: 'w-2', amount: cny(600), fromWallet: cny(600), fromBonus: cny(0), toDebt: cny(0), balance: cny(400), debt: cny(0), at: T0 })
    const b = wallet.postExternalDebit({ key: 'feed:2', amount: cny(700), deviceId: 'dev-b', feature: 'ai_request', reason: 'x' })
    expect(b).toMatchObject({ fromWallet: cny(400), toDebt: cny(300), balance: cny(0), debt: cny(300) })
    // Nothing left: leg 0 is the debt leg.
    const c = wallet.postExternalDebit({ key: 'feed:3', amount: 50, feature: 'ai_request', reason: 'first-free claim lost' })
    expect(c).toMatchObject({ fromWallet: cny(0), toDebt: cny(50), debt: cny(350) })
    expect(records).toEqual([]) // came from elsewhere: never sent back through the outbox

    // Same key, same request: the first answer, nothing moves; another request: a conflict.
    expect(wallet.postExternalDebit({ key: 'feed:1', amount: 600, deviceId: 'dev-b', feature: 'ai_request', reason: 'spent on device dev-b' })).toEqual(a)
    expect(wallet.debt()).toEqual(cny(350))
    expectRejected(db, wallet, 'IDEMPOTENCY_CONFLICT', () =>
      wallet.postExternalDebit({ key: 'feed:1', amount: 601, deviceId: 'dev-b', feature: 'ai_request', reason: 'spent on device dev-b' })
    )
    expectRejected(db, wallet, 'IDEMPOTENCY_CONFLICT', () => wallet.consume({ key: 'feed:2', amount: 1, feature: 'x', reason: '' }))

    // Debt stops paid use until a recharge repays it.
    expectRejected(db, wallet, 'INSUFFICIENT_FUNDS', () => wallet.consume({ key: 'use-1', amount: 1, feature: 'x', reason: '' }))
    expect(wallet.recharge({ key: 'r2', paymentId: 'p2', provider: 'wechat', amount: 1000 })).toMatchObject({ repaidDebt: cny(350), balance: cny(650) })

    const legs = wallet.history({ limit: 50, types: ['consume'] }).items
    expect(legs.map((l) => [l.ref, l.amount.amount, l.walletDelta])).toEqual([
      [null, 50, 0],
      ['dev-b', 300, 0],
      ['dev-b', 400, -400],
      ['dev-b', 600, -600]
    ])
    expect(wallet.verify().problems).toEqual([])
  })

  it('rejects bad input with typed errors and changes nothing', () => {
    const { db, wallet } = setup()
    wallet.recharge({ key: 'r1', paymentId: 'p1', provider: 'alipay', amount: 1000 })
    const ok = { key: 'feed:x', amount: 100, deviceId: 'dev-b', feature: 'ai', reason: 'x' }
    expectRejected(db, wallet, 'INVALID_AMOUNT', () => wallet.postExternalDebit({ ...ok, amount: 0 }))
    expectRejected(db, wallet, 'INVALID_AMOUNT', () => wallet.postExternalDebit({ ...ok, amount: -5 }))
    expectRejected(db, wallet, 'INVALID_AMOUNT', () => wallet.postExternalDebit({ ...ok, amount: 1.5 }))
    expectRejected(db, wallet, 'CURRENCY_MISMATCH', () => wallet.postExternalDebit({ ...ok, amount: { amount: 100, currency: 'USD' } }))
    expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.postExternalDebit({ ...ok, feature: '' }))
    expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.postExternalDebit({ ...ok, key: '' }))
    expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.postExternalDebit({ ...ok, deviceId: '' }))
    expect(wallet.usedKey('feed:x')).toBe(false)
    wallet.postExternalDebit(ok)
    expect(wallet.usedKey('feed:x')).toBe(true)
  })
})

describe('markFirstFreeTakenElsewhere', () => {
  it('closes first-free on this device for good, once per key', () => {
    const { db, wallet, clock, ids } = setup()
    const mark = { key: 'feed:ff', claimId: 'ffc-b-1', deviceId: 'dev-b', feature: 'ai_request' }
    expect(wallet.firstFreeUsed()).toBe(false)
    expect(wallet.markFirstFreeTakenElsewhere(mark)).toEqual({ recorded: true, claimId: 'ffc-b-1', deviceId: 'dev-b' })
    expect(wallet.firstFreeUsed()).toBe(true)
    expect(wallet.usedKey('feed:ff')).toBe(true)
    expect(expectRejected(db, wallet, 'ALREADY_CLAIMED', () => wallet.useFirstFree({ key: 'f1', price: 100, feature: 'ai', reason: '' }))).toBeInstanceOf(
      AlreadyClaimed
    )
    expect(wallet.chargeOrFree({ key: 'c1', price: 100, feature: 'ai', reason: '' })).toMatchObject({ outcome: 'needs_recharge', shortfall: cny(100) })
    // Replay answers the same; the same key for another claim, or for a ledger operation, is a conflict.
    expect(wallet.markFirstFreeTakenElsewhere(mark)).toEqual({ recorded: true, claimId: 'ffc-b-1', deviceId: 'dev-b' })
    expectRejected(db, wallet, 'IDEMPOTENCY_CONFLICT', () => wallet.markFirstFreeTakenElsewhere({ ...mark, claimId: 'ffc-c-1' }))
    expectRejected(db, wallet, 'IDEMPOTENCY_CONFLICT', () => wallet.recharge({ key: 'feed:ff', paymentId: 'p9', provider: 'alipay', amount: 100 }))
    // A later decision under another key finds the account claimed: nothing written.
    expect(wallet.markFirstFreeTakenElsewhere({ ...mark, key: 'feed:ff2' })).toMatchObject({ recorded: false })
    // Survives a restart: a new Wallet reads it from the file.
    expect(new Wallet({ db, clock, ids }).firstFreeUsed()).toBe(true)
    expect(db.sqlite.prepare('SELECT entry_id, elsewhere_claim_id, elsewhere_device_id FROM wallet_first_free_claims').all()).toEqual([
      { entry_id: null, elsewhere_claim_id: 'ffc-b-1', elsewhere_device_id: 'dev-b' }
    ])
    expect(wallet.verify().problems).toEqual([])
  })

  it("leaves this device's own claim standing (its loss arrives as an external debit)", () => {
    const { db, wallet } = setup()
    const own = wallet.useFirstFree({ key: 'f1', price: 300, feature: 'ai', reason: 'first' })
    expect(wallet.markFirstFreeTakenElsewhere({ key: 'feed:ff', claimId: 'ffc-b-1', deviceId: 'dev-b', feature: 'ai' })).toMatchObject({ recorded: false })
    expect(db.sqlite.prepare('SELECT entry_id, elsewhere_claim_id FROM wallet_first_free_claims').all()).toEqual([{ entry_id: own.entryId, elsewhere_claim_id: null }])
    expect(wallet.postExternalDebit({ key: 'feed:lost', amount: 300, feature: 'ai', reason: 'first-free claim lost' })).toMatchObject({ toDebt: cny(300) })
    expect(wallet.verify().problems).toEqual([])
  })

  it('rejects bad input and changes nothing; verify flags a first-free entry whose claim was rewritten as elsewhere', () => {
    const { db, wallet } = setup()
    const ok = { key: 'feed:ff', claimId: 'ffc-b-1', deviceId: 'dev-b', feature: 'ai' }
    expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.markFirstFreeTakenElsewhere({ ...ok, key: '' }))
    expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.markFirstFreeTakenElsewhere({ ...ok, claimId: '' }))
    expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.markFirstFreeTakenElsewhere({ ...ok, deviceId: 'x'.repeat(200) }))
    expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.markFirstFreeTakenElsewhere({ ...ok, feature: '' }))
    expect(wallet.firstFreeUsed()).toBe(false)

    // An edit that turns a local claim into an "elsewhere" one (to hide the free use) is detected.
    wallet.useFirstFree({ key: 'f1', price: 300, feature: 'ai', reason: '' })
    db.sqlite.prepare("UPDATE wallet_first_free_claims SET entry_id = NULL, elsewhere_claim_id = 'x', elsewhere_device_id = 'y'").run()
    expect(wallet.verify().problems.map((p) => p.kind)).toContain('claims')
  })
})
