import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { RELAY_VARIABLES } from '../../src/relay/config/config'
import { startTestRelay } from './support/relay'

// Docker is not available where these tests run, so the image is never built here: this checks
// the Dockerfile and deploy/compose.yaml for what matters, as text. A non-root user, a health
// check on a route the relay serves, the data directory a volume, a command whose files the
// image holds, and only variables the relay reads.

const root = fileURLToPath(new URL('../../', import.meta.url))
const read = (p: string) => readFileSync(root + p, 'utf8')
const dockerfile = read('Dockerfile')
const compose = read('deploy/compose.yaml')

const stages = dockerfile.split(/^FROM /m).slice(1)
const runtime = stages.at(-1)!

describe('deployment files', () => {
  it('the Dockerfile builds in one stage and runs in another, as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2)
    expect(stages[0]).toMatch(/RUN npm ci\b/)
    const users = [...runtime.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1])
    expect(users.length).toBeGreaterThan(0)
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/)
    expect(runtime).toMatch(/apt-get install[^\n]*fonts-noto-cjk/)
  })

  it('the data directory is a volume, owned by the user the relay runs as', () => {
    const dataDir = /RELAY_DATA_DIR=(\S+)/.exec(runtime)?.[1]
    expect(dataDir).toBeTruthy()
    expect(runtime).toMatch(new RegExp(`^VOLUME \\[?"?${dataDir}"?\\]?`, 'm'))
    expect(runtime).toMatch(new RegExp(`chown node:node ${dataDir}`))
    expect(compose).toMatch(new RegExp(`- relay-data:${dataDir}\\b`))
  })

  it('the command runs start.ts through tsx, and the image keeps both', () => {
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(runtime)![1]!) as string[]
    expect(cmd).toEqual(['node', '--import', 'tsx', 'src/relay/start.ts'])
    expect(existsSync(root + cmd[3]!)).toBe(true)
    expect(stages[0]).toMatch(/cp -a \/keep\/tsx/)
    expect(runtime).toMatch(/COPY --from=build \/app\/node_modules \.\/node_modules/)
    // Every source folder the runtime copies exists (the relay imports only these zones: npm run lint).
    // out/console is built in the first stage (npm run console:build), not kept in the clone.
    for (const m of runtime.matchAll(/^COPY --from=build \/app\/(\S+) /gm)) {
      if (m[1] === 'out/console') expect(stages[0]).toMatch(/^RUN npm run console:build$/m)
      else expect(existsSync(root + m[1]!), m[1]).toBe(true)
    }
  })

  it('the health checks probe /health, which the relay answers without credentials', async () => {
    expect(runtime).toMatch(/^HEALTHCHECK [\s\S]*?\/health/m)
    expect(compose).toMatch(/healthcheck:[\s\S]*?127\.0\.0\.1:8787\/health/)
    expect(compose).toMatch(/pg_isready/)
    const t = await startTestRelay()
    expect((await t.api('GET', '/health')).status).toBe(200)
  })

  it('every package the relay’s zones import is a production dependency (the image prunes the others)', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> }
    const files = (dir: string): string[] =>
      readdirSync(root + dir).flatMap((name) => (statSync(`${root}${dir}/${name}`).isDirectory() ? files(`${dir}/${name}`) : name.endsWith('.ts') ? [`${dir}/${name}`] : []))
    const imported = new Set<string>()
    for (const file of ['src/relay', 'src/node', 'src/shared'].flatMap(files)) {
      for (const m of read(file).matchAll(/from '([^.'][^']*)'/g)) {
        const spec = m[1]!
        if (spec.startsWith('node:')) continue
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!)
      }
    }
    expect(imported.size).toBeGreaterThan(3)
    for (const name of imported) expect(pkg.dependencies, name).toHaveProperty([name])
  })

  it('every RELAY_* variable the files name is one the relay reads, and the README documents each one the relay reads', () => {
    const named = new Set([...dockerfile.matchAll(/\bRELAY_[A-Z0-9_]+/g), ...compose.matchAll(/\bRELAY_[A-Z0-9_]+/g)].map((m) => m[0]))
    // RELAY_DOMAIN is Caddy's (deploy/Caddyfile), not the relay's.
    named.delete('RELAY_DOMAIN')
    const known = new Set(RELAY_VARIABLES)
    for (const v of named) expect(known.has(v), v).toBe(true)
    const readme = read('src/relay/README.md')
    for (const v of RELAY_VARIABLES) expect(readme, v).toContain(v)
  })
})
