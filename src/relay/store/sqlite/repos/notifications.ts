import type Database from 'better-sqlite3'
import type { NotificationsRepo } from '../../ports'

export function sqliteNotifications(s: Database.Database): NotificationsRepo {
  const seen = s.prepare('SELECT 1 FROM provider_events WHERE provider = ? AND event_id = ?')
  const remember = s.prepare('INSERT INTO provider_events (provider, event_id, order_no, type, applied_at) VALUES (?, ?, ?, ?, ?)')
  const refundSeen = s.prepare('SELECT 1 FROM refunds WHERE provider = ? AND refund_id = ?')
  const insertRefund = s.prepare('INSERT INTO refunds (provider, refund_id, order_id, amount, at) VALUES (?, ?, ?, ?, ?)')
  const log = s.prepare(
    `INSERT INTO notification_log (at, provider, event_id, event_type, order_no, outcome, reason, remote_address)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
  )
  return {
    seen: (provider, eventId) => seen.get(provider, eventId) !== undefined,
    remember: (provider, eventId, orderNo, type, at) => void remember.run(provider, eventId, orderNo, type, at),
    refundSeen: (provider, refundId) => refundSeen.get(provider, refundId) !== undefined,
    insertRefund: (provider, refundId, orderId, amount, at) => void insertRefund.run(provider, refundId, orderId, amount, at),
    log: (r) => void log.run(r.at, r.provider, r.eventId, r.eventType, r.orderNo, r.outcome, r.reason, r.remoteAddress)
  }
}
