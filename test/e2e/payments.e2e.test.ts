import QRCode from 'qrcode'
import { describe, expect, it } from 'vitest'
import type { Locale } from '../../src/shared/ipc/types'
import { orderNoOfQr, type E2eApp } from './support/app'
import { shot, type Browser } from './support/browser'
import type { E2eRelay } from './support/relay'
import { useApp, useBrowserAndRelay } from './support/suite'
import { seeText, texts } from './support/ui'

// Recharge by QR end to end, in Chromium against the host (real core + sync service) enrolled
// on the REAL relay, whose real Alipay and WeChat Pay adapters talk to fake gateways: the QR
// the gateway answered is drawn in the page; the provider's signed notification reaches the
// relay over HTTP; the sync service pulls the signed feed and the page turns "paid" and shows
// the new balance by events, without a reload.

let browser: Browser
let relay: E2eRelay
useBrowserAndRelay((b, r) => {
  browser = b
  relay = r
})

/** The image the renderer draws for `content` (src/renderer/src/components/qr.ts). */
async function qrImage(content: string): Promise<string> {
  const svg = await QRCode.toString(content, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`
}

describe.each<Locale>(['zh-CN', 'en'])('recharge by QR (%s)', (locale) => {
  let app: E2eApp
  const { t, cny } = texts(locale)
  useApp(() => ({ browser, relay }), locale, (a) => void (app = a))

  /** Picks a preset and a method, starts the checkout; returns the QR's content and relay order. */
  async function startQr(amount: number, method: 'alipay' | 'wechat') {
    const { page } = browser
    await page.getByText(cny(amount), { exact: true }).click()
    await page.getByRole('radio', { name: t(`method.${method}`) }).check()
    await page.getByRole('button', { name: t('recharge.submit', { amount: cny(amount) }) }).click()
    const qr = page.getByRole('img', { name: t('checkout.qrAlt', { method: t(`method.${method}`) }) })
    await qr.waitFor()
    const content = (await qr.getAttribute('data-qr-content')) ?? ''
    const orderNo = orderNoOfQr(app.host, content)
    // What the page draws is what the relay stored from the provider's gateway, as a QR image.
    expect(relay.checkoutOf(orderNo)).toMatchObject({ kind: 'qr', content })
    expect(await qr.getAttribute('src')).toBe(await qrImage(content))
    expect(await qr.evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0)).toBe(true)
    await seeText(page.locator('.checkout'), t('checkout.waiting'))
    return { content, orderNo }
  }

  async function expectPaid(amount: number, balanceAfter: number): Promise<void> {
    const { page } = browser
    await seeText(page.locator('.checkout .success'), t('checkout.paid', { amount: cny(amount) }))
    await seeText(page.getByTestId('balance'), cny(balanceAfter))
    expect(await page.locator('.checkout .waiting').count()).toBe(0)
  }

  it('Alipay ¥50: the gateway’s QR is drawn; a signed notification at the relay → paid and the balance, no reload', async () => {
    const { page } = browser
    const { host } = app
    browser.problems.length = 0
    await page.goto(host.url)
    await seeText(page.getByTestId('balance'), cny(0))
    await seeText(page.locator('footer.status-bar'), t('status.online'))
    // Survives only if the page is never reloaded.
    await page.evaluate(() => void ((globalThis as { e2eMarker?: string }).e2eMarker = 'same page'))

    const { content, orderNo } = await startQr(5_000, 'alipay')
    expect(content).toMatch(/^https:\/\/qr\.alipay\.com\/bax0[0-9a-f]{20}$/)
    const precreate = relay.alipay.requests.find((r) => r.method === 'alipay.trade.precreate' && r.biz.out_trade_no === orderNo)
    expect(precreate).toMatchObject({ signatureValid: true, biz: { total_amount: '50.00' } })
    await seeText(page.locator('footer.status-bar'), t('status.pendingCheckouts', { count: 1 }))
    await shot(page, 'checkout-alipay-waiting', locale)
    expect(host.billing.wallet.balance().amount).toBe(0)

    expect(await relay.alipayPaid(orderNo, 5_000)).toEqual({ status: 200, text: 'success' })
    await expectPaid(5_000, 5_000)
    expect(await page.evaluate(() => (globalThis as { e2eMarker?: string }).e2eMarker)).toBe('same page')
    await shot(page, 'checkout-alipay-paid', locale)
    expect(host.billing.wallet.balance().amount).toBe(5_000)
    await page.getByRole('button', { name: t('checkout.done') }).click()
    expect(browser.problems).toEqual([])
  })

  it('取消订单: the relay cancels the order and the gateway closes the trade; the panel says so', async () => {
    const { page } = browser
    const { host } = app
    browser.problems.length = 0
    const { orderNo } = await startQr(3_000, 'alipay')
    await page.getByRole('button', { name: t('checkout.cancel') }).click()
    await seeText(page.locator('.checkout [role=status]'), t('checkout.cancelled'))
    // The status bar no longer counts it as waiting for payment.
    await expect.poll(() => page.locator('footer.status-bar').textContent()).not.toContain(t('status.pendingCheckouts', { count: 1 }))
    expect(relay.alipay.requests.find((r) => r.method === 'alipay.trade.close' && r.biz.out_trade_no === orderNo)).toMatchObject({ signatureValid: true })
    expect(relay.alipay.trades.get(orderNo)?.closed).toBe(true)
    await shot(page, 'checkout-cancelled', locale)
    expect(relay.orderState(orderNo)).toBe('cancelled')
    expect(host.sync.state().pendingCheckouts).toBe(0)
    await page.getByRole('button', { name: t('checkout.again') }).click()
    expect(browser.problems).toEqual([])
  })

  it('WeChat Pay ¥100: Native code_url drawn; a v3 signed, encrypted notification → paid, credited once', async () => {
    const { page } = browser
    const { host } = app
    const { content, orderNo } = await startQr(10_000, 'wechat')
    expect(content).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=[0-9a-f]{12}$/)
    const order = relay.wechat.requests.find((r) => r.body.out_trade_no === orderNo)
    expect(order).toMatchObject({ authorized: true, path: '/v3/pay/transactions/native', body: { amount: { total: 10_000, currency: 'CNY' } } })
    await seeText(page.locator('.checkout'), t('checkout.scan.wechat', { amount: cny(10_000) }))
    await shot(page, 'checkout-wechat-waiting', locale)

    expect(await relay.wechatPaid(orderNo, 10_000)).toEqual({ status: 204, text: '' })
    await expectPaid(10_000, 15_000)
    await shot(page, 'checkout-wechat-paid', locale)
    // Redelivered by WeChat: acknowledged, nothing more is credited.
    expect((await relay.wechatPaid(orderNo, 10_000)).status).toBe(204)
    await host.sync.syncNow()
    expect(host.billing.wallet.balance().amount).toBe(15_000)
    expect(host.billing.verify().ok).toBe(true)

    // Both payments are in the history, succeeded, beside the cancelled checkout.
    await page.getByRole('navigation').getByRole('button', { name: t('nav.history') }).click()
    await page.getByRole('tab', { name: t('history.tab.payments') }).click()
    const rows = page.locator('main table tbody tr')
    await seeText(rows.first(), cny(10_000))
    expect(await rows.count()).toBe(3)
    expect(await rows.filter({ hasText: t('payment.status.succeeded') }).count()).toBe(2)
    expect(await rows.filter({ hasText: t('payment.status.cancelled') }).count()).toBe(1)
    expect(browser.problems).toEqual([])
  })
})
