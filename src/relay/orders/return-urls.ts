import { InvalidInput } from '../../shared/errors'

// Where a provider may send the payer back after a checkout. A device may name its own
// returnUrl / cancelUrl, but only inside RELAY_RETURN_URL_ALLOWLIST: otherwise anyone with a
// device token could have the relay mint a genuine Stripe / Alipay / PayPal page that sends the
// payer on to a site of their choosing (an open redirect behind the merchant's name). A URL
// outside the list is refused (400), not dropped, so the client learns its setting is wrong.
// Without a list, client URLs are refused and each provider's configured URLs are used.

/** One allowlist entry: an origin (any path) or an origin plus a path prefix. */
export interface ReturnUrlRule {
  origin: string
  /** '' = any path on the origin; else matches this path or anything below it. */
  pathPrefix: string
}

export type ReturnUrlAllowlist = readonly ReturnUrlRule[]

const httpProtocols = new Set(['https:', 'http:'])

/**
 * Parses one entry (`https://app.example` or `https://app.example/billing/`); throws an
 * Error saying why. Query, fragment and credentials are refused: they cannot be matched safely.
 */
export function parseReturnUrlRule(entry: string): ReturnUrlRule {
  let u: URL
  try {
    u = new URL(entry.trim())
  } catch {
    throw new Error(`${JSON.stringify(entry)} is not an absolute URL`)
  }
  if (!httpProtocols.has(u.protocol)) throw new Error(`${JSON.stringify(entry)}: only http(s) URLs`)
  if (u.username || u.password || u.search || u.hash) {
    throw new Error(`${JSON.stringify(entry)}: no credentials, query or fragment, only an origin or path prefix`)
  }
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/+$/, '')
  return { origin: u.origin, pathPrefix: path }
}

/** True when `url` is an http(s) URL without credentials inside one of the rules. */
export function isAllowedReturnUrl(url: string, allowlist: ReturnUrlAllowlist): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (!httpProtocols.has(u.protocol) || u.username || u.password) return false
  return allowlist.some(
    (r) =>
      r.origin === u.origin &&
      // Segment boundary: /billing allows /billing and /billing/x, never /billing-evil.
      (r.pathPrefix === '' || u.pathname === r.pathPrefix || u.pathname.startsWith(`${r.pathPrefix}/`))
  )
}

/** Throws InvalidInput (400) naming each client URL outside the allowlist; changes nothing. */
export function assertReturnUrlsAllowed(
  req: { returnUrl?: string | undefined; cancelUrl?: string | undefined },
  allowlist: ReturnUrlAllowlist
): void {
  const refused = (['returnUrl', 'cancelUrl'] as const).filter((f) => req[f] !== undefined && !isAllowedReturnUrl(req[f]!, allowlist))
  if (refused.length === 0) return
  throw new InvalidInput(
    allowlist.length === 0
      ? `${refused.join(' and ')} not accepted: this relay uses its providers' configured return URLs only`
      : `${refused.join(' and ')} not in this relay's RELAY_RETURN_URL_ALLOWLIST`,
    { fields: refused }
  )
}
