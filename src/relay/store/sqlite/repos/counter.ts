import type Database from 'better-sqlite3'

// A counter row incremented inside the caller's transaction (order numbers, invoice numbers).
// An UPDATE then a SELECT, and an INSERT only for a row not there yet: in better-sqlite3 an
// upsert with RETURNING costs several times the two plain statements (docs/performance.md,
// "Invoices in each notification"). Safe without RETURNING: on SQLite the transaction is the only
// writer of the file from its BEGIN IMMEDIATE to its end, so nothing runs between the statements.

export function sqliteCounter<K extends unknown[]>(
  s: Database.Database,
  sql: { increment: string; read: string; create: string }
): (...key: K) => number {
  const increment = s.prepare<K>(sql.increment)
  const read = s.prepare<K, number>(sql.read).pluck()
  const create = s.prepare<K>(sql.create)
  return (...key) => {
    if (increment.run(...key).changes === 1) return read.get(...key)!
    create.run(...key)
    return 1
  }
}
