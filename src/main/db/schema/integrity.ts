import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * Per ledger (wallet, subscriptions, usage), where the last whole full check found its chain:
 * the last row's seq and hash, the row count and the running sums there (JSON). Start-up walks
 * only the rows after it (src/main/integrity). `mark` chains the row's own fields onto that
 * hash, so a checkpoint edited by hand no longer matches itself or the chain.
 */
export const integrityCheckpoints = sqliteTable('integrity_checkpoints', {
  ledger: text('ledger').primaryKey(),
  seq: integer('seq').notNull(),
  hash: text('hash').notNull(),
  count: integer('count').notNull(),
  sums: text('sums').notNull(),
  checkedAt: integer('checked_at').notNull(),
  mark: text('mark').notNull()
})
