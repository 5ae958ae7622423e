import { isIP } from 'node:net'

// RELAY_TRUST_PROXY: the TLS proxies (addresses or CIDR ranges, IPv4 and IPv6) whose
// X-Forwarded-For the relay believes. Fastify's trustProxy takes the list as is and makes
// req.ip the rightmost hop that is not a trusted proxy; a request from any other peer is
// keyed on its socket address, whatever it claims. Rate limits and sign-in counters key on req.ip.

/** proxy-addr's names for well-known ranges (a compose network is in `uniquelocal`). */
const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal'])

/** The comma-separated list, each entry checked; throws naming the first malformed one. */
export function parseTrustProxy(text: string): string[] {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
  if (entries.length === 0) throw new Error('an empty list (leave it unset to trust no proxy)')
  for (const entry of entries) {
    if (NAMED.has(entry)) continue
    const [address = '', prefix, extra] = entry.split('/')
    const family = isIP(address)
    if (family === 0 || extra !== undefined) throw new Error(`"${entry}" is not an IP address, a CIDR range or one of ${[...NAMED].join(', ')}`)
    if (prefix === undefined) continue
    const max = family === 4 ? 32 : 128
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) throw new Error(`"${entry}": the prefix length must be 0–${max}`)
  }
  return entries
}
