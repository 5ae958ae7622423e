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

describe('gate dialog (the wallet rule when a live session starts)', () => {
  it('balance covers the price → paid from balance, new balance shown', async () => {
    const app = await renderApp({ seed: (a) => recharge(a.billing, 1200) })
    const dialog = await startLive()
    expect(await screen.findByText('已从余额扣除 ¥5.00，剩余 ¥7.00。')).toBeTruthy()
    expect(app.balance()).toBe(700)
    expect(document.activeElement).toBe(dialog)
    expect(await screen.findByTestId('balance')).toHaveProperty('textContent', '¥7.00')
    fireEvent.keyDown(dialog, { key: 'Escape' })
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('balance short, first-free unused → first free use, nothing charged', async () => {
    const app = await renderApp({ seed: (a) => recharge(a.billing, 100) })
    await startLive()
    expect(await screen.findByText('本次为首次免费使用（原价 ¥5.00），无需付费。')).toBeTruthy()
    expect(app.balance()).toBe(100)
    expect(app.billing.wallet.firstFreeUsed()).toBe(true)
    await waitFor(() => expect(screen.getByText('首次免费已使用')).toBeTruthy())
  })

  it('balance short, first-free used → recharge with the shortfall, prefilled on the wallet screen', async () => {
    const app = await renderApp({
      prices: { live_session: 2500 },
      seed: (a) => {
        useFirstFree(a.billing)
        recharge(a.billing, 100)
      }
    })
    await startLive()
    expect(await screen.findByText('余额不足：本次需要 ¥25.00，当前余额 ¥1.00，还差 ¥24.00。')).toBeTruthy()
    expect(app.balance()).toBe(100)
    fireEvent.click(screen.getByRole('button', { name: '去充值 ¥24.00' }))
    expect(screen.queryByRole('dialog')).toBeNull()
    const input = (await screen.findByLabelText('自定义金额')) as HTMLInputElement
    await waitFor(() => expect(input.value).toBe('24.00'))
    expect(screen.getByRole('button', { name: '支付 ¥24.00' })).toBeTruthy()
  })

  it('a shortfall below the relay minimum is raised to the minimum', async () => {
    // The real minimum is ¥1.00 (the relay's recharge rules, and main's own until it has them).
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

  it('quota exhausted → blocked with a clear message', async () => {
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
    expect(app.balance()).toBe(5000)
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
