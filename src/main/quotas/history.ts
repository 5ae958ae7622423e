import type { Sqlite } from '../db/open'
import { InvalidInput } from '../../shared/errors'
import { scanWindow } from '../../node/sqlite/scan-window'
import { COUNTER_FEATURES } from './features'
import { eventToRecord, seqAt, type Statements } from './statements'
import type { HistoryPage, HistoryQuery } from './types'

// Usage history for the Usage screen, newest first. Events are keyed by a time-ordered seq
// (max(previous + 1, time × 1024)), so time bounds become seq bounds and a page is a rowid
// range walk: the same cost at the millionth row as at the first, with no time index.
// After a backward clock step events keep recording order (their seq runs ahead of their time).
// A feature filter has no index (it would cost consume a page write): its walk is bounded
// (node/sqlite/scan-window.ts), so a page of a rare feature may come back short with a cursor.

const MAX_PAGE = 500
const CURSOR = /^-?\d{1,16}$/

export function readHistory(sqlite: Sqlite, st: Statements, q: HistoryQuery): HistoryPage {
  const { feature, from, to, limit = 50, cursor } = q
  if (feature !== undefined && !(COUNTER_FEATURES as readonly string[]).includes(feature)) {
    throw new InvalidInput(`no usage history for feature ${String(feature)}`, { feature })
  }
  if (from !== undefined && !Number.isSafeInteger(from)) throw new InvalidInput('from must be an integer time', { from })
  if (to !== undefined && !Number.isSafeInteger(to)) throw new InvalidInput('to must be an integer time', { to })
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new InvalidInput(`limit must be an integer from 1 to ${MAX_PAGE}`, { limit })
  }
  let upper = to === undefined ? Number.MAX_SAFE_INTEGER : seqAt(to)
  if (cursor !== undefined && cursor !== null) {
    if (typeof cursor !== 'string' || !CURSOR.test(cursor)) throw new InvalidInput('malformed history cursor', { cursor })
    upper = Math.min(upper, Number(cursor))
  }
  let lower = from === undefined ? Number.MIN_SAFE_INTEGER : seqAt(from)
  let truncated = false
  if (feature !== undefined && lower < upper) {
    const window = scanWindow(sqlite, 'usage_events', 'seq', lower, upper - 1)
    lower = window.floor
    truncated = window.truncated
  }
  const rows =
    feature === undefined
      ? st.historyAll.all(lower, upper, limit + 1)
      : st.historyFeature.all(lower, upper, feature, limit + 1)
  const more = rows.length > limit
  if (more) rows.length = limit
  const last = rows[rows.length - 1]
  // Short of the budget's end: the next page starts below the rows walked (seq < cursor).
  const nextCursor = more && last !== undefined ? String(last.seq) : truncated ? String(lower) : null
  return { items: rows.map(eventToRecord), nextCursor }
}
