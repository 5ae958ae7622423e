import { afterAll, expect, it } from 'vitest'
import { messages as orderWords, type OrdersKey } from '../../src/console/screens/orders/messages'
import { messages as revenueWords, type RevenueKey } from '../../src/console/screens/revenue/messages'
import { common } from '../../src/console/i18n/common'
import { formatMoney } from '../../src/shared/money'
import { fillTemplate, type Vars } from '../../src/shared/template'
import { accountOf, orderNoOf, startApp, type E2eApp } from './support/app'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { SHOTS, type Browser } from './support/browser'
import { signInToConsole, withConsoleWorld } from './support/console'
import type { E2eRelay } from './support/relay'
import { seeText } from './support/ui'

// Money in the console, in Chromium against the REAL relay: an app recharges ¥100 by WeChat Pay
// (the real adapter against the fake gateway, a signed notification) and buys BASIC monthly by
// Alipay; a finance operator finds the recharge, refunds ¥30 of it (then ¥10, double-clicked, and ¥5 the provider leaves pending) through WeChat Pay's refund
// API (a provider error first, shown beside the form, then the retry with the same refund key),
// and the device's wallet goes down at its next sync. The revenue screen draws its chart and
// shows those figures; a viewer sees the order but no refund form. Both languages, screenshots.

type Locale = 'zh-CN' | 'en'
const say = (locale: Locale, key: OrdersKey, vars?: Vars) => fillTemplate(locale, orderWords[locale][key], vars)
const sayRevenue = (locale: Locale, key: RevenueKey, vars?: Vars) => fillTemplate(locale, revenueWords[locale][key], vars)
const cny = (amount: number, locale: Locale = 'zh-CN') => formatMoney({ amount, currency: 'CNY' }, locale)

/** The whole page: the console's document grows with its content (the shell does not scroll inside). */
const shot = (page: Page, name: string, locale: Locale) => page.screenshot({ path: join(SHOTS, `${name}.${locale}.png`), fullPage: true })

/** Today in Beijing, as "2026-12-07". */
const dayOfBeijing = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)

let browser: Browser
let relay: E2eRelay
let app: E2eApp
let account: string
let rechargeNo: string
let planNo: string
let planPrice: number

withConsoleWorld(async (w) => {
  ;({ browser, relay } = w)
  app = await startApp(relay, 'zh-CN')
  const { host } = app
  account = accountOf(host)
  const recharge = await host.sync.createCheckout({ idempotencyKey: 'console-money-recharge-1', method: 'wechat', purpose: { kind: 'recharge', amount: { amount: 10_000, currency: 'CNY' } } })
  rechargeNo = orderNoOf(host, recharge.orderId)
  expect(await relay.wechatPaid(rechargeNo, 10_000)).toEqual({ status: 204, text: '' })
  // More orders than a page (50): 50 recharges never paid, cancelled on the device (so it does not poll them).
  for (let i = 0; i < 50; i++) {
    const open = await host.sync.createCheckout({ idempotencyKey: `console-money-unpaid-${i}`, method: 'wechat', purpose: { kind: 'recharge', amount: { amount: 1_000 + i, currency: 'CNY' } } })
    await host.sync.cancelCheckout({ orderId: open.orderId })
  }
  const plan = await host.sync.createCheckout({ idempotencyKey: 'console-money-plan-1', method: 'alipay', purpose: { kind: 'plan', planId: 'BASIC:monthly' } })
  planNo = orderNoOf(host, plan.orderId)
  planPrice = plan.amount.amount
  expect(await relay.alipayPaid(planNo, planPrice)).toMatchObject({ text: 'success' })
  await host.sync.syncNow()
  expect(host.billing.wallet.balance().amount).toBe(10_000)
  browser.page.setDefaultTimeout(15_000)
}, 120_000)
afterAll(async () => {
  await browser?.page.goto('about:blank')
  await app?.close()
})

