import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/relay/config/config'
import { tempDir } from '../support/db'
import { startTestRelay } from './support/relay'

// RELAY_TRUST_PROXY over real HTTP: the test's own connection (from 127.0.0.1 or ::1) plays the
// TLS proxy when it is in the list, and a client on the internet when it is not.

const RATE = { devicePerMinute: 1000, addressPerMinute: 2, notifyPerMinute: 1000 }

function status(api: Awaited<ReturnType<typeof startTestRelay>>['api'], xff?: string): Promise<number> {
  return api('GET', '/v1/prices', xff === undefined ? {} : { headers: { 'x-forwarded-for': xff } }).then((r) => r.status)
}

describe('RELAY_TRUST_PROXY', () => {
  it('validates the list, naming the variable', () => {
    const load = (value: string) => loadConfig({ RELAY_DATA_DIR: tempDir('relay-tp-'), RELAY_TRUST_PROXY: value })
    expect(load('10.0.0.1, 172.16.0.0/12, fd00::/8, ::1, loopback, uniquelocal').trustProxy).toEqual([
      '10.0.0.1',
      '172.16.0.0/12',
      'fd00::/8',
      '::1',
      'loopback',
      'uniquelocal'
    ])
    expect(loadConfig({ RELAY_DATA_DIR: tempDir('relay-tp-') }).trustProxy).toEqual([])
    for (const bad of ['10.0.0.256', '10.0.0.0/33', 'fd00::/129', 'proxy.example', '10.0.0.0/8/1', '10.0.0.0/x', ' , ']) {
      let err: unknown
      try {
        load(bad)
      } catch (e) {
        err = e
      }
      expect(err, bad).toBeInstanceOf(ConfigError)
      expect((err as ConfigError).variable).toBe('RELAY_TRUST_PROXY')
      expect((err as ConfigError).code).toBe('INVALID_INPUT')
    }
  })

  it('from a peer that is not a trusted proxy, X-Forwarded-For is ignored: spoofed addresses share the socket’s limit', async () => {
    const { api } = await startTestRelay({ config: { rateLimit: RATE, trustProxy: ['10.0.0.0/8'] } })
    expect(await status(api, '203.0.113.1')).toBe(200)
    expect(await status(api, '203.0.113.2')).toBe(200)
    expect(await status(api, '203.0.113.3')).toBe(429)
    expect(await status(api)).toBe(429)
  })

  it('without the variable, X-Forwarded-For is ignored as before', async () => {
    const { api } = await startTestRelay({ config: { rateLimit: RATE } })
    expect(await status(api, '203.0.113.1')).toBe(200)
    expect(await status(api, '203.0.113.2')).toBe(200)
    expect(await status(api, '203.0.113.3')).toBe(429)
  })

  it('behind a trusted proxy, two clients get separate limits, keyed on the rightmost untrusted hop', async () => {
    const { api } = await startTestRelay({ config: { rateLimit: RATE, trustProxy: ['127.0.0.1', '10.0.0.0/8'] } })
    // Client A: leftmost entries are whatever the client sent itself; they do not move its key.
    expect(await status(api, '198.51.100.7, 203.0.113.10')).toBe(200)
    expect(await status(api, '192.0.2.99, 203.0.113.10, 10.1.2.3')).toBe(200)
    expect(await status(api, '203.0.113.10')).toBe(429)
    // Client B, behind the same proxy, still has its own minute.
    expect(await status(api, '203.0.113.20')).toBe(200)
    expect(await status(api, '203.0.113.20')).toBe(200)
    expect(await status(api, '203.0.113.20')).toBe(429)
    // The proxy's own requests (no header) are keyed on the proxy.
    expect(await status(api)).toBe(200)
  })

  it('works over IPv6: a proxy on ::1 given as a /128 range', async () => {
    const { api } = await startTestRelay({ config: { host: '::1', rateLimit: RATE, trustProxy: ['::1/128'] } })
    expect(await status(api, '2001:db8::1')).toBe(200)
    expect(await status(api, '2001:db8::1')).toBe(200)
    expect(await status(api, '2001:db8::1')).toBe(429)
    expect(await status(api, '2001:db8::2')).toBe(200)
  })
})
