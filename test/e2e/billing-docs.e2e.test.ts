import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHost, type Host } from '../../src/host/host'
import type { Invoice } from '../../src/shared/billing/invoices'
import { taxpayerIdCheckChar } from '../../src/shared/billing/taxpayer-id'
import type { Locale } from '../../src/shared/ipc/types'
import { startBillingStandIn, tinyPdf, type BillingStandIn } from '../support/billing-routes-standin'
import { accountOf, orderNoOf } from './support/app'
import { shot, type Browser } from './support/browser'
import type { E2eRelay } from './support/relay'
import { useBrowserAndRelay } from './support/suite'
import { seeText, texts } from './support/ui'
import { formatDate } from '../../src/renderer/src/i18n'

// Coupons and invoices in Chromium, in both languages, over the real core and sync service on
// the real relay. The relay routes another branch builds (quotes, codes on checkouts, invoices,
// PDFs, fapiao, billing details) are served by the stand-in in front of the relay
// (test/support/billing-routes-standin.ts); coupon grants and invoices come through the real
// relay's signed feed. Screenshots in test-artifacts/screenshots/.

let browser: Browser
let relay: E2eRelay
useBrowserAndRelay((b, r) => {
  browser = b
  relay = r
})

const cnyOf = (amount: number) => ({ amount, currency: 'CNY' as const })
const DAY = 86_400_000

