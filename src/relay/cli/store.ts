import { existsSync } from 'node:fs'
import { ConfigError, loadConfig } from '../config/config'
import type { RelayStore } from '../store/ports'
import { openPgStore } from '../store/pg/open'
import { openSqliteStore } from '../store/sqlite/open'

// The store a command-line tool works on: the one `npm run relay` would open with the same
// environment (RELAY_DATABASE_URL, else the SQLite file). A message and exit code 2 when there is
// none to open. The PostgreSQL URL is named without its password.

export async function openConfiguredStore(
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  tool: string,
  missingHint: string
): Promise<{ store: RelayStore; where: string } | 2> {
  let config
  try {
    config = loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) {
      out(`${tool}: invalid configuration: ${err.message}`)
      return 2
    }
    throw err
  }
  if (config.database) {
    const where = redact(config.database.url)
    try {
      return { store: await openPgStore(config.database), where }
    } catch (err) {
      out(`${tool}: cannot open ${where}: ${err instanceof Error ? err.message : String(err)}`)
      return 2
    }
  }
  if (!existsSync(config.dbPath)) {
    out(`${tool}: no relay database at ${config.dbPath} (${missingHint})`)
    return 2
  }
  return { store: openSqliteStore({ path: config.dbPath }), where: config.dbPath }
}

function redact(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'the PostgreSQL database'
  }
}
