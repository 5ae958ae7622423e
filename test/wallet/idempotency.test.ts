import { describe, expect, it } from 'vitest'
import { IdempotencyConflict } from '../../src/shared/errors'
import { Wallet } from '../../src/main/wallet'
import { cny, expectRejected, setup } from './fixture'

const count = (w: { history: Wallet['history'] }) => w.history({ limit: 500 }).items.length

describe('idempotency keys', () => {
  it('replays the first result for the same key and request, even after the balance fell', () => {
    const { db, wallet, clock } = setup()
    wallet.recharge({ key: 'r', paymentId: 'p', provider: 'alipay', amount: 300 })
    const first = wallet.consume({ key: 'c', amount: 200, feature: 'ai', reason: 'x' })
    wallet.consume({ key: 'c2', amount: 100, feature: 'ai', reason: 'x' })
    clock.advance(60_000)
    const entries = count(wallet)
    // Balance is now 0: applying again would fail, but the key already has its answer.
    const replay = wallet.consume({ key: 'c', amount: 200, feature: 'ai', reason: 'x' })
    expect(replay).toEqual(first)
    // Money given as Money or as minor units is the same request.
    expect(wallet.consume({ key: 'c', amount: cny(200), feature: 'ai', reason: 'x' })).toEqual(first)
    expect(count(wallet)).toBe(entries)
    expect(wallet.balance()).toEqual(cny(0))
    expect(db.sqlite.prepare('SELECT COUNT(*) AS n FROM wallet_entries WHERE op_key = ?').get('c')).toEqual({ n: 1 })
  })

  it('rejects the same key with a different request as a conflict, changing nothing', () => {
    const { db, wallet } = setup()
    wallet.recharge({ key: 'r', paymentId: 'p', provider: 'alipay', amount: 1000 })
    wallet.consume({ key: 'c', amount: 200, feature: 'ai', reason: 'x' })
    const variants = [
      () => wallet.consume({ key: 'c', amount: 201, feature: 'ai', reason: 'x' }),
      () => wallet.consume({ key: 'c', amount: 200, feature: 'export', reason: 'x' }),
      () => wallet.consume({ key: 'c', amount: 200, feature: 'ai', reason: 'y' }),
      () => wallet.hold({ key: 'c', amount: 200, feature: 'ai', reason: 'x', ttlMs: 1000 }),
      () => wallet.chargeOrFree({ key: 'c', price: 200, feature: 'ai', reason: 'x' }),
      () => wallet.recharge({ key: 'c', paymentId: 'p2', provider: 'alipay', amount: 200 }),
      () => wallet.void({ key: 'c', holdId: 'nope' }), // a NotFound request still answers with the key's conflict
      () => wallet.consume({ key: 'c', amount: 5000, feature: 'ai', reason: 'x' }) // would be InsufficientFunds
    ]
    for (const v of variants) expect(expectRejected(db, wallet, 'IDEMPOTENCY_CONFLICT', v)).toBeInstanceOf(IdempotencyConflict)
  })

  it('keys are per file: another account reusing a key gets a conflict, not the first account’s result', () => {
    const { db, wallet, clock, ids } = setup()
    const other = new Wallet({ db, clock, ids, accountId: 'acct-2' })
    wallet.recharge({ key: 'r1', paymentId: 'p1', provider: 'alipay', amount: 1000 })
    other.recharge({ key: 'r2', paymentId: 'p2', provider: 'alipay', amount: 1000 })
    wallet.consume({ key: 'c', amount: 100, feature: 'ai', reason: 'x' })
    expectRejected(db, other, 'IDEMPOTENCY_CONFLICT', () => other.consume({ key: 'c', amount: 100, feature: 'ai', reason: 'x' }))
    expect(other.balance()).toEqual(cny(1000))
  })

  it('a failed request stores nothing, so its key can be used once the request can succeed', () => {
    const { db, wallet } = setup()
    expectRejected(db, wallet, 'INSUFFICIENT_FUNDS', () => wallet.consume({ key: 'c', amount: 100, feature: 'ai', reason: '' }))
    wallet.recharge({ key: 'r', paymentId: 'p', provider: 'alipay', amount: 100 })
    expect(wallet.consume({ key: 'c', amount: 100, feature: 'ai', reason: '' }).balance).toEqual(cny(0))
  })
})

describe('recharge exactly once per payment id', () => {
  it('a second recharge of the same payment under another key returns the first result', () => {
    const { wallet } = setup()
    const first = wallet.recharge({ key: 'k1', paymentId: 'pay', provider: 'wechat', amount: 500 })
    const again = wallet.recharge({ key: 'k2', paymentId: 'pay', provider: 'wechat', amount: 500 })
    expect(again).toEqual(first)
    expect(wallet.balance()).toEqual(cny(500))
    expect(wallet.history({ limit: 10 }).items).toHaveLength(1)
    // And the second key was not consumed by that replay.
    expect(wallet.recharge({ key: 'k2', paymentId: 'pay-2', provider: 'wechat', amount: 1 }).balance).toEqual(cny(501))
  })

  it('the same payment with a different amount or provider is a conflict', () => {
    const { db, wallet } = setup()
    wallet.recharge({ key: 'k1', paymentId: 'pay', provider: 'wechat', amount: 500 })
    expectRejected(db, wallet, 'IDEMPOTENCY_CONFLICT', () =>
      wallet.recharge({ key: 'k2', paymentId: 'pay', provider: 'wechat', amount: 501 })
    )
    expectRejected(db, wallet, 'IDEMPOTENCY_CONFLICT', () =>
      wallet.recharge({ key: 'k3', paymentId: 'pay', provider: 'alipay', amount: 500 })
    )
    expectRejected(db, wallet, 'IDEMPOTENCY_CONFLICT', () =>
      wallet.recharge({ key: 'k1', paymentId: 'pay', provider: 'wechat', amount: 1 })
    )
  })

  it('a key already used for another request wins over a payment-id replay', () => {
    const { db, wallet } = setup()
    wallet.recharge({ key: 'k1', paymentId: 'pay', provider: 'wechat', amount: 500 })
    wallet.consume({ key: 'used', amount: 1, feature: 'ai', reason: '' })
    expectRejected(db, wallet, 'IDEMPOTENCY_CONFLICT', () =>
      wallet.recharge({ key: 'used', paymentId: 'pay', provider: 'wechat', amount: 500 })
    )
  })
})
