import { rmSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ORDER_NO_PATTERN, newOrderNo, randomOrderNoTail } from '../../src/relay/orders/checkouts'
import { tempDir } from '../support/db'
import { checkout } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { enrolDevice, startTestRelay } from './support/relay'

// Providers dedupe by out_trade_no for the merchant's whole life, so an order number must
// not come back when the relay's database is re-created (or restored from an older backup).

// Each provider's out_trade_no / reference rule.
const WECHAT = /^[A-Za-z0-9_\-|*]{6,32}$/
const ALIPAY = /^[A-Za-z0-9_]{1,64}$/

const item = { provider: 'stripe', item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' } }

describe('order numbers', () => {
  it('fit every provider’s out_trade_no rule', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2099, 11, 31) }),
        fc.integer({ min: 1, max: 9_999_999_999 }),
        fc.uint8Array({ minLength: 5, maxLength: 5 }),
        (now, seq, bytes) => {
          const no = newOrderNo(now, seq, randomOrderNoTail(bytes))
          expect(no).toMatch(ORDER_NO_PATTERN)
          expect(no).toMatch(WECHAT)
          expect(no).toMatch(ALIPAY)
          expect(no.length).toBeLessThanOrEqual(127) // PayPal invoice_id; Stripe allows 200
        }
      )
    )
    expect(randomOrderNoTail(new Uint8Array(5))).toBe('00000000')
    expect(randomOrderNoTail(new Uint8Array(5).fill(255))).toBe('ZZZZZZZZ')
    // 2025-01-15 23:30 UTC is already the 16th in Asia/Shanghai.
    expect(newOrderNo(Date.UTC(2025, 0, 15, 23, 30), 42, 'ABCDEFGH')).toBe('R202501160000000042ABCDEFGH')
  })

  it('the random tail takes all 40 bits: distinct bytes give distinct tails', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 5, maxLength: 5 }), fc.uint8Array({ minLength: 5, maxLength: 5 }), (a, b) => {
        expect(randomOrderNoTail(a) === randomOrderNoTail(b)).toBe(Buffer.from(a).equals(Buffer.from(b)))
      })
    )
  })

  it('a re-created database does not hand out a number the providers have already seen', async () => {
    const dataDir = tempDir('relay-orderno-')
    const firstLife = async () => {
      const provider = createTestProvider('stripe')
      const t = await startTestRelay({ providers: [provider], dataDir })
      const dev = await enrolDevice(t.api)
      const numbers: string[] = []
      for (let i = 0; i < 5; i++) numbers.push((await checkout(t.api, dev.token, item)).order.orderNo)
      await t.relay.stop()
      return { numbers, sentToProvider: provider.checkouts.map((c) => c.orderNo) }
    }
    const before = await firstLife()
    for (const f of ['relay.sqlite', 'relay.sqlite-wal', 'relay.sqlite-shm']) rmSync(join(dataDir, f), { force: true })
    // Same clock, same sequence from 1 in a fresh database file.
    const after = await firstLife()

    expect(before.sentToProvider).toEqual(before.numbers)
    for (const no of [...before.numbers, ...after.numbers]) expect(no).toMatch(ORDER_NO_PATTERN)
    // Date and sequence repeat exactly (what made the old numbers collide) ...
    expect(after.numbers.map((n) => n.slice(0, 19))).toEqual(before.numbers.map((n) => n.slice(0, 19)))
    // ... the numbers do not.
    expect(new Set([...before.numbers, ...after.numbers]).size).toBe(10)
  })
})
