import type Database from 'better-sqlite3'
import type { OrderRow, OrdersRepo } from '../../ports'
import { sqliteCounter } from './counter'

export function sqliteOrders(s: Database.Database): OrdersRepo {
  const byNo = s.prepare<[string], OrderRow>('SELECT * FROM orders WHERE order_no = ?')
  const byKey = s.prepare<[string, string], OrderRow>('SELECT * FROM orders WHERE account_id = ? AND client_key = ?')
  const byId = s.prepare<[string], OrderRow>('SELECT * FROM orders WHERE id = ?')
  const nextSeq = sqliteCounter<[]>(s, {
    increment: "UPDATE counters SET value = value + 1 WHERE name = 'order_no'",
    read: "SELECT value FROM counters WHERE name = 'order_no'",
    create: "INSERT INTO counters (name, value) VALUES ('order_no', 1)"
  })
  const insert = s.prepare(
    `INSERT INTO orders (id, order_no, account_id, device_id, client_key, request_fingerprint, provider, item_json,
      subject, amount, currency, refunded_amount, state, discount_amount, bonus_amount, catalog_version, expires_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'created', ?, ?, ?, ?, ?, ?)`
  )
  const setState = s.prepare('UPDATE orders SET state = ?, updated_at = ? WHERE id = ?')
  const setCheckout = s.prepare('UPDATE orders SET checkout_json = ?, provider_ref = COALESCE(provider_ref, ?), updated_at = ? WHERE id = ?')
  const setPaid = s.prepare("UPDATE orders SET state = 'paid', provider_payment_id = ?, updated_at = ? WHERE id = ?")
  const setRefunded = s.prepare('UPDATE orders SET state = ?, refunded_amount = ?, updated_at = ? WHERE id = ?')
  const logTransition = s.prepare('INSERT INTO order_transitions (order_id, from_state, to_state, cause, at) VALUES (?, ?, ?, ?, ?)')
  const due = s.prepare<[number, number], OrderRow>(
    `SELECT * FROM orders WHERE state IN ('created', 'pending') AND expires_at <= ? ORDER BY expires_at LIMIT ?`
  )
  // Guarded by state, so an order a notification moved meanwhile is left alone.
  const expire = s.prepare(`UPDATE orders SET state = 'expired', updated_at = ? WHERE id = ? AND state IN ('created', 'pending')`)
  return {
    byNo: (orderNo) => byNo.get(orderNo),
    byKey: (accountId, key) => byKey.get(accountId, key),
    byId: (id) => byId.get(id),
    nextSeq: () => nextSeq(),
    insert: (o) =>
      void insert.run(
        o.id,
        o.order_no,
        o.account_id,
        o.device_id,
        o.client_key,
        o.request_fingerprint,
        o.provider,
        o.item_json,
        o.subject,
        o.amount,
        o.currency,
        o.discount_amount ?? 0,
        o.bonus_amount ?? 0,
        o.catalog_version ?? null,
        o.expires_at,
        o.created_at,
        o.created_at
      ),
    setState: (id, state, now) => void setState.run(state, now, id),
    setCheckout: (id, json, ref, now) => void setCheckout.run(json, ref, now, id),
    setPaid: (id, paymentId, now) => void setPaid.run(paymentId, now, id),
    setRefunded: (id, state, total, now) => void setRefunded.run(state, total, now, id),
    logTransition: (id, from, to, cause, at) => void logTransition.run(id, from, to, cause, at),
    dueToExpire: (now, limit) => due.all(now, limit),
    expireIfOpen: (id, now) => expire.run(now, id).changes === 1
  }
}
