#!/usr/bin/env node
// The zones of src/ (docs/architecture.md lists them), kept apart by folder as Signal Desktop
// keeps runtimes apart by file suffix. Each import is resolved and judged by the zone of the
// importing file and, for relative imports, the zone of the file it reaches:
// - src/shared      pure: no node built-ins, no electron, only the pure packages below;
// - src/node        the Node kernel shared by app and relay: no electron, nothing of main/relay;
// - src/main        the app core: never the relay; electron only in src/main/electron;
// - src/relay       the relay: never src/main, never electron;
// - src/renderer    the screens: no node built-ins, no electron, only src/shared;
// - src/preload     the bridge: electron and src/shared only;
// - src/host        the core over a WebSocket for tests: no electron, never the relay;
// - src/console     the relay's operator console (a web app): no node built-ins, only src/shared.
// Inside the relay, its store boundary: the database driver (better-sqlite3, drizzle-orm) and
// SQL text live only in src/relay/store/sqlite; the domain works through src/relay/store/ports.ts,
// and only the composition roots (src/relay/app.ts, src/relay/cli) open the SQLite store.
// Exit 1 with one line per violation (file, import, rule). test/boundaries.test.ts runs the same.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, posix, relative, sep } from 'node:path'
import { builtinModules } from 'node:module'
import { fileURLToPath } from 'node:url'

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..')
const nodeBuiltins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)])
const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm

/** Packages src/shared may use: pure computation and validation, no I/O. */
const PURE_PACKAGES = new Set(['zod', 'decimal.js'])

const ZONES = ['shared', 'node', 'main', 'relay', 'renderer', 'preload', 'host', 'console']

/** Which zones each zone may reach by a relative import. */
const MAY_IMPORT = {
  shared: ['shared'],
  node: ['shared', 'node'],
  main: ['shared', 'node', 'main'],
  relay: ['shared', 'node', 'relay'],
  renderer: ['shared', 'renderer'],
  preload: ['shared', 'preload'],
  host: ['shared', 'node', 'main', 'host'],
  console: ['shared', 'console']
}

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) yield* files(p)
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) yield p
  }
}

function zoneOf(rel) {
  const m = /^src\/([^/]+)\//.exec(rel)
  return m && ZONES.includes(m[1]) ? m[1] : undefined
}

const packageName = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0])

const SQLITE_STORE = 'src/relay/store/sqlite/'
/** The store adapters: the only relay code that holds SQL or imports a database driver. */
const STORES = [SQLITE_STORE, 'src/relay/store/pg/']
const DB_PACKAGES = new Set(['better-sqlite3', 'drizzle-orm', 'pg'])
const insideSqliteStore = (rel) => STORES.some((store) => rel.startsWith(store))
/** A string literal that opens with SQL. */
const sqlRe = /(['"`])\s*(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)|PRAGMA|BEGIN|COMMIT|SAVEPOINT)\b/

/** The rule an import breaks, or undefined. */
function judge(rel, spec) {
  const zone = zoneOf(rel)
  if (!zone) return undefined
  if (zone === 'relay' && !insideSqliteStore(rel)) {
    if (!spec.startsWith('.') && DB_PACKAGES.has(packageName(spec))) {
      return `the relay's database drivers are used only in ${STORES.join(' and ')} (the domain goes through src/relay/store/ports.ts)`
    }
    const target = spec.startsWith('.') ? posix.normalize(posix.join(posix.dirname(rel), spec)) : ''
    if (STORES.some((store) => target.startsWith(store.slice(0, -1))) && rel !== 'src/relay/app.ts' && !rel.startsWith('src/relay/cli/')) {
      return `only src/relay/app.ts and src/relay/cli open a store; the domain goes through src/relay/store/ports.ts`
    }
  }
  const isElectron = spec === 'electron' || spec.startsWith('electron/')
  if (isElectron) {
    const allowed = rel.startsWith('src/main/electron/') || zone === 'preload'
    return allowed ? undefined : 'electron is imported only in src/main/electron and src/preload'
  }
  if (nodeBuiltins.has(spec)) {
    if (zone === 'shared') return 'src/shared is pure: no node built-ins (move it to src/node)'
    if (zone === 'renderer') return 'the renderer runs in a browser: no node built-ins'
    if (zone === 'console') return 'the console runs in a browser: no node built-ins'
    return undefined
  }
  if (spec.startsWith('.')) {
    const target = posix.normalize(posix.join(posix.dirname(rel), spec))
    const targetZone = zoneOf(target + '/')
    if (targetZone && !MAY_IMPORT[zone].includes(targetZone)) {
      return `src/${zone} may not import src/${targetZone} (allowed: ${MAY_IMPORT[zone].map((z) => `src/${z}`).join(', ')})`
    }
    return undefined
  }
  if (zone === 'shared' && !PURE_PACKAGES.has(packageName(spec))) {
    return `src/shared imports only pure packages (${[...PURE_PACKAGES].join(', ')})`
  }
  return undefined
}

export function findViolations(base = root) {
  const out = []
  if (!existsSync(join(base, 'src'))) return out
  for (const file of files(join(base, 'src'))) {
    const rel = relative(base, file).split(sep).join('/')
    const src = readFileSync(file, 'utf8')
    for (const m of src.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4]
      const rule = judge(rel, spec)
      if (rule) out.push(`${rel}: imports '${spec}': ${rule}`)
    }
    if (zoneOf(rel) === 'relay' && !insideSqliteStore(rel)) {
      src.split('\n').forEach((line, i) => {
        const sql = sqlRe.exec(line)
        if (sql) out.push(`${rel}:${i + 1}: holds SQL (${sql[2]}): SQL text lives only in ${STORES.join(' and ')}`)
      })
    }
  }
  return out
}

export { judge }

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const v = findViolations()
  for (const line of v) console.error(line)
  if (v.length) process.exit(1)
  console.log('boundaries ok')
}
