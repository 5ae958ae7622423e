import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, sep } from 'node:path'
import { minimatch } from 'minimatch'
import { beforeAll, describe, expect, it } from 'vitest'
import { ensureRendererBuilt, ROOT } from '../e2e/support/build'
import { tempDir } from '../support/db'

// Packaging without packaging: electron-builder cannot download Electron here, so CI checks
// its configuration (loaded and validated by electron-builder's own loader, every file it
// names resolved) and what it would pack (the built bundle in out/ plus the migrations): no
// host, relay or test code, no dependency the app does not run with, no secret.

const require = createRequire(join(ROOT, 'package.json'))
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(dir: string, file: string | null, extra: unknown): Promise<Config>
  validateConfiguration(config: unknown, logger: unknown): Promise<void>
}
const { DebugLogger } = require('builder-util/out/DebugLogger') as { DebugLogger: new (on: boolean) => unknown }
const { checkNativeForPackaging } = require('./scripts/package/before-pack.cjs') as {
  checkNativeForPackaging(root: string, electronVersion?: string): Promise<string>
}

interface Config {
  files: { filter: string[] }[]
  extraResources: { from: string; to: string; filter: string[] }[]
  beforePack: string
  asarUnpack: string[]
  npmRebuild: boolean
  win: { target: { target: string }[] }
  mac: { target: { target: string }[] }
  linux: { target: { target: string }[] }
}

const load = () => getConfig(ROOT, 'electron-builder.yml', null)

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules' && name !== '.git') walk(p, out)
    } else out.push(relative(ROOT, p).split(sep).join('/'))
  }
  return out
}

/** The project files the `files` filters keep (electron-builder adds node_modules itself). */
function packed(filters: string[]): string[] {
  const keep = filters.filter((f) => !f.startsWith('!'))
  const drop = filters.filter((f) => f.startsWith('!')).map((f) => f.slice(1))
  const tops = ['out', 'migrations', 'package.json']
  const candidates = tops.flatMap((t) => (statSync(join(ROOT, t)).isDirectory() ? walk(join(ROOT, t)) : [t]))
  return candidates.filter((f) => keep.some((k) => minimatch(f, k, { dot: true })) && !drop.some((d) => minimatch(f, d, { dot: true })))
}

/**
 * Long string literals of the host's, relay's and tests' own sources that no app source has:
 * if any turns up in the bundle, code from there was bundled.
 */
function foreignMarkers(): string[] {
  const src = (d: string) => walk(join(ROOT, d)).filter((f) => /\.(ts|tsx)$/.test(f))
  const appText = ['src/main', 'src/shared', 'src/node', 'src/preload', 'src/renderer'].flatMap(src).map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n')
  const markers = new Set<string>()
  for (const f of [...src('src/relay'), ...src('src/host'), ...src('test')]) {
    for (const m of readFileSync(join(ROOT, f), 'utf8').matchAll(/'([^'\\\n$]{24,})'/g)) {
      const lit = m[1]!
      // Messages, SQL and code, not bare paths (a path is named in comments everywhere).
      if (lit.includes(' ') && !appText.includes(lit)) markers.add(lit)
    }
  }
  return [...markers]
}

