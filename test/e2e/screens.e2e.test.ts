import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'
import type { Locale } from '../../src/shared/ipc/types'
import { accountOf, orderNoOf, type E2eApp } from './support/app'
import { shot, type Browser } from './support/browser'
import type { E2eRelay } from './support/relay'
import { useApp, useBrowserAndRelay } from './support/suite'
import { header, seeText, texts } from './support/ui'

// Every screen in both languages against the host running the real core and sync service
// on the real relay: wallet, usage bars, plans (subscribe, auto-renew, cancel, short of
// money), history (wallet entries, payments and a refund that came through the relay), the
// offline banner with the relay stopped, "sync now" recovering once it is back, and a trial the
// account already used on another computer ending with the status bar saying why.
// Screenshots go to test-artifacts/screenshots/.

let browser: Browser
let relay: E2eRelay
useBrowserAndRelay((b, r) => {
  browser = b
  relay = r
})

const cnyOf = (amount: number) => ({ amount, currency: 'CNY' as const })

/**
 * A wallet with some past: a first free export, ¥100 paid by Alipay with ¥20 refunded (both
 * through the relay), a paid AI request, usage, and a ¥50 WeChat checkout still waiting.
 */
async function seed(app: E2eApp): Promise<void> {
  const { host } = app
  const w = host.billing.wallet
  w.chargeOrFree({ key: 'seed-export-1', price: 100, feature: 'export', reason: 'gate:export' })
  const paid = await host.sync.createCheckout({ idempotencyKey: 'seed-recharge-1', method: 'alipay', purpose: { kind: 'recharge', amount: cnyOf(10_000) } })
  const orderNo = orderNoOf(host, paid.orderId)
  expect(await relay.alipayPaid(orderNo, 10_000)).toMatchObject({ text: 'success' })
  expect(await relay.alipayRefunded(orderNo, 10_000, 2_000, `RF-${orderNo}`)).toMatchObject({ text: 'success' })
  await host.sync.syncNow()
  w.chargeOrFree({ key: 'seed-ai-1', price: 10, feature: 'ai_request', reason: 'gate:ai_request' })
  host.billing.quotas.consume('ai_request', 45, 'seed-usage-ai')
  host.billing.quotas.consume('export', 5, 'seed-usage-export')
  await host.sync.createCheckout({ idempotencyKey: 'seed-recharge-2', method: 'wechat', purpose: { kind: 'recharge', amount: cnyOf(5_000) } })
  await host.sync.syncNow()
  expect(w.balance().amount).toBe(7_990)
}

