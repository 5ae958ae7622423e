import { existsSync } from 'node:fs'
import { join } from 'node:path'

// better-sqlite3 is compiled for Node's ABI by `npm install` (tests, relay, benchmarks).
// Electron has its own ABI, so `npm run rebuild:electron` builds a second copy of the addon
// into .native/electron-<abi>/ and the app loads that one through `nativeBinding`.
// Neither build overwrites the other: no rebuilding back and forth.
export function electronNativeBinding(appPath: string, abi: string): string | undefined {
  const candidates = [
    join(appPath, '.native', `electron-${abi}`, 'better_sqlite3.node'),
    join(process.resourcesPath ?? appPath, 'native', `electron-${abi}`, 'better_sqlite3.node')
  ]
  return candidates.find((p) => existsSync(p))
}
