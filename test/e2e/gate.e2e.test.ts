import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Locale } from '../../src/shared/ipc/types'
import { startApp, type E2eApp } from './support/app'
import { launch, shot, type Browser } from './support/browser'
import { ensureRendererBuilt } from './support/build'
import { dialog, header, seeText, texts } from './support/ui'

// The gate a live session passes, in a real Chromium against the host running the real core:
// first free use → plan's live rooms full (blocked) → needs recharge with the shortfall →
// a recharge credited through the core shows up without a reload → paid from the balance.

let browser: Browser
beforeAll(async () => {
  ensureRendererBuilt()
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

describe.each<Locale>(['zh-CN', 'en'])('gate dialog (%s)', (locale) => {
  let app: E2eApp
  const { t, cny } = texts(locale)
  beforeAll(async () => {
    app = await startApp(locale)
  })
  afterAll(async () => {
    await app?.host.close()
  })

  it('first free use, quota exhausted, needs recharge, then paid after a recharge', async () => {
    const { page } = browser
    const { host } = app
    browser.problems.length = 0
    await page.goto(host.url)
    const balance = page.getByTestId('balance')
    await seeText(balance, cny(0))
    const startLive = header(page).getByRole('button', { name: t('status.startLive') })
    const close = dialog(page).getByRole('button', { name: t('common.close') })

    // 1. Balance 0, first-free unused → free.
    await startLive.click()
    await seeText(dialog(page), t('gate.firstFree', { price: cny(500) }))
    await shot(page, 'gate-first-free', locale)
    await close.click()
    expect(host.billing.wallet.firstFreeUsed()).toBe(true)
    expect(host.billing.quotas.usage().liveRoomsInUse).toBe(1)

    // 2. The FREE plan has one live room and it is taken → blocked, nothing charged.
    await startLive.click()
    await seeText(dialog(page).getByRole('alert'), t('gate.blocked', { message: t('gate.roomsFull', { limit: 1 }) }))
    await shot(page, 'gate-quota-exhausted', locale)
    await close.click()
    expect(host.billing.wallet.balance().amount).toBe(0)

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

    // 4. A payment confirmed elsewhere is credited through the core; the screen follows by event.
    host.billing.wallet.recharge({ key: 'e2e-pay-0001', paymentId: 'e2e-pay-0001', provider: 'alipay', amount: 10_000 })
    host.notify.balanceChanged()
    await seeText(balance, cny(10_000))

    // 5. Paid from the balance.
    await startLive.click()
    await seeText(dialog(page), t('gate.paid', { price: cny(500), balance: cny(9_500) }))
    await shot(page, 'gate-paid', locale)
    await close.click()
    await seeText(balance, cny(9_500))
    expect(host.billing.wallet.balance().amount).toBe(9_500)
    expect(host.billing.verify().ok).toBe(true)
    expect(browser.problems).toEqual([])
  })
})
