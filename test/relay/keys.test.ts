import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { followKeyChain, KeySet } from '../../src/node/feed'
import { createRelay } from '../../src/relay/app'
import { runKeys } from '../../src/relay/cli/keys'
import { startupLines } from '../../src/relay/cli/startup'
import { ConfigError, defaultConfig, loadConfig } from '../../src/relay/config/config'
import { generateSigningKey, parseSigningKey, type SigningKey } from '../../src/relay/feed/keys'
import { KeysResponseSchema } from '../../src/shared/key-set'
import { tempDir } from '../support/db'
import { startTestRelay } from './support/relay'

// The relay's side of key rotation over HTTP: GET /v1/keys, the chain file that keeps an
// announcement after the switch, the configuration's refusals and the operator's CLI.

const pem = (k: SigningKey) => k.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
const shape = (chain: { keys: { keyId: string }[]; signatures: { keyId: string }[] }[]) =>
  chain.map((d) => `{${d.keys.map((k) => k.keyId).join(',')}}/${d.signatures.map((s) => s.keyId).join(',')}`)

describe('relay signing keys', () => {
  it('serves the set in force, the announcement, and after the switch the announcement kept in the chain file', async () => {
    const [a, b] = [generateSigningKey(), generateSigningKey()]
    const dataDir = tempDir('relay-keys-')
    const steady = await startTestRelay({ dataDir, config: { signingKey: pem(a) } })
    const chainOf = async (t: typeof steady) => KeysResponseSchema.parse((await t.api('GET', '/v1/keys')).body).chain
    expect(shape(await chainOf(steady))).toEqual([`{${a.keyId}}/${a.keyId}`])
    await steady.relay.stop()

    const announcing = await startTestRelay({ dataDir, config: { signingKey: pem(a), nextSigningKey: pem(b) } })
    expect(shape(await chainOf(announcing))).toEqual([`{${a.keyId},${b.keyId}}/${a.keyId}`])
    expect(startupLines(announcing.relay).join('\n')).toContain(`next signing key announced to apps: ${b.publicKeyBase64} (keyId ${b.keyId})`)
    expect(announcing.relay.key.keyId).toBe(a.keyId)
    await announcing.relay.stop()
    // A second start announcing the same pair writes the same document, not another one.
    const again = await startTestRelay({ dataDir, config: { signingKey: pem(a), nextSigningKey: pem(b) } })
    await again.relay.stop()
    expect(JSON.parse(readFileSync(join(dataDir, 'key-chain.json'), 'utf8'))).toHaveLength(1)

    const switched = await startTestRelay({ dataDir, config: { signingKey: pem(b) } })
    const chain = await chainOf(switched)
    expect(shape(chain)).toEqual([`{${a.keyId},${b.keyId}}/${a.keyId}`, `{${b.keyId}}/${b.keyId}`])
    expect(followKeyChain(KeySet.of([a.publicKeyBase64]), chain).keys.ids).toEqual([b.keyId])
    expect((await switched.api('GET', '/health')).body.keyId).toBe(b.keyId)
  })

  it('refuses a malformed next key, the current key as next, and an unreadable chain file, naming the variable', () => {
    const a = generateSigningKey()
    const variable = (fn: () => unknown) => {
      try {
        fn()
      } catch (err) {
        if (err instanceof ConfigError) return err.variable
        throw err
      }
      return 'no error'
    }
    expect(variable(() => loadConfig({ RELAY_DATA_DIR: tempDir('relay-keys-'), RELAY_SIGNING_KEY_NEXT: 'x'.repeat(40) }))).toBe('RELAY_SIGNING_KEY_NEXT')
    const dataDir = tempDir('relay-keys-')
    expect(variable(() => createRelay(defaultConfig({ dataDir, signingKey: pem(a), nextSigningKey: pem(a), logLevel: 'silent' })))).toBe('RELAY_SIGNING_KEY_NEXT')
    writeFileSync(join(dataDir, 'key-chain.json'), '{"not": "a chain"}')
    expect(variable(() => createRelay(defaultConfig({ dataDir, signingKey: pem(a), logLevel: 'silent' })))).toBe('RELAY_KEY_CHAIN_FILE')
  })

  it('keys generate prints a usable next key; keys status says what is configured and served', async () => {
    const lines: string[] = []
    const out = (l: string) => lines.push(l)
    expect(await runKeys(['generate'], {}, out)).toBe(0)
    const seed = /^RELAY_SIGNING_KEY_NEXT=(\S+)$/.exec(lines.find((l) => l.startsWith('RELAY_SIGNING_KEY_NEXT='))!)![1]!
    const next = parseSigningKey(seed)
    expect(lines[0]).toContain(next.keyId)

    const a = generateSigningKey()
    const dataDir = tempDir('relay-keys-')
    lines.length = 0
    expect(await runKeys(['status'], { RELAY_DATA_DIR: dataDir, RELAY_SIGNING_KEY: pem(a), RELAY_SIGNING_KEY_NEXT: seed }, out)).toBe(0)
    expect(lines.join('\n')).toContain(`current ${a.keyId}`)
    expect(lines.join('\n')).toContain(`next ${next.keyId}`)
    expect(lines.join('\n')).toContain(`{${a.keyId}, ${next.keyId}} signed by ${a.keyId}`)
    expect(await runKeys(['rotate'], {}, out)).toBe(2)
    expect(await runKeys(['status'], { RELAY_DATA_DIR: dataDir, RELAY_SIGNING_KEY_NEXT: 'short' }, out)).toBe(2)
  })
})
