import { existsSync } from 'node:fs'
import { ConfigError, loadConfig } from '../config/config'

// What every command beside a running relay starts with: the relay's SQLite file from the same
// environment as `npm run relay`, or one line saying why there is none (the command exits 2).

export function configuredDatabase(env: NodeJS.ProcessEnv, command: string, out: (line: string) => void): string | null {
  let dbPath: string
  try {
    dbPath = loadConfig(env).dbPath
  } catch (err) {
    if (err instanceof ConfigError) {
      out(`${command}: invalid configuration: ${err.message}`)
      return null
    }
    throw err
  }
  if (!existsSync(dbPath)) {
    out(`${command}: no relay database at ${dbPath} (set RELAY_DB_PATH or RELAY_DATA_DIR, or start the relay once)`)
    return null
  }
  return dbPath
}
