import { describe, expect, it } from 'vitest'
import type { Locale } from '../../src/shared/ipc/types'
import { accountOf, orderNoOfQr, type E2eApp } from './support/app'
import { shot, type Browser } from './support/browser'
import type { E2eRelay } from './support/relay'
import { useApp, useBrowserAndRelay } from './support/suite'
import { dialog, header, seeText, texts } from './support/ui'

// The live-session flow, in a real Chromium against the host running the real core and sync
// service on the real relay. 开始直播 always quotes first and spends only on confirm:
// first free use confirmed (claimed at the relay for the account) → 直播中, 结束直播 frees the
// room → the plan's live room held elsewhere (not possible, with the reason) → needs recharge
// with the shortfall → topped up by Alipay QR and a signed notification, shown without a
// reload → paid quote cancelled (nothing spent) → confirmed, live, ended.

let browser: Browser
let relay: E2eRelay
useBrowserAndRelay((b, r) => {
  browser = b
  relay = r
})

describe.each<Locale>(['zh-CN', 'en'])('live session and gate dialog (%s)', (locale) => {
  let app: E2eApp
  const { t, cny } = texts(locale)
  useApp(() => ({ browser, relay }), locale, (a) => void (app = a))

  it('first free use confirmed, ended, rooms full, needs recharge, top-up by QR, paid quote cancelled, then confirmed', async () => {
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

    const confirmLive = dialog(page).getByRole('button', { name: t('gate.confirmLive') })
    const cancel = dialog(page).getByRole('button', { name: t('gate.cancel') })
    const endLive = header(page).getByRole('button', { name: t('live.end') })

    // 1. Balance 0, first-free unused → the quote offers the free use; nothing is taken before confirm.
    await startLive.click()
    await seeText(dialog(page), t('gate.quote.firstFree', { price: cny(500) }))
    await shot(page, 'gate-quote-first-free', locale)
    expect(host.billing.wallet.firstFreeUsed()).toBe(false)
    await confirmLive.click()
    // Live: the header says so and offers to end it; the claim goes to the relay, which records it for the account.
    await seeText(header(page), t('live.on'))
    expect(await dialog(page).count()).toBe(0)
    await shot(page, 'live-on', locale)
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

    // 2. 结束直播 frees the room at once (no lease TTL to wait for).
    await endLive.click()
    await startLive.waitFor()
    expect(host.billing.quotas.usage().liveRoomsInUse).toBe(0)

    // The FREE plan's one live room held by another session → not possible, with the reason; nothing reserved.
    const other = host.billing.quotas.acquire({ key: 'e2e-other-session', feature: 'live_room', holder: 'live:other' })
    await startLive.click()
    await seeText(dialog(page).getByRole('alert'), t('gate.blocked', { message: t('gate.roomsFull', { limit: 1 }) }))
    expect(await confirmLive.count()).toBe(0)
    await shot(page, 'gate-quota-exhausted', locale)
    await close.click()
    expect(host.billing.wallet.balance().amount).toBe(0)
    expect(host.billing.quotas.usage().liveRoomsInUse).toBe(1)

    // 3. The other session ended; no balance, first-free used → recharge, with the shortfall.
    host.billing.quotas.release(other.id)
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

    // 5. The balance covers it: the quote says what it takes; cancel takes nothing.
    await startLive.click()
    await seeText(dialog(page), t('gate.quote.paid', { price: cny(500), balance: cny(0) }))
    await shot(page, 'gate-quote-paid', locale)
    expect(host.billing.wallet.held().amount).toBe(500)
    await cancel.click()
    expect(await dialog(page).count()).toBe(0)
    await expect.poll(() => host.billing.wallet.held().amount).toBe(0)
    await seeText(balance, cny(500))
    expect(host.billing.quotas.usage().liveRoomsInUse).toBe(0)

    // 6. Again, confirmed: paid from the balance; live; ended.
    await startLive.click()
    await confirmLive.click()
    await seeText(header(page), t('live.on'))
    await seeText(balance, cny(0))
    expect(host.billing.wallet.balance().amount).toBe(0)
    await endLive.click()
    await startLive.waitFor()
    expect(host.billing.quotas.usage().liveRoomsInUse).toBe(0)
    expect(host.billing.verify().ok).toBe(true)
    // The debit reaches the relay, whose wallet agrees.
    await host.sync.syncNow()
    expect(relay.outboxKinds(account)).toContain('wallet_debit')
    expect(browser.problems).toEqual([])
  })
})
