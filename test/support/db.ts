import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, join } from 'node:path'
import { afterEach } from 'vitest'
import { openDatabase, type BillingDb, type OpenOptions } from '../../src/main/db/open'

const dirs: string[] = []

/** A fresh directory removed after the test (under the OS temp dir, or at an absolute prefix). */
export function tempDir(prefix = 'billing-'): string {
  if (isAbsolute(prefix)) mkdirSync(dirname(prefix), { recursive: true })
  const dir = mkdtempSync(isAbsolute(prefix) ? prefix : join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

/** A real SQLite file in a temp directory, migrated; closed and removed after the test. */
export function tempDb(opts: Partial<OpenOptions> = {}): BillingDb {
  const db = openDatabase({ path: join(tempDir(), 'billing.sqlite'), durability: 'normal', ...opts })
  opened.push(db)
  return db
}
const opened: BillingDb[] = []

afterEach(() => {
  for (const db of opened.splice(0)) {
    try {
      db.close()
    } catch {
      /* already closed */
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
