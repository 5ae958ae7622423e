import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { ROOT } from './build'

// Debian's Chromium through playwright-core, with a fresh profile per launch. A missing
// browser is a failure with a clear message, never a skipped test.

export const CHROMIUM = '/usr/bin/chromium'
export const SHOTS = join(ROOT, 'test-artifacts/screenshots')

export interface Browser {
  context: BrowserContext
  page: Page
  /** Console errors and page errors seen so far (a CSP violation lands here). */
  problems: string[]
  close(): Promise<void>
}

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) to run the e2e tests`)
  }
  const profile = mkdtempSync(join(tmpdir(), 'billing-e2e-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync'
    ],
    viewport: { width: 1100, height: 800 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai'
  })
  const page = context.pages()[0] ?? (await context.newPage())
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`)
  })
  return {
    context,
    page,
    problems,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    }
  }
}

/**
 * test-artifacts/screenshots/<name>.<locale>.png. The app scrolls inside <main>, so the
 * window is made tall enough for all of it first, then put back.
 */
export async function shot(page: Page, name: string, locale: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  const size = page.viewportSize() ?? { width: 1100, height: 800 }
  const main = page.locator('main')
  const hidden = (await main.count())
    ? await main.evaluate((m: { scrollHeight: number; clientHeight: number }) => m.scrollHeight - m.clientHeight)
    : 0
  if (hidden > 0) await page.setViewportSize({ width: size.width, height: size.height + hidden })
  await page.screenshot({ path: join(SHOTS, `${name}.${locale}.png`) })
  if (hidden > 0) await page.setViewportSize(size)
}
