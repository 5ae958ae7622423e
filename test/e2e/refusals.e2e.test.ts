import { describe, expect, it } from 'vitest'
import type { Locale } from '../../src/shared/ipc/types'
import type { E2eApp } from './support/app'
import { shot, type Browser } from './support/browser'
import type { E2eRelay } from './support/relay'
import { useApp, useBrowserAndRelay } from './support/suite'
import { seeText, texts } from './support/ui'

// Honest payment options, in Chromium against the real relay (Alipay and WeChat Pay switched on,
// Stripe and PayPal off although the catalog lists them): the app offers only what the relay's
// signed lease says is on. (A checkout the relay refuses is never a failed payment in History:
// test/sync/payments.test.ts; its message by name: test/renderer/i18n.test.ts.)

let browser: Browser
let relay: E2eRelay
useBrowserAndRelay((b, r) => {
  browser = b
  relay = r
})

describe.each<Locale>(['zh-CN', 'en'])('refusals (%s)', (locale) => {
  let app: E2eApp
  const { t, cny } = texts(locale)
  useApp(() => ({ browser, relay }), locale, (a) => void (app = a))

  it('offers only the methods the relay has switched on; History lists no payment that was never tried', async () => {
    const { page } = browser
    await page.goto(app.host.url)
    await seeText(page.getByTestId('balance'), cny(0))
    await page.getByRole('radio', { name: t('method.alipay') }).waitFor()
    expect(await page.getByRole('radio', { name: t('method.wechat') }).count()).toBe(1)
    expect(await page.getByRole('radio', { name: t('method.stripe') }).count()).toBe(0)
    expect(await page.getByRole('radio', { name: t('method.paypal') }).count()).toBe(0)
    await shot(page, 'recharge-methods-enabled', locale)
    expect(app.host.billing.wallet.balance().amount).toBe(0)

    await page.getByRole('button', { name: t('nav.history') }).click()
    await page.getByRole('tab', { name: t('history.tab.payments') }).click()
    await seeText(page.locator('main'), t('history.empty'))
    expect(await page.getByText(t('payment.status.failed')).count()).toBe(0)
  })

  it('a method the relay switched off since the screen loaded: its own message beside the pay button, nothing charged', async () => {
    const { page } = browser
    await page.goto(app.host.url)
    await page.getByRole('radio', { name: t('method.wechat') }).waitFor()
    // The operator switches WeChat Pay off; the open screen still offers it.
    await relay.stop()
    await relay.restart({ without: 'wechat' })
    await page.getByText(cny(3_000), { exact: true }).click()
    await page.getByRole('radio', { name: t('method.wechat') }).check()
    await page.getByRole('button', { name: t('recharge.submit', { amount: cny(3_000) }) }).click()
    const alert = page.locator('form').getByRole('alert')
    await seeText(alert, t('error.METHOD_UNAVAILABLE', { method: t('method.wechat') }))
    await shot(page, 'refusal-method-unavailable', locale)
    expect(app.host.billing.wallet.balance().amount).toBe(0)
    await relay.stop()
    await relay.restart()
  })
})
