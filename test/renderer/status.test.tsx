import './support/dom'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { createClient } from '../../src/shared/ipc/client'
import { App } from '../../src/renderer/src/App'
import { BillingProvider } from '../../src/renderer/src/context'
import { createStores } from '../../src/renderer/src/stores'
import { newDevice, topUp } from '../sync/support'
import { cny, NOW } from './support/real-core'
import { renderApp } from './support/render'

afterEach(cleanup)

const MINUTE = 60_000
const DAY = 86_400_000

describe('status bar', () => {
  it('offline banner while the relay is unreachable, gone when sync reports online', async () => {
    // Enrolled, never synced; a checkout waits for payment; the relay goes down and three
    // usage records are made meanwhile; the device tries to sync.
    const app = await renderApp({
      relay: { neverSynced: true },
      seed: async ({ sync, billing, world, signals }) => {
        await sync.createCheckout({ idempotencyKey: 'seed-checkout-0001', method: 'alipay', purpose: { kind: 'recharge', amount: cny(5000) } })
        await world!.t.relay.stop()
        for (const n of [1, 2, 3]) billing.quotas.consume('ai_request', 1, `offline-usage-${n}`)
        signals!.setOnline(true)
        await sync.syncNow()
      }
    })
    const lastError = app.sync.state().lastError
    expect(lastError).toMatch(/relay unreachable/)
    expect(await screen.findByText('当前离线：计费按本地数据运行，联网后会自动同步，不会重复扣费。')).toBeTruthy()
    expect(screen.getByText('离线')).toBeTruthy()
    expect(screen.getByText('尚未同步')).toBeTruthy()
    expect(screen.getByText('待同步 3 项')).toBeTruthy()
    expect(screen.getByText('待支付订单 1 个')).toBeTruthy()
    // A sentence in the user's language; main's technical detail only on hover.
    expect(screen.getByText('上次同步失败，稍后自动重试').getAttribute('title')).toBe(lastError)
    expect(screen.queryByText(/relay unreachable/)).toBeNull()

    // The relay is back; the order was paid meanwhile; the device syncs at 12:30.
    await app.world!.restartRelay('relay-back', true)
    app.clock.set(NOW + 30 * MINUTE)
    await app.pay(app.checkouts()[0]!.orderId)
    await waitFor(() => expect(screen.queryByText(/当前离线/)).toBeNull())
    expect(screen.getByText('在线')).toBeTruthy()
    expect(screen.getByText('上次同步：2025/03/10 12:30')).toBeTruthy()
    expect(screen.queryByText(/待同步/)).toBeNull()
    expect(screen.queryByText(/待支付订单/)).toBeNull()
  })

  it('"sync now" asks main and shows the new state', async () => {
    // Synced at 12:00; two usage records since; an hour later the user asks for a sync.
    const app = await renderApp({
      relay: true,
      seed: ({ billing, clock }) => {
        for (const n of [1, 2]) billing.quotas.consume('ai_request', 1, `usage-${n}`)
        clock.advance(60 * MINUTE)
      }
    })
    expect(await screen.findByText('待同步 2 项')).toBeTruthy()
    expect(screen.getByText('上次同步：2025/03/10 12:00')).toBeTruthy()
    fireEvent.click(await screen.findByRole('button', { name: '立即同步' }))
    await waitFor(() => expect(screen.queryByText('待同步 2 项')).toBeNull())
    expect(app.calls.some((c) => c.channel === 'sync.now')).toBe(true)
    expect(screen.getByText(/^上次同步：/)).toBeTruthy()
    expect(screen.getByText('上次同步：2025/03/10 13:00')).toBeTruthy()
    expect(app.sync.state().pendingCount).toBe(0)
  })

  it('tells the user when local data is not trusted until the next sync', async () => {
    await renderApp({
      relay: true,
      seed: async ({ world, device, sync, clock }) => {
        await topUp(world!, device!, 1000)
        // Someone edits the ledger file; the integrity check (what start-up runs) finds it.
        const file = device!.billing.db.sqlite
        file.prepare("UPDATE wallet_entries SET amount = amount * 10 WHERE type = 'recharge'").run()
        file.prepare("UPDATE wallet_accounts SET balance = balance * 10 WHERE kind = 'wallet'").run()
        expect(sync.checkIntegrity().ok).toBe(false)
        // And no sync for eleven days: the lease (7 days) and its grace (3 days) are over.
        clock.advance(11 * DAY)
      }
    })
    expect(await screen.findByText('本地账本校验未通过（账本自身或与服务器记录不一致），付费功能已暂停，同步确认一致后恢复；如持续出现，请联系客服。')).toBeTruthy()
    expect(screen.getByText('离线时间过长，套餐授权已过期，暂按免费版计算；联网后自动恢复。')).toBeTruthy()
  })

  it('tells the user why a trial ended: the account had used it on another device', async () => {
    const app = await renderApp({
      relay: true,
      seed: async ({ world, device, billing, sync }) => {
        // Another device of the account took the BASIC trial and synced; this one, not synced
        // since, starts the same trial, and the relay refuses it.
        const other = await newDevice(world!, 'other', device!.accountId)
        other.billing.subscriptions.subscribe({ key: 'trial-other', planCode: 'BASIC', period: 'monthly', trial: true })
        await other.sync.syncNow()
        billing.subscriptions.subscribe({ key: 'trial-here', planCode: 'BASIC', period: 'monthly', trial: true })
        await sync.syncNow()
      }
    })
    expect(app.sync.state().warnings).toContain('trial_refused')
    expect(app.billing.subscriptions.current()).toMatchObject({ planCode: 'BASIC', status: 'cancelled' })
    expect((await screen.findByText('这个账号已经用过基础版的免费试用，本次试用已结束。订阅后即可继续使用基础版。')).getAttribute('role')).toBe('alert')
  })

  it('shows outbox records the relay refused and feed records that were skipped, with the reason on hover', async () => {
    const app = await renderApp({ relay: true, seed: async ({ world, device }) => void (await topUp(world!, device!, 1000)) })
    const { world, device, billing, sync } = app
    await screen.findByText(/^上次同步：/)
    expect(screen.queryByText(/被计费服务拒绝/)).toBeNull()
    expect(screen.queryByText(/无法应用/)).toBeNull()

    // Another device of the account already used the ids two debits will be sent under (two
    // installs with colliding ids): the relay refuses both as IDEMPOTENCY_CONFLICT.
    const other = await newDevice(world!, 'other', device!.accountId)
    for (const n of [1, 2]) {
      const spent = billing.wallet.consume({ key: `spend-${n}`, amount: 100, feature: 'ai_request', reason: 'x' })
      const taken = await world!.t.relay.core.outbox.accept({ accountId: device!.accountId, deviceId: other.deviceId } as never, [
        { id: `dbt-${spent.entryId}`, kind: 'usage', feature: 'export', quantity: 1, occurredAt: 1 }
      ])
      expect(taken.accepted).toHaveLength(1)
    }
    // And the relay's feed carries a debit this version cannot apply (zero amount).
    const { core, db } = world!.t.relay
    await db.unit((tx) =>
      core.feed.append(tx, device!.accountId, 'wallet_debit', {
        sourceId: 'dbt-other-0001',
        deviceId: other.deviceId,
        amount: cny(0),
        feature: 'ai_request',
        reason: 'debit',
        occurredAt: 1
      })
    )
    await sync.syncNow()
    const s = sync.state()
    expect(s).toMatchObject({ rejectedCount: 2, skippedCount: 1, lastError: null })
    expect(s.lastRejection?.reason).toMatch(/^IDEMPOTENCY_CONFLICT: /)
    expect(s.lastSkipped?.reason).toMatch(/^INVALID_AMOUNT/)
    expect((await screen.findByText('2 条记录被计费服务拒绝')).getAttribute('title')).toBe(s.lastRejection?.reason)
    expect(screen.getByText('1 条计费服务更新无法应用').getAttribute('title')).toBe(s.lastSkipped?.reason)

    // Kept for an operator, never retried: the next sync leaves them as they are.
    app.clock.advance(MINUTE)
    fireEvent.click(screen.getByRole('button', { name: '立即同步' }))
    await screen.findByText('上次同步：2025/03/10 12:01')
    expect(screen.getByText('2 条记录被计费服务拒绝').getAttribute('title')).toBe(s.lastRejection?.reason)
    expect(screen.getByText('1 条计费服务更新无法应用')).toBeTruthy()
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
