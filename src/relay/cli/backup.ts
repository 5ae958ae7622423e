import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { configuredDatabase } from './database'
import { backupSqlite, BackupFailed } from '../store/sqlite/backup'

// `npm run relay -- backup <file>`: a consistent copy of the relay's SQLite database while the
// relay serves. It runs as a second process beside the relay, not inside it: in WAL mode a
// reader never blocks the writer, so notifications keep committing during the copy; the relay
// needs no admin route or timer for it, and the copy's I/O is not on its event loop. The same
// environment as `npm run relay` names the database. An existing file is never overwritten.
// Exit 0 copied; 1 the copy failed (nothing left at <file>); 2 usage, configuration or no database.

const USAGE = 'usage: npm run relay -- backup <file>'

export async function runBackup(args: readonly string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<0 | 1 | 2> {
  const [file, ...rest] = args
  if (!file || rest.length > 0) {
    out(USAGE)
    return 2
  }
  const dbPath = configuredDatabase(env, 'backup', out)
  if (!dbPath) return 2
  const target = resolve(file)
  if (target === dbPath) {
    out('backup: the copy cannot be the database itself')
    return 2
  }
  if (existsSync(target)) {
    out(`backup: ${target} exists; name a new file (a backup never overwrites one)`)
    return 2
  }
  try {
    const { pages } = await backupSqlite(dbPath, target)
    out(`backup: ${dbPath} → ${target} (${pages} pages, one consistent snapshot)`)
    return 0
  } catch (err) {
    if (!(err instanceof BackupFailed)) throw err
    out(`backup: failed: ${err.message}; nothing was kept`)
    return 1
  }
}
