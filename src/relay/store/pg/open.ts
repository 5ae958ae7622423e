import pg from 'pg'
import type { RelayStore } from '../ports'
import { migratePg } from './migrate'
import { PgUnits } from './unit-of-work'

// The relay's store on PostgreSQL (RELAY_DATABASE_URL=postgres://…): a node-postgres pool, the
// migrations applied under an advisory lock, units of work that several instances run at once
// (unit-of-work.ts). The pool reconnects by itself: a client whose connection broke is dropped,
// and the next unit opens a new one; meanwhile units fail UNAVAILABLE (errors.ts).

/** The relay's store on PostgreSQL; `pool` is for tests and tools only. */
export interface PgStore extends RelayStore {
  readonly pool: pg.Pool
}

export interface PgStoreOptions {
  url: string
  /** Connections this instance opens at most (RELAY_DB_POOL_MAX). */
  poolMax?: number
  /** Longest a statement may run (RELAY_DB_STATEMENT_TIMEOUT_MS); also bounds a wait for a row lock. */
  statementTimeoutMs?: number
  /** Longest wait for a connection (RELAY_DB_CONNECT_TIMEOUT_MS): a database that is down fails fast. */
  connectTimeoutMs?: number
  migrationsFolder?: string
  /** Hears errors of idle pooled connections (a restart of the server); not fatal. */
  onPoolError?: (message: string) => void
}

const INT8 = 20

/** int8 → number. Amounts are bounded by MAX_AMOUNT, times and counters far below 2^53: a value past it is corruption, not data. */
function parseInt8(text: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n)) throw new Error(`int8 ${text} is beyond what the relay stores`)
  return n
}

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? parseInt8 : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser
}

export async function openPgStore(opts: PgStoreOptions): Promise<PgStore> {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolMax ?? 10,
    statement_timeout: opts.statementTimeoutMs ?? 5000,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    types
  })
  // An idle client's connection dropped (server restart): the pool removes it; nothing is lost.
  pool.on('error', (err) => opts.onPoolError?.(err.message))
  try {
    await migratePg(pool, opts.migrationsFolder)
  } catch (err) {
    await pool.end()
    throw err
  }
  const units = new PgUnits(pool)
  let closed: Promise<void> | undefined
  return {
    pool,
    unit: (work) => units.unit(work),
    unitGrouped: (work) => units.unitGrouped(work),
    unitUnsynced: (work) => units.unitUnsynced(work),
    // Every commit is on disk when it returns, so a durable read is any read.
    read: (work) => units.read(work),
    whenSlotFree: (commit) => units.whenSlotFree(commit),
    // A commit is on disk once it returns: this waits for the units still under way.
    whenDurable: () => units.settled(),
    close: () => (closed ??= pool.end())
  }
}
