import { afterAll, beforeAll } from 'vitest'
import type { Locale } from '../../../src/shared/ipc/types'
import { startApp, type E2eApp } from './app'
import { launch, type Browser } from './browser'
import { ensureRendererBuilt } from './build'
import { startE2eRelay, type E2eRelay } from './relay'

// The lifecycle every e2e file shares: one Chromium and one real relay per file, one app
// (host enrolled on that relay) per locale. The setters keep each file's own variable names.

export function useBrowserAndRelay(set: (browser: Browser, relay: E2eRelay) => void): void {
  let browser: Browser | undefined
  let relay: E2eRelay | undefined
  beforeAll(async () => {
    ensureRendererBuilt()
    ;[browser, relay] = await Promise.all([launch(), startE2eRelay()])
    set(browser, relay)
  })
  afterAll(async () => {
    await browser?.close()
    await relay?.close()
  })
}

export function useApp(
  world: () => { browser: Browser; relay: E2eRelay },
  locale: Locale,
  /** May return a promise: seeding data before the tests run. */
  set: (app: E2eApp) => void | Promise<void>
): void {
  let app: E2eApp | undefined
  beforeAll(async () => {
    app = await startApp(world().relay, locale)
    await set(app)
  })
  afterAll(async () => {
    // Leave the page first: a page left on a closed host keeps trying to reconnect.
    await world().browser?.page.goto('about:blank')
    await app?.close()
  })
}
