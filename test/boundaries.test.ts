import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
// @ts-expect-error plain ESM script without types
import { findViolations } from '../scripts/check-boundaries.mjs'

describe('zones of src/', () => {
  it('the tree keeps every zone rule', () => {
    expect(findViolations()).toEqual([])
  })

  const dir = mkdtempSync(join(tmpdir(), 'zones-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const write = (rel: string, body: string): void => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true })
    writeFileSync(join(dir, rel), body)
  }

  it('names the file, the import and the rule of each violation', () => {
    write('src/relay/orders/a.ts', "import { x } from '../../main/core/clock'\n")
    write('src/main/sync/b.ts', "import type { Y } from '../../relay/core'\n")
    write('src/shared/c.ts', "import { createHash } from 'node:crypto'\nimport Database from 'better-sqlite3'\n")
    write('src/shared/ok.ts', "import { z } from 'zod'\nimport Decimal from 'decimal.js'\nimport { e } from './errors'\n")
    write('src/node/d.ts', "import { app } from 'electron'\nimport { w } from '../main/wallet/wallet'\n")
    write('src/renderer/src/e.tsx', "import { readFileSync } from 'fs'\nimport { w } from '../../main/billing'\n")
    write('src/main/wallet/f.ts', "import { app } from 'electron'\nimport { c } from '../../node/clock'\n")
    write('src/main/electron/g.ts', "import { app } from 'electron'\n")
    write('src/preload/h.ts', "import { contextBridge } from 'electron'\n")
    write('src/relay/i.ts', "const m = await import('../main/billing')\n")
    const found: string[] = findViolations(dir)
    expect(found.sort()).toEqual(
      [
        "src/relay/orders/a.ts: imports '../../main/core/clock': src/relay may not import src/main (allowed: src/shared, src/node, src/relay)",
        "src/main/sync/b.ts: imports '../../relay/core': src/main may not import src/relay (allowed: src/shared, src/node, src/main)",
        "src/shared/c.ts: imports 'node:crypto': src/shared is pure: no node built-ins (move it to src/node)",
        "src/shared/c.ts: imports 'better-sqlite3': src/shared imports only pure packages (zod, decimal.js)",
        "src/node/d.ts: imports 'electron': electron is imported only in src/main/electron and src/preload",
        "src/node/d.ts: imports '../main/wallet/wallet': src/node may not import src/main (allowed: src/shared, src/node)",
        "src/renderer/src/e.tsx: imports 'fs': the renderer runs in a browser: no node built-ins",
        "src/renderer/src/e.tsx: imports '../../main/billing': src/renderer may not import src/main (allowed: src/shared, src/renderer)",
        "src/main/wallet/f.ts: imports 'electron': electron is imported only in src/main/electron and src/preload",
        "src/relay/i.ts: imports '../main/billing': src/relay may not import src/main (allowed: src/shared, src/node, src/relay)"
      ].sort()
    )
  })

  it("keeps the relay's driver and SQL inside its SQLite store", () => {
    const relayDir = mkdtempSync(join(tmpdir(), 'store-zone-'))
    try {
      const put = (rel: string, body: string): void => {
        mkdirSync(dirname(join(relayDir, rel)), { recursive: true })
        writeFileSync(join(relayDir, rel), body)
      }
      put(
        'src/relay/orders/j.ts',
        "import Database from 'better-sqlite3'\nimport { openSqliteStore } from '../store/sqlite/open'\nconst q = db.prepare('SELECT * FROM orders')\n"
      )
      put('src/relay/store/sqlite/k.ts', "import Database from 'better-sqlite3'\nconst q = 'SELECT 1'\n")
      put('src/relay/app.ts', "import { openSqliteStore } from './store/sqlite/open'\n")
      put('src/relay/store/ports.ts', "import type { Currency } from '../../shared/money'\n")
      expect((findViolations(relayDir) as string[]).sort()).toEqual([
        "src/relay/orders/j.ts: imports '../store/sqlite/open': only src/relay/app.ts and src/relay/cli open a store; the domain goes through src/relay/store/ports.ts",
        "src/relay/orders/j.ts: imports 'better-sqlite3': the relay's database drivers are used only in src/relay/store/sqlite/ and src/relay/store/pg/ (the domain goes through src/relay/store/ports.ts)",
        'src/relay/orders/j.ts:3: holds SQL (SELECT): SQL text lives only in src/relay/store/sqlite/ and src/relay/store/pg/'
      ])
    } finally {
      rmSync(relayDir, { recursive: true, force: true })
    }
  })
})