function invoiceOf(number: string, issuedAt: number, over: Partial<Invoice> = {}): Invoice {
  return {
    number,
    issuedAt,
    status: 'paid',
    source: { kind: 'order', orderNo: `ORD-${number}` },
    lines: [
      { item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' }, quantity: 1, unitPrice: cnyOf(2900), discount: cnyOf(290), taxRate: '0.06', tax: cnyOf(148), total: cnyOf(2610) }
    ],
    total: cnyOf(2610),
    tax: cnyOf(148),
    discount: cnyOf(290),
    credited: cnyOf(0),
    ...over
  }
}

describe.each<Locale>(['zh-CN', 'en'])('coupons and invoices (%s)', (locale) => {
  const { t, cny } = texts(locale)
  let host: Host
  let stand: BillingStandIn
  let dir: string
  beforeAll(async () => {
    stand = await startBillingStandIn({ forwardTo: relay.url })
    stand.codes.set('SPRING10', { name: locale === 'en' ? 'Spring 10% off' : '春季九折', off: { kind: 'percent', percent: '10' } })
    stand.codes.set('OLD2024', { name: 'old', off: { kind: 'percent', percent: '10' }, refusal: 'expired' })
    dir = mkdtempSync(join(tmpdir(), 'e2e-docs-'))
    const settingsPath = join(dir, 'settings.json')
    writeFileSync(settingsPath, JSON.stringify({ locale }))
    host = await startHost({
      dataDir: dir,
      settingsPath,
      relay: { url: stand.url, publicKey: relay.publicKey, enrolmentCode: await relay.enrolmentCode(), deviceName: `e2e docs ${locale}` }
    })
    const account = accountOf(host)
    const now = Date.now()
    // ¥100 paid by Alipay through the relay (a recharge the relay knows of).
    const paid = await host.sync.createCheckout({ idempotencyKey: 'seed-docs-recharge-1', method: 'alipay', purpose: { kind: 'recharge', amount: cnyOf(10_000) } })
    expect(await relay.alipayPaid(orderNoOf(host, paid.orderId), 10_000)).toMatchObject({ text: 'success' })
    await relay.appendFeed(account, 'coupon_grant', {
      grantId: 'grant-welcome-e2e1',
      couponId: 'cpn-welcome',
      name: locale === 'en' ? 'Welcome coupon' : '新人礼券',
      off: { kind: 'amount', amount: cnyOf(500) },
      appliesTo: [{ planCode: 'BASIC' }],
      minimum: cnyOf(2000),
      validFrom: now - DAY,
      validUntil: now + 30 * DAY,
      state: 'available',
      at: now - DAY
    })
    const inv1 = invoiceOf('INV-2026-000001', now - 3 * DAY)
    const inv2 = invoiceOf('INV-2026-000002', now - DAY, {
      status: 'partially_credited',
      credited: cnyOf(1000),
      source: { kind: 'wallet', purchaseId: 'pur-e2e' },
      lines: [{ item: { kind: 'recharge' }, quantity: 1, unitPrice: cnyOf(5000), discount: cnyOf(0), taxRate: '0.06', tax: cnyOf(283), total: cnyOf(5000) }],
      total: cnyOf(5000),
      tax: cnyOf(283),
      discount: cnyOf(0)
    })
    stand.invoices = [inv1, inv2]
    stand.pdf = tinyPdf('INV-2026-000002')
    await relay.appendFeed(account, 'invoice', inv1)
    await relay.appendFeed(account, 'invoice', inv2)
    await relay.appendFeed(account, 'credit_note', { number: 'CN-2026-000001', invoiceNumber: 'INV-2026-000002', issuedAt: now, amount: cnyOf(1000), tax: cnyOf(57), refundId: 'rf-e2e' })
    await relay.appendFeed(account, 'fapiao', {
      invoiceNumber: 'INV-2026-000001',
      status: 'issued',
      requestedAt: now - 2 * DAY,
      decidedAt: now - DAY,
      fapiaoNumber: '25312000000012345678'
    })
    await host.sync.syncNow()
    expect(host.billing.wallet.balance().amount).toBe(10_000)
    browser.page.setDefaultTimeout(10_000)
  })
  afterAll(async () => {
    await browser?.page.goto('about:blank')
    await host?.close()
    await stand?.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const nav = (screen: 'wallet' | 'plans' | 'invoices') => browser.page.getByRole('navigation').getByRole('button', { name: t(`nav.${screen}`) }).click()

  it('recharge: the live quote with its bonus; a code applied takes its discount, a refused one says why beside the field', async () => {
    const { page } = browser
    browser.problems.length = 0
    await page.goto(host.url)
    await page.locator('label.chip', { hasText: cny(10_000) }).click()
    const quote = page.getByTestId('quote')
    await seeText(quote, t('coupon.quote.bonus', { bonus: cny(1000) }))
    const field = page.getByLabel(t('coupon.label'), { exact: true })
    await field.fill('old2024')
    await page.getByRole('button', { name: t('coupon.apply') }).click()
    await seeText(page.getByTestId('coupon-problem'), t('coupon.refusal.expired'))
    expect(await field.getAttribute('aria-invalid')).toBe('true')
    await shot(page, 'coupon-refused', locale)

    await field.fill('spring10')
    await page.getByRole('button', { name: t('coupon.apply') }).click()
    await seeText(quote, t('coupon.quote.discount', { amount: cny(1000) }))
    await seeText(quote, t('coupon.quote.total', { total: cny(9000) }))
    expect(await page.getByTestId('coupon-problem').textContent()).toBe('')
    await page.getByRole('button', { name: t('recharge.submit', { amount: cny(9000) }) }).waitFor()
    await shot(page, 'coupon-applied', locale)
    expect(stand.calls.filter((c) => c === 'POST /v1/quotes').length).toBeGreaterThanOrEqual(3)
    expect(browser.problems).toEqual([])
  })

  it('plans: 我的优惠券 listed; chosen for the wallet button it takes its discount offline and is then used', async () => {
    const { page } = browser
    await nav('plans')
    const mine = page.locator('section', { has: page.getByRole('heading', { name: t('mine.title') }) })
    await seeText(mine, locale === 'en' ? 'Welcome coupon' : '新人礼券')
    await seeText(mine, t('mine.off.amount', { amount: cny(500) }))
    await seeText(mine, t('mine.state.available'))
    // A promotion code for the QR payments: the relay's quote under each plan's price.
    const plans = page.locator('section', { has: page.getByRole('heading', { name: t('plans.title') }) })
    await plans.getByLabel(t('coupon.label'), { exact: true }).fill('SPRING10')
    await plans.getByRole('button', { name: t('coupon.apply') }).click()
    await seeText(page.getByTestId('code-total-BASIC:monthly'), t('plans.withCode', { total: cny(2610), discount: cny(290) }))
    await shot(page, 'plans-promo-code', locale)
    await plans.getByRole('button', { name: t('coupon.remove') }).click()
    await mine.getByLabel(t('mine.choose')).selectOption('grant-welcome-e2e1')
    await seeText(page.getByTestId('coupon-total-BASIC:monthly'), t('mine.walletTotal', { total: cny(2400), discount: cny(500) }))
    await seeText(page.getByTestId('coupon-total-PREMIUM:monthly'), t('coupon.refusal.not_applicable'))
    await shot(page, 'my-coupons', locale)
    await page.getByRole('button', { name: `${t('plans.subscribe')}: ${t('plans.tier.BASIC')} ${t('plans.period.monthly')}` }).click()
    await seeText(mine, t('mine.state.used'))
    expect(host.billing.wallet.balance().amount).toBe(10_000 - 2400)
    const body = host.billing.db.sqlite.prepare("SELECT body FROM sync_outbox WHERE kind = 'subscription_purchase'").get() as { body: string }
    expect(JSON.parse(body.body)).toMatchObject({ price: cnyOf(2400), coupon: { grantId: 'grant-welcome-e2e1', discount: cnyOf(500) } })
    await shot(page, 'my-coupons-used', locale)
  })

  it('invoices: the list, a detail with its lines and credit note, the PDF downloaded and opened, a fapiao requested', async () => {
    const { page } = browser
    await nav('invoices')
    const rows = page.locator('main table tbody tr')
    await seeText(rows.first(), 'INV-2026-000002')
    expect(await rows.count()).toBe(2)
    await seeText(rows.first(), t('invoices.status.partially_credited'))
    await seeText(rows.first(), cny(1000))
    await seeText(rows.nth(1), t('invoices.status.paid'))
    await shot(page, 'invoices', locale)

    await page.getByRole('button', { name: `${t('invoices.view')} INV-2026-000002` }).click()
    const main = page.locator('main')
    await seeText(main, t('invoices.detail', { number: 'INV-2026-000002' }))
    await seeText(main, t('invoices.item.recharge'))
    await seeText(main, t('invoices.left', { left: cny(4000) }))
    await seeText(main, 'CN-2026-000001')
    await page.getByRole('button', { name: t('invoices.pdf') }).click()
    await seeText(main, t('invoices.pdfOpened'))
    expect(host.openedFiles).toHaveLength(1)
    expect(existsSync(host.openedFiles[0]!)).toBe(true)
    expect(readFileSync(host.openedFiles[0]!).subarray(0, 5).toString()).toBe('%PDF-')
    expect(stand.calls).toContain(`GET /v1/invoices/INV-2026-000002/pdf?lang=${locale}`)
    await page.getByRole('button', { name: t('invoices.pdfOpen') }).waitFor()
    const request = page.getByRole('button', { name: t('invoices.fapiao.request') })
    await request.click()
    // Requested: the button gives way to the request's status, dated as the relay answered.
    await request.waitFor({ state: 'detached' })
    await seeText(main, t('invoices.fapiao.requested', { date: formatDate(stand.fapiao[0]!.requestedAt, locale) }))
    await shot(page, 'invoice-detail', locale)

    await page.getByRole('button', { name: t('invoices.back') }).click()
    await page.getByRole('button', { name: `${t('invoices.view')} INV-2026-000001` }).click()
    await seeText(main, t('invoices.fapiao.issued', { number: '25312000000012345678' }))
    await shot(page, 'invoice-fapiao-issued', locale)
    await page.getByRole('button', { name: t('invoices.back') }).click()
  })

  it('billing details: each field says what is wrong beside it; valid details are saved on the relay', async () => {
    const { page } = browser
    const form = page.locator('section', { has: page.getByRole('heading', { name: t('billing.title') }) })
    await form.getByText(t('billing.type.company'), { exact: true }).click()
    await form.getByLabel(t('billing.name')).fill('')
    await form.getByLabel(t('billing.email')).fill('not-an-email')
    await form.getByLabel(t('billing.taxpayerId')).fill('91350100M000100Y4X')
    await form.getByLabel(t('billing.bankAccount')).fill('12ab')
    await form.getByRole('button', { name: t('billing.save') }).click()
    await seeText(form, t('billing.error.taxpayer_id_check'))
    await seeText(form, t('billing.error.title'))
    await seeText(form, t('billing.error.email'))
    await seeText(form, t('billing.error.bankAccount'))
    expect(await form.getByLabel(t('billing.taxpayerId')).getAttribute('aria-invalid')).toBe('true')
    await shot(page, 'billing-details-invalid', locale)
    await form.getByLabel(t('billing.taxpayerId')).fill('91350100M0001')
    await form.getByRole('button', { name: t('billing.save') }).click()
    await seeText(form, t('billing.error.taxpayer_id_length'))
    await form.getByLabel(t('billing.taxpayerId')).fill('91350100M000100YI')
    await form.getByRole('button', { name: t('billing.save') }).click()
    await seeText(form, t('billing.error.taxpayer_id_length'))
    await form.getByLabel(t('billing.taxpayerId')).fill('91350100M000100Y4I')
    await form.getByRole('button', { name: t('billing.save') }).click()
    await seeText(form, t('billing.error.taxpayer_id_character'))
    expect(stand.details).toBeNull()

    const id17 = '91350100M000100Y4'
    await form.getByLabel(t('billing.name')).fill('杭州某某科技有限公司')
    await form.getByLabel(t('billing.email')).fill('finance@example.com')
    await form.getByLabel(t('billing.taxpayerId')).fill(id17 + taxpayerIdCheckChar(id17))
    await form.getByLabel(t('billing.bankAccount')).fill('6222 0000 1234')
    await form.getByRole('button', { name: t('billing.save') }).click()
    await seeText(form, t('billing.saved'))
    expect(stand.details).toMatchObject({ type: 'company', title: '杭州某某科技有限公司', taxpayerId: id17 + taxpayerIdCheckChar(id17), bankAccount: '6222 0000 1234' })
    await shot(page, 'billing-details-saved', locale)
  })
})
