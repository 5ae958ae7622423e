import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { SHOTS, type Browser } from './browser'
import { signInToConsole } from './console'
import type { E2eRelay } from './relay'

// What the console's management e2e files share: a device enrolled as the app enrols one, the
// operator signed in, and screenshots of the whole page in both languages.

export interface Device {
  accountId: string
  deviceId: string
  token: string
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>
}

/** A device enrolled on the relay as the app enrols one (POST /v1/enrol with an operator's code). */
export async function enrolDevice(relay: E2eRelay, name: string): Promise<Device> {
  const res = await fetch(`${relay.url}/v1/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: await relay.enrolmentCode(), deviceName: name })
  })
  const out = (await res.json()) as { accountId: string; deviceId: string; deviceToken: string }
  return {
    accountId: out.accountId,
    deviceId: out.deviceId,
    token: out.deviceToken,
    async call(method, path, body, headers = {}) {
      const r = await fetch(relay.url + path, {
        method,
        headers: { authorization: `Bearer ${out.deviceToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {})
      })
      const text = await r.text()
      return { status: r.status, body: text ? JSON.parse(text) : undefined }
    }
  }
}

const switchLanguage = (page: Page, to: 'en' | 'zh-CN') => page.click(`header button:has-text("${to === 'en' ? 'English' : '中文'}")`)

/** The whole page (the console's page scrolls, not its <main>) in Chinese, then in English, then back. */
export async function bothLanguages(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, `${name}.zh-CN.png`), fullPage: true })
  await switchLanguage(page, 'en')
  await page.screenshot({ path: join(SHOTS, `${name}.en.png`), fullPage: true })
  await switchLanguage(page, 'zh-CN')
}

/** Signs in (Chinese); the shell's first /v1/console/me (no session yet) answers 401 by design. */
export async function signIn(browser: Browser, relay: E2eRelay, email: string, role: 'viewer' | 'support' | 'finance' | 'admin'): Promise<void> {
  await signInToConsole(browser.page, relay, { email, role, locale: 'zh-CN' })
  browser.problems.splice(0)
}

/** Signs out by dropping the session cookie. */
export async function signOut(page: Page): Promise<void> {
  await page.context().clearCookies()
  await page.goto('about:blank')
}
