import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHost, type Host } from '../../src/host/host'
import type { Locale } from '../../src/shared/ipc/types'
import { accountOf, orderNoOf } from './support/app'
import { shot, type Browser } from './support/browser'
import type { E2eRelay } from './support/relay'
import { useBrowserAndRelay } from './support/suite'
import { seeText, texts } from './support/ui'

// A recharge bonus (充值赠送) in Chromium, in both languages, over the real core and sync service
// on the real relay: ¥200 paid by Alipay brings ¥20 of promotion credit, shown apart from the
// balance with its rule; spending past the cash draws on it, and the history marks its rows.
// Screenshots in test-artifacts/screenshots/.

let browser: Browser
let relay: E2eRelay
useBrowserAndRelay((b, r) => {
  browser = b
  relay = r
})

beforeAll(async () => {
  await relay.publishCatalog({ rechargeBonuses: [{ min: 20_000, bonus: 2000 }] })
})

describe.each<Locale>(['zh-CN', 'en'])('recharge bonus (%s)', (locale) => {
  const { t, cny } = texts(locale)
  let host: Host
  let dir: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'e2e-bonus-'))
    const settingsPath = join(dir, 'settings.json')
    writeFileSync(settingsPath, JSON.stringify({ locale }))
    host = await startHost({
      dataDir: dir,
      settingsPath,
      relay: { url: relay.url, publicKey: relay.publicKey, enrolmentCode: await relay.enrolmentCode(), deviceName: `e2e bonus ${locale}` }
    })
    browser.page.setDefaultTimeout(10_000)
  })
  afterAll(async () => {
    await browser?.page.goto('about:blank')
    await host?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('shows the bonus apart from the balance, spends it after the cash, and marks its rows in the history', async () => {
    const { page } = browser
    browser.problems.length = 0
    await page.goto(host.url)
    expect(await page.getByTestId('bonus-balance').count()).toBe(0)
    const c = await host.sync.createCheckout({ idempotencyKey: `bonus-${locale}`, method: 'alipay', purpose: { kind: 'recharge', amount: { amount: 20_000, currency: 'CNY' } } })
    expect(await relay.alipayPaid(orderNoOf(host, c.orderId), 20_000)).toMatchObject({ text: 'success' })
    await host.sync.syncNow()
    await seeText(page.getByTestId('balance'), cny(20_000))
    await seeText(page.getByTestId('bonus-balance'), t('wallet.bonus', { amount: cny(2000) }))
    await seeText(page.getByTestId('bonus-balance'), t('wallet.bonusRule'))
    await seeText(page.locator('.balance-card'), t('wallet.available', { amount: cny(22_000) }))
    await shot(page, 'wallet-bonus', locale)

    // ¥205 of paid use: the ¥200 cash, then ¥5 of the bonus.
    host.billing.wallet.consume({ key: `spend-${locale}`, amount: 20_500, feature: 'ai_request', reason: '' })
    await page.reload()
    await seeText(page.getByTestId('balance'), cny(0))
    await seeText(page.getByTestId('bonus-balance'), t('wallet.bonus', { amount: cny(1500) }))
    await page.getByRole('navigation').getByRole('button', { name: t('nav.history') }).click()
    const bonusRows = page.locator('tr', { has: page.locator('.tag', { hasText: t('history.bonus') }) })
    await seeText(bonusRows.first(), cny(-500))
    expect(await bonusRows.count()).toBe(2)
    await seeText(bonusRows.nth(1), cny(2000))
    await shot(page, 'history-bonus', locale)
    // The relay agrees once the spend is synced: no debt, the cash and ¥15 of bonus left between them.
    await host.sync.syncNow()
    expect(relay.wallet(accountOf(host))).toBe(0)
    expect(relay.bonus(accountOf(host))).toBe(1500)
    expect(host.sync.checkIntegrity().problems).toEqual([])
    expect(browser.problems).toEqual([])
  })
})
