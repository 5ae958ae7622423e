import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { CONSOLE_CSP } from '../../src/relay/http/console-app'
import { tempDir } from '../support/db'
import { startTestRelay } from './support/relay'

// /console serves the built console's files with the strict policy, and nothing outside them.

function builtConsole(): string {
  const dir = join(tempDir(), 'console')
  mkdirSync(join(dir, 'assets'), { recursive: true })
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/console/assets/app-1.js"></script>')
  writeFileSync(join(dir, 'assets/app-1.js'), 'console.log(1)')
  return dir
}

it('serves the page and its assets with the policy; a path outside the build is not found', async () => {
  const consoleDir = builtConsole()
  writeFileSync(join(consoleDir, '..', 'secret.txt'), 'not for the web')
  const { url } = await startTestRelay({ config: { consoleDir } })

  const page = await fetch(`${url}/console/`)
  expect(page.status).toBe(200)
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
  expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP)
  expect(CONSOLE_CSP).toContain("script-src 'self'")
  expect(CONSOLE_CSP).not.toContain('unsafe-inline')
  expect(page.headers.get('x-frame-options')).toBe('DENY')
  expect(await page.text()).toContain('<title>console</title>')

  const redirect = await fetch(`${url}/console`, { redirect: 'manual' })
  expect(redirect.status).toBe(302)
  expect(redirect.headers.get('location')).toBe('/console/')

  const asset = await fetch(`${url}/console/assets/app-1.js`)
  expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
  expect(asset.headers.get('cache-control')).toContain('immutable')
  expect(await asset.text()).toBe('console.log(1)')

  // A place in the app is the page; a missing asset and an escape are 404s.
  expect(await (await fetch(`${url}/console/orders`)).text()).toContain('<title>console</title>')
  expect((await fetch(`${url}/console/assets/missing.js`)).status).toBe(404)
  expect((await fetch(`${url}/console/%2e%2e/secret.txt`)).status).toBe(404)
  expect((await fetch(`${url}/console/..%2fsecret.txt`)).status).toBe(404)
})

it('says how to build it when it is not built', async () => {
  const { url } = await startTestRelay({ config: { consoleDir: join(tempDir(), 'nothing-here') } })
  const res = await fetch(`${url}/console/`)
  expect(res.status).toBe(503)
  expect(await res.text()).toContain('npm run console:build')
})