it('a finance operator finds the recharge, pages the list, refunds ¥30 (a provider error, then the same key), ¥10 double-clicked, ¥5 left pending, a stale amount refused by the relay; the wallet goes down after the next sync', async () => {
  const { page, problems } = browser
  await signInToConsole(page, relay, { email: 'finance@example.com', role: 'finance', locale: 'zh-CN' })
  await page.getByRole('navigation').getByText(common['zh-CN']['nav.orders']).click()
  // Newest first, a page of 50: the plan, then the unpaid ones; "load more" brings the recharge.
  const rows = page.locator('[data-testid=orders] tbody tr')
  await expect.poll(() => rows.count()).toBe(50)
  expect(await rows.nth(0).textContent()).toContain(planNo)
  expect(await page.locator('[data-testid=orders]').textContent()).not.toContain(rechargeNo)
  await page.getByRole('button', { name: common['zh-CN']['common.more'] }).click()
  await expect.poll(() => rows.count()).toBe(52)
  expect(await rows.nth(51).textContent()).toContain(rechargeNo)
  expect(await page.getByRole('button', { name: common['zh-CN']['common.more'] }).count()).toBe(0)
  // By provider, only Alipay's.
  await page.selectOption('select[name=provider]', 'alipay')
  await page.getByRole('button', { name: say('zh-CN', 'orders.search.submit') }).click()
  await expect.poll(() => rows.count()).toBe(1)
  await seeText(rows.first(), planNo)
  await shot(page, 'console-orders-search', 'zh-CN')
  // By state: the two paid ones; by date, nothing ordered from tomorrow on.
  await page.selectOption('select[name=provider]', '')
  await page.selectOption('select[name=state]', 'paid')
  await page.getByRole('button', { name: say('zh-CN', 'orders.search.submit') }).click()
  await expect.poll(() => rows.count()).toBe(2)
  await page.selectOption('select[name=state]', '')
  const tomorrow = new Date(Date.parse(dayOfBeijing()) + 86_400_000).toISOString().slice(0, 10)
  await page.fill('input[name=from]', tomorrow)
  await page.getByRole('button', { name: say('zh-CN', 'orders.search.submit') }).click()
  await seeText(page.locator('main'), say('zh-CN', 'orders.none'))
  expect(await rows.count()).toBe(0)
  await page.fill('input[name=from]', '')
  await page.fill('input[name=q]', rechargeNo)
  await page.getByRole('button', { name: say('zh-CN', 'orders.search.submit') }).click()
  await expect.poll(() => rows.count()).toBe(1)
  await seeText(rows.first(), say('zh-CN', 'orders.provider.wechat'))
  await rows.first().getByRole('link', { name: rechargeNo }).click()

  await seeText(page.getByTestId('order-state'), say('zh-CN', 'orders.state.paid'))
  expect(await page.getByTestId('order-amount').textContent()).toBe(cny(10_000))
  await seeText(page.getByTestId('order-transfers'), cny(10_000))
  expect(await page.getByTestId('order-transitions').locator('tbody tr').count()).toBeGreaterThan(0)
  expect(await page.getByTestId('order-notifications').locator('tbody tr').count()).toBeGreaterThan(0)

  const form = page.getByTestId('refund-form')
  await form.getByRole('radio', { name: say('zh-CN', 'refund.partial') }).check()
  // More than is left: refused beside the amount, nothing sent.
  await form.locator('input[name=amount]').fill('100.01')
  await form.locator('textarea[name=reason]').fill('用户误充值，申请退回部分金额')
  await form.getByRole('button', { name: say('zh-CN', 'refund.submit') }).click()
  await seeText(page.getByTestId('refund-error-amount'), say('zh-CN', 'refund.bad.tooMuch', { left: cny(10_000) }))
  // More decimals than fen, and a reason too short to say why: refused beside their fields.
  await form.locator('input[name=amount]').fill('12.345')
  await form.getByRole('button', { name: say('zh-CN', 'refund.submit') }).click()
  await seeText(page.getByTestId('refund-error-amount'), say('zh-CN', 'refund.bad.amount', { digits: 2 }))
  await form.locator('input[name=amount]').fill('12.34')
  await form.locator('textarea[name=reason]').fill('错')
  await form.getByRole('button', { name: say('zh-CN', 'refund.submit') }).click()
  await seeText(page.getByTestId('refund-error-reason'), say('zh-CN', 'refund.bad.reason'))
  await form.locator('textarea[name=reason]').fill('用户误充值，申请退回部分金额')
  expect(relay.wechat.refunds.size).toBe(0)

  // WeChat Pay answers an error: shown beside the form in the console's words; the retry sends the same refund key.
  await form.locator('input[name=amount]').fill('30.00')
  const key = (await page.getByTestId('refund-key').textContent())!.match(/[0-9a-f-]{36}/)![0]
  relay.wechat.failNext(500, 'SYSTEM_ERROR', '系统超时，请稍后重试')
  await form.getByRole('button', { name: say('zh-CN', 'refund.submit') }).click()
  const refused = page.getByTestId('refund-error-form')
  await refused.waitFor()
  expect(await refused.textContent()).toContain('支付渠道没有完成这笔退款')
  // The refusal is the test's own doing (the provider's error), not a page problem.
  problems.splice(0)
  expect(await page.getByTestId('refund-key').textContent()).toContain(key)
  await form.getByRole('button', { name: say('zh-CN', 'refund.retry') }).click()
  await seeText(page.getByTestId('refund-result'), say('zh-CN', 'refund.result.succeeded', { amount: cny(3_000) }))
  expect(await page.getByTestId('refund-result').getAttribute('data-state')).toBe('succeeded')
  const calls = relay.wechat.requests.filter((r) => r.path === '/v3/refund/domestic/refunds')
  expect(calls.map((c) => c.body.out_refund_no)).toEqual([key, key])
  expect([...relay.wechat.refunds.values()].map((r) => r.amount.refund)).toEqual([3_000])
  // A fresh key for the next refund of the form.
  expect(await page.getByTestId('refund-key').textContent()).not.toContain(key)

  await seeText(page.getByTestId('order-refunded'), cny(3_000))
  await seeText(page.getByTestId('order-left'), cny(7_000))

  // A second refund, ¥10, double-clicked: one refund at WeChat Pay.
  await form.getByRole('radio', { name: say('zh-CN', 'refund.partial') }).check()
  await form.locator('input[name=amount]').fill('10')
  await form.locator('textarea[name=reason]').fill('补偿用户一次失败的导出')
  await form.getByRole('button', { name: say('zh-CN', 'refund.submit') }).dblclick()
  await seeText(page.getByTestId('refund-result'), say('zh-CN', 'refund.result.succeeded', { amount: cny(1_000) }))
  await seeText(page.getByTestId('order-refunded'), cny(4_000))
  expect([...relay.wechat.refunds.values()].map((r) => r.amount.refund)).toEqual([3_000, 1_000])

  await seeText(page.getByTestId('order-state'), say('zh-CN', 'orders.state.partially_refunded'))
  await seeText(page.getByTestId('order-left'), cny(6_000))
  expect(await page.getByTestId('order-refunds').locator('tbody tr', { hasText: say('zh-CN', 'orders.refundState.succeeded') }).count()).toBe(2)
  await shot(page, 'console-orders-detail', 'zh-CN')

  expect(relay.wallet(account)).toBe(6_000)
  expect(app.host.billing.wallet.balance().amount).toBe(10_000)
  await app.host.sync.syncNow()
  expect(app.host.billing.wallet.balance().amount).toBe(6_000)

  // WeChat Pay takes the next one to process: pending, beside the form; nothing moves until it confirms.
  relay.wechat.refundsAnswer('PROCESSING')
  await form.getByRole('radio', { name: say('zh-CN', 'refund.partial') }).check()
  await form.locator('input[name=amount]').fill('5.00')
  await form.locator('textarea[name=reason]').fill('用户申请退回剩余的一部分')
  await form.getByRole('button', { name: say('zh-CN', 'refund.submit') }).click()
  await seeText(page.getByTestId('refund-result'), say('zh-CN', 'refund.result.pending', { amount: cny(500) }))
  expect(await page.getByTestId('refund-result').getAttribute('data-state')).toBe('pending')
  await seeText(page.getByTestId('order-refunds'), say('zh-CN', 'orders.refundState.pending'))
  // What is in flight is not refundable again meanwhile.
  await seeText(page.getByTestId('order-left'), cny(5_500))
  expect(relay.wallet(account)).toBe(6_000)

  // Another operator's tab refunds ¥50 meanwhile (pending too): this page still says ¥55 is left.
  // The relay refuses ¥10, in the console's words beside the amount, and the page reads the order again.
  const other = await page.evaluate(async (orderNo) => {
    const me = (await (await fetch('/v1/console/me')).json()) as { csrfToken: string }
    const res = await fetch(`/v1/console/orders/${orderNo}/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
      body: JSON.stringify({ amount: { amount: 5_000, currency: 'CNY' }, reason: '另一个标签页的退款', refundKey: 'other-tab-refund-0001' })
    })
    return ((await res.json()) as { refund: { state: string } }).refund.state
  }, rechargeNo)
  expect(other).toBe('pending')
  await form.getByRole('radio', { name: say('zh-CN', 'refund.partial') }).check()
  await form.locator('input[name=amount]').fill('10')
  await form.locator('textarea[name=reason]').fill('用户申请退回剩余的一部分')
  await form.getByRole('button', { name: say('zh-CN', 'refund.submit') }).click()
  await seeText(page.getByTestId('refund-error-amount'), say('zh-CN', 'refund.refused.INVALID_AMOUNT', { left: cny(500), refunded: cny(4_000) }))
  await seeText(page.getByTestId('order-left'), cny(500))
  problems.splice(0)
  relay.wechat.refundsAnswer('SUCCESS')

  await page.getByRole('button', { name: common['zh-CN']['shell.language'] }).click()
  await seeText(page.getByTestId('order-state'), say('en', 'orders.state.partially_refunded'))
  await seeText(page.getByTestId('refund-form'), say('en', 'refund.full', { left: cny(500, 'en') }))
  // The refusal beside the amount follows the language too.
  await seeText(page.getByTestId('refund-error-amount'), say('en', 'refund.refused.INVALID_AMOUNT', { left: cny(500, 'en'), refunded: cny(4_000, 'en') }))
  await shot(page, 'console-orders-detail', 'en')
  await page.getByRole('button', { name: common.en['shell.language'] }).click()
  expect(problems).toEqual([])
})

it('the revenue screen draws its chart and shows the payment and the refund', async () => {
  const { page, problems } = browser
  await page.goto(`${relay.url}/console/#/revenue`)
  const chart = page.getByTestId('revenue-chart')
  const canvas = chart.locator('canvas').first()
  await canvas.waitFor()
  const size = await canvas.evaluate((c: { width: number; height: number }) => ({ width: c.width, height: c.height }))
  expect(size.width).toBeGreaterThan(0)
  expect(size.height).toBeGreaterThan(0)

  // Money in at each provider, net of the refund; the wallets hold what the device has left.
  const providers = page.getByTestId('providers')
  await seeText(providers.locator('tr', { hasText: sayRevenue('zh-CN', 'revenue.provider.wechat') }), cny(6_000))
  await seeText(providers.locator('tr', { hasText: sayRevenue('zh-CN', 'revenue.provider.alipay') }), cny(planPrice))
  expect(await page.getByTestId('wallets-CNY').textContent()).toBe(cny(6_000))
  // The plan is revenue (gross) and recurring (MRR); the recharge and its refund are not revenue.
  // BASIC monthly at ¥29.00, VAT included at 6%: ¥27.36 revenue and ¥1.64 tax (half up).
  expect(planPrice).toBe(2_900)
  expect(await page.getByTestId('gross-CNY').textContent()).toBe(cny(2_736))
  expect(await page.getByTestId('tax-CNY').textContent()).toBe(cny(164))
  expect(await page.getByTestId('net-CNY').textContent()).toBe(cny(2_736))
  expect(await page.getByTestId('mrr-CNY').textContent()).toBe(cny(planPrice))
  await seeText(page.getByTestId('plans').locator('tr', { hasText: sayRevenue('zh-CN', 'revenue.plan.BASIC') }).filter({ hasText: sayRevenue('zh-CN', 'revenue.period.monthly') }), cny(2_736))
  const csv = await page.getByRole('link', { name: sayRevenue('zh-CN', 'revenue.csv.periods') }).getAttribute('href')
  const res = await page.evaluate(async (href) => {
    const r = await fetch(href!)
    return { status: r.status, type: r.headers.get('content-type'), head: [...new Uint8Array(await r.arrayBuffer()).slice(0, 3)] }
  }, csv)
  expect(res.status).toBe(200)
  expect(res.type).toContain('text/csv')
  // UTF-8 with a BOM, for Excel.
  expect(res.head).toEqual([0xef, 0xbb, 0xbf])

  // A table the relay has no .csv route for is exported as shown: the same rows, major units, BOM.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('section', { has: providers }).getByRole('link', { name: sayRevenue('zh-CN', 'revenue.csv.table') }).click()
  ])
  expect(download.suggestedFilename()).toMatch(/^providers-.*\.csv$/)
  expect(new URL(page.url()).hash).toBe('#/revenue')
  expect(readFileSync((await download.path())!, 'utf8')).toBe('\uFEFF币种,支付渠道,金额\r\nCNY,alipay,29.00\r\nCNY,wechat,60.00\r\n')

  // The tooltip over December's bar says its figures in money (drawn by ECharts under the CSP).
  await canvas.scrollIntoViewIfNeeded()
  const box = (await canvas.boundingBox())!
  await page.mouse.move(box.x + box.width - 40, box.y + box.height / 2)
  await seeText(chart, `${sayRevenue('zh-CN', 'revenue.chart.net', { currency: 'CNY' })}: ${cny(2_736)}`)

  // The chart follows the window.
  const before = await canvas.evaluate((c: { clientWidth: number }) => c.clientWidth)
  await page.setViewportSize({ width: 1400, height: 800 })
  await expect.poll(() => canvas.evaluate((c: { clientWidth: number }) => c.clientWidth)).toBeGreaterThan(before)
  await page.setViewportSize({ width: 1100, height: 800 })
  await shot(page, 'console-revenue', 'zh-CN')

  // A range too fine for its bucket: the relay's refusal in the console's words, beside the controls.
  await page.selectOption('select[name=bucket]', 'day')
  await page.fill('input[name=from]', '2000-01-01')
  await page.getByRole('button', { name: sayRevenue('zh-CN', 'revenue.apply') }).click()
  await seeText(page.getByTestId('revenue-error'), sayRevenue('zh-CN', 'revenue.range.tooMany'))
  problems.splice(0)
  await page.selectOption('select[name=bucket]', 'month')
  await page.fill('input[name=from]', `${dayOfBeijing().slice(0, 4)}-01-01`)
  await page.getByRole('button', { name: sayRevenue('zh-CN', 'revenue.apply') }).click()
  await seeText(page.getByTestId('providers'), cny(6_000))

  // The tax report: the plan's invoice at 6%; its CSV is the relay's.
  await page.getByRole('tab', { name: sayRevenue('zh-CN', 'revenue.tab.tax') }).click()
  const tax = page.getByTestId('tax')
  await seeText(tax.locator('tr', { hasText: sayRevenue('zh-CN', 'revenue.booked.yes') }).filter({ hasText: '6%' }), cny(164))
  await shot(page, 'console-revenue-tax', 'zh-CN')
  // This month's statement: the same figures as the revenue report.
  await page.getByRole('tab', { name: sayRevenue('zh-CN', 'revenue.tab.statement') }).click()
  const stated = page.getByTestId('statement-CNY')
  await seeText(stated.locator('tr', { hasText: sayRevenue('zh-CN', 'revenue.gross') }), cny(2_736))
  await seeText(stated.locator('tr', { hasText: sayRevenue('zh-CN', 'revenue.wallets') }), cny(6_000))
  await seeText(stated.locator('tr', { hasText: sayRevenue('zh-CN', 'revenue.provider.wechat') }), cny(6_000))
  await shot(page, 'console-revenue-statement', 'zh-CN')
  // A month that is none: said beside the period, nothing asked.
  await page.fill('input[name=period]', '2026-13')
  await page.getByRole('button', { name: sayRevenue('zh-CN', 'revenue.apply') }).click()
  await seeText(page.getByTestId('statement-error'), sayRevenue('zh-CN', 'revenue.statement.period.invalid'))
  await page.fill('input[name=period]', dayOfBeijing().slice(0, 7))
  await page.getByRole('button', { name: sayRevenue('zh-CN', 'revenue.apply') }).click()
  expect(await page.getByTestId('statement-error').count()).toBe(0)

  await page.getByRole('button', { name: common['zh-CN']['shell.language'] }).click()
  await seeText(page.getByTestId('statement-CNY'), sayRevenue('en', 'revenue.statement.mrrAtEnd'))
  await shot(page, 'console-revenue-statement', 'en')
  await page.getByRole('tab', { name: sayRevenue('en', 'revenue.tab.tax') }).click()
  await seeText(page.getByTestId('tax'), cny(164, 'en'))
  await shot(page, 'console-revenue-tax', 'en')
  await page.getByRole('tab', { name: sayRevenue('en', 'revenue.tab.overview') }).click()
  await seeText(page.locator('main'), sayRevenue('en', 'revenue.chart.title'))
  await seeText(page.getByTestId('providers'), cny(6_000, 'en'))
  await shot(page, 'console-revenue', 'en')

  await page.getByRole('button', { name: common.en['shell.language'] }).click()
  expect(problems).toEqual([])
})

it('a viewer sees the order and its refund, but no refund form', async () => {
  const { page, problems } = browser
  await page.getByRole('button', { name: common['zh-CN']['shell.logout'] }).click()
  await page.waitForSelector('input[name=email]')
  await signInToConsole(page, relay, { email: 'viewer@example.com', role: 'viewer', locale: 'zh-CN' })
  // Signed out, the page asked /v1/console/me and was told 401: that is how it knows to show the form.
  problems.splice(0)
  await page.goto(`${relay.url}/console/#/orders/${rechargeNo}`)
  await seeText(page.getByTestId('order-refunded'), cny(4_000))
  await seeText(page.getByTestId('order-refunds'), say('zh-CN', 'orders.refundState.succeeded'))
  expect(await page.getByTestId('refund-form').count()).toBe(0)
  expect(problems).toEqual([])
})
