import { createStore } from 'zustand/vanilla'
import type { ErrorInfo } from '../../../shared/errors'
import type { BillingClient } from '../../../shared/ipc/client'
import type { SyncState } from '../../../shared/ipc/types'

export interface SyncStoreState {
  state: SyncState | null
  /** Set when main itself cannot be reached (not the relay: that is state.online). */
  unreachable: ErrorInfo | null
  load(): Promise<void>
  syncNow(): Promise<void>
}

export const createSyncStore = (client: BillingClient) =>
  createStore<SyncStoreState>()((set) => {
    client.on('sync.state', (state) => set({ state, unreachable: null }))
    const apply = (r: Awaited<ReturnType<BillingClient['invoke']>>): void => {
      if (r.ok) set({ state: r.value as SyncState, unreachable: null })
      else if (r.error.code === 'UNAVAILABLE') set({ unreachable: r.error })
    }
    return {
      state: null,
      unreachable: null,
      async load() {
        apply(await client.invoke('sync.state', {}))
      },
      async syncNow() {
        apply(await client.invoke('sync.now', {}))
      }
    }
  })
