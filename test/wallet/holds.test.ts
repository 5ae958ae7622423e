import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { HoldClosed, HoldExpired, Wallet, type WalletRecord } from '../../src/main/wallet'
import { cny, expectRejected, filePath, openFile, setup, T0 } from './fixture'

function funded(over: Parameters<typeof setup>[0] = {}) {
  const s = setup(over)
  s.wallet.recharge({ key: 'r', paymentId: 'p', provider: 'alipay', amount: 1000 })
  return s
}

describe('holds', () => {
  it('moves money out of the wallet into holds, then a partial settle returns the remainder', () => {
    const records: WalletRecord[] = []
    const { db, wallet } = funded({ onRecord: (r) => records.push(r) })
    const h = wallet.hold({ key: 'h', amount: 600, feature: 'live_room', reason: 'session', ttlMs: 60_000 })
    expect(h).toMatchObject({ amount: cny(600), balance: cny(400), expiresAt: T0 + 60_000 })
    expect(wallet.balance()).toEqual(cny(400))
    expect(wallet.held()).toEqual(cny(600))
    expect(wallet.getHold(h.holdId)).toMatchObject({ status: 'pending', amount: cny(600), settled: null })
    const s = wallet.settle({ key: 's', holdId: h.holdId, amount: 250 })
    expect(s).toMatchObject({ holdId: h.holdId, settled: cny(250), released: cny(350), balance: cny(750) })
    expect(wallet.balance()).toEqual(cny(750))
    expect(wallet.held()).toEqual(cny(0))
    expect(wallet.getHold(h.holdId)).toMatchObject({ status: 'settled', settled: cny(250), closedAt: T0 })
    const revenue = db.sqlite.prepare("SELECT balance FROM wallet_accounts WHERE id = 'revenue:CNY:local'").get()
    expect(revenue).toEqual({ balance: 250 })
    expect(records).toEqual([
      expect.objectContaining({ kind: 'hold_settled', holdId: h.holdId, settled: cny(250), released: cny(350), key: 's' })
    ])
    expect(wallet.verify().ok).toBe(true)
  })

  it('settles the whole hold when no amount is given, and a replay returns the first result', () => {
    const { wallet } = funded()
    const h = wallet.hold({ key: 'h', amount: 600, feature: 'ai', reason: '', ttlMs: 1000 })
    const s = wallet.settle({ key: 's', holdId: h.holdId })
    expect(s).toMatchObject({ settled: cny(600), released: cny(0), balance: cny(400) })
    expect(wallet.settle({ key: 's', holdId: h.holdId })).toEqual(s)
    expect(wallet.balance()).toEqual(cny(400))
  })

  it('void releases everything; closing twice is HOLD_CLOSED', () => {
    const { db, wallet } = funded()
    const h = wallet.hold({ key: 'h', amount: 600, feature: 'ai', reason: '', ttlMs: 1000 })
    expect(wallet.void({ key: 'v', holdId: h.holdId })).toMatchObject({ released: cny(600), balance: cny(1000) })
    expect(wallet.getHold(h.holdId).status).toBe('voided')
    expect(expectRejected(db, wallet, 'HOLD_CLOSED', () => wallet.settle({ key: 's', holdId: h.holdId }))).toBeInstanceOf(HoldClosed)
    expectRejected(db, wallet, 'HOLD_CLOSED', () => wallet.void({ key: 'v2', holdId: h.holdId }))
    expect(wallet.void({ key: 'v', holdId: h.holdId })).toMatchObject({ released: cny(600) }) // replay
    expect(wallet.verify().ok).toBe(true)
  })

  it('rejects bad settles with typed errors and no change', () => {
    const { db, wallet, clock, ids } = funded()
    const h = wallet.hold({ key: 'h', amount: 600, feature: 'ai', reason: '', ttlMs: 1000 })
    expectRejected(db, wallet, 'INVALID_AMOUNT', () => wallet.settle({ key: 's', holdId: h.holdId, amount: 601 }))
    expectRejected(db, wallet, 'INVALID_AMOUNT', () => wallet.settle({ key: 's', holdId: h.holdId, amount: 0 }))
    expectRejected(db, wallet, 'CURRENCY_MISMATCH', () =>
      wallet.settle({ key: 's', holdId: h.holdId, amount: { amount: 1, currency: 'USD' } })
    )
    expectRejected(db, wallet, 'NOT_FOUND', () => wallet.settle({ key: 's', holdId: 'missing' }))
    expectRejected(db, wallet, 'NOT_FOUND', () => wallet.void({ key: 'v', holdId: 'missing' }))
    expectRejected(db, wallet, 'NOT_FOUND', () => wallet.getHold('missing'))
    // Another account cannot see or close this account's hold.
    const other = new Wallet({ db, clock, ids, accountId: 'someone-else' })
    expectRejected(db, other, 'NOT_FOUND', () => other.settle({ key: 's', holdId: h.holdId }))
    expectRejected(db, wallet, 'INSUFFICIENT_FUNDS', () =>
      wallet.hold({ key: 'h2', amount: 401, feature: 'ai', reason: '', ttlMs: 1000 })
    )
    for (const ttlMs of [0, -1, 1.5, Number.NaN, 400 * 24 * 3600 * 1000]) {
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.hold({ key: 'h3', amount: 1, feature: 'ai', reason: '', ttlMs }))
    }
  })

  it('settling after expiry is HOLD_EXPIRED and changes nothing; the sweep then releases it', () => {
    const { db, wallet, clock } = funded()
    const h = wallet.hold({ key: 'h', amount: 600, feature: 'ai', reason: '', ttlMs: 1000 })
    clock.advance(999)
    expect(wallet.expireHolds()).toEqual([])
    clock.advance(1)
    const err = expectRejected(db, wallet, 'HOLD_EXPIRED', () => wallet.settle({ key: 's', holdId: h.holdId }))
    expect(err).toBeInstanceOf(HoldExpired)
    const expired = wallet.expireHolds()
    expect(expired).toEqual([{ holdId: h.holdId, entryId: expect.any(String), released: cny(600) }])
    expect(wallet.balance()).toEqual(cny(1000))
    expect(wallet.getHold(h.holdId).status).toBe('expired')
    expectRejected(db, wallet, 'HOLD_EXPIRED', () => wallet.settle({ key: 's', holdId: h.holdId }))
    expectRejected(db, wallet, 'HOLD_EXPIRED', () => wallet.void({ key: 'v', holdId: h.holdId }))
    expect(wallet.expireHolds()).toEqual([])
    expect(wallet.history({ limit: 1, types: ['expire'] }).items[0]).toMatchObject({ type: 'expire', key: null, walletDelta: 600 })
    expect(wallet.verify().ok).toBe(true)
  })

  it('void past expiry, before the sweep, releases the hold', () => {
    const { wallet, clock } = funded()
    const h = wallet.hold({ key: 'h', amount: 600, feature: 'ai', reason: '', ttlMs: 1000 })
    clock.advance(5000)
    expect(wallet.void({ key: 'v', holdId: h.holdId })).toMatchObject({ released: cny(600), balance: cny(1000) })
    expect(wallet.expireHolds()).toEqual([])
  })

  it('a crashed session’s hold is released when the file is opened again after its expiry', () => {
    const path = filePath()
    const clock = new ManualClock(T0)
    const ids = sequentialIds('a')
    const db1 = openFile(path)
    const w1 = new Wallet({ db: db1, clock, ids })
    w1.recharge({ key: 'r', paymentId: 'p', provider: 'alipay', amount: 1000 })
    const live = w1.hold({ key: 'h1', amount: 300, feature: 'live_room', reason: '', ttlMs: 60_000 })
    const later = w1.hold({ key: 'h2', amount: 200, feature: 'live_room', reason: '', ttlMs: 600_000 })
    db1.close() // the process dies with both holds pending

    clock.advance(120_000)
    const db2 = openFile(path)
    const w2 = new Wallet({ db: db2, clock, ids: sequentialIds('b') })
    expect(w2.balance()).toEqual(cny(800))
    expect(w2.held()).toEqual(cny(200))
    expect(w2.getHold(live.holdId).status).toBe('expired')
    expect(w2.getHold(later.holdId).status).toBe('pending')
    expect(w2.verify().ok).toBe(true)
    db2.close()
  })
})
