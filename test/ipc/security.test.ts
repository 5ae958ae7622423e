import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy, isAppPageUrl, isOwnOrigin, isProviderCheckoutUrl } from '../../src/main/ipc'

describe('sender checks', () => {
  const page = { indexHtml: '/opt/app/out/renderer/index.html' }
  it('the Electron window: only the built index.html (or the dev server origin)', () => {
    expect(isAppPageUrl('file:///opt/app/out/renderer/index.html', page)).toBe(true)
    expect(isAppPageUrl('file:///opt/app/out/renderer/index.html#/wallet', page)).toBe(true)
    expect(isAppPageUrl('file:///tmp/evil.html', page)).toBe(false)
    expect(isAppPageUrl('file://host/opt/app/out/renderer/index.html', page)).toBe(false)
    expect(isAppPageUrl('https://example.com/', page)).toBe(false)
    expect(isAppPageUrl('not a url', page)).toBe(false)
    const dev = { devServerUrl: 'http://localhost:5173/' }
    expect(isAppPageUrl('http://localhost:5173/index.html', dev)).toBe(true)
    expect(isAppPageUrl('http://localhost:5174/', dev)).toBe(false)
    expect(isAppPageUrl('file:///opt/app/out/renderer/index.html', dev)).toBe(false)
  })
  it('the host socket: the exact own origin', () => {
    expect(isOwnOrigin('http://127.0.0.1:4000', 'http://127.0.0.1:4000')).toBe(true)
    expect(isOwnOrigin('http://localhost:4000', 'http://127.0.0.1:4000')).toBe(false)
    expect(isOwnOrigin('null', 'http://127.0.0.1:4000')).toBe(false)
    expect(isOwnOrigin(undefined, 'http://127.0.0.1:4000')).toBe(false)
  })
})

describe('external links', () => {
  it('https provider checkout hosts only', () => {
    expect(isProviderCheckoutUrl('https://checkout.stripe.com/c/pay/cs_1')).toBe(true)
    expect(isProviderCheckoutUrl('https://www.paypal.com/checkoutnow?token=1')).toBe(true)
    expect(isProviderCheckoutUrl('https://openapi.alipay.com/gateway.do?x=1')).toBe(true)
    expect(isProviderCheckoutUrl('http://checkout.stripe.com/c/pay')).toBe(false)
    expect(isProviderCheckoutUrl('https://checkout.stripe.com.evil.io/')).toBe(false)
    expect(isProviderCheckoutUrl('https://user@checkout.stripe.com/')).toBe(false)
    expect(isProviderCheckoutUrl('https://checkout.stripe.com:8443/')).toBe(false)
    expect(isProviderCheckoutUrl('javascript:alert(1)')).toBe(false)
    expect(isProviderCheckoutUrl('file:///etc/passwd')).toBe(false)
  })
})

describe('CSP', () => {
  it('no inline or foreign scripts, no framing, network only back to main', () => {
    const csp = contentSecurityPolicy({ connect: ['ws://127.0.0.1:4000'] })
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self';")
    expect(csp).not.toMatch(/script-src[^;]*unsafe/)
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:4000")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("object-src 'none'")
  })

  it('the meta tag of the packaged renderer is the same strict policy (file:// gets no header), with no WebSocket allowance', () => {
    const html = readFileSync(new URL('../../src/renderer/index.html', import.meta.url), 'utf8')
    const metas = [...html.matchAll(/http-equiv="Content-Security-Policy"\s+content="([^"]*)"/g)].map((m) => m[1])
    expect(metas).toHaveLength(1)
    const meta = metas[0]!
    expect(meta).toBe(contentSecurityPolicy({ delivery: 'meta' }))
    for (const directive of ["default-src 'none'", "base-uri 'none'", "form-action 'none'", "object-src 'none'", "connect-src 'self';"])
      expect(meta).toContain(directive)
    expect(meta).not.toMatch(/ws:|unsafe-eval|\*/)
    // A browser ignores frame-ancestors in a meta tag (and says so in the console): header only.
    expect(meta).not.toContain('frame-ancestors')
    // Everything but frame-ancestors is as strict as the header.
    expect(meta).toBe(contentSecurityPolicy().replace("; frame-ancestors 'none'", ''))
  })
})
