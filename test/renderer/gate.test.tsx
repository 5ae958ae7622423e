import './support/dom'
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_PRICES, runGate } from '../../src/main/ipc'
import type { Billing } from '../../src/main/billing'
import { recharge } from '../ipc/core-fixture'
import { renderApp } from './support/render'

afterEach(cleanup)

const startLive = async () => {
  fireEvent.click(await screen.findByRole('button', { name: '开始直播' }))
  return screen.findByRole('dialog', { name: '开始直播' })
}

/** The first free use goes to something else (an export the wallet could not pay). */
const useFirstFree = (billing: Billing) =>
  billing.wallet.chargeOrFree({ key: 'seed-first-free', price: 100_000, feature: 'export', reason: 'gate:export' })

describe('gate dialog: 开始直播 asks first, spends only on confirm', () => {
  it('balance covers the price → the quote says what it takes; confirm takes it; the header says 直播中', async () => {
    const app = await renderApp({ seed: (a) => recharge(a.billing, 1200) })
    const dialog = await startLive()
    expect(await screen.findByText('将从余额扣除 ¥5.00，扣除后余额 ¥7.00。确认后才扣费。')).toBeTruthy()
    expect(document.activeElement).toBe(dialog)
    expect(app.billing.wallet.held().amount).toBe(500) // reserved only
    fireEvent.click(screen.getByRole('button', { name: '确认开始直播' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(app.balance()).toBe(700)
    expect(app.billing.wallet.held().amount).toBe(0)
    expect(await screen.findByText('直播中')).toBeTruthy()
    expect(await screen.findByTestId('balance')).toHaveProperty('textContent', '¥7.00')

    // 结束直播 frees the room at once; 开始直播 is back.
    fireEvent.click(screen.getByRole('button', { name: '结束直播' }))
    expect(await screen.findByRole('button', { name: '开始直播' })).toBeTruthy()
    expect(app.billing.quotas.check('live_room').allowed).toBe(true)
    expect(app.balance()).toBe(700)
  })

  it('cancel, or Escape, spends nothing and frees the room', async () => {
    const app = await renderApp({ seed: (a) => recharge(a.billing, 1200) })
    await startLive()
    await screen.findByText('将从余额扣除 ¥5.00，扣除后余额 ¥7.00。确认后才扣费。')
    fireEvent.click(screen.getByRole('button', { name: '取消' }))
    await waitFor(() => expect(app.billing.wallet.held().amount).toBe(0))
    expect(screen.queryByRole('dialog')).toBeNull()
    const dialog = await startLive()
    await screen.findByRole('button', { name: '确认开始直播' })
    fireEvent.keyDown(dialog, { key: 'Escape' })
    await waitFor(() => expect(app.billing.wallet.held().amount).toBe(0))
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(app.balance()).toBe(1200)
    expect(app.billing.wallet.firstFreeUsed()).toBe(false)
    expect(app.billing.quotas.check('live_room').allowed).toBe(true)
    expect(screen.queryByText('直播中')).toBeNull()
  })

  it('balance short, first-free unused → the free use is offered and taken only on confirm', async () => {
    const app = await renderApp({ seed: (a) => recharge(a.billing, 100) })
    await startLive()
    expect(await screen.findByText('本次将使用首次免费机会（原价 ¥5.00），不扣余额。')).toBeTruthy()
    expect(app.billing.wallet.firstFreeUsed()).toBe(false)
    fireEvent.click(screen.getByRole('button', { name: '确认开始直播' }))
    await waitFor(() => expect(app.billing.wallet.firstFreeUsed()).toBe(true))
    expect(app.balance()).toBe(100)
    await waitFor(() => expect(screen.getByText('首次免费已使用')).toBeTruthy())
  })

  it('included in the plan (price 0) → said so; confirm charges nothing', async () => {
    const app = await renderApp({ prices: { live_session: 0 }, seed: (a) => recharge(a.billing, 100) })
    await startLive()
    expect(await screen.findByText('本次已包含在您的套餐中，无需付费。')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: '确认开始直播' }))
    expect(await screen.findByText('直播中')).toBeTruthy()
    expect(app.balance()).toBe(100)
    expect(app.billing.wallet.firstFreeUsed()).toBe(false)
  })

  it('balance short, first-free used → recharge with the shortfall, prefilled on the wallet screen; no confirm offered', async () => {
    const app = await renderApp({
      prices: { live_session: 2500 },
      seed: (a) => {
        useFirstFree(a.billing)
        recharge(a.billing, 100)
      }
    })
    await startLive()
    expect(await screen.findByText('余额不足：本次需要 ¥25.00，当前余额 ¥1.00，还差 ¥24.00。')).toBeTruthy()
    expect(screen.queryByRole('button', { name: '确认开始直播' })).toBeNull()
    expect(app.balance()).toBe(100)
    fireEvent.click(screen.getByRole('button', { name: '去充值 ¥24.00' }))
    expect(screen.queryByRole('dialog')).toBeNull()
    const input = (await screen.findByLabelText('自定义金额')) as HTMLInputElement
    await waitFor(() => expect(input.value).toBe('24.00'))
    expect(screen.getByRole('button', { name: '支付 ¥24.00' })).toBeTruthy()
  })

  it('a shortfall below the relay minimum is raised to the minimum', async () => {
    await renderApp({
      seed: (a) => {
        useFirstFree(a.billing)
        recharge(a.billing, 450)
      }
    })
    await startLive()
    fireEvent.click(await screen.findByRole('button', { name: '去充值 ¥0.50' }))
    const input = (await screen.findByLabelText('自定义金额')) as HTMLInputElement
    await waitFor(() => expect(input.value).toBe('1.00'))
  })

  it('every room in use → not possible, and why; nothing reserved', async () => {
    const app = await renderApp({
      seed: (a) => {
        recharge(a.billing, 5000)
        // FREE allows one live room; another session holds it.
        a.billing.quotas.acquire({ key: 'other-session', feature: 'live_room', holder: 'live:other' })
      }
    })
    await startLive()
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toBe('无法开始：套餐允许的 1 个直播间都在使用中。请先结束正在进行的直播，或升级套餐。')
    expect(screen.queryByRole('button', { name: '确认开始直播' })).toBeNull()
    expect(app.balance()).toBe(5000)
    expect(app.billing.wallet.held().amount).toBe(0)
  })

  it('a quote that timed out: confirm says nothing was charged and offers to start again', async () => {
    const app = await renderApp({ seed: (a) => recharge(a.billing, 1200) })
    await startLive()
    await screen.findByRole('button', { name: '确认开始直播' })
    app.clock.advance(61_000)
    fireEvent.click(screen.getByRole('button', { name: '确认开始直播' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toBe('无法开始：确认已超时，预留的金额和直播间已释放，未扣费。请重新开始。')
    expect(app.balance()).toBe(1200)
    expect(app.billing.wallet.held().amount).toBe(0)
    fireEvent.click(screen.getByRole('button', { name: '重新开始' }))
    expect(await screen.findByRole('button', { name: '确认开始直播' })).toBeTruthy()
  })

  it('a decision pushed by main (the host app started the session) opens the dialog', async () => {
    const app = await renderApp({ seed: (a) => void useFirstFree(a.billing) })
    await screen.findByTestId('balance')
    // The host app runs the wallet rule itself (empty wallet, first free use gone); main pushes the decision.
    const outcome = runGate(app.billing, { key: 'host-session-1', feature: 'live_session' }, { prices: () => DEFAULT_PRICES })
    expect(outcome).toMatchObject({ outcome: 'needs_recharge', shortfall: { amount: 500 } })
    app.notify.gateDecided(outcome)
    expect(await screen.findByRole('dialog', { name: '开始直播' })).toBeTruthy()
    expect(screen.getByRole('button', { name: '去充值 ¥5.00' })).toBeTruthy()
  })
})
