import { describe, expect, it } from 'vitest'
import { InsufficientFunds } from '../../src/shared/errors'
import { Wallet, type WalletRecord } from '../../src/main/wallet'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { cny, expectRejected, filePath, openFile, setup, sumOfBalances, T0 } from './fixture'

describe('recharge and consume', () => {
  it('opens with zero balances and all accounts in place', () => {
    const { db, wallet } = setup()
    expect(wallet.balance()).toEqual(cny(0))
    expect(wallet.debt()).toEqual(cny(0))
    expect(wallet.held()).toEqual(cny(0))
    const ids = (db.sqlite.prepare('SELECT id FROM wallet_accounts ORDER BY id').all() as { id: string }[]).map((r) => r.id)
    expect(ids).toEqual(
      [
        'bonus:CNY:local',
        'clearing.alipay:CNY:local',
        'clearing.paypal:CNY:local',
        'clearing.stripe:CNY:local',
        'clearing.wechat:CNY:local',
        'debt:CNY:local',
        'holds:CNY:local',
        'promotions:CNY:local',
        'revenue:CNY:local',
        'wallet:CNY:local'
      ].sort()
    )
  })

  it('credits a recharge from the provider clearing account', () => {
    const { db, wallet } = setup()
    const r = wallet.recharge({ key: 'k1', paymentId: 'pay-1', provider: 'alipay', amount: 10_00 })
    expect(r).toEqual({
      entryId: 'w-1',
      paymentId: 'pay-1',
      provider: 'alipay',
      amount: cny(1000),
      bonus: cny(0),
      repaidDebt: cny(0),
      balance: cny(1000),
      debt: cny(0),
      at: T0
    })
    expect(wallet.balance()).toEqual(cny(1000))
    const clearing = db.sqlite.prepare("SELECT balance FROM wallet_accounts WHERE id = 'clearing.alipay:CNY:local'").get()
    expect(clearing).toEqual({ balance: -1000 })
    expect(sumOfBalances(db)).toBe(0)
    expect(wallet.verify()).toMatchObject({ ok: true, problems: [], entries: 1 })
  })

  it('consumes to revenue and refuses more than the balance with the shortfall', () => {
    const { db, wallet } = setup()
    wallet.recharge({ key: 'k1', paymentId: 'pay-1', provider: 'wechat', amount: cny(500) })
    const c = wallet.consume({ key: 'c1', amount: 200, feature: 'ai_request', reason: 'summary' })
    expect(c).toMatchObject({ amount: cny(200), balance: cny(300), feature: 'ai_request', reason: 'summary' })
    expect(wallet.balance()).toEqual(cny(300))
    const err = expectRejected(db, wallet, 'INSUFFICIENT_FUNDS', () =>
      wallet.consume({ key: 'c2', amount: 301, feature: 'ai_request', reason: 'x' })
    )
    expect(err).toBeInstanceOf(InsufficientFunds)
    expect(err.details).toEqual({ balance: 300, required: 301, shortfall: 1, currency: 'CNY' })
    // Exactly the balance is fine and leaves zero.
    wallet.consume({ key: 'c3', amount: 300, feature: 'ai_request', reason: 'x' })
    expect(wallet.balance()).toEqual(cny(0))
    const revenue = db.sqlite.prepare("SELECT balance FROM wallet_accounts WHERE id = 'revenue:CNY:local'").get()
    expect(revenue).toEqual({ balance: 500 })
    expect(wallet.verify().ok).toBe(true)
  })

  it('keeps balances across reopen without reading entries, from account rows', () => {
    const { db, clock, ids, wallet } = setup()
    wallet.recharge({ key: 'k1', paymentId: 'p', provider: 'stripe', amount: 999 })
    wallet.consume({ key: 'c', amount: 99, feature: 'f', reason: '' })
    // A second Wallet on the same db shares the ledger core (one chain head).
    const again = new Wallet({ db, clock, ids })
    expect(again.balance()).toEqual(cny(900))
    again.consume({ key: 'c2', amount: 100, feature: 'f', reason: '' })
    expect(wallet.balance()).toEqual(cny(800))
    expect(wallet.verify().ok).toBe(true)
  })

  it('keeps separate wallets per currency and per account on one chain', () => {
    const { db, clock, ids, wallet } = setup()
    const usd = new Wallet({ db, clock, ids, currency: 'USD' })
    const other = new Wallet({ db, clock, ids, accountId: 'acct-2' })
    wallet.recharge({ key: 'a', paymentId: 'p1', provider: 'alipay', amount: 100 })
    usd.recharge({ key: 'b', paymentId: 'p2', provider: 'stripe', amount: { amount: 300, currency: 'USD' } })
    other.recharge({ key: 'c', paymentId: 'p3', provider: 'paypal', amount: 50 })
    expect(wallet.balance()).toEqual(cny(100))
    expect(usd.balance()).toEqual({ amount: 300, currency: 'USD' })
    expect(other.balance()).toEqual(cny(50))
    expect(wallet.verify()).toMatchObject({ ok: true, entries: 3 })
  })

  it('calls onRecord inside the transaction for debits; a throwing hook rolls the debit back', () => {
    const records: WalletRecord[] = []
    const { db, wallet, clock, ids } = setup({ onRecord: (r) => records.push(r) })
    wallet.recharge({ key: 'k', paymentId: 'p', provider: 'alipay', amount: 1000 })
    expect(records).toEqual([]) // recharges come from the relay; nothing to report
    wallet.consume({ key: 'c', amount: 100, feature: 'ai', reason: 'r' })
    expect(records).toEqual([
      { kind: 'wallet_debit', id: 'w-2', key: 'c', accountId: 'local', amount: cny(100), feature: 'ai', reason: 'r', at: T0 }
    ])
    const failing = new Wallet({
      db,
      clock,
      ids,
      onRecord: () => {
        throw new Error('outbox full')
      }
    })
    const before = db.sqlite.prepare('SELECT COUNT(*) AS n FROM wallet_entries').get()
    expect(() => failing.consume({ key: 'c2', amount: 100, feature: 'ai', reason: 'r' })).toThrow('outbox full')
    expect(db.sqlite.prepare('SELECT COUNT(*) AS n FROM wallet_entries').get()).toEqual(before)
    expect(wallet.balance()).toEqual(cny(900))
    expect(wallet.verify().ok).toBe(true)
  })

  it('inside an outer transaction that rolls back, memory follows the file', () => {
    const { db, wallet } = setup()
    wallet.recharge({ key: 'k', paymentId: 'p', provider: 'alipay', amount: 1000 })
    expect(() =>
      db.tx(() => {
        wallet.consume({ key: 'c', amount: 400, feature: 'renewal', reason: 'plan' })
        expect(wallet.balance()).toEqual(cny(600)) // seen inside the outer transaction
        throw new Error('renewal failed later')
      })
    ).toThrow('renewal failed later')
    expect(wallet.balance()).toEqual(cny(1000))
    // The chain head in memory was restored too: the next write chains correctly.
    wallet.consume({ key: 'c', amount: 100, feature: 'renewal', reason: 'plan' })
    db.tx(() => wallet.consume({ key: 'c3', amount: 100, feature: 'renewal', reason: 'plan' }))
    expect(wallet.balance()).toEqual(cny(800))
    expect(wallet.verify()).toMatchObject({ ok: true, entries: 3 })
  })
})

