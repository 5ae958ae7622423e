import { describe, expect, it } from 'vitest'
import { createGateStore } from '../../src/renderer/src/stores/gate'
import { createLiveStore } from '../../src/renderer/src/stores/live'
import { recharge } from '../ipc/core-fixture'
import { openApp } from './support/real-core'

// The gate store quotes, then spends only on confirm: a double click must not reserve twice
// under two keys, a cancel gives the reservation back, and confirming twice spends once.

describe('gate store', () => {
  it('a request while one is in flight does not quote again', async () => {
    const app = await openApp()
    recharge(app.billing, 1200)
    const store = createGateStore(app.client)
    await Promise.all([store.getState().request('live_session'), store.getState().request('live_session')])
    expect(app.calls.filter((c) => c.channel === 'live.start')).toHaveLength(1)
    expect(store.getState().quote?.decision).toMatchObject({ outcome: 'paid' })
    expect(app.balance()).toBe(700) // held, not spent
    expect(app.billing.wallet.held().amount).toBe(500)
  })

  it('cancel spends nothing and frees the room; confirm spends the quoted price once', async () => {
    const app = await openApp()
    recharge(app.billing, 1200)
    const store = createGateStore(app.client)
    await store.getState().request('live_session')
    await store.getState().cancel()
    expect(store.getState().phase).toBe('closed')
    expect(app.balance()).toBe(1200)
    expect(app.billing.wallet.held().amount).toBe(0)
    expect(app.billing.quotas.check('live_room').allowed).toBe(true)

    await store.getState().request('live_session')
    await Promise.all([store.getState().confirm(), store.getState().confirm()])
    expect(app.calls.filter((c) => c.channel === 'gate.confirm')).toHaveLength(1)
    expect(store.getState().confirmed).toMatchObject({ outcome: 'paid', balance: { amount: 700 } })
    expect(app.balance()).toBe(700)
    expect(app.billing.wallet.held().amount).toBe(0)
  })

  it('live store: the session main runs, then ended, frees the room at once', async () => {
    const app = await openApp()
    recharge(app.billing, 1200)
    const gate = createGateStore(app.client)
    const live = createLiveStore(app.client)
    await gate.getState().request('live_session')
    await gate.getState().confirm()
    await expect.poll(() => live.getState().sessions.length).toBe(1) // by the live.changed event
    const key = live.getState().sessions[0]!.key
    await live.getState().end(key)
    expect(live.getState().sessions).toEqual([])
    expect(app.billing.quotas.check('live_room').allowed).toBe(true)
    await live.getState().end(key)
    expect(live.getState().error?.code).toBe('NOT_FOUND')
  })
})
