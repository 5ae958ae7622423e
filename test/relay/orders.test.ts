import { describe, expect, it } from 'vitest'
import { forEachStore } from './support/pg'
import { ORDER_NO_PATTERN } from '../../src/relay/orders/checkouts'
import { ORDER_TRANSITIONS, canTransition } from '../../src/relay/orders/transitions'
import { addMonths } from '../../src/shared/calendar'
import { OrderStateSchema } from '../../src/shared/relay-contract'
import { checkout } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { enrolDevice, newKey, startTestRelay } from './support/relay'

async function setup() {
  const provider = createTestProvider('stripe')
  const t = await startTestRelay({ providers: [provider] })
  const dev = await enrolDevice(t.api)
  const orderCount = async () => (await t.sql<{ n: number }>('SELECT count(*) AS n FROM orders'))[0]!.n
  return { t, provider, dev, orderCount }
}

const post = (t: { api: any }, token: string, body: unknown, key = newKey()) =>
  t.api('POST', '/v1/checkouts', { token, body, headers: { 'idempotency-key': key } })

describe('prices live on the relay', () => {
  it('prices every plan from its own list and hands the provider that amount', async () => {
    const { t, provider, dev } = await setup()
    const expected = {
      BASIC: [2900, 7900, 29900, 89900],
      PREMIUM: [5900, 15900, 59900, 179900],
      ENTERPRISE: [19900, 54900, 199900, 599900]
    }
    for (const [planCode, prices] of Object.entries(expected)) {
      for (const [i, period] of (['monthly', 'quarterly', 'yearly', 'lifetime'] as const).entries()) {
        const { order } = await checkout(t.api, dev.token, { provider: 'stripe', item: { kind: 'plan', planCode, period } })
        expect(order.amount).toEqual({ amount: prices[i], currency: 'CNY' })
        expect(provider.checkouts.at(-1)!.amount).toEqual({ amount: prices[i], currency: 'CNY' })
      }
    }
    const list = await t.api('GET', '/v1/prices')
    expect(list.body.plans).toHaveLength(16)
    expect(list.body.recharge).toMatchObject({ currency: 'CNY', min: 100, max: 500_000 })
  })

  it('rejects any price or amount a client sends for a plan, creating nothing', async () => {
    const { t, dev, orderCount, provider } = await setup()
    for (const item of [
      { kind: 'plan', planCode: 'BASIC', period: 'monthly', amount: { amount: 1, currency: 'CNY' } },
      { kind: 'plan', planCode: 'BASIC', period: 'monthly', price: 1 },
      { kind: 'plan', planCode: 'FREE', period: 'monthly' },
      { kind: 'plan', planCode: 'GOLD', period: 'monthly' }
    ]) {
      const r = await post(t, dev.token, { provider: 'stripe', item })
      expect(r.status, JSON.stringify(item)).toBe(400)
      expect(r.body.error.code).toBe('INVALID_INPUT')
    }
    const topLevel = await post(t, dev.token, {
      provider: 'stripe',
      item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' },
      amount: { amount: 1, currency: 'CNY' }
    })
    expect(topLevel.status).toBe(400)
    expect(await orderCount()).toBe(0)
    expect(provider.checkouts).toHaveLength(0)
  })

  it('enforces recharge rules: minimum, maximum, currency, whole minor units', async () => {
    const { t, dev, orderCount } = await setup()
    const recharge = (amount: unknown, currency = 'CNY') => ({ provider: 'stripe', item: { kind: 'recharge', amount: { amount, currency } } })
    expect((await post(t, dev.token, recharge(99))).body.error.code).toBe('INVALID_AMOUNT')
    expect((await post(t, dev.token, recharge(500_001))).body.error.code).toBe('INVALID_AMOUNT')
    expect((await post(t, dev.token, recharge(1000, 'USD'))).body.error.code).toBe('INVALID_AMOUNT')
    expect((await post(t, dev.token, recharge(100.5))).status).toBe(400)
    expect((await post(t, dev.token, recharge(-100))).status).toBe(400)
    expect((await post(t, dev.token, recharge('1000'))).status).toBe(400)
    expect(await orderCount()).toBe(0)
    expect((await post(t, dev.token, recharge(100))).status).toBe(200)
    expect((await post(t, dev.token, recharge(500_000))).status).toBe(200)
    expect(await orderCount()).toBe(2)
  })

  it('refuses a provider that is not enabled and a missing idempotency key', async () => {
    const { t, dev, orderCount } = await setup()
    const body = { provider: 'wechat', item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' } }
    expect((await post(t, dev.token, body)).status).toBe(422)
    const noKey = await t.api('POST', '/v1/checkouts', { token: dev.token, body: { ...body, provider: 'stripe' } })
    expect(noKey.status).toBe(400)
    expect(await orderCount()).toBe(0)
  })
})

forEachStore('orders', () => {
  it('is idempotent by the client key: same request → same order; different request → conflict', async () => {
    const { t, dev, provider, orderCount } = await setup()
    const body = { provider: 'stripe', item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' } }
    const key = newKey()
    const [a, b] = await Promise.all([post(t, dev.token, body, key), post(t, dev.token, body, key)])
    const c = await post(t, dev.token, body, key)
    expect(a.status).toBe(200)
    expect(b.body.order.orderNo).toBe(a.body.order.orderNo)
    expect(c.body).toEqual(a.body)
    expect(provider.checkouts).toHaveLength(1)
    const conflict = await post(t, dev.token, { ...body, item: { ...body.item, period: 'yearly' } }, key)
    expect(conflict.status).toBe(409)
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT')
    expect(await orderCount()).toBe(1)
    expect(a.body.order.orderNo).toMatch(ORDER_NO_PATTERN)
    const other = await post(t, dev.token, body)
    expect(other.body.order.orderNo).not.toBe(a.body.order.orderNo)
  })

  it('a provider failure leaves the order created; a retry with the same key completes the same order', async () => {
    const { t, dev, provider, orderCount } = await setup()
    const body = { provider: 'stripe', item: { kind: 'recharge', amount: { amount: 3000, currency: 'CNY' } } }
    const key = newKey()
    provider.failNextCheckout = true
    const failed = await post(t, dev.token, body, key)
    expect(failed.status).toBe(503)
    expect(failed.body.error.code).toBe('UNAVAILABLE')
    const orderNo = failed.body.error.details.orderNo
    const retry = await post(t, dev.token, body, key)
    expect(retry.status).toBe(200)
    expect(retry.body.order.orderNo).toBe(orderNo)
    expect(retry.body.order.state).toBe('pending')
    expect(await orderCount()).toBe(1)
  })

  it('has one transition table: paid is reachable only from open states, refunds only after paid, terminal states stay', () => {
    const states = OrderStateSchema.options
    for (const from of states) for (const to of ORDER_TRANSITIONS[from]) expect(states).toContain(to)
    expect(canTransition('pending', 'paid')).toBe(true)
    expect(canTransition('paid', 'paid')).toBe(false)
    expect(canTransition('pending', 'refunded')).toBe(false)
    expect(canTransition('pending', 'partially_refunded')).toBe(false)
    // A payment under way when the customer cancelled is still money: recorded, never lost.
    expect(canTransition('cancelled', 'paid')).toBe(true)
    expect(canTransition('cancelled', 'expired')).toBe(false)
    expect(canTransition('refunded', 'paid')).toBe(false)
    expect(canTransition('paid', 'failed')).toBe(false)
    expect(ORDER_TRANSITIONS.refunded).toEqual([])
    expect(ORDER_TRANSITIONS.cancelled).toEqual(['paid'])
  })

  it('adds calendar months in Asia/Shanghai, clamping to the month end', () => {
    // 2025-01-31 10:00 +08:00 → 2025-02-28 10:00 +08:00
    expect(addMonths(Date.UTC(2025, 0, 31, 2), 1)).toBe(Date.UTC(2025, 1, 28, 2))
    // 2024-01-31 → 2024-02-29 (leap year); +12 months from Feb 29 → Feb 28
    expect(addMonths(Date.UTC(2024, 0, 31, 2), 1)).toBe(Date.UTC(2024, 1, 29, 2))
    expect(addMonths(Date.UTC(2024, 1, 29, 2), 12)).toBe(Date.UTC(2025, 1, 28, 2))
    // 2025-01-31 20:00 UTC is already Feb 1 in Shanghai: + 1 month → Mar 1 in Shanghai.
    expect(addMonths(Date.UTC(2025, 0, 31, 20), 1)).toBe(Date.UTC(2025, 1, 28, 20))
  })
})
