import { relayNetWallet } from '../../support/relay-ledger'
import type { ProviderEvent } from '../../../src/relay/providers/types'
import type { TestProvider } from './hmac-provider'
import { newKey, type Api, type TestRelay } from './relay'

// Short flows shared by the core tests.

export async function checkout(api: Api, token: string, body: unknown, key = newKey()) {
  const r = await api('POST', '/v1/checkouts', { token, body, headers: { 'idempotency-key': key } })
  if (r.status !== 200) throw new Error(`checkout: ${r.status} ${r.text}`)
  return r.body as { order: { orderNo: string; amount: { amount: number; currency: string }; state: string } }
}

export async function notify(t: TestRelay, provider: TestProvider, events: ProviderEvent[]) {
  const { body, headers } = provider.notification(events)
  return t.api('POST', `/v1/notify/${provider.name}`, { raw: body, headers })
}

let n = 0
export function paid(orderNo: string, amount: number, over: Partial<Extract<ProviderEvent, { type: 'payment.succeeded' }>> = {}): ProviderEvent {
  n++
  return {
    type: 'payment.succeeded',
    eventId: `evt_pay_${n}`,
    orderNo,
    providerPaymentId: `pay_${orderNo}`,
    amount: { amount, currency: 'CNY' },
    occurredAt: 0,
    ...over
  }
}

export function refunded(orderNo: string, amount: number, refundId: string, eventId = `evt_${refundId}`): ProviderEvent {
  return { type: 'refund.succeeded', eventId, orderNo, refundId, amount: { amount, currency: 'CNY' }, occurredAt: 0 }
}

/** Counts of everything an event may touch, to prove "exactly one effect". */
export function effects(t: TestRelay, orderNo: string) {
  const s = t.relay.db.sqlite
  const order = s.prepare('SELECT id, state, refunded_amount, account_id FROM orders WHERE order_no = ?').get(orderNo) as {
    id: string
    state: string
    refunded_amount: number
    account_id: string
  }
  const count = (sql: string, ...args: unknown[]) => (s.prepare(sql).get(...args) as { n: number }).n
  return {
    state: order.state,
    refunded: order.refunded_amount,
    transitions: count('SELECT count(*) AS n FROM order_transitions WHERE order_id = ?', order.id),
    paymentRecords: count(
      "SELECT count(*) AS n FROM feed WHERE account_id = ? AND type = 'payment_confirmed' AND payload LIKE ?",
      order.account_id,
      `%"orderNo":"${orderNo}"%`
    ),
    refundRecords: count(
      "SELECT count(*) AS n FROM feed WHERE account_id = ? AND type = 'refund' AND payload LIKE ?",
      order.account_id,
      `%"orderNo":"${orderNo}"%`
    ),
    grants: count('SELECT count(*) AS n FROM grants WHERE order_id = ?', order.id),
    wallet: relayNetWallet(s, order.account_id),
    paymentTransfers: count("SELECT count(*) AS n FROM ledger_transfers WHERE kind = 'payment' AND source_id = ?", order.id),
    refundTransfers: count(
      "SELECT count(*) AS n FROM ledger_transfers WHERE kind = 'refund' AND source_id IN (SELECT provider || ':' || refund_id FROM refunds WHERE order_id = ?)",
      order.id
    )
  }
}

export function auditReasons(t: TestRelay): { outcome: string; reason: string | null; event_id: string | null }[] {
  return t.relay.db.sqlite
    .prepare('SELECT outcome, reason, event_id FROM notification_log ORDER BY seq')
    .all() as { outcome: string; reason: string | null; event_id: string | null }[]
}
