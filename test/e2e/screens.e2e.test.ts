import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Billing } from '../../src/main/billing'
import type { Locale, PaymentRecord } from '../../src/shared/ipc/types'
import { startApp, type E2eApp } from './support/app'
import { launch, shot, type Browser } from './support/browser'
import { ensureRendererBuilt } from './support/build'
import { header, seeText, texts } from './support/ui'

// Every screen in both languages against the host running the real core: wallet (and a
// checkout that cannot start yet), usage bars, plans (subscribe, auto-renew, cancel, short
// of money), history (wallet entries, payments), the offline banner and its recovery.
// Screenshots go to test-artifacts/screenshots/.

let browser: Browser
beforeAll(async () => {
  ensureRendererBuilt()
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

/** A wallet with some past: a first free export, a ¥100 recharge, a paid AI request, usage. */
function seed(billing: Billing, payments: PaymentRecord[]): void {
  const w = billing.wallet
  w.chargeOrFree({ key: 'seed-export-1', price: 100, feature: 'export', reason: 'gate:export' })
  w.recharge({ key: 'seed-pay-1', paymentId: 'seed-pay-1', provider: 'alipay', amount: 10_000 })
  w.chargeOrFree({ key: 'seed-ai-1', price: 10, feature: 'ai_request', reason: 'gate:ai_request' })
  billing.quotas.consume('ai_request', 45, 'seed-usage-ai')
  billing.quotas.consume('export', 5, 'seed-usage-export')
  const at = billing.clock.now()
  const cny = (amount: number) => ({ amount, currency: 'CNY' as const })
  payments.push(
    { id: 'p3', orderId: 'o3', kind: 'payment', method: 'wechat', amount: cny(5_000), purpose: 'recharge', status: 'pending', createdAt: at },
    { id: 'r1', orderId: 'o1', kind: 'refund', method: 'alipay', amount: cny(2_000), purpose: 'recharge', status: 'succeeded', createdAt: at - 60_000 },
    { id: 'p1', orderId: 'o1', kind: 'payment', method: 'alipay', amount: cny(10_000), purpose: 'recharge', status: 'succeeded', createdAt: at - 3_600_000 }
  )
}

describe.each<Locale>(['zh-CN', 'en'])('screens (%s)', (locale) => {
  let app: E2eApp
  const { t, cny } = texts(locale)
  beforeAll(async () => {
    app = await startApp(locale)
    seed(app.host.billing, app.payments)
  })
  afterAll(async () => {
    await app?.host.close()
  })
  const nav = (screen: 'wallet' | 'plans' | 'usage' | 'history') =>
    browser.page.getByRole('navigation').getByRole('button', { name: t(`nav.${screen}`) }).click()

  it('wallet: balance, first-free state, recharge limits; a checkout says it cannot start yet', async () => {
    const { page } = browser
    browser.problems.length = 0
    await page.goto(app.host.url)
    await seeText(page.getByTestId('balance'), cny(9_990))
    await seeText(page.locator('main'), t('wallet.firstFreeUsed'))
    await seeText(page.locator('main'), t('recharge.customHint', { min: cny(100), max: cny(500_000) }))
    await shot(page, 'wallet', locale)
    await page.getByText(cny(5_000), { exact: true }).click()
    await page.getByRole('button', { name: t('recharge.submit', { amount: cny(5_000) }) }).click()
    await seeText(page.getByRole('alert'), t('error.UNAVAILABLE'))
    await shot(page, 'wallet-checkout-unavailable', locale)
    // The 404 of a refused checkout is not a page problem; everything else must be clean.
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
    expect(host.billing.wallet.balance().amount).toBe(9_990 - 2_900)
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

    // ¥199 with ¥70.90 left: nothing changes, the screen offers a recharge of the difference.
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
    // subscription, paid AI request, recharge, first free use
    expect(await rows.count()).toBe(4)
    await shot(page, 'history-wallet', locale)
    await page.getByRole('tab', { name: t('history.tab.payments') }).click()
    await seeText(rows.first(), cny(5_000))
    expect(await rows.count()).toBe(3)
    await seeText(page.locator('main'), t('payment.status.pending'))
    await shot(page, 'history-payments', locale)
  })

  it('offline banner, then recovery', async () => {
    const { page } = browser
    const footer = page.locator('footer.status-bar')
    app.sync.set({ online: false, pendingCount: 3, lastError: null })
    await seeText(footer, t('status.offlineBanner'))
    await seeText(footer, t('status.pending', { count: 3 }))
    await shot(page, 'offline', locale)
    app.sync.set({ online: true, pendingCount: 0, lastSyncAt: app.host.billing.clock.now() })
    await footer.getByText(t('status.offlineBanner')).waitFor({ state: 'detached' })
    await seeText(footer, t('status.online'))
    await footer.getByRole('button', { name: t('status.syncNow') }).click()
    await seeText(footer, t('status.online'))
    expect(browser.problems).toEqual([])
  })
})

describe('locale switch', () => {
  let app: E2eApp
  beforeAll(async () => {
    app = await startApp('zh-CN')
  })
  afterAll(async () => {
    await app?.host.close()
  })

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
    expect(JSON.parse(readFileSync(app.settingsPath, 'utf8'))).toEqual({ locale: 'en' })
    await page.reload()
    await seeText(header(page), en.t('nav.plans'))
    await header(page).getByLabel(en.t('locale.label')).selectOption('zh-CN')
    await seeText(header(page), zh.t('nav.plans'))
  })
})
