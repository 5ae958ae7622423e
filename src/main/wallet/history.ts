import { InvalidInput } from '../../shared/errors'
import type { Currency } from '../../shared/money'
import type { Sqlite } from '../db/open'
import { SCAN_BUDGET } from '../../node/sqlite/scan-window'
import type { EntryRow } from './statements'
import { ENTRY_TYPES, type EntryType, type HistoryEntry, type HistoryPage, type HistoryQuery } from './types'

// A cold path (the history screen). Newest first by seq; the cursor is the last seq returned,
// so rows appended meanwhile never shift a page. No time index is kept (it would cost the hot
// path a page write per commit): created_at never decreases along seq, so a time window is a
// seq range found by binary search on the primary key. Types other than 'consume' come from
// a partial index; 'consume' is the dense type and is read by scanning seq. A walk of seq
// (no type filter: owner and currency; or 'consume') covers at most SCAN_BUDGET entries
// (node/sqlite/scan-window.ts): a page may come back short, with a cursor below them.

export const MAX_HISTORY_LIMIT = 500
const MAX_SEQ = Number.MAX_SAFE_INTEGER

export function walletHistory(
  sqlite: Sqlite,
  owner: string,
  currency: Currency,
  walletAccount: string,
  bonusAccount: string,
  q: HistoryQuery
): HistoryPage {
  const { limit } = q
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) {
    throw new InvalidInput(`limit must be a whole number in 1..${MAX_HISTORY_LIMIT}`, { limit })
  }
  if (q.types !== undefined) {
    if (!Array.isArray(q.types) || q.types.length === 0 || q.types.some((t) => !ENTRY_TYPES.includes(t))) {
      throw new InvalidInput(`types must be a non-empty list of ${ENTRY_TYPES.join(', ')}`, { types: q.types })
    }
  }
  for (const name of ['from', 'to'] as const) {
    const v = q[name]
    if (v !== undefined && !Number.isSafeInteger(v)) throw new InvalidInput(`${name} must be epoch milliseconds`, { [name]: v })
  }
  let high = MAX_SEQ
  if (q.cursor !== undefined && q.cursor !== null) {
    if (typeof q.cursor !== 'string' || !/^[1-9]\d{0,15}$/.test(q.cursor)) {
      throw new InvalidInput('not a history cursor', { cursor: q.cursor })
    }
    high = Number(q.cursor) - 1
  }
  let low = 1
  if (q.from !== undefined) low = Math.max(low, firstSeqAtOrAfter(sqlite, q.from))
  if (q.to !== undefined) high = Math.min(high, firstSeqAtOrAfter(sqlite, q.to) - 1)
  high = Math.min(high, lastSeq(sqlite))
  const rows: EntryRow[] = []
  let truncated = false
  if (q.types === undefined || q.types.includes('consume')) {
    // Entries are numbered 1, 2, 3… (append-only), so a window of keys is a window of rows.
    const floor = high - SCAN_BUDGET + 1
    if (floor > low) {
      low = floor
      truncated = true
    }
  }
  if (low <= high) {
    const base = 'SELECT * FROM wallet_entries WHERE seq >= ? AND seq <= ? AND owner = ? AND currency = ?'
    const order = 'ORDER BY seq DESC LIMIT ?'
    const params = [low, high, owner, currency]
    if (q.types === undefined) {
      rows.push(...sqlite.prepare<unknown[], EntryRow>(`${base} ${order}`).all(...params, limit + 1))
    } else {
      // One ordered query per type, merged: each reads at most limit + 1 rows.
      for (const type of new Set(q.types)) {
        const sql =
          type === 'consume'
            ? `${base} AND type = 'consume' ${order}`
            : `${base} AND type = ? AND type <> 'consume' ${order}` // the second term selects the partial index
        const args = type === 'consume' ? [...params, limit + 1] : [...params, type, limit + 1]
        rows.push(...sqlite.prepare<unknown[], EntryRow>(sql).all(...args))
      }
      rows.sort((a, b) => b.seq - a.seq)
    }
  }
  const more = rows.length > limit
  const items = rows.slice(0, limit).map((r): HistoryEntry => {
    const delta = (account: string) => (r.credit_account === account ? r.amount : r.debit_account === account ? -r.amount : 0)
    const walletDelta = delta(walletAccount)
    const bonusDelta = delta(bonusAccount)
    return {
      seq: r.seq,
      entryId: r.id,
      key: r.op_key,
      leg: r.leg,
      type: r.type as EntryType,
      debitAccount: r.debit_account,
      creditAccount: r.credit_account,
      amount: { amount: r.amount, currency },
      walletDelta,
      bonusDelta,
      ref: r.ref,
      feature: r.feature,
      reason: r.reason,
      at: r.created_at
    }
  })
  const last = items[items.length - 1]
  // The cursor is the last seq returned (the next page reads below it); after a short walk, the floor.
  return { items, nextCursor: more && last ? String(last.seq) : truncated ? String(low) : null }
}

const lastSeq = (sqlite: Sqlite): number =>
  sqlite.prepare<[], { seq: number }>('SELECT seq FROM wallet_entries ORDER BY seq DESC LIMIT 1').get()?.seq ?? 0

/** The first seq whose entry is at or after `t` (one past the end if none): O(log n) point reads. */
function firstSeqAtOrAfter(sqlite: Sqlite, t: number): number {
  const next = sqlite.prepare<[number], { seq: number; created_at: number }>(
    'SELECT seq, created_at FROM wallet_entries WHERE seq >= ? ORDER BY seq LIMIT 1'
  )
  let lo = 1
  let hi = lastSeq(sqlite) + 1
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    const row = next.get(mid)
    if (!row || row.created_at >= t) hi = mid
    else lo = row.seq + 1
  }
  return lo
}
