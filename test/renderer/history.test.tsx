// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { PaymentRecord, WalletEntry } from '../../src/shared/ipc/types'
import { NOW } from './support/fake-core'
import { renderApp } from './support/render'

afterEach(cleanup)

const cny = (amount: number) => ({ amount, currency: 'CNY' as const })
const entries: WalletEntry[] = Array.from({ length: 45 }, (_, i) => ({
  id: `e${i}`,
  type: i % 3 === 0 ? 'recharge' : 'consume',
  amount: cny(i % 3 === 0 ? 10000 : -(i + 1)),
  balanceAfter: cny(100000 - i),
  feature: i % 3 === 0 ? null : 'live_session',
  reason: null,
  createdAt: NOW - i * 3_600_000
}))
const payments: PaymentRecord[] = [
  { id: 'p1', orderId: 'o1', kind: 'payment', method: 'alipay', amount: cny(10000), purpose: 'recharge', status: 'succeeded', createdAt: NOW },
  { id: 'p2', orderId: 'o1', kind: 'refund', method: 'alipay', amount: cny(3000), purpose: 'recharge', status: 'succeeded', createdAt: NOW - 1 },
  { id: 'p3', orderId: 'o2', kind: 'payment', method: 'wechat', amount: cny(9900), purpose: 'plan', status: 'expired', createdAt: NOW - 2 }
]

const bodyRows = () => within(screen.getByRole('table')).getAllByRole('row').slice(1)

describe('history', () => {
  it('pages through wallet entries with next/previous', async () => {
    renderApp({ entries })
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
    const { core } = renderApp({ entries })
    fireEvent.click(await screen.findByRole('button', { name: '记录' }))
    await waitFor(() => expect(bodyRows()).toHaveLength(20))
    fireEvent.click(screen.getByRole('button', { name: '下一页' }))
    await screen.findByText('第 2 页')
    fireEvent.change(screen.getByLabelText('类型'), { target: { value: 'recharge' } })
    await screen.findByText('第 1 页')
    await waitFor(() => expect(bodyRows()).toHaveLength(15))
    expect(bodyRows().every((r) => within(r).queryByText('充值'))).toBe(true)
    expect(core.calls.at(-1)?.input).toMatchObject({ types: ['recharge'], cursor: null, limit: 20 })
  })

  it('a date range is sent as billing-time-zone day bounds', async () => {
    const { core } = renderApp({ entries })
    fireEvent.click(await screen.findByRole('button', { name: '记录' }))
    fireEvent.change(await screen.findByLabelText('开始日期'), { target: { value: '2025-03-10' } })
    fireEvent.change(screen.getByLabelText('结束日期'), { target: { value: '2025-03-10' } })
    await waitFor(() =>
      expect(core.calls.at(-1)?.input).toMatchObject({
        from: Date.parse('2025-03-10T00:00:00+08:00'),
        to: Date.parse('2025-03-11T00:00:00+08:00')
      })
    )
    await waitFor(() => expect(bodyRows()).toHaveLength(13))
  })

  it('payments and refunds, with a kind filter', async () => {
    renderApp({ payments })
    fireEvent.click(await screen.findByRole('button', { name: '记录' }))
    fireEvent.click(await screen.findByRole('tab', { name: '支付与退款' }))
    await waitFor(() => expect(bodyRows()).toHaveLength(3))
    expect(within(bodyRows()[2]!).getByText('已过期')).toBeTruthy()
    fireEvent.change(screen.getByLabelText('类型'), { target: { value: 'refund' } })
    await waitFor(() => expect(bodyRows()).toHaveLength(1))
    expect(within(bodyRows()[0]!).getByText('¥30.00')).toBeTruthy()
    expect(within(bodyRows()[0]!).getByText('退款')).toBeTruthy()
  })

  it('says so when there is nothing', async () => {
    renderApp()
    fireEvent.click(await screen.findByRole('button', { name: '记录' }))
    expect(await screen.findByText('暂无记录')).toBeTruthy()
  })
})
