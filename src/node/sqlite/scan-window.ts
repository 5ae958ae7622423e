import type Database from 'better-sqlite3'

// History pages of the big append-only tables (wallet entries, usage events) walk their integer
// primary key newest first. A filter no index serves (a feature, the dense 'consume' type)
// could make one page read the whole table when few rows match; so each call first bounds the
// walk to `budget` rows and the page stops there, short, with a cursor to go on from.

/** Rows one history call may walk on the main thread (a few ms of b-tree leaves). */
export const SCAN_BUDGET = 5_000

export interface ScanWindow {
  /** The lowest key the walk may reach (inclusive). */
  floor: number
  /** The budget ran out before `low`: rows below `floor` were not looked at. */
  truncated: boolean
}

const cache = new WeakMap<Database.Database, Map<string, Database.Statement<[number, number, number], { n: number; floor: number | null }>>>()

/** The window of at most `budget` rows of `table` with key in [low, high], from the top down. */
export function scanWindow(sqlite: Database.Database, table: string, key: string, low: number, high: number, budget = SCAN_BUDGET): ScanWindow {
  let byTable = cache.get(sqlite)
  if (!byTable) cache.set(sqlite, (byTable = new Map()))
  let stmt = byTable.get(`${table}.${key}`)
  if (!stmt) {
    stmt = sqlite.prepare(
      `SELECT COUNT(*) AS n, MIN(k) AS floor FROM (SELECT ${key} AS k FROM ${table} WHERE ${key} >= ? AND ${key} <= ? ORDER BY ${key} DESC LIMIT ?)`
    )
    byTable.set(`${table}.${key}`, stmt)
  }
  const { n, floor } = stmt.get(low, high, budget)!
  const truncated = n >= budget && floor !== null && floor > low
  return { floor: truncated ? floor : low, truncated }
}
