// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { createClient } from '../../src/shared/ipc/client'
import { App } from '../../src/renderer/src/App'
import { BillingProvider } from '../../src/renderer/src/context'
import { createStores } from '../../src/renderer/src/stores'
import { renderApp } from './support/render'

afterEach(cleanup)

describe('status bar', () => {
  it('offline banner while the relay is unreachable, gone when sync reports online', async () => {
    const { core } = renderApp({
      sync: { online: false, syncing: false, lastSyncAt: null, pendingCount: 3, pendingCheckouts: 1, lastError: 'ECONNREFUSED', warnings: [], rejectedCount: 0, lastRejection: null, skippedCount: 0, lastSkipped: null }
    })
    expect(await screen.findByText('当前离线：计费按本地数据运行，联网后会自动同步，不会重复扣费。')).toBeTruthy()
    expect(screen.getByText('离线')).toBeTruthy()
    expect(screen.getByText('尚未同步')).toBeTruthy()
    expect(screen.getByText('待同步 3 项')).toBeTruthy()
    expect(screen.getByText('待支付订单 1 个')).toBeTruthy()
    // A sentence in the user's language; main's technical detail only on hover.
    expect(screen.getByText('上次同步失败，稍后自动重试').getAttribute('title')).toBe('ECONNREFUSED')
    expect(screen.queryByText(/ECONNREFUSED/)).toBeNull()

    core.setSync({ online: true, pendingCount: 0, pendingCheckouts: 0, lastError: null, lastSyncAt: Date.parse('2025-03-10T12:30:00+08:00') })
    await waitFor(() => expect(screen.queryByText(/当前离线/)).toBeNull())
    expect(screen.getByText('在线')).toBeTruthy()
    expect(screen.getByText('上次同步：2025/03/10 12:30')).toBeTruthy()
    expect(screen.queryByText(/待同步/)).toBeNull()
  })

  it('"sync now" asks main and shows the new state', async () => {
    const { core } = renderApp({
      sync: { online: true, syncing: false, lastSyncAt: null, pendingCount: 2, pendingCheckouts: 0, lastError: null, warnings: [], rejectedCount: 0, lastRejection: null, skippedCount: 0, lastSkipped: null }
    })
    fireEvent.click(await screen.findByRole('button', { name: '立即同步' }))
    await waitFor(() => expect(screen.queryByText('待同步 2 项')).toBeNull())
    expect(core.calls.some((c) => c.channel === 'sync.now')).toBe(true)
    expect(screen.getByText(/^上次同步：/)).toBeTruthy()
  })

  it('tells the user when local data is not trusted until the next sync', async () => {
    renderApp({
      sync: { online: true, syncing: false, lastSyncAt: 1, pendingCount: 0, pendingCheckouts: 0, lastError: null, warnings: ['ledger_tampered', 'lease_expired'], rejectedCount: 0, lastRejection: null, skippedCount: 0, lastSkipped: null }
    })
    expect(await screen.findByText('本地账本校验未通过，下次同步完成前付费功能暂停。')).toBeTruthy()
    expect(screen.getByText('离线时间过长，套餐授权已过期，暂按免费版计算；联网后自动恢复。')).toBeTruthy()
  })

  it('shows outbox records the relay refused and feed records that were skipped, with the reason on hover', async () => {
    const { core } = renderApp({
      sync: {
        online: true,
        syncing: false,
        lastSyncAt: 1,
        pendingCount: 0,
        pendingCheckouts: 0,
        lastError: null,
        warnings: [],
        rejectedCount: 2,
        lastRejection: { recordId: 'dbt-1', kind: 'wallet_debit', code: 'INVALID_AMOUNT', reason: 'INVALID_AMOUNT: amount must be above zero', at: 5 },
        skippedCount: 1,
        lastSkipped: { recordId: 'rec_9', type: 'wallet_debit', reason: 'INVALID_AMOUNT: amount must be positive', at: 6 }
      }
    })
    expect((await screen.findByText('2 条记录被计费服务拒绝')).getAttribute('title')).toBe('INVALID_AMOUNT: amount must be above zero')
    expect(screen.getByText('1 条计费服务更新无法应用').getAttribute('title')).toBe('INVALID_AMOUNT: amount must be positive')
    core.setSync({ rejectedCount: 0, lastRejection: null, skippedCount: 0, lastSkipped: null })
    await waitFor(() => expect(screen.queryByText(/被计费服务拒绝/)).toBeNull())
    expect(screen.queryByText(/无法应用/)).toBeNull()
  })

  it('main unreachable (transport down) → a banner, not a crash', async () => {
    const client = createClient({
      invoke: () => Promise.reject(new Error('socket closed')),
      on: () => () => {}
    })
    render(
      <BillingProvider value={{ client, stores: createStores(client) }}>
        <App />
      </BillingProvider>
    )
    expect(await screen.findByText('无法连接计费服务，正在重试…')).toBeTruthy()
  })
})
