import { startupLines } from '../../src/relay/cli/startup'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createRelay } from '../../src/relay/app'
import { ConfigError, loadConfig } from '../../src/relay/config/config'
import { tempDir } from '../support/db'
import { runRelayExpectingExit, startChildRelay } from './support/child'
import { freePort } from './support/pg-cluster'
import { makeApi, startTestRelay } from './support/relay'

function configError(env: Record<string, string>): ConfigError {
  try {
    createRelay(loadConfig({ RELAY_DATA_DIR: tempDir('relay-cfg-'), RELAY_LOG_LEVEL: 'silent', ...env }))
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  }
  throw new Error('expected a ConfigError')
}

describe('start-up configuration', () => {
  it('RELAY_DATABASE_URL selects PostgreSQL, with a validated pool limit and timeouts (SQLite stays the default)', async () => {
    expect(loadConfig({ RELAY_DATA_DIR: tempDir('relay-cfg-') }).database).toBeUndefined()
    expect(loadConfig({ RELAY_DATABASE_URL: 'postgres://relay:secret@db.internal:5432/relay' }).database).toEqual({
      url: 'postgres://relay:secret@db.internal:5432/relay',
      poolMax: 10,
      statementTimeoutMs: 5000,
      connectTimeoutMs: 5000
    })
    expect(loadConfig({ RELAY_DATABASE_URL: 'postgresql://h/db', RELAY_DB_POOL_MAX: '3', RELAY_DB_STATEMENT_TIMEOUT_MS: '250' }).database).toMatchObject({
      poolMax: 3,
      statementTimeoutMs: 250
    })
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig(env)
      } catch (err) {
        if (err instanceof ConfigError) return err
      }
      throw new Error('expected a ConfigError')
    }
    // The message never repeats the URL (it may hold a password).
    const url = bad({ RELAY_DATABASE_URL: 'mysql://u:hunter2@h/db' })
    expect(url.variable).toBe('RELAY_DATABASE_URL')
    expect(url.message).not.toContain('hunter2')
    expect(bad({ RELAY_DATABASE_URL: 'postgres://h/db', RELAY_DB_POOL_MAX: '0' }).variable).toBe('RELAY_DB_POOL_MAX')
    expect(bad({ RELAY_DATABASE_URL: 'postgres://h/db', RELAY_DB_STATEMENT_TIMEOUT_MS: '10' }).variable).toBe('RELAY_DB_STATEMENT_TIMEOUT_MS')
    // createRelay alone cannot reach a network store: start-up opens it first (openRelay).
    expect(() => createRelay(loadConfig({ RELAY_DATA_DIR: tempDir('relay-cfg-'), RELAY_LOG_LEVEL: 'silent', RELAY_DATABASE_URL: 'postgres://h/db' }))).toThrow(/openRelay/)
  })

  it('npm run relay on a PostgreSQL that is not there: exits 1 saying the store cannot be opened', async () => {
    const port = await freePort()
    const down = await runRelayExpectingExit({
      RELAY_DATA_DIR: tempDir('relay-child-'),
      RELAY_DATABASE_URL: `postgres://relay@127.0.0.1:${port}/relay`,
      RELAY_DB_CONNECT_TIMEOUT_MS: '500'
    })
    expect(down.code).toBe(1)
    expect(down.stderr).toMatch(/cannot open the store: .*ECONNREFUSED/)
  })

  it('names the malformed variable', () => {
    expect(configError({ RELAY_PORT: 'eighty' }).variable).toBe('RELAY_PORT')
    expect(configError({ RELAY_PORT: '70000' }).variable).toBe('RELAY_PORT')
    expect(configError({ RELAY_DB_DURABILITY: 'sometimes' }).variable).toBe('RELAY_DB_DURABILITY')
    expect(configError({ RELAY_ADMIN_TOKEN: 'short' }).variable).toBe('RELAY_ADMIN_TOKEN')
    // Recharge rules moved into the catalog: a leftover setting stops start-up, naming it.
    expect(configError({ RELAY_RECHARGE_MIN: '1000' }).variable).toBe('RELAY_RECHARGE_MIN')
    expect(configError({ RELAY_RECHARGE_PRESETS: '100,200' }).message).toContain('catalog publish')
    expect(configError({ RELAY_CONFIG_FILE: '/nonexistent/relay.json' }).variable).toBe('RELAY_CONFIG_FILE')
    // Provider variables are named by the adapter's schema.
    const stripe = configError({ STRIPE_SECRET_KEY: 'pk_live_oops', STRIPE_WEBHOOK_SECRET: 'whsec_x' })
    expect(stripe.variable).toBe('STRIPE_SECRET_KEY')
    expect(stripe.message).toMatch(/^STRIPE_SECRET_KEY: /)
  })

  it('reads a JSON file with the same names, the environment winning', () => {
    const dir = tempDir('relay-cfg-')
    const file = join(dir, 'relay.json')
    writeFileSync(file, JSON.stringify({ RELAY_PORT: 9999, RELAY_LEASE_TTL_HOURS: 24, providers: { stripe: { secretKey: 'nope' } } }))
    const cfg = loadConfig({ RELAY_CONFIG_FILE: file, RELAY_PORT: '9000', RELAY_DATA_DIR: dir })
    expect(cfg.port).toBe(9000)
    expect(cfg.leaseTtlMs).toBe(24 * 3600_000)
    const bad = configError({ RELAY_CONFIG_FILE: file })
    expect(bad.variable).toMatch(/^RELAY_CONFIG_FILE providers\.stripe\./)
    writeFileSync(file, JSON.stringify({ RELAY_PORT: 'x' }))
    expect(configError({ RELAY_CONFIG_FILE: file }).message).toMatch(/^RELAY_PORT: .*RELAY_CONFIG_FILE/)
  })

  it('switches a provider without credentials off, and says so', async () => {
    const t = await startTestRelay({ config: { providerSources: { env: {}, file: {} } } })
    expect(t.relay.disabledProviders.map((d) => d.name).sort()).toEqual(['alipay', 'paypal', 'stripe', 'wechat'])
    expect((await t.api('GET', '/health')).body.providers).toEqual([])
    // Start-up says it once per provider, and how the admin routes stand.
    const lines = startupLines(t.relay)
    expect(lines.filter((l) => l.startsWith('provider stripe switched off'))).toHaveLength(1)
    expect(lines).toContain('payment methods on: none (set a provider’s variables, see src/relay/README.md)')
    expect(lines).toContain('admin routes: on (Authorization: Bearer <RELAY_ADMIN_TOKEN>)')
    expect(t.logs.filter((l) => l['msg'] === 'provider switched off')).toEqual([])
  })

  it('start-up without an admin token says how to turn the admin routes on; the sandbox says it is one', async () => {
    const t = await startTestRelay({ config: { sandbox: true, providerSources: { env: {}, file: {} } } })
    const { adminToken: _omit, ...config } = t.relay.core.config
    const lines = startupLines({ ...t.relay, core: { ...t.relay.core, config } })
    expect(lines).toContain('admin routes: off (set RELAY_ADMIN_TOKEN, at least 24 characters, to mint enrolment codes and revoke devices)')
    expect(lines[0]).toMatch(/^sandbox: /)
    expect(lines).toContain('payment methods on: alipay, wechat, stripe, paypal')
    await t.relay.stop()
  })

  it('npm run relay: exits naming the variable; generates a dev key once and prints its public key', async () => {
    const bad = await runRelayExpectingExit({ RELAY_PORT: 'abc', RELAY_DATA_DIR: tempDir('relay-child-') })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/invalid configuration: RELAY_PORT/)

    const dataDir = tempDir('relay-child-')
    const first = await startChildRelay({ RELAY_DATA_DIR: dataDir })
    const printed = /public key for the app's config: (\S+)/.exec(first.stderr())![1]
    expect(first.stderr()).toMatch(/generated a development signing key/)
    expect(first.stderr()).toMatch(/provider stripe switched off/)
    const health = await makeApi(first.url)('GET', '/health')
    expect(health.body).toMatchObject({ status: 'ok', publicKey: printed })
    // Graceful stop on SIGTERM.
    first.proc.kill('SIGTERM')
    expect((await first.exited).code).toBe(0)

    const second = await startChildRelay({ RELAY_DATA_DIR: dataDir })
    expect(second.stderr()).not.toMatch(/generated a development signing key/)
    expect((await makeApi(second.url)('GET', '/health')).body.publicKey).toBe(printed)
    second.proc.kill('SIGTERM')
    await second.exited
  })
})
