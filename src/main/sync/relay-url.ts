import { BillingError } from '../../shared/errors'

// The relay's feed is signed, but the device token, checkouts and replies are not: a relay URL
// must be https, except to this machine (a relay run locally, tests).

/** A relay URL that is not https and not a loopback address, or not a URL at all. */
export class RelayUrlInsecure extends BillingError {
  constructor(url: string, why: string) {
    super('INVALID_INPUT', `relay URL refused: ${why}`, { url: url.slice(0, 200) })
  }
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '')
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true
  return /^127(\.\d{1,3}){3}$/.test(h)
}

/** Throws RelayUrlInsecure unless `url` is https, or http to a loopback host. */
export function assertRelayUrl(url: string): void {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new RelayUrlInsecure(url, 'not a URL')
  }
  if (u.username || u.password) throw new RelayUrlInsecure(url, 'credentials in the URL')
  if (u.protocol === 'https:') return
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) return
  throw new RelayUrlInsecure(url, u.protocol === 'http:' ? 'http is allowed only to a loopback address; use https' : `unsupported scheme ${u.protocol}`)
}
