import { describe, expect, it } from 'vitest'
import { liveRoomLeaseKey } from '../../src/main/ipc'
import { createGateStore } from '../../src/renderer/src/stores/gate'
import { recharge } from '../ipc/core-fixture'
import { openApp } from './support/real-core'

// The gate store charges: a second request while the first is still being decided (a double
// click, a key held down, a re-render calling it twice) must not run the wallet rule again
// under a fresh idempotency key, which would charge the streamer twice.

describe('gate store', () => {
  it('a request while one is in flight does not charge again', async () => {
    const app = await openApp()
    recharge(app.billing, 1200)
    const store = createGateStore(app.client)
    await Promise.all([store.getState().request('live_session'), store.getState().request('live_session')])
    expect(app.balance()).toBe(700)
    expect(app.calls.filter((c) => c.channel === 'wallet.chargeOrFree')).toHaveLength(1)
    expect(store.getState().outcome).toMatchObject({ outcome: 'paid' })
  })

  it('after a decision, a new request runs the rule again', async () => {
    const app = await openApp()
    recharge(app.billing, 1200)
    const store = createGateStore(app.client)
    await store.getState().request('live_session')
    // The session ends (the host app releases its live room: FREE has one), then a new one starts.
    const first = app.calls.find((c) => c.channel === 'wallet.chargeOrFree')!.input as { idempotencyKey: string }
    const room = app.billing.quotas.leases('live_room').find((l) => l.key === liveRoomLeaseKey(first.idempotencyKey))!
    app.billing.quotas.release(room.id)
    store.getState().close()
    await store.getState().request('live_session')
    expect(app.balance()).toBe(200)
  })
})
