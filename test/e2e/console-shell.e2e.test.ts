import { join } from 'node:path'
import { expect, it } from 'vitest'
import { SHOTS, type Browser } from './support/browser'
import { OPERATOR_PASSWORD, signInToConsole, withConsoleWorld } from './support/console'
import type { E2eRelay } from './support/relay'

// The console's shell in Chromium under the relay's CSP: a wrong password is refused beside the
// form, the right one signs in, the language switch changes every word, sign-out returns to the form.

let browser: Browser
let relay: E2eRelay
withConsoleWorld((w) => void ({ browser, relay } = w))

it('signs in (a wrong password refused beside the form), switches language, signs out; no CSP violation', async () => {
  const { page, problems } = browser
  await relay.operator('ops@example.com', 'viewer', OPERATOR_PASSWORD)
  await page.goto(`${relay.url}/console/`)
  await page.fill('input[name=email]', 'ops@example.com')
  await page.fill('input[name=password]', 'wrong password')
  await page.click('button[type=submit]')
  await expect.poll(() => page.textContent('[role=alert]')).toBe('邮箱或密码不对，请检查后重试。')
  await page.screenshot({ path: join(SHOTS, 'console-login-refused.zh-CN.png') })
  // The refused sign-in is a 401 the test itself caused; it is not a page problem.
  problems.splice(0)

  await page.fill('input[name=password]', OPERATOR_PASSWORD)
  await page.click('button[type=submit]')
  await page.waitForSelector('[data-testid=who]')
  expect(await page.textContent('[data-testid=who]')).toContain('ops@example.com（只读）')
  expect(await page.textContent('header')).toContain('运营后台')

  await page.click('text=English')
  expect(await page.textContent('[data-testid=who]')).toContain('ops@example.com (Viewer)')
  expect(await page.getAttribute('html', 'lang')).toBe('en')

  // The session survives a reload (the cookie), in the language chosen.
  await page.reload()
  await page.waitForSelector('[data-testid=who]')
  expect(await page.textContent('header')).toContain('Operator console')

  await page.click('text=Sign out')
  await page.waitForSelector('input[name=email]')
  expect(problems).toEqual([])
})

it('a page whose session cookie is gone goes back to the sign-in form', async () => {
  const { page } = browser
  await signInToConsole(page, relay, { email: 'fin@example.com', role: 'finance', locale: 'zh-CN' })
  await page.context().clearCookies()
  await page.reload()
  await page.waitForSelector('input[name=email]')
})
