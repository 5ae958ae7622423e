import type { BillingRecord } from '../billing'
import type { OutboxRecord } from '../../shared/relay-contract'
import type { SyncStore } from './store'

// Turns what the billing modules report (inside their transactions) into outbox rows, in
// that same transaction: the row exists exactly when the mutation does. Effects that came
// from the relay (keys `feed:…`) are not sent back. Ids are stable (derived from the entry
// or usage id), so a resend after a lost ack is acknowledged by the relay, not reapplied.
// Ids must be unique across the account's devices: the default random ids are.

export function outboxRecordOf(r: BillingRecord): { record: OutboxRecord; spend: number } | null {
  if (r.source === 'usage') {
    const u = r.record
    return { record: { id: `use-${u.id}`, kind: 'usage', feature: u.feature, quantity: u.qty, occurredAt: u.at }, spend: 0 }
  }
  if (r.source !== 'wallet') return null
  const w = r.record
  if (w.key.startsWith('feed:')) return null
  switch (w.kind) {
    case 'wallet_debit':
      return {
        record: { id: `dbt-${w.id}`, kind: 'wallet_debit', amount: w.amount, feature: w.feature.slice(0, 64), occurredAt: w.at },
        spend: w.amount.amount
      }
    case 'hold_settled':
      if (w.settled.amount <= 0) return null
      return {
        record: { id: `dbt-${w.id}`, kind: 'wallet_debit', amount: w.settled, feature: w.feature.slice(0, 64), occurredAt: w.at },
        spend: w.settled.amount
      }
    case 'first_free_claim':
      return {
        record: { id: `ffc-${w.id}`, kind: 'first_free_claim', feature: w.feature.slice(0, 64), price: w.price, occurredAt: w.at },
        spend: 0
      }
    case 'refund':
      return null
  }
}

export function writeOutbox(store: SyncStore, r: BillingRecord, now: number): boolean {
  const o = outboxRecordOf(r)
  if (!o) return false
  store.outboxInsert.run(o.record.id, o.record.kind, JSON.stringify(o.record), o.spend, now)
  return true
}
