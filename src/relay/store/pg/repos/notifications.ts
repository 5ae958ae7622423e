import type { NotificationsRepo } from '../../ports'
import { ts, type Sql } from '../sql'

/** Memo key (sql.ts) of an event's replay memory read ahead for a batch (ahead.ts): true or false. */
export const seenKey = (provider: string, eventId: string) => `seen:${provider}:${eventId}`
export const SEEN_AHEAD = 'SELECT event_id FROM provider_events WHERE provider = $1 AND event_id = ANY($2)'

export function pgNotifications(q: Sql): NotificationsRepo {
  return {
    seen: async (provider, eventId) => {
      const kept = q.memo.get(seenKey(provider, eventId)) as boolean | undefined
      if (kept !== undefined) return kept
      return (await q.get('SELECT 1 AS one FROM provider_events WHERE provider = $1 AND event_id = $2', [provider, eventId])) !== undefined
    },
    // A plain INSERT: an event id another instance remembered meanwhile fails the unit (unique
    // violation), which runs again and then finds it seen (unit-of-work.ts). Seen from now on in this unit.
    async remember(provider, eventId, orderNo, type, at) {
      q.memo.set(seenKey(provider, eventId), true)
      await q.later('INSERT INTO provider_events (provider, event_id, order_no, type, applied_at) VALUES ($1, $2, $3, $4, $5)', [provider, eventId, orderNo, type, ts(at)])
    },
    refundSeen: async (provider, refundId) => (await q.get('SELECT 1 AS one FROM refunds WHERE provider = $1 AND refund_id = $2', [provider, refundId])) !== undefined,
    insertRefund: async (provider, refundId, orderId, amount, at) =>
      void (await q.later('INSERT INTO refunds (provider, refund_id, order_id, amount, at) VALUES ($1, $2, $3, $4, $5)', [provider, refundId, orderId, amount, ts(at)])),
    log: async (r) =>
      void (await q.later(
        `INSERT INTO notification_log (at, provider, event_id, event_type, order_no, outcome, reason, remote_address)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [ts(r.at), r.provider, r.eventId, r.eventType, r.orderNo, r.outcome, r.reason, r.remoteAddress]
      ))
  }
}
