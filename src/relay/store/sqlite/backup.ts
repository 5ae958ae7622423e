import { renameSync, rmSync } from 'node:fs'
import Database from 'better-sqlite3'

// An online copy of the relay's SQLite file from a second connection (cli/backup.ts says why a
// second process). better-sqlite3's backup API copies every page in one step, i.e. inside one
// read transaction: the copy is the database as of one commit, and in WAL mode that reader
// never blocks the relay's writer. A step-by-step copy would restart whenever the relay commits
// (SQLite restarts a backup whose source another connection changed), which under a storm is
// always. The copy is written beside the target, checked, and renamed into place.

const ALL_PAGES = 0x7fffffff

export class BackupFailed extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BackupFailed'
  }
}

/** Copies `dbPath` to `target` (which must not exist); returns the pages copied. Throws BackupFailed, leaving nothing at `target`. */
export async function backupSqlite(dbPath: string, target: string): Promise<{ pages: number }> {
  const partial = `${target}.partial`
  rmSync(partial, { force: true })
  const source = new Database(dbPath, { fileMustExist: true })
  try {
    // Reads only; waits out the relay's own checkpoint instead of failing.
    source.pragma('busy_timeout = 5000')
    const { totalPages } = await source.backup(partial, { progress: () => ALL_PAGES })
    const problem = checkCopy(partial)
    if (problem) throw new BackupFailed(`the copy failed its integrity check (${problem})`)
    renameSync(partial, target)
    return { pages: totalPages }
  } catch (err) {
    rmSync(partial, { force: true })
    throw err instanceof BackupFailed ? err : new BackupFailed((err as Error).message)
  } finally {
    source.close()
  }
}

/** null when the copy is a whole SQLite database; else the first problem. */
function checkCopy(path: string): string | null {
  const copy = new Database(path, { fileMustExist: true })
  try {
    const rows = copy.pragma('integrity_check') as { integrity_check: string }[]
    // Left in rollback-journal mode: one self-contained file to carry off the machine.
    copy.pragma('journal_mode = DELETE')
    return rows[0]?.integrity_check === 'ok' ? null : (rows[0]?.integrity_check ?? 'no answer')
  } finally {
    copy.close()
  }
}
