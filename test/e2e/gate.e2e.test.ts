import { describe, expect, it } from 'vitest'
import type { Locale } from '../../src/shared/ipc/types'
import { accountOf, orderNoOfQr, type E2eApp } from './support/app'
import { shot, type Browser } from './support/browser'
import type { E2eRelay } from './support/relay'
import { useApp, useBrowserAndRelay } from './support/suite'
import { dialog, header, seeText, texts } from './support/ui'

// The gate a live session passes, in a real Chromium against the host running the real core
// and sync service on the real relay: first free use (claimed at the relay for the account)
// → the plan's live rooms full (blocked, with the reason) → needs recharge with the shortfall
// → the shortfall topped up by Alipay QR and a signed notification, shown without a reload
// → paid from the balance.

let browser: Browser
let relay: E2eRelay
useBrowserAndRelay((b, r) => {
  browser = b
  relay = r
})

describe.each<Locale>(['zh-CN', 'en'])('gate dialog (%s)', (locale) => {
  let app: E2eApp
  const { t, cny } = texts(locale)
  useApp(() => ({ browser, relay }), locale, (a) => void (app = a))

  it('first free use, quota exhausted, needs recharge, top-up by QR, then paid', async () => {
    const { page } = browser
    const { host } = app
    const footer = page.locator('footer.status-bar')
    browser.problems.length = 0
    await page.goto(host.url)
    const balance = page.getByTestId('balance')
    await seeText(balance, cny(0))
    await seeText(page.locator('main'), t('wallet.firstFreeAvailable'))
    const startLive = header(page).getByRole('button', { name: t('status.startLive') })
    const close = dialog(page).getByRole('button', { name: t('common.close') })

    // 1. Balance 0, first-free unused → free; the claim goes to the relay, which records it for the account.
    await startLive.click()
    await seeText(dialog(page), t('gate.firstFree', { price: cny(500) }))
    await shot(page, 'gate-first-free', locale)
    await close.click()
    expect(host.billing.wallet.firstFreeUsed()).toBe(true)
    expect(host.billing.quotas.usage().liveRoomsInUse).toBe(1)
    await seeText(page.locator('main'), t('wallet.firstFreeUsed'))
    await footer.getByRole('button', { name: t('status.syncNow') }).click()
    await seeText(footer, t('status.online'))
    await expect.poll(() => host.sync.state().pendingCount).toBe(0)
    const account = accountOf(host)
    expect(relay.outboxKinds(account)).toContain('first_free_claim')
    expect(relay.feedTypes(account)).toContain('first_free')
    expect(host.sync.firstFreeAvailable()).toBe(false)

    // 2. The FREE plan has one live room and it is taken → blocked with the reason, nothing charged.
    await startLive.click()
    await seeText(dialog(page).getByRole('alert'), t('gate.blocked', { message: t('gate.roomsFull', { limit: 1 }) }))
    await shot(page, 'gate-quota-exhausted', locale)
    await close.click()
    expect(host.billing.wallet.balance().amount).toBe(0)
    expect(host.billing.quotas.usage().liveRoomsInUse).toBe(1)

    // 3. The session ended (room released); no balance, first-free used → recharge, with the shortfall.
    const lease = host.billing.quotas.leases('live_room')[0]
    if (!lease) throw new Error('expected the first session’s live-room lease')
    host.billing.quotas.release(lease.id)
    await startLive.click()
    await seeText(dialog(page), t('gate.needsRecharge', { price: cny(500), balance: cny(0), shortfall: cny(500) }))
    await shot(page, 'gate-needs-recharge', locale)
    await dialog(page).getByRole('button', { name: t('gate.goRecharge', { shortfall: cny(500) }) }).click()
    // Sent to the wallet with the shortfall filled in.
    await page.getByLabel(t('recharge.custom')).and(page.locator('input[value="5.00"]')).waitFor()
    expect(await dialog(page).count()).toBe(0)
    await shot(page, 'wallet-recharge-prefilled', locale)

    // 4. The shortfall paid by Alipay QR; the relay's confirmation reaches the screen by events.
    await page.getByRole('button', { name: t('recharge.submit', { amount: cny(500) }) }).click()
    const qr = page.getByRole('img', { name: t('checkout.qrAlt', { method: t('method.alipay') }) })
    await qr.waitFor()
    const orderNo = orderNoOfQr(host, (await qr.getAttribute('data-qr-content')) ?? '')
    expect(await relay.alipayPaid(orderNo, 500)).toEqual({ status: 200, text: 'success' })
    await seeText(page.locator('.checkout .success'), t('checkout.paid', { amount: cny(500) }))
    await seeText(balance, cny(500))

    // 5. Paid from the balance.
    await startLive.click()
    await seeText(dialog(page), t('gate.paid', { price: cny(500), balance: cny(0) }))
    await shot(page, 'gate-paid', locale)
    await close.click()
    await seeText(balance, cny(0))
    expect(host.billing.wallet.balance().amount).toBe(0)
    expect(host.billing.verify().ok).toBe(true)
    // The debit reaches the relay, whose wallet agrees.
    await host.sync.syncNow()
    expect(relay.outboxKinds(account)).toContain('wallet_debit')
    expect(browser.problems).toEqual([])
  })
})