const SECRET_PATTERNS: [string, RegExp][] = [
  ['a PEM private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['a Stripe secret key', /\b(sk|rk)_(live|test)_[A-Za-z0-9]{8,}/],
  ['a Stripe webhook secret', /\bwhsec_[A-Za-z0-9]{8,}/],
  ['a relay signing key variable', /RELAY_SIGNING_KEY|BILLING_RELAY_SIGNING/],
  ['a provider secret variable', /(STRIPE_SECRET_KEY|STRIPE_WEBHOOK_SECRET|ALIPAY_PRIVATE_KEY|WECHAT_API_V3_KEY|WECHATPAY_APIV3|PAYPAL_CLIENT_SECRET)/]
]

function findings(files: { name: string; text: string }[], markers: string[]): string[] {
  const out: string[] = []
  for (const { name, text } of files) {
    for (const [what, re] of SECRET_PATTERNS) if (re.test(text)) out.push(`${name}: ${what}`)
    for (const m of markers) if (text.includes(m)) out.push(`${name}: host, relay or test code ("${m.slice(0, 40)}")`)
  }
  return out
}

/** Bare module specifiers the main bundle loads at run time (it keeps dependencies external). */
function externalImports(code: string): string[] {
  const specs = [...code.matchAll(/(?:require\(\s*|\bfrom\s+|import\(\s*)["']([^"'./\s,][^"'\s,]*)["']/g)].map((m) => m[1]!)
  return [...new Set(specs.map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!)))].sort()
}

describe('packaging configuration (electron-builder.yml)', () => {
  beforeAll(() => ensureRendererBuilt(), 240_000)

  it("loads and passes electron-builder's own validation, which rejects an unknown option", async () => {
    const config = await load()
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined()
    await expect(validateConfiguration({ ...config, notAnOption: true }, new DebugLogger(false))).rejects.toThrow(/notAnOption/)
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis'])
    expect(config.mac.target.map((t) => t.target)).toEqual(['dmg'])
    expect(config.linux.target.map((t) => t.target)).toEqual(['AppImage'])
  })

  it('resolves every file it names: the built app, its migrations, the hook, the native build path', async () => {
    const config = await load()
    const files = packed(config.files.flatMap((f) => f.filter))
    const main = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).main.replace(/^\.\//, '')
    for (const need of [main, 'out/preload/index.cjs', 'out/renderer/index.html', 'migrations/app/0000_init.sql', 'migrations/app/meta/_journal.json']) {
      expect(files, need).toContain(need)
    }
    // Every migration the app applies at open is shipped.
    for (const f of readdirSync(join(ROOT, 'migrations/app')).filter((f) => f.endsWith('.sql'))) expect(files).toContain(`migrations/app/${f}`)
    expect(existsSync(join(ROOT, config.beforePack))).toBe(true)
    // The native module: outside the asar, where src/main/electron/native-binding.ts looks for it.
    const native = config.extraResources.find((r) => r.to === 'native')
    expect(native?.from).toBe('.native')
    const abi = readFileSync(join(ROOT, 'node_modules/electron/abi_version'), 'utf8').trim()
    expect(native?.filter.some((p) => minimatch(`electron-${abi}/better_sqlite3.node`, p))).toBe(true)
    expect(readFileSync(join(ROOT, 'src/main/electron/native-binding.ts'), 'utf8')).toContain("join(process.resourcesPath ?? appPath, 'native', `electron-${abi}`, 'better_sqlite3.node')")
    expect(config.npmRebuild).toBe(false)
    expect(config.asarUnpack).toContain('**/*.node')
  })

  it('packs no host, relay or test code, no source, and no secret', async () => {
    const config = await load()
    const files = packed(config.files.flatMap((f) => f.filter))
    expect(files.filter((f) => /^(src|test|scripts|bench|docs|examples)\/|^migrations\/relay\/|^out\/types\//.test(f))).toEqual([])
    const markers = foreignMarkers()
    expect(markers.length).toBeGreaterThan(50)
    const texts = files.filter((f) => /\.(js|cjs|mjs|html|css|json|sql)$/.test(f)).map((f) => ({ name: f, text: readFileSync(join(ROOT, f), 'utf8') }))
    // package.json names the dev scripts; it is checked for secrets only.
    const code = texts.filter((t) => t.name !== 'package.json')
    expect(findings(code, markers)).toEqual([])
    expect(findings(texts, [])).toEqual([])
  })

  it('the check finds relay code and a secret when they are there', () => {
    const relaySource = readFileSync(join(ROOT, 'src/relay/app.ts'), 'utf8')
    const pem = ['-----BEGIN', 'PRIVATE KEY-----'].join(' ')
    const found = findings([{ name: 'out/main/index.js', text: `${relaySource}\n${pem}` }], foreignMarkers())
    expect(found.some((f) => f.includes('host, relay or test code'))).toBe(true)
    expect(found).toContain('out/main/index.js: a PEM private key')
  })

  it('the main bundle loads only dependencies the app runs with (none of the relay’s)', () => {
    const code = readFileSync(join(ROOT, 'out/main/index.js'), 'utf8')
    const allowed = ['better-sqlite3', 'decimal.js', 'drizzle-orm', 'electron', 'electron-store', 'zod']
    const bare = externalImports(code).filter((s) => !s.startsWith('node:'))
    expect(bare.filter((s) => !allowed.includes(s) && !isBuiltin(s))).toEqual([])
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
    for (const dep of bare.filter((s) => s !== 'electron' && !isBuiltin(s))) expect(Object.keys(pkg.dependencies)).toContain(dep)
  })

  it('the relay URL and public key come from the build environment; nothing else is compiled in', () => {
    const cfg = readFileSync(join(ROOT, 'electron.vite.config.ts'), 'utf8')
    const defined = [...cfg.matchAll(/process\.env\['([A-Z_]+)'\]/g)].map((m) => m[1])
    expect(defined.sort()).toEqual(['BILLING_RELAY_PUBLIC_KEY', 'BILLING_RELAY_URL'])
  })
})

describe('beforePack: the native module it ships', () => {
  it("refuses a Node-ABI better-sqlite3 filed as Electron's, and a missing one, saying what to run", async () => {
    const root = tempDir('billing-pack-')
    mkdirSync(join(root, 'node_modules/electron'), { recursive: true })
    for (const f of ['package.json', 'abi_version']) copyFileSync(join(ROOT, 'node_modules/electron', f), join(root, 'node_modules/electron', f))
    const abi = readFileSync(join(ROOT, 'node_modules/electron/abi_version'), 'utf8').trim()
    const version = JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version
    await expect(checkNativeForPackaging(root)).rejects.toThrow(/npm run rebuild:electron/)
    const dir = join(root, '.native', `electron-${abi}`)
    mkdirSync(dir, { recursive: true })
    copyFileSync(join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), join(dir, 'better_sqlite3.node'))
    writeFileSync(join(dir, 'build.json'), JSON.stringify({ electronVersion: version, abi: Number(abi) }))
    await expect(checkNativeForPackaging(root)).rejects.toThrow(/npm run rebuild:electron/)
  })
})

function isBuiltin(name: string): boolean {
  return require('node:module').builtinModules.includes(name)
}