describe('postings inside a caller\'s transaction', () => {
  it('a savepoint rolled back while the outer transaction goes on: the next posting sees the file, not the lost one', () => {
    const { db, wallet } = setup()
    wallet.recharge({ key: 'k', paymentId: 'p', provider: 'alipay', amount: 1000 })
    db.tx(() => {
      wallet.consume({ key: 'a', amount: 100, feature: 'ai', reason: 'kept' })
      expect(() =>
        db.tx(() => {
          wallet.consume({ key: 'b', amount: 300, feature: 'ai', reason: 'lost' })
          expect(wallet.balance()).toEqual(cny(600))
          throw new Error('this record fails after posting')
        })
      ).toThrow('this record fails')
      // Same outer transaction: memory must not keep the rolled-back 300 or its chain head.
      expect(wallet.balance()).toEqual(cny(900))
      wallet.consume({ key: 'c', amount: 50, feature: 'ai', reason: 'kept' })
      expect(wallet.balance()).toEqual(cny(850))
    })
    expect(wallet.balance()).toEqual(cny(850))
    expect(wallet.verify()).toMatchObject({ ok: true, entries: 3 })
    // Many postings in one outer transaction, each in its own savepoint, every other one lost.
    db.tx(() => {
      for (let i = 0; i < 20; i++) {
        try {
          db.tx(() => {
            wallet.consume({ key: `m${i}`, amount: 10, feature: 'ai', reason: '' })
            if (i % 2) throw new Error('lost')
          })
        } catch {
          // the odd ones roll back
        }
      }
    })
    expect(wallet.balance()).toEqual(cny(750))
    expect(wallet.verify()).toMatchObject({ ok: true, entries: 13 })
  })
})

describe('a second connection to the same file', () => {
  it('its commits are picked up by the next write (never a forked chain or a stale balance)', () => {
    const path = filePath()
    const clock = new ManualClock(T0)
    const db1 = openFile(path)
    // Not a second billing opener (that is refused: test/db/lock.test.ts) but a raw second
    // writer, as a backup or repair tool would be.
    const db2 = openFile(path, { lock: false })
    try {
      const a = new Wallet({ db: db1, clock, ids: sequentialIds('a') })
      const b = new Wallet({ db: db2, clock, ids: sequentialIds('b') })
      a.recharge({ key: 'r', paymentId: 'p', provider: 'alipay', amount: 1000 })
      expect(b.balance()).toEqual(cny(0)) // reads come from memory…
      b.refresh() // …until asked to look at the file
      expect(b.balance()).toEqual(cny(1000))
      a.consume({ key: 'z', amount: 1, feature: 'ai', reason: '' })
      // A write looks at the file under the write lock first, so it spends from the real balance.
      b.consume({ key: 'x', amount: 999, feature: 'ai', reason: '' })
      expect(b.balance()).toEqual(cny(0))
      // a still thinks it has 999; its write sees b's spending and refuses.
      expect(() => a.consume({ key: 'y', amount: 1, feature: 'ai', reason: '' })).toThrow(InsufficientFunds)
      expect(a.balance()).toEqual(cny(0))
      expect(a.verify()).toMatchObject({ ok: true, entries: 3 })
    } finally {
      db1.close()
      db2.close()
    }
  })
})
