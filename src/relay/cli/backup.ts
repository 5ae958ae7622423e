import { existsSync, renameSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import Database from 'better-sqlite3'
import { ConfigError, loadConfig } from '../config/config'

// `npm run relay -- backup <file>`: a consistent copy of the relay's SQLite database while the
// relay serves. It runs as a second process beside the relay, not inside it: in WAL mode a
// reader never blocks the writer, so notifications keep committing during the copy, and the
// relay needs no admin route or timer for it (and the copy's I/O is not on its event loop).
// better-sqlite3's backup API copies every page in one step, i.e. inside one read transaction:
// the copy is the database as of one commit (a step-by-step copy would restart whenever the
// relay commits, which under a notification storm is always). The copy is written beside the
// target and renamed into place only once its integrity check passes; an existing file is never
// overwritten. Exit 0 copied; 1 the copy failed (nothing left at <file>); 2 usage, configuration
// or no database.

const USAGE = 'usage: npm run relay -- backup <file>'
const ALL_PAGES = 0x7fffffff

export async function runBackup(args: readonly string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<0 | 1 | 2> {
  const [file, ...rest] = args
  if (!file || rest.length > 0) {
    out(USAGE)
    return 2
  }
  let dbPath: string
  try {
    dbPath = loadConfig(env).dbPath
  } catch (err) {
    if (err instanceof ConfigError) {
      out(`backup: invalid configuration: ${err.message}`)
      return 2
    }
    throw err
  }
  if (!existsSync(dbPath)) {
    out(`backup: no relay database at ${dbPath} (set RELAY_DB_PATH or RELAY_DATA_DIR)`)
    return 2
  }
  const target = resolve(file)
  if (target === dbPath) {
    out('backup: the copy cannot be the database itself')
    return 2
  }
  if (existsSync(target)) {
    out(`backup: ${target} exists; name a new file (a backup never overwrites one)`)
    return 2
  }
  const partial = `${target}.partial`
  rmSync(partial, { force: true })
  // Reads only; busy_timeout lets it wait out the relay's own checkpoint instead of failing.
  const source = new Database(dbPath, { fileMustExist: true })
  try {
    source.pragma('busy_timeout = 5000')
    const { totalPages } = await source.backup(partial, { progress: () => ALL_PAGES })
    const problem = checkCopy(partial)
    if (problem) {
      rmSync(partial, { force: true })
      out(`backup: the copy failed its integrity check (${problem}); nothing was kept`)
      return 1
    }
    renameSync(partial, target)
    out(`backup: ${dbPath} → ${target} (${totalPages} pages, one consistent snapshot)`)
    return 0
  } catch (err) {
    rmSync(partial, { force: true })
    out(`backup: failed: ${(err as Error).message}; nothing was kept`)
    return 1
  } finally {
    source.close()
  }
}

/** null when the copy is a whole SQLite database; else the first problem. */
function checkCopy(path: string): string | null {
  const copy = new Database(path, { fileMustExist: true })
  try {
    const rows = copy.pragma('integrity_check') as { integrity_check: string }[]
    const first = rows[0]?.integrity_check ?? 'no answer'
    // Left in rollback-journal mode: a single file, ready to copy off the machine.
    copy.pragma('journal_mode = DELETE')
    return first === 'ok' ? null : first
  } finally {
    copy.close()
  }
}
