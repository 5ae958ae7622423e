import { expect } from 'vitest'
import { newKey, type TestRelay } from './relay'

// Shared steps of the per-provider end-to-end tests: a device creates a checkout over HTTP,
// and the order's audit trail is read back.

export async function deviceCheckout(
  t: TestRelay,
  token: string,
  body: Record<string, unknown>
): Promise<{ orderNo: string; amount: number; checkout: { kind: string; content: string; providerRef?: string } }> {
  const r = await t.api('POST', '/v1/checkouts', { token, body, headers: { 'idempotency-key': newKey() } })
  expect(r.status, r.text).toBe(200)
  expect(r.body.order.state).toBe('pending')
  return { orderNo: r.body.order.orderNo, amount: r.body.order.amount.amount, checkout: r.body.checkout }
}

export const plan = (provider: string, planCode = 'BASIC', period = 'quarterly', extra: Record<string, unknown> = {}) => ({
  provider,
  item: { kind: 'plan', planCode, period },
  ...extra
})

export const recharge = (provider: string, amount: number, extra: Record<string, unknown> = {}) => ({
  provider,
  item: { kind: 'recharge', amount: { amount, currency: 'CNY' } },
  ...extra
})

/** Feed records of the account that mention the order, as parsed payloads (not verified here). */
export function feedFor(t: TestRelay, orderNo: string): { type: string; data: Record<string, unknown> }[] {
  const rows = t.relay.db.sqlite
    .prepare('SELECT payload FROM feed WHERE payload LIKE ? ORDER BY seq')
    .all(`%"orderNo":"${orderNo}"%`) as { payload: string }[]
  return rows.map((r) => JSON.parse(r.payload) as { type: string; data: Record<string, unknown> })
}
