import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startHost, type Host } from '../../src/host/host'
import { ManualClock } from '../../src/node/clock'
import { noticeText } from '../../src/shared/notices/text'
import type { Locale } from '../../src/shared/ipc/types'
import { accountOf, type E2eApp } from './support/app'
import { shot, type Browser } from './support/browser'
import type { E2eRelay } from './support/relay'
import { useApp, useBrowserAndRelay } from './support/suite'
import { seeText, texts } from './support/ui'

// The notification centre in Chromium, both languages. Online: the relay appends a notice to
// the account's feed (its own feed append), the app syncs, and the bell counts it without a
// reload; mark read and mark all read. Offline (no relay at all): a trial ending in three days
// shows its local reminder. Screenshots go to test-artifacts/screenshots/.

let browser: Browser
let relay: E2eRelay
useBrowserAndRelay((b, r) => {
  browser = b
  relay = r
})

const cny = (amount: number) => ({ amount, currency: 'CNY' as const })
const DAY = 86_400_000

describe.each<Locale>(['zh-CN', 'en'])('notification centre online (%s)', (locale) => {
  let app: E2eApp
  const { t } = texts(locale)
  useApp(() => ({ browser, relay }), locale, (a) => {
    app = a
  })

  it('empty at first; a relay notice arrives: the bell counts it, the panel says it; mark read, mark all read', async () => {
    const { page } = browser
    browser.problems.length = 0
    await page.goto(app.host.url)
    const bell = page.getByTestId('notice-bell')
    await bell.waitFor()
    expect(await bell.getAttribute('aria-label')).toBe(t('notices.bell', { count: 0 }))
    await bell.click()
    await seeText(page.getByTestId('notice-panel'), t('notices.empty'))
    await shot(page, 'notices-empty', locale)
    await bell.click()

    const account = accountOf(app.host)
    const now = Date.now()
    const short = { noticeId: `renewal_short:g1:3:${locale}`, kind: 'renewal_short' as const, at: now - 60_000, params: { planCode: 'BASIC' as const, endsAt: now + 3 * DAY, daysLeft: 3, shortfall: cny(1_200) } }
    const refund = { noticeId: `refund:LS1:${locale}`, kind: 'refund' as const, at: now, params: { orderNo: 'LS20261207001', amount: cny(2_000) } }
    await relay.notice(account, short)
    await relay.notice(account, refund)
    await app.host.sync.syncNow()
    await seeText(page.getByTestId('notice-count'), '2')
    expect(await bell.getAttribute('aria-label')).toBe(t('notices.bell', { count: 2 }))

    await bell.click()
    const panel = page.getByTestId('notice-panel')
    const items = panel.getByTestId('notice-item')
    await seeText(items.first(), noticeText(locale, refund).body)
    await seeText(items.nth(1), noticeText(locale, short).body)
    if (locale === 'zh-CN') expect(noticeText(locale, short).body).toContain('余额还差 ¥12.00，请充值')
    await shot(page, 'notices-online', locale)

    await items.first().getByRole('button', { name: t('notices.markRead') }).click()
    await seeText(page.getByTestId('notice-count'), '1')
    expect(await items.first().getByRole('button', { name: t('notices.markRead') }).count()).toBe(0)
    await panel.getByRole('button', { name: t('notices.markAllRead') }).click()
    await page.getByTestId('notice-count').waitFor({ state: 'detached' })
    expect(app.host.sync.notifications.unread()).toBe(0)
    // A sync that serves the same records again changes nothing.
    app.host.billing.db.sqlite.prepare('UPDATE sync_state SET cursor = NULL').run()
    await app.host.sync.syncNow()
    expect(app.host.sync.notifications.list({ limit: 10 }).items).toHaveLength(2)
    expect(await page.getByTestId('notice-count').count()).toBe(0)
    await panel.getByRole('button', { name: t('common.close') }).click()
    await panel.waitFor({ state: 'detached' })
    expect(browser.problems).toEqual([])
  })

  it('the settings section on the account screen: a kind off, quiet hours, the same start and end refused beside the fields', async () => {
    const { page } = browser
    await page.getByRole('navigation').getByRole('button', { name: t('nav.account') }).click()
    const card = page.getByTestId('notice-settings')
    await card.waitFor()
    await card.getByLabel(t('notice.refund.title')).uncheck()
    await card.getByLabel(t('notices.settings.quiet')).check()
    await card.getByLabel(t('notices.settings.quietFrom')).fill('08:00')
    await seeText(card, t('notices.settings.sameTimes'))
    expect(await card.getByRole('button', { name: t('notices.settings.save') }).isDisabled()).toBe(true)
    await shot(page, 'notice-settings-invalid', locale)
    await card.getByLabel(t('notices.settings.quietFrom')).fill('22:30')
    await card.getByRole('button', { name: t('notices.settings.save') }).click()
    await seeText(card, t('notices.settings.saved'))
    expect(app.host.sync.notifications.settings()).toEqual({ muted: ['refund'], quietHours: { start: '22:30', end: '08:00' } })
    await shot(page, 'notice-settings', locale)
    // The refund is no longer listed.
    await page.getByTestId('notice-bell').click()
    const panel = page.getByTestId('notice-panel')
    await panel.getByTestId('notice-item').first().waitFor()
    expect(await panel.getByTestId('notice-item').count()).toBe(1)
    await seeText(panel.getByTestId('notice-item'), t('notice.renewal_short.title'))
    await panel.getByRole('button', { name: t('common.close') }).focus()
    await page.keyboard.press('Escape')
    await panel.waitFor({ state: 'detached' })
  })
})

describe.each<Locale>(['zh-CN', 'en'])('notification centre offline (%s)', (locale) => {
  const { t } = texts(locale)
  it('no relay: a trial ending in three days shows its local reminder in the bell and the panel', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e2e-offline-notices-'))
    const settingsPath = join(dir, 'settings.json')
    writeFileSync(settingsPath, JSON.stringify({ locale }))
    const clock = new ManualClock(Date.UTC(2026, 2, 2, 2, 0))
    let host: Host | undefined
    try {
      host = await startHost({ dataDir: dir, settingsPath, relay: null, clock })
      const trial = host.billing.subscriptions.subscribe({ key: 'trial-offline', planCode: 'BASIC', period: 'monthly', trial: true })
      clock.set(trial.trialEndsAt! - 3 * DAY + 60_000)
      const [reminder] = host.sync.notifications.checkReminders()
      expect(reminder).toMatchObject({ kind: 'trial_ending', source: 'local', params: { daysLeft: 3 } })
      const { page } = browser
      await page.goto(host.url)
      await seeText(page.getByTestId('notice-count'), '1')
      await page.getByTestId('notice-bell').click()
      const item = page.getByTestId('notice-panel').getByTestId('notice-item')
      await seeText(item, noticeText(locale, reminder!).body)
      await seeText(item, t('notices.local'))
      await seeText(page.locator('footer.status-bar'), t('status.offline'))
      await shot(page, 'notices-offline', locale)
      await item.getByRole('button', { name: t('notices.markRead') }).click()
      await page.getByTestId('notice-count').waitFor({ state: 'detached' })
    } finally {
      await browser.page.goto('about:blank')
      await host?.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