describe.each<Locale>(['zh-CN', 'en'])('screens (%s)', (locale) => {
  let app: E2eApp
  const { t, cny } = texts(locale)
  useApp(() => ({ browser, relay }), locale, async (a) => {
    app = a
    await seed(a)
  })
  const nav = (screen: 'wallet' | 'plans' | 'usage' | 'history') =>
    browser.page.getByRole('navigation').getByRole('button', { name: t(`nav.${screen}`) }).click()

  it('wallet: balance, first-free state, recharge limits from the relay, a checkout waiting', async () => {
    const { page } = browser
    browser.problems.length = 0
    await page.goto(app.host.url)
    await seeText(page.getByTestId('balance'), cny(7_990))
    await seeText(page.locator('main'), t('wallet.firstFreeUsed'))
    await seeText(page.locator('main'), t('recharge.customHint', { min: cny(100), max: cny(500_000) }))
    const footer = page.locator('footer.status-bar')
    await seeText(footer, t('status.online'))
    await seeText(footer, t('status.pendingCheckouts', { count: 1 }))
    await shot(page, 'wallet', locale)
    expect(browser.problems).toEqual([])
  })

  it('usage: a bar per quota with limit and used; an exhausted one says so', async () => {
    const { page } = browser
    await nav('usage')
    const ai = page.getByRole('progressbar', { name: t('usage.feature.ai_request') })
    await ai.waitFor()
    expect(await ai.getAttribute('aria-valuenow')).toBe('45')
    expect(await ai.getAttribute('aria-valuemax')).toBe('50')
    const exportItem = page.locator('[data-feature="export"]')
    await seeText(exportItem, t('usage.exhausted'))
    expect(await page.getByRole('progressbar', { name: t('usage.feature.live_room') }).getAttribute('aria-valuenow')).toBe('0')
    await shot(page, 'usage', locale)
  })

  it('plans: compare, subscribe from the balance, auto-renew off, cancel with a reason, short of money', async () => {
    const { page } = browser
    const { host } = app
    await nav('plans')
    const label = (tier: 'BASIC' | 'ENTERPRISE') => `${t(`plans.tier.${tier}`)} ${t('plans.period.monthly')}`
    const subscribeBasic = page.getByRole('button', { name: `${t('plans.subscribe')}: ${label('BASIC')}` })
    await subscribeBasic.waitFor()
    await shot(page, 'plans', locale)

    await subscribeBasic.click()
    await seeText(page.locator('main'), t('plans.current', { plan: `${t('plans.tier.BASIC')} · ${t('plans.period.monthly')}` }))
    expect(host.billing.subscriptions.current()).toMatchObject({ planCode: 'BASIC', status: 'active', autoRenew: true })
    expect(host.billing.wallet.balance().amount).toBe(7_990 - 2_900)
    await shot(page, 'plans-subscribed', locale)

    const autoRenew = page.getByRole('switch', { name: t('plans.autoRenew') })
    await autoRenew.click()
    await page.locator('[role="switch"][aria-checked="false"]').waitFor()
    expect(host.billing.subscriptions.current()?.autoRenew).toBe(false)

    await page.getByRole('button', { name: t('plans.cancel') }).click()
    await page.getByLabel(t('plans.cancelReason')).selectOption('switching')
    await page.getByLabel(t('plans.cancelNote')).fill('e2e')
    await page.getByRole('button', { name: t('plans.cancelConfirm') }).click()
    await seeText(page.locator('main'), t('plans.status.cancelled'))
    expect(host.billing.subscriptions.current()).toMatchObject({ status: 'cancelled', cancelReason: 'switching: e2e' })
    await shot(page, 'plans-cancelled', locale)

    // ¥199 with ¥50.90 left: nothing changes, the screen offers a recharge of the difference.
    const before = host.billing.wallet.balance().amount
    await page.getByRole('button', { name: `${t('plans.subscribe')}: ${label('ENTERPRISE')}` }).click()
    await seeText(page.getByRole('alert'), t('plans.needsRecharge', { price: cny(19_900), shortfall: cny(19_900 - before) }))
    expect(host.billing.wallet.balance().amount).toBe(before)
    expect(host.billing.subscriptions.current()?.planCode).toBe('BASIC')
    await shot(page, 'plans-needs-recharge', locale)
  })

  it('history: wallet entries and payments with refunds', async () => {
    const { page } = browser
    await nav('history')
    const rows = page.locator('main table tbody tr')
    await seeText(rows.first(), cny(-2_900))
    // subscription, paid AI request, refund, recharge, first free use
    expect(await rows.count()).toBe(5)
    await seeText(page.locator('main'), cny(-2_000))
    await shot(page, 'history-wallet', locale)
    await page.getByRole('tab', { name: t('history.tab.payments') }).click()
    // the waiting WeChat checkout, the refund, the Alipay payment
    await seeText(rows.first(), cny(5_000))
    expect(await rows.count()).toBe(3)
    await seeText(page.locator('main'), t('payment.status.pending'))
    await seeText(rows.filter({ hasText: cny(2_000) }), t('payment.kind.refund'))
    await shot(page, 'history-payments', locale)
  })

  it('offline banner with the relay stopped; a checkout cannot start; "sync now" recovers once it is back', async () => {
    const { page } = browser
    const { host } = app
    const footer = page.locator('footer.status-bar')
    const syncNow = footer.getByRole('button', { name: t('status.syncNow') })
    await relay.stop()
    // Work done while the relay is away is kept and queued.
    host.billing.quotas.consume('ai_request', 1, 'offline-usage-1')
    await syncNow.click()
    await seeText(footer, t('status.offlineBanner'))
    await seeText(footer, t('status.offline'))
    await expect.poll(() => host.sync.state().online).toBe(false)
    const pending = host.sync.state().pendingCount
    expect(pending).toBeGreaterThan(0)
    await seeText(footer, t('status.pending', { count: pending }))
    await shot(page, 'offline', locale)

    await nav('wallet')
    await page.getByText(cny(5_000), { exact: true }).click()
    await page.getByRole('button', { name: t('recharge.submit', { amount: cny(5_000) }) }).click()
    await seeText(page.getByRole('alert'), t('error.UNAVAILABLE'))
    await shot(page, 'wallet-checkout-unavailable', locale)

    await relay.restart()
    await syncNow.click()
    await footer.getByText(t('status.offlineBanner')).waitFor({ state: 'detached' })
    await seeText(footer, t('status.online'))
    await expect.poll(() => host.sync.state()).toMatchObject({ online: true, pendingCount: 0, lastError: null })
    await footer.getByText(t('status.pending', { count: pending })).waitFor({ state: 'detached' })
    await shot(page, 'online-recovered', locale)
    // Failed checkout fetches are not page errors; the WebSocket to main never dropped.
    expect(browser.problems).toEqual([])
  })

  it('a trial the account already used on another computer ends at once, and the status bar says why', async () => {
    const { page } = browser
    const { host } = app
    await relay.otherDeviceTrial(accountOf(host), 'PREMIUM', Date.now())
    host.billing.subscriptions.subscribe({ key: 'e2e-premium-trial', planCode: 'PREMIUM', period: 'monthly', trial: true })
    await host.sync.syncNow()
    const footer = page.locator('footer.status-bar')
    await seeText(footer, t('status.warning.trial_refused', { plan: t('plans.tier.PREMIUM') }))
    expect(host.billing.subscriptions.current()?.status).not.toBe('trialing')
    await shot(page, 'trial-refused', locale)
  })
})

describe('locale switch', () => {
  let app: E2eApp
  useApp(() => ({ browser, relay }), 'zh-CN', (a) => void (app = a))

  it('switches at once, is kept by main, and survives a reload', async () => {
    const { page } = browser
    const zh = texts('zh-CN')
    const en = texts('en')
    await page.goto(app.host.url)
    await seeText(header(page), zh.t('nav.wallet'))
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN')
    await header(page).getByLabel(zh.t('locale.label')).selectOption('en')
    await seeText(header(page), en.t('nav.wallet'))
    await seeText(page.getByTestId('balance'), en.cny(0))
    expect(await page.locator('html').getAttribute('lang')).toBe('en')
    // The screen switches at once; main stores the choice when the IPC call reaches it.
    await vi.waitFor(() => expect(JSON.parse(readFileSync(app.settingsPath, 'utf8'))).toEqual({ locale: 'en' }))
    await page.reload()
    await seeText(header(page), en.t('nav.plans'))
    await header(page).getByLabel(en.t('locale.label')).selectOption('zh-CN')
    await seeText(header(page), zh.t('nav.plans'))
  })
})
