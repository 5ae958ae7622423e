import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { migrateIfBehind, readJournal, refuseNewerSchema } from '../../../node/sqlite/migrations'
import { applyPragmas } from '../../../node/sqlite/pragmas'
import type { RelayStore } from '../ports'
import { sqliteAccounts } from './repos/accounts'
import { sqliteFeed } from './repos/feed'
import { sqliteGrants } from './repos/grants'
import { sqliteJobs } from './repos/jobs'
import { sqliteNotices } from './repos/notices'
import { sqliteLeases } from './repos/leases'
import { sqliteLedger } from './repos/ledger'
import { sqliteCoupons } from './repos/coupons'
import { sqliteNotifications } from './repos/notifications'
import { sqliteOrders } from './repos/orders'
import { sqliteOutbox } from './repos/outbox'
import { sqliteSignIn } from './repos/sign-in'
import { sqliteTrials } from './repos/trials'
import { sqliteCatalog } from './repos/catalog'
import { sqliteInvoices } from './repos/invoices'
import { sqliteOperators } from './repos/operators'
import { sqliteAudit } from './repos/audit'
import { sqliteRefundRequests } from './repos/refund-requests'
import { sqliteConsoleReads } from './repos/console-reads'
import { sqliteReconciliation } from './repos/reconciliation'
import { UnitsOfWork } from './unit-of-work'
import * as schema from './schema'
import { BACKSTOP_PAGES, Checkpointer } from './checkpointer'
import { WalSync } from './wal-sync'

// The relay's SQLite file: same pragmas and the same newer-schema refusal as the app's
// (src/node/sqlite/pragmas.ts explains them), its own schema and migrations/relay.

export type Sqlite = Database.Database

/** The relay's store on SQLite; `sqlite` is the connection, for tests and tools only. */
export interface SqliteStore extends RelayStore {
  readonly sqlite: Sqlite
}

export const relayMigrationsFolder = (): string =>
  fileURLToPath(new URL('../../../../migrations/relay', import.meta.url))

export function openSqliteStore(opts: {
  path: string
  durability?: 'full' | 'normal'
  migrationsFolder?: string
  /** Hears checkpoint-thread failures (not fatal; see checkpointer.ts). */
  onCheckpointError?: (message: string) => void
}): SqliteStore {
  const folder = opts.migrationsFolder ?? relayMigrationsFolder()
  const journal = readJournal(folder)
  mkdirSync(dirname(opts.path), { recursive: true })
  const sqlite = new Database(opts.path)
  try {
    applyPragmas(sqlite, opts.durability ?? 'full')
    // The orders, feed and index pages a notification touches stay in memory (cost of the
    // default 2 MB in docs/performance.md, "Figures behind the relay's choices"). Pages are
    // allocated only as used.
    sqlite.pragma('cache_size = -65536')
    // Checkpoints run on their own thread (checkpointer.ts); this is only the backstop.
    sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`)
    refuseNewerSchema(sqlite, journal)
    migrateIfBehind(sqlite, journal, () => migrate(drizzle(sqlite, { schema }), { migrationsFolder: folder }))
    const checkpointer = new Checkpointer(opts.path, opts.onCheckpointError ? { onError: opts.onCheckpointError } : {})
    const wal = opts.durability !== 'normal' ? new WalSync(`${opts.path}-wal`) : undefined
    const units = new UnitsOfWork(
      sqlite,
      {
        accounts: sqliteAccounts(sqlite),
        signIn: sqliteSignIn(sqlite),
        orders: sqliteOrders(sqlite),
        feed: sqliteFeed(sqlite),
        outbox: sqliteOutbox(sqlite),
        grants: sqliteGrants(sqlite),
        jobs: sqliteJobs(sqlite),
        notices: sqliteNotices(sqlite),
        trials: sqliteTrials(sqlite),
        catalog: sqliteCatalog(sqlite),
        leases: sqliteLeases(sqlite),
        notifications: sqliteNotifications(sqlite),
        ledger: sqliteLedger(sqlite),
        coupons: sqliteCoupons(sqlite),
        invoices: sqliteInvoices(sqlite),
        operators: sqliteOperators(sqlite),
        audit: sqliteAudit(sqlite),
        refundRequests: sqliteRefundRequests(sqlite),
        reconciliation: sqliteReconciliation(sqlite),
        consoleReads: sqliteConsoleReads(sqlite)
      },
      wal
    )
    return {
      sqlite,
      unit: (work) => units.unit(work),
      unitGrouped: (work) => units.unitGrouped(work),
      unitUnsynced: (work) => units.unitUnsynced(work),
      read: (work, o) => units.read(work, o?.durable ?? false),
      whenSlotFree: (commit) => (wal ? wal.whenSlotFree(commit) : commit()),
      whenDurable: () => wal?.whenDurable() ?? Promise.resolve(),
      close: () => {
        wal?.close()
        sqlite.close()
        return checkpointer.close()
      }
    }
  } catch (err) {
    sqlite.close()
    throw err
  }
}
