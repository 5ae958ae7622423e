import type { Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launch, type Browser } from './browser'
import { ensureConsoleBuilt } from './build'
import { startE2eRelay, type E2eRelay } from './relay'

// The operator console in Chromium: an operator created on the real relay, signed in through
// the console's own form (the session cookie and the CSRF token come from the relay).

export const OPERATOR_PASSWORD = 'correct horse battery staple 42'

/** Creates the operator, opens /console in `locale` and signs in; resolves when the shell shows. */
export async function signInToConsole(page: Page, relay: E2eRelay, opts: { email: string; role: 'viewer' | 'support' | 'finance' | 'admin'; locale: 'zh-CN' | 'en' }): Promise<void> {
  await relay.operator(opts.email, opts.role, OPERATOR_PASSWORD)
  await page.goto(`${relay.url}/console/`)
  await page.evaluate((locale) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('console.locale', locale), opts.locale)
  await page.reload()
  await page.fill('input[name=email]', opts.email)
  await page.fill('input[name=password]', OPERATOR_PASSWORD)
  await page.click('button[type=submit]')
  await page.waitForSelector('[data-testid=who]')
}

/**
 * One console e2e file's world: the console built, Chromium and a real relay started before the
 * file's tests and handed to `ready` (with what the file sets up on them), both closed after its
 * tests (a file's own afterAll, registered later, runs before this one).
 */
export function withConsoleWorld(ready: (w: { browser: Browser; relay: E2eRelay }) => void | Promise<void>, timeoutMs?: number): void {
  let world: { browser: Browser; relay: E2eRelay } | undefined
  beforeAll(async () => {
    ensureConsoleBuilt()
    const [browser, relay] = await Promise.all([launch(), startE2eRelay()])
    world = { browser, relay }
    await ready(world)
  }, timeoutMs)
  afterAll(async () => {
    await world?.browser.close()
    await world?.relay.close()
  })
}
