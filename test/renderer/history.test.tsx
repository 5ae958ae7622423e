import './support/dom'
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { key, recharge } from '../ipc/core-fixture'
import { orderNoOf, providerPays, providerRefunds } from '../sync/support'
import { cny, NOW, type RealApp } from './support/real-core'
import { renderApp } from './support/render'

afterEach(cleanup)

const HOUR = 3_600_000

/**
 * 45 wallet entries an hour apart, the newest (i = 0) at NOW: 15 recharges of ¥100 (every
 * third hour, and the second hour), the others live sessions paid from the balance
 * (-(i + 1) fen). The oldest (i = 44) finds the wallet empty: the first free use.
 */
function fortyFiveEntries({ billing, clock }: RealApp): void {
  for (let i = 44; i >= 0; i--) {
    clock.set(NOW - i * HOUR)
    const session = { price: i + 1, feature: 'live_session', reason: 'gate:live_session' }
    if (i === 44) billing.wallet.chargeOrFree({ key: key('first'), ...session })
    else if (i === 43 || (i % 3 === 0 && i !== 42)) recharge(billing, 10000)
    else billing.wallet.consume({ key: key('use'), amount: session.price, feature: session.feature, reason: session.reason })
  }
}

const bodyRows = () => within(screen.getByRole('table')).getAllByRole('row').slice(1)

describe('history', () => {
  it('pages through wallet entries with next/previous', async () => {
    await renderApp({ start: NOW - 44 * HOUR, seed: fortyFiveEntries })
    fireEvent.click(await screen.findByRole('button', { name: '记录' }))
    await waitFor(() => expect(bodyRows()).toHaveLength(20))
    expect(screen.getByText('第 1 页')).toBeTruthy()
    const prev = screen.getByRole('button', { name: '上一页' }) as HTMLButtonElement
    const next = screen.getByRole('button', { name: '下一页' }) as HTMLButtonElement
    expect(prev.disabled).toBe(true)
    fireEvent.click(next)
    await screen.findByText('第 2 页')
    expect(within(bodyRows()[0]!).getByText('-¥0.21')).toBeTruthy()
    fireEvent.click(next)
    await screen.findByText('第 3 页')
    expect(bodyRows()).toHaveLength(5)
    expect(next.disabled).toBe(true)
    fireEvent.click(prev)
    await screen.findByText('第 2 页')
    expect(bodyRows()).toHaveLength(20)
  })

  it('a type filter goes back to page 1 and asks main for that type only', async () => {
    const app = await renderApp({ start: NOW - 44 * HOUR, seed: fortyFiveEntries })
    fireEvent.click(await screen.findByRole('button', { name: '记录' }))
    await waitFor(() => expect(bodyRows()).toHaveLength(20))
    fireEvent.click(screen.getByRole('button', { name: '下一页' }))
    await screen.findByText('第 2 页')
    fireEvent.change(screen.getByLabelText('类型'), { target: { value: 'recharge' } })
    await screen.findByText('第 1 页')
    await waitFor(() => expect(bodyRows()).toHaveLength(15))
    expect(bodyRows().every((r) => within(r).queryByText('充值'))).toBe(true)
    expect(app.calls.at(-1)?.input).toMatchObject({ types: ['recharge'], cursor: null, limit: 20 })
  })

  it('a date range is sent as billing-time-zone day bounds', async () => {
    const app = await renderApp({ start: NOW - 44 * HOUR, seed: fortyFiveEntries })
    fireEvent.click(await screen.findByRole('button', { name: '记录' }))
    // The app's own day picker (in its language, not the browser's): year, month, day.
    const pick = (label: string, y: string, m: string, d: string) => {
      fireEvent.change(screen.getByRole('combobox', { name: `${label} 年` }), { target: { value: y } })
      fireEvent.change(screen.getByRole('combobox', { name: `${label} 月` }), { target: { value: m } })
      fireEvent.change(screen.getByRole('combobox', { name: `${label} 日` }), { target: { value: d } })
    }
    await screen.findByRole('group', { name: '开始日期' })
    expect(screen.getAllByRole('option', { name: '2025 年' }).length).toBe(2)
    expect(screen.getAllByRole('option', { name: '3月' }).length).toBe(2)
    pick('开始日期', '2025', '3', '10')
    pick('结束日期', '2025', '3', '10')
    await waitFor(() =>
      expect(app.calls.at(-1)?.input).toMatchObject({
        from: Date.parse('2025-03-10T00:00:00+08:00'),
        to: Date.parse('2025-03-11T00:00:00+08:00')
      })
    )
    await waitFor(() => expect(bodyRows()).toHaveLength(13))
  })

  it('payments and refunds, with a kind filter', async () => {
    // Through the relay: a WeChat Pay plan checkout left unpaid until it ran out, then a ¥100
    // Alipay recharge paid and ¥30 of it refunded.
    await renderApp({
      relay: true,
      seed: async ({ sync, clock, world, device }) => {
        const plan = await sync.createCheckout({ idempotencyKey: 'seed-plan-checkout-1', method: 'wechat', purpose: { kind: 'plan', planId: 'PREMIUM:monthly' } })
        // Past its 30 minutes and the app's 5 minutes of slack.
        clock.advance(40 * 60_000)
        world!.t.clock.set(clock.now())
        await sync.syncNow()
        expect(sync.checkoutStatus({ orderId: plan.orderId }).status).toBe('expired')
        const paid = await sync.createCheckout({ idempotencyKey: 'seed-recharge-checkout-1', method: 'alipay', purpose: { kind: 'recharge', amount: cny(10000) } })
        const orderNo = orderNoOf(device!, paid.orderId)
        await providerPays(world!, 'alipay', orderNo, 10000)
        await providerRefunds(world!, 'alipay', orderNo, 3000, `RF-${orderNo}`)
        await sync.syncNow()
      }
    })
    fireEvent.click(await screen.findByRole('button', { name: '记录' }))
    fireEvent.click(await screen.findByRole('tab', { name: '支付与退款' }))
    await waitFor(() => expect(bodyRows()).toHaveLength(3))
    expect(within(bodyRows()[2]!).getByText('已过期')).toBeTruthy()
    // The ¥100 payment says that part of it came back.
    expect(within(bodyRows()[1]!).getByText('¥100.00')).toBeTruthy()
    expect(within(bodyRows()[1]!).getByText('部分退款')).toBeTruthy()
    fireEvent.change(screen.getByLabelText('类型'), { target: { value: 'refund' } })
    await waitFor(() => expect(bodyRows()).toHaveLength(1))
    expect(within(bodyRows()[0]!).getByText('¥30.00')).toBeTruthy()
    expect(within(bodyRows()[0]!).getByText('退款')).toBeTruthy()
  })

  it('says so when there is nothing', async () => {
    await renderApp()
    fireEvent.click(await screen.findByRole('button', { name: '记录' }))
    expect(await screen.findByText('暂无记录')).toBeTruthy()
  })
})
