import { describe, expect, it } from 'vitest'
import { MAX_AMOUNT } from '../../src/shared/money'
import { BillingError, type ErrorCode } from '../../src/shared/errors'
import { MAX_KEY_LENGTH, Wallet } from '../../src/main/wallet'
import { expectRejected, setup } from './fixture'

// Every operation with every kind of bad input: a typed error and no change, on a wallet
// that has money, a pending hold and a payment, so a wrongly accepted input would show.
function prepared() {
  const s = setup()
  s.wallet.recharge({ key: 'r', paymentId: 'pay', provider: 'alipay', amount: 5000 })
  const hold = s.wallet.hold({ key: 'h', amount: 100, feature: 'ai', reason: '', ttlMs: 60_000 })
  return { ...s, holdId: hold.holdId }
}

const badAmounts: [unknown, ErrorCode][] = [
  [0, 'INVALID_AMOUNT'],
  [-1, 'INVALID_AMOUNT'],
  [0.5, 'INVALID_AMOUNT'],
  [12.34, 'INVALID_AMOUNT'],
  [MAX_AMOUNT + 1, 'INVALID_AMOUNT'],
  [Number.NaN, 'INVALID_AMOUNT'],
  [Number.POSITIVE_INFINITY, 'INVALID_AMOUNT'],
  ['100', 'INVALID_AMOUNT'],
  [null, 'INVALID_AMOUNT'],
  [{ amount: 0, currency: 'CNY' }, 'INVALID_AMOUNT'],
  [{ amount: 1.5, currency: 'CNY' }, 'INVALID_AMOUNT'],
  [{ amount: 100, currency: 'USD' }, 'CURRENCY_MISMATCH'],
  [{ amount: 100, currency: 'XXX' }, 'INVALID_AMOUNT']
]
const badKeys: unknown[] = ['', 'k'.repeat(MAX_KEY_LENGTH + 1), 42, null, undefined]

describe('bad input is refused with a typed error and changes nothing', () => {
  it('amounts, for every operation that takes one', () => {
    const { db, wallet, holdId } = prepared()
    for (const [amount, code] of badAmounts) {
      const a = amount as number
      expectRejected(db, wallet, code, () => wallet.recharge({ key: 'k', paymentId: 'p2', provider: 'alipay', amount: a }))
      expectRejected(db, wallet, code, () => wallet.consume({ key: 'k', amount: a, feature: 'ai', reason: '' }))
      expectRejected(db, wallet, code, () => wallet.hold({ key: 'k', amount: a, feature: 'ai', reason: '', ttlMs: 1 }))
      expectRejected(db, wallet, code, () => wallet.settle({ key: 'k', holdId, amount: a }))
      expectRejected(db, wallet, code, () => wallet.chargeOrFree({ key: 'k', price: a, feature: 'ai', reason: '' }))
      expectRejected(db, wallet, code, () => wallet.useFirstFree({ key: 'k', price: a, feature: 'ai', reason: '' }))
      expectRejected(db, wallet, code, () => wallet.refund({ key: 'k', refundId: 'rf', paymentId: 'pay', amount: a }))
    }
  })

  it('keys and ids: empty, overlong, not strings', () => {
    const { db, wallet, holdId } = prepared()
    for (const bad of badKeys) {
      const k = bad as string
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.recharge({ key: k, paymentId: 'p2', provider: 'alipay', amount: 1 }))
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.recharge({ key: 'k', paymentId: k, provider: 'alipay', amount: 1 }))
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.consume({ key: k, amount: 1, feature: 'ai', reason: '' }))
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.hold({ key: k, amount: 1, feature: 'ai', reason: '', ttlMs: 1 }))
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.settle({ key: k, holdId }))
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.settle({ key: 'k', holdId: k }))
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.void({ key: k, holdId }))
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.chargeOrFree({ key: k, price: 1, feature: 'ai', reason: '' }))
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.useFirstFree({ key: k, price: 1, feature: 'ai', reason: '' }))
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.refund({ key: k, refundId: 'rf', paymentId: 'pay', amount: 1 }))
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.refund({ key: 'k', refundId: k, paymentId: 'pay', amount: 1 }))
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.refund({ key: 'k', refundId: 'rf', paymentId: k, amount: 1 }))
    }
    // The longest allowed key works.
    expect(wallet.consume({ key: 'k'.repeat(MAX_KEY_LENGTH), amount: 1, feature: 'ai', reason: '' }).amount.amount).toBe(1)
  })

  it('features, reasons and providers', () => {
    const { db, wallet } = prepared()
    const long = 'x'.repeat(501)
    for (const [feature, reason] of [
      ['', ''],
      [long, ''],
      ['ai', long],
      [7, ''],
      ['ai', null]
    ] as [string, string][]) {
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.consume({ key: 'k', amount: 1, feature, reason }))
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.hold({ key: 'k', amount: 1, feature, reason, ttlMs: 1 }))
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.chargeOrFree({ key: 'k', price: 1, feature, reason }))
    }
    expectRejected(db, wallet, 'INVALID_INPUT', () =>
      wallet.recharge({ key: 'k', paymentId: 'p', provider: 'bitcoin' as 'alipay', amount: 1 })
    )
  })

  it('history queries', () => {
    const { db, wallet } = prepared()
    for (const q of [
      { limit: 0 },
      { limit: 501 },
      { limit: 1.5 },
      { limit: 10, types: [] },
      { limit: 10, types: ['nope'] },
      { limit: 10, cursor: 'abc' },
      { limit: 10, cursor: '0' },
      { limit: 10, from: 1.5 }
    ]) {
      expectRejected(db, wallet, 'INVALID_INPUT', () => wallet.history(q as Parameters<Wallet['history']>[0]))
    }
  })

  it('opening with a bad account id or currency', () => {
    const { db, clock, ids } = setup()
    expect(() => new Wallet({ db, clock, ids, accountId: '' })).toThrow(BillingError)
    expect(() => new Wallet({ db, clock, ids, currency: 'XXX' as 'CNY' })).toThrow(BillingError)
  })
})
