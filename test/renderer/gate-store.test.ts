import { describe, expect, it } from 'vitest'
import { createClient } from '../../src/shared/ipc/client'
import { createGateStore } from '../../src/renderer/src/stores/gate'
import { createFakeCore } from './support/fake-core'

// The gate store charges: a second request while the first is still being decided (a double
// click, a key held down, a re-render calling it twice) must not run the wallet rule again
// under a fresh idempotency key, which would charge the streamer twice.

describe('gate store', () => {
  it('a request while one is in flight does not charge again', async () => {
    const core = createFakeCore({ balance: 1200, livePrice: 500 })
    const store = createGateStore(createClient(core.transport))
    await Promise.all([store.getState().request('live_session'), store.getState().request('live_session')])
    expect(core.state.balance).toBe(700)
    expect(store.getState().outcome).toMatchObject({ outcome: 'paid' })
  })

  it('after a decision, a new request runs the rule again', async () => {
    const core = createFakeCore({ balance: 1200, livePrice: 500 })
    const store = createGateStore(createClient(core.transport))
    await store.getState().request('live_session')
    store.getState().close()
    await store.getState().request('live_session')
    expect(core.state.balance).toBe(200)
  })
})
