import type { BillingDb } from '../db/open'
import { GENESIS_HASH } from '../../node/hashchain'
import { CatalogDocumentSchema } from '../../shared/catalog'
import { eventHash, planCatalogHash, planChangeHash, type ChainHead, type PlanCatalogRow, type PlanChangeRow } from './chain'
import { DEFAULT_PLANS, documentPlans, type Plan, type PlanRow } from './plans'
import { rowState, type EventRow, type SubscriptionRow } from './store'

// verify() of the subscriptions domain. It re-derives what the entitlement reads and compares:
// 1. the event chain: every event's hash, from genesis, and the file's last event against the
//    head this process committed (a cut-off tail);
// 2. every subscriptions row equals the `state` of its latest event (an edited row, or an
//    event deleted after which the row no longer matches), and every row has events;
// 3. the plan catalog: every plans row equals the built-in catalog (src/shared/catalog:
//    prices, limits, features, trial days) as the chained catalog versions from the relay
//    rewrote it, with `active` as those versions and the chained plan_changes say.
// A cold path: one scan of events, subscriptions and plans; never run on open.

const MAX_PROBLEMS = 200

export interface SubscriptionVerifyReport {
  ok: boolean
  problems: string[]
  events: number
  /** The event chain's last event (a checkpoint's figures). */
  tail: { seq: number; hash: string; count: number; sums: Record<string, number> }
}

/**
 * `from`: walk only the events after this one (a verified checkpoint's; it must be in the file
 * with its hash). The subscriptions rows and the catalog are checked whole either way: a few
 * rows, each row's latest event read by index.
 */
export function verifySubscriptions(db: BillingDb, head: ChainHead | null, from?: ChainHead): SubscriptionVerifyReport {
  const sqlite = db.sqlite
  const problems: string[] = []
  const add = (msg: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(msg)
  }

  const latest = new Map<string, { seq: number; state: string }>()
  let prev = from?.hash ?? GENESIS_HASH
  let last: ChainHead = from ?? { seq: 0, hash: GENESIS_HASH }
  let count = from?.seq ?? 0
  if (from && from.seq > 0) {
    const at = sqlite.prepare<[number], string>('SELECT hash FROM subscription_events WHERE seq = ?').pluck().get(from.seq)
    if (at !== from.hash) add(`the integrity checkpoint names subscription event ${from.seq}, which the chain does not hold`)
  }
  const rows = sqlite.prepare<[number], EventRow>('SELECT * FROM subscription_events WHERE seq > ? ORDER BY seq')
  for (const r of rows.iterate(from?.seq ?? 0)) {
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

  const latestBefore = sqlite.prepare<[string], { seq: number; state: string }>(
    'SELECT seq, state FROM subscription_events WHERE subscription_id = ? ORDER BY seq DESC LIMIT 1'
  )
  for (const row of sqlite.prepare<[], SubscriptionRow>('SELECT * FROM subscriptions ORDER BY rowid').iterate()) {
    const l = latest.get(row.id) ?? (from ? latestBefore.get(row.id) : undefined)
    if (!l) add(`subscription ${row.id} has no history events`)
    else if (rowState(row) !== l.state) add(`subscription ${row.id} differs from the state its last event ${l.seq} recorded`)
    latest.delete(row.id)
  }
  for (const id of latest.keys()) add(`subscription ${id} has history events but no row`)

  verifyCatalog(db, add)
  return { ok: problems.length === 0, problems, events: count, tail: { ...last, count, sums: {} } }
}

interface ExpectedPlan {
  plan: Plan
  active: number
}

/**
 * The plans table is the built-in catalog, then the applied catalog versions and the recorded
 * plan_changes replayed in the order they happened (each catalog version after the change seq
 * it recorded); nothing else.
 */
function verifyCatalog(db: BillingDb, add: (msg: string) => void): void {
  const expected = new Map<string, ExpectedPlan>()
  const overlay = (plans: readonly Plan[]): void => {
    const listed = new Set<string>()
    for (const p of plans) {
      const k = `${p.code}/${p.period}`
      listed.add(k)
      expected.set(k, { plan: p, active: p.active ? 1 : 0 })
    }
    // A plan a version does not list stays (subscriptions name it), not offered.
    for (const [k, e] of expected) if (!listed.has(k)) e.active = 0
  }
  overlay(DEFAULT_PLANS)

  const catalogs: { version: number; afterChangeSeq: number; plans: Plan[] }[] = []
  let prevCatalog = GENESIS_HASH
  let lastAfter = 0
  for (const c of db.sqlite.prepare<[], PlanCatalogRow & { hash: string }>('SELECT * FROM plan_catalog_versions ORDER BY version').iterate()) {
    if (planCatalogHash(prevCatalog, c) !== c.hash) add(`catalog version ${c.version} does not match its hash`)
    prevCatalog = c.hash
    if (c.after_change_seq < lastAfter) add(`catalog version ${c.version} is recorded out of order`)
    lastAfter = c.after_change_seq
    const doc = CatalogDocumentSchema.safeParse(safeJson(c.document))
    if (!doc.success || doc.data.version !== c.version) {
      add(`catalog version ${c.version} is not a valid catalog document`)
      continue
    }
    catalogs.push({ version: c.version, afterChangeSeq: c.after_change_seq, plans: documentPlans(doc.data) })
  }

  let prev = GENESIS_HASH
  let expectedSeq = 1
  let next = 0
  for (const c of db.sqlite.prepare<[], PlanChangeRow & { hash: string }>('SELECT * FROM plan_changes ORDER BY seq').iterate()) {
    if (c.seq !== expectedSeq) add(`plan changes ${expectedSeq}..${c.seq - 1} are missing`)
    if (planChangeHash(prev, c) !== c.hash) add(`plan change ${c.seq} does not match its hash`)
    prev = c.hash
    expectedSeq = c.seq + 1
    while (next < catalogs.length && catalogs[next]!.afterChangeSeq < c.seq) overlay(catalogs[next++]!.plans)
    const e = expected.get(`${c.code}/${c.period}`)
    if (e) e.active = c.active
  }
  while (next < catalogs.length) overlay(catalogs[next++]!.plans)

  const source = catalogs.length ? `catalog version ${catalogs.at(-1)!.version}` : 'the built-in catalog'
  const rows = new Map<string, PlanRow>()
  for (const r of db.sqlite.prepare<[], PlanRow>('SELECT * FROM plans').all()) rows.set(`${r.code}/${r.period}`, r)
  for (const [k, { plan: p, active }] of expected) {
    const r = rows.get(k)
    rows.delete(k)
    if (!r) {
      add(`plan ${k} of ${source} is missing`)
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
    if (!same) add(`plan ${k} differs from ${source}`)
    if (r.active !== active) add(`plan ${k} is ${r.active ? '' : 'not '}offered but no recorded change says so`)
  }
  for (const k of rows.keys()) add(`plan ${k} is not in ${source}`)
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
