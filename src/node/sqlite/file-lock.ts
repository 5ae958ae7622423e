import Database from 'better-sqlite3'

// One opener per file, held by the operating system: an EXCLUSIVE transaction on a sidecar
// SQLite file (<path>.lock), opened and never committed. SQLite takes the OS lock (fcntl on
// POSIX, LockFileEx on Windows) and tracks it per connection inside one process too, so a
// second opener, in this process or another, gets SQLITE_BUSY at once. The OS drops the lock
// when the holder dies, SIGKILL included: a crashed process never leaves a stale lock, and the
// file it leaves behind (empty: nothing is ever written) is simply locked again. No pid files,
// so no pid reuse to guess about.

export interface FileLock {
  release(): void
}

/** Takes the lock for `path`, or returns null when another opener holds it. */
export function tryLockFile(path: string, nativeBinding?: string): FileLock | null {
  const lock = new Database(`${path}.lock`, { timeout: 0, ...(nativeBinding ? { nativeBinding } : {}) })
  try {
    lock.exec('BEGIN EXCLUSIVE')
  } catch (err) {
    lock.close()
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return null
    throw err
  }
  return { release: () => lock.close() }
}
