// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { renderApp } from './support/render'

afterEach(cleanup)

const startLive = async () => {
  fireEvent.click(await screen.findByRole('button', { name: '开始直播' }))
  return screen.findByRole('dialog', { name: '开始直播' })
}

describe('gate dialog (the wallet rule when a live session starts)', () => {
  it('balance covers the price → paid from balance, new balance shown', async () => {
    const { core } = renderApp({ balance: 1200, livePrice: 500 })
    const dialog = await startLive()
    expect(await screen.findByText('已从余额扣除 ¥5.00，剩余 ¥7.00。')).toBeTruthy()
    expect(core.state.balance).toBe(700)
    expect(document.activeElement).toBe(dialog)
    expect(await screen.findByTestId('balance')).toHaveProperty('textContent', '¥7.00')
    fireEvent.keyDown(dialog, { key: 'Escape' })
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('balance short, first-free unused → first free use, nothing charged', async () => {
    const { core } = renderApp({ balance: 100, firstFreeUsed: false })
    await startLive()
    expect(await screen.findByText('本次为首次免费使用（原价 ¥5.00），无需付费。')).toBeTruthy()
    expect(core.state.balance).toBe(100)
    expect(core.state.firstFreeUsed).toBe(true)
    await waitFor(() => expect(screen.getByText('首次免费已使用')).toBeTruthy())
  })

  it('balance short, first-free used → recharge with the shortfall, prefilled on the wallet screen', async () => {
    const { core } = renderApp({ balance: 100, firstFreeUsed: true, livePrice: 2500 })
    await startLive()
    expect(await screen.findByText('余额不足：本次需要 ¥25.00，当前余额 ¥1.00，还差 ¥24.00。')).toBeTruthy()
    expect(core.state.balance).toBe(100)
    fireEvent.click(screen.getByRole('button', { name: '去充值 ¥24.00' }))
    expect(screen.queryByRole('dialog')).toBeNull()
    const input = (await screen.findByLabelText('自定义金额')) as HTMLInputElement
    await waitFor(() => expect(input.value).toBe('24.00'))
    expect(screen.getByRole('button', { name: '支付 ¥24.00' })).toBeTruthy()
  })

  it('a shortfall below the relay minimum is raised to the minimum', async () => {
    renderApp({ balance: 300, firstFreeUsed: true, livePrice: 500 })
    await startLive()
    fireEvent.click(await screen.findByRole('button', { name: '去充值 ¥2.00' }))
    const input = (await screen.findByLabelText('自定义金额')) as HTMLInputElement
    await waitFor(() => expect(input.value).toBe('10.00'))
  })

  it('quota exhausted → blocked with a clear message', async () => {
    const { core } = renderApp({ balance: 5000, quotaFull: true })
    await startLive()
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toBe('无法开始：套餐允许的 1 个直播间都在使用中。请先结束正在进行的直播，或升级套餐。')
    expect(core.state.balance).toBe(5000)
  })

  it('a decision pushed by main (the host app started the session) opens the dialog', async () => {
    const { core } = renderApp()
    await screen.findByTestId('balance')
    core.emit('gate.decided', {
      outcome: 'needs_recharge',
      feature: 'live_session',
      price: { amount: 500, currency: 'CNY' },
      balance: { amount: 0, currency: 'CNY' },
      shortfall: { amount: 500, currency: 'CNY' }
    })
    expect(await screen.findByRole('dialog', { name: '开始直播' })).toBeTruthy()
    expect(screen.getByRole('button', { name: '去充值 ¥5.00' })).toBeTruthy()
  })
})
