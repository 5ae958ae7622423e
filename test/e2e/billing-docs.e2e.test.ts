import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHost, type Host } from '../../src/host/host'
import { taxpayerIdCheckChar } from '../../src/shared/billing/taxpayer-id'
import type { Locale } from '../../src/shared/ipc/types'
import { accountOf, orderNoOf } from './support/app'
import { shot, type Browser } from './support/browser'
import type { E2eRelay } from './support/relay'
import { useBrowserAndRelay } from './support/suite'
import { seeText, texts } from './support/ui'
import { formatDate } from '../../src/renderer/src/i18n'

// Coupons and invoices in Chromium, in both languages, over the real core and sync service on
// the real relay: promotion codes and an account-bound coupon made through the relay's admin
// routes, quotes and checkouts judged by the relay, the wallet purchase with 我的优惠券 confirmed
// by it on sync, the invoices it issued for a paid recharge (with a credit note for a partial
// refund) and for the wallet purchase, their PDFs as it renders them, a fapiao requested here
// and issued by the operator's admin route, and 开票信息 saved on it. Screenshots in
// test-artifacts/screenshots/.

let browser: Browser
let relay: E2eRelay
useBrowserAndRelay((b, r) => {
  browser = b
  relay = r
})

const cnyOf = (amount: number) => ({ amount, currency: 'CNY' as const })
const DAY = 86_400_000

// Shared by both languages' accounts: 充值赠送 of ¥20 from ¥200, and two promotion codes.
beforeAll(async () => {
  await relay.publishCatalog({ rechargeBonuses: [{ min: 20_000, bonus: 2000 }] })
  await relay.coupon({ name: 'Spring 10% off', off: { kind: 'percent', percent: '10' }, appliesTo: { plans: 'all', recharge: true } }, 'SPRING10')
  await relay.coupon({ name: 'old', off: { kind: 'percent', percent: '10' }, appliesTo: { plans: 'all', recharge: true }, validUntil: Date.now() - DAY }, 'OLD2024')
})

