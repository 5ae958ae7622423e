import { X509Certificate } from 'node:crypto'
import { rootCertificates } from 'node:tls'
import { NotificationRejected } from '../types'

// The PayPal webhook certificate: where it may come from, and whether to believe it.

/** Fetches the PEM chain at a (pinned, https) cert URL. Injectable so tests need no network. */
export type CertificateSource = (url: string) => Promise<string>

export const fetchCertificate =
  (timeoutMs: number): CertificateSource =>
  async (url) => {
    // No redirects: a redirect could leave the pinned host.
    const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs) })
    if (!res.ok) throw new Error(`certificate fetch failed: HTTP ${res.status}`)
    return res.text()
  }

/** Accepts only https URLs on a pinned host, with no credentials or odd port. */
export function pinnedCertUrl(raw: string, hosts: readonly string[]): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new NotificationRejected('untrusted_certificate', 'cert url is not a URL')
  }
  if (url.protocol !== 'https:') throw new NotificationRejected('untrusted_certificate', `cert url scheme ${url.protocol}`)
  if (url.username || url.password || url.port) {
    throw new NotificationRejected('untrusted_certificate', 'cert url has credentials or a port')
  }
  if (!hosts.includes(url.hostname.toLowerCase())) {
    throw new NotificationRejected('untrusted_certificate', `cert host ${url.hostname} is not pinned`)
  }
  return url.href
}

export function parsePemBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  return blocks.map((b) => new X509Certificate(b))
}

export function trustAnchors(pem: string | undefined): X509Certificate[] {
  return pem ? parsePemBundle(pem) : rootCertificates.map((c) => new X509Certificate(c))
}

function assertCurrent(cert: X509Certificate, now: number, role: string): void {
  const from = Date.parse(cert.validFrom)
  const to = Date.parse(cert.validTo)
  if (!(from <= now && now <= to)) {
    throw new NotificationRejected('untrusted_certificate', `${role} certificate not valid at ${new Date(now).toISOString()}`)
  }
}

function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return issuer.ca && cert.checkIssued(issuer) && cert.verify(issuer.publicKey)
}

/**
 * Checks the chain served at the cert URL (leaf first, then intermediates) up to one of the
 * trust anchors, every certificate valid at `now`. Returns the leaf, whose key signs webhooks.
 */
export function verifyChain(pem: string, anchors: readonly X509Certificate[], now: number): X509Certificate {
  let certs: X509Certificate[]
  try {
    certs = parsePemBundle(pem)
  } catch {
    throw new NotificationRejected('untrusted_certificate', 'certificate chain does not parse')
  }
  const leaf = certs[0]
  if (!leaf) throw new NotificationRejected('untrusted_certificate', 'no certificate at cert url')
  if (leaf.ca) throw new NotificationRejected('untrusted_certificate', 'leaf is a CA certificate')
  assertCurrent(leaf, now, 'leaf')
  let current = leaf
  const used = new Set<X509Certificate>([leaf])
  for (let depth = 0; depth <= certs.length; depth++) {
    const anchor = anchors.find((a) => issuedBy(current, a))
    if (anchor) {
      assertCurrent(anchor, now, 'root')
      return leaf
    }
    const next = certs.find((c) => !used.has(c) && issuedBy(current, c))
    if (!next) throw new NotificationRejected('untrusted_certificate', 'chain does not reach a trusted CA')
    assertCurrent(next, now, 'intermediate')
    used.add(next)
    current = next
  }
  throw new NotificationRejected('untrusted_certificate', 'chain does not reach a trusted CA')
}
