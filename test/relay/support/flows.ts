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

/** Counts of everything an event may touch, to prove "exactly one effect" (either store). */
export async function effects(t: TestRelay, orderNo: string) {
  const [order] = await t.sql<{ id: string; state: string; refunded_amount: number; account_id: string }>(
    'SELECT id, state, refunded_amount, account_id FROM orders WHERE order_no = ?',
    orderNo
  )
  if (!order) throw new Error(`no order ${orderNo}`)
  const count = async (sql: string, ...args: unknown[]) => Number((await t.sql<{ n: number }>(sql, ...args))[0]!.n)
  const side = async (id: string) => (await t.sql<{ d: number; c: number }>('SELECT debits_posted AS d, credits_posted AS c FROM ledger_accounts WHERE id = ?', id))[0]
  const wallet = await side(`wallet:${order.account_id}:CNY`)
  const receivable = await side(`receivable:${order.account_id}:CNY`)
  return {
    state: order.state,
    refunded: order.refunded_amount,
    transitions: await count('SELECT count(*) AS n FROM order_transitions WHERE order_id = ?', order.id),
    paymentRecords: await count(
      "SELECT count(*) AS n FROM feed WHERE account_id = ? AND type = 'payment_confirmed' AND payload LIKE ?",
      order.account_id,
      `%"orderNo":"${orderNo}"%`
    ),
    refundRecords: await count(
      "SELECT count(*) AS n FROM feed WHERE account_id = ? AND type = 'refund' AND payload LIKE ?",
      order.account_id,
      `%"orderNo":"${orderNo}"%`
    ),
    grants: await count('SELECT count(*) AS n FROM grants WHERE order_id = ?', order.id),
    // The relay's wallet less debt, as devices are told.
    wallet: (wallet ? wallet.c - wallet.d : 0) - (receivable ? receivable.d - receivable.c : 0),
    paymentTransfers: await count("SELECT count(*) AS n FROM ledger_transfers WHERE kind = 'payment' AND source_id = ?", order.id),
    refundTransfers: await count(
      "SELECT count(*) AS n FROM ledger_transfers WHERE kind = 'refund' AND source_id IN (SELECT provider || ':' || refund_id FROM refunds WHERE order_id = ?)",
      order.id
    )
  }
}

export async function auditReasons(t: TestRelay): Promise<{ outcome: string; reason: string | null; event_id: string | null }[]> {
  // The audit of a rejected notification commits after its reply (no reply waits on it).
  await t.relay.store.whenDurable()
  return t.sql('SELECT outcome, reason, event_id FROM notification_log ORDER BY seq')
}