describe.each<Locale>(['zh-CN', 'en'])('coupons and invoices (%s)', (locale) => {
  const { t, cny } = texts(locale)
  const grantId = `grant-welcome-${locale}`
  let host: Host
  let dir: string
  let account: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'e2e-docs-'))
    const settingsPath = join(dir, 'settings.json')
    writeFileSync(settingsPath, JSON.stringify({ locale }))
    host = await startHost({
      dataDir: dir,
      settingsPath,
      relay: { url: relay.url, publicKey: relay.publicKey, enrolmentCode: await relay.enrolmentCode(), deviceName: `e2e docs ${locale}` }
    })
    account = accountOf(host)
    // ¥100 paid by Alipay, ¥10 of it refunded: the relay's invoice and its credit note.
    const paid = await host.sync.createCheckout({ idempotencyKey: 'seed-docs-recharge-1', method: 'alipay', purpose: { kind: 'recharge', amount: cnyOf(10_000) } })
    const orderNo = orderNoOf(host, paid.orderId)
    expect(await relay.alipayPaid(orderNo, 10_000)).toMatchObject({ text: 'success' })
    expect(await relay.alipayRefunded(orderNo, 10_000, 1000, `RF-${orderNo}`)).toMatchObject({ text: 'success' })
    // 新人礼券: ¥5 off BASIC from ¥20, granted to this account.
    const welcome = await relay.coupon({
      name: locale === 'en' ? 'Welcome coupon' : '新人礼券',
      off: { kind: 'amount', amount: cnyOf(500) },
      minimum: cnyOf(2000),
      appliesTo: { plans: [{ planCode: 'BASIC' }] }
    })
    expect(await relay.grant(welcome, account, grantId)).toBe(grantId)
    await host.sync.syncNow()
    expect(host.billing.wallet.balance().amount).toBe(9000)
    browser.page.setDefaultTimeout(10_000)
  })
  afterAll(async () => {
    await browser?.page.goto('about:blank')
    await host?.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const nav = (screen: 'wallet' | 'plans' | 'invoices') => browser.page.getByRole('navigation').getByRole('button', { name: t(`nav.${screen}`) }).click()

  it('recharge: the live quote with its bonus; a code applied takes its discount, a refused one says why beside the field', async () => {
    const { page } = browser
    browser.problems.length = 0
    await page.goto(host.url)
    await page.locator('label.chip', { hasText: cny(20_000) }).click()
    const quote = page.getByTestId('quote')
    await seeText(quote, t('coupon.quote.bonus', { bonus: cny(2000) }))
    const field = page.getByLabel(t('coupon.label'), { exact: true })
    await field.fill('old2024')
    await page.getByRole('button', { name: t('coupon.apply') }).click()
    await seeText(page.getByTestId('coupon-problem'), t('coupon.refusal.expired'))
    expect(await field.getAttribute('aria-invalid')).toBe('true')
    await shot(page, 'coupon-refused', locale)

    await field.fill('spring10')
    await page.getByRole('button', { name: t('coupon.apply') }).click()
    await seeText(quote, t('coupon.quote.discount', { amount: cny(2000) }))
    await seeText(quote, t('coupon.quote.total', { total: cny(18_000) }))
    expect(await page.getByTestId('coupon-problem').textContent()).toBe('')
    await page.getByRole('button', { name: t('recharge.submit', { amount: cny(18_000) }) }).waitFor()
    await shot(page, 'coupon-applied', locale)
    expect(browser.problems).toEqual([])
  })

  it('plans: a promotion code under each price; 我的优惠券 chosen for the wallet button takes its discount offline, and the relay confirms it', async () => {
    const { page } = browser
    await nav('plans')
    const mine = page.locator('section', { has: page.getByRole('heading', { name: t('mine.title') }) })
    await seeText(mine, locale === 'en' ? 'Welcome coupon' : '新人礼券')
    await seeText(mine, t('mine.off.amount', { amount: cny(500) }))
    await seeText(mine, t('mine.state.available'))
    const plans = page.locator('section', { has: page.getByRole('heading', { name: t('plans.title') }) })
    await plans.getByLabel(t('coupon.label'), { exact: true }).fill('SPRING10')
    await plans.getByRole('button', { name: t('coupon.apply') }).click()
    await seeText(page.getByTestId('code-total-BASIC:monthly'), t('plans.withCode', { total: cny(2610), discount: cny(290) }))
    await shot(page, 'plans-promo-code', locale)
    await plans.getByLabel(t('coupon.label'), { exact: true }).fill('OLD2024')
    await plans.getByRole('button', { name: t('coupon.apply') }).click()
    await seeText(plans, t('coupon.refusal.expired'))
    await shot(page, 'plans-promo-code-refused', locale)
    await plans.getByRole('button', { name: t('coupon.remove') }).click()
    await mine.getByLabel(t('mine.choose')).selectOption(grantId)
    await seeText(page.getByTestId('coupon-total-BASIC:monthly'), t('mine.walletTotal', { total: cny(2400), discount: cny(500) }))
    await seeText(page.getByTestId('coupon-total-PREMIUM:monthly'), t('coupon.refusal.not_applicable'))
    await shot(page, 'my-coupons', locale)
    await page.getByRole('button', { name: `${t('plans.subscribe')}: ${t('plans.tier.BASIC')} ${t('plans.period.monthly')}` }).click()
    await seeText(mine, t('mine.state.used'))
    expect(host.billing.wallet.balance().amount).toBe(9000 - 2400)
    // Synced: the relay took the use (its grant used, ¥24 from the wallet) and charged nothing more.
    await host.sync.syncNow()
    expect(relay.grantState(grantId)).toBe('used')
    expect(relay.wallet(account)).toBe(9000 - 2400)
    expect(host.billing.wallet.balance().amount).toBe(9000 - 2400)
    await seeText(mine, t('mine.state.used'))
    await shot(page, 'my-coupons-used', locale)
  })

  it('billing details: each field says what is wrong beside it; valid details are saved on the relay', async () => {
    const { page } = browser
    await nav('invoices')
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
    expect(await relay.billingDetails(account)).toBeFalsy()

    const id17 = '91350100M000100Y4'
    await form.getByLabel(t('billing.name')).fill('杭州某某科技有限公司')
    await form.getByLabel(t('billing.email')).fill('finance@example.com')
    await form.getByLabel(t('billing.taxpayerId')).fill(id17 + taxpayerIdCheckChar(id17))
    await form.getByLabel(t('billing.bankAccount')).fill('6222 0000 1234')
    await form.getByRole('button', { name: t('billing.save') }).click()
    await seeText(form, t('billing.saved'))
    expect(await relay.billingDetails(account)).toMatchObject({ type: 'company', title: '杭州某某科技有限公司', taxpayerId: id17 + taxpayerIdCheckChar(id17), bankAccount: '6222 0000 1234' })
    await shot(page, 'billing-details-saved', locale)
  })

  it("invoices: the relay's invoices listed, a detail with its lines and credit note, the PDF downloaded and opened, a fapiao requested and issued", async () => {
    const { page } = browser
    const entries = host.sync.docs.invoices()
    const recharge = entries.find((e) => e.invoice.source.kind === 'order')!
    const plan = entries.find((e) => e.invoice.source.kind === 'wallet')!
    expect(recharge.invoice).toMatchObject({ status: 'partially_credited', total: cnyOf(10_000), credited: cnyOf(1000) })
    expect(plan.invoice).toMatchObject({ status: 'paid', total: cnyOf(2400), discount: cnyOf(500) })
    const [rechargeNo, planNo] = [recharge.invoice.number, plan.invoice.number]
    const creditNo = recharge.creditNotes[0]!.number

    await nav('wallet')
    await nav('invoices')
    const rows = page.locator('main table tbody tr')
    await seeText(rows.first(), planNo)
    expect(await rows.count()).toBe(2)
    const rechargeRow = rows.filter({ hasText: rechargeNo })
    await seeText(rechargeRow, t('invoices.status.partially_credited'))
    await seeText(rechargeRow, cny(1000))
    await seeText(rows.filter({ hasText: planNo }), t('invoices.status.paid'))
    await shot(page, 'invoices', locale)

    await page.getByRole('button', { name: `${t('invoices.view')} ${rechargeNo}` }).click()
    const main = page.locator('main')
    await seeText(main, t('invoices.detail', { number: rechargeNo }))
    await seeText(main, t('invoices.item.recharge'))
    await seeText(main, t('invoices.left', { left: cny(9000) }))
    await seeText(main, creditNo)
    await page.getByRole('button', { name: t('invoices.pdf') }).click()
    await seeText(main, t('invoices.pdfOpened'))
    expect(host.openedFiles).toHaveLength(1)
    expect(existsSync(host.openedFiles[0]!)).toBe(true)
    expect(readFileSync(host.openedFiles[0]!).subarray(0, 5).toString()).toBe('%PDF-')
    expect(host.sync.docs.hasPdf(rechargeNo, locale)).toBe(true)
    await page.getByRole('button', { name: t('invoices.pdfOpen') }).waitFor()
    const request = page.getByRole('button', { name: t('invoices.fapiao.request') })
    await request.click()
    // Requested: the button gives way to the request's status, dated as the relay answered.
    await request.waitFor({ state: 'detached' })
    const requested = host.sync.docs.invoice(rechargeNo).fapiao!
    expect(requested.status).toBe('requested')
    await seeText(main, t('invoices.fapiao.requested', { date: formatDate(requested.requestedAt, locale) }))
    await shot(page, 'invoice-detail', locale)

    // The operator issues it on the relay; the next sync brings the fapiao number.
    await relay.issueFapiao(rechargeNo, locale === 'en' ? '25312000000012345678' : '25312000000087654321')
    await host.sync.syncNow()
    await page.getByRole('button', { name: t('invoices.back') }).click()
    await nav('wallet')
    await nav('invoices')
    await page.getByRole('button', { name: `${t('invoices.view')} ${rechargeNo}` }).click()
    await seeText(main, t('invoices.fapiao.issued', { number: locale === 'en' ? '25312000000012345678' : '25312000000087654321' }))
    await shot(page, 'invoice-fapiao-issued', locale)
    await page.getByRole('button', { name: t('invoices.back') }).click()
  })
})
