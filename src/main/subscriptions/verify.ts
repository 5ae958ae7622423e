import type { BillingDb } from '../db/open'
import { GENESIS_HASH } from '../../node/hashchain'
import { eventHash, planChangeHash, type ChainHead, type PlanChangeRow } from './chain'
import { DEFAULT_PLANS, type PlanRow } from './plans'
import { rowState, type EventRow, type SubscriptionRow } from './store'

// verify() of the subscriptions domain. It re-derives what the entitlement reads and compares:
// 1. the event chain: every event's hash, from genesis, and the file's last event against the
//    head this process committed (a cut-off tail);
// 2. every subscriptions row equals the `state` of its latest event (an edited row, or an
//    event deleted after which the row no longer matches), and every row has events;
// 3. the plan catalog: every plans row equals the built-in catalog (src/shared/catalog:
//    prices, limits, features, trial days) with `active` as the chained plan_changes say. The
//    limits are not trusted from the file at all, so no hash is needed for them.
// A cold path: one scan of events, subscriptions and plans; never run on open.

const MAX_PROBLEMS = 200

export interface SubscriptionVerifyReport {
  ok: boolean
  problems: string[]
  events: number
}

export function verifySubscriptions(db: BillingDb, head: ChainHead | null): SubscriptionVerifyReport {
  const sqlite = db.sqlite
  const problems: string[] = []
  const add = (msg: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(msg)
  }

  const latest = new Map<string, { seq: number; state: string }>()
  let prev = GENESIS_HASH
  let last: ChainHead = { seq: 0, hash: GENESIS_HASH }
  let count = 0
  for (const r of sqlite.prepare<[], EventRow>('SELECT * FROM subscription_events ORDER BY seq').iterate()) {
    count++
    if (r.seq !== last.seq + 1) add(`subscription events ${last.seq + 1}..${r.seq - 1} are missing`)
    if (eventHash(prev, r) !== r.hash) add(`subscription event ${r.seq} does not match its hash`)
    // Continue from the stored hash, so one edited event is reported once, not with all its successors.
    prev = r.hash
    last = { seq: r.seq, hash: r.hash }
    let stateOk = false
    try {
      const s = JSON.parse(r.state) as Partial<SubscriptionRow>
      stateOk = s.id === r.subscription_id && s.status === r.to_status
    } catch {
      stateOk = false
    }
    if (!stateOk) add(`subscription event ${r.seq} records a state that is not its subscription's`)
    latest.set(r.subscription_id, { seq: r.seq, state: r.state })
  }
  if (head !== null && (head.seq !== last.seq || head.hash !== last.hash)) {
    add(`the subscription history ends at event ${last.seq} but this process last wrote ${head.seq}`)
  }

  for (const row of sqlite.prepare<[], SubscriptionRow>('SELECT * FROM subscriptions ORDER BY rowid').iterate()) {
    const l = latest.get(row.id)
    if (!l) add(`subscription ${row.id} has no history events`)
    else if (rowState(row) !== l.state) add(`subscription ${row.id} differs from the state its last event ${l.seq} recorded`)
    latest.delete(row.id)
  }
  for (const id of latest.keys()) add(`subscription ${id} has history events but no row`)

  verifyCatalog(db, add)
  return { ok: problems.length === 0, problems, events: count }
}

/** The plans table is the built-in catalog plus the recorded plan_changes; nothing else. */
function verifyCatalog(db: BillingDb, add: (msg: string) => void): void {
  const active = new Map<string, number>()
  let prev = GENESIS_HASH
  let expected = 1
  for (const c of db.sqlite.prepare<[], PlanChangeRow & { hash: string }>('SELECT * FROM plan_changes ORDER BY seq').iterate()) {
    if (c.seq !== expected) add(`plan changes ${expected}..${c.seq - 1} are missing`)
    if (planChangeHash(prev, c) !== c.hash) add(`plan change ${c.seq} does not match its hash`)
    prev = c.hash
    expected = c.seq + 1
    active.set(`${c.code}/${c.period}`, c.active)
  }

  const rows = new Map<string, PlanRow>()
  for (const r of db.sqlite.prepare<[], PlanRow>('SELECT * FROM plans').all()) rows.set(`${r.code}/${r.period}`, r)
  for (const p of DEFAULT_PLANS) {
    const k = `${p.code}/${p.period}`
    const r = rows.get(k)
    rows.delete(k)
    if (!r) {
      add(`plan ${k} of the built-in catalog is missing`)
      continue
    }
    const same =
      r.name === p.name &&
      r.price_minor === p.price.amount &&
      r.original_price_minor === p.originalPrice.amount &&
      r.currency === p.price.currency &&
      r.features === JSON.stringify(p.features) &&
      r.max_streams === p.limits.max_streams &&
      r.max_storage_gb === p.limits.max_storage_gb &&
      r.max_ai_requests === p.limits.max_ai_requests &&
      r.max_export_count === p.limits.max_export_count &&
      r.sort_order === p.sortOrder &&
      r.trial_days === p.trialDays
    if (!same) add(`plan ${k} differs from the built-in catalog`)
    if (r.active !== (active.get(k) ?? (p.active ? 1 : 0))) add(`plan ${k} is ${r.active ? '' : 'not '}offered but no recorded change says so`)
  }
  for (const k of rows.keys()) add(`plan ${k} is not in the built-in catalog`)
}
