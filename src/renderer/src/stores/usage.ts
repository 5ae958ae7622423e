import { createStore } from 'zustand/vanilla'
import type { ErrorInfo } from '../../../shared/errors'
import type { BillingClient } from '../../../shared/ipc/client'
import type { UsageItem } from '../../../shared/ipc/types'

export interface UsageState {
  items: UsageItem[]
  effectiveTier: 'FREE' | 'BASIC' | 'PREMIUM' | 'ENTERPRISE' | null
  error: ErrorInfo | null
  load(): Promise<void>
}

export const createUsageStore = (client: BillingClient) =>
  createStore<UsageState>()((set, get) => {
    // Usage moves with sync (a lease applied, a period reset) and with the subscription.
    client.on('subscription.changed', () => void get().load())
    return {
      items: [],
      effectiveTier: null,
      error: null,
      async load() {
        const r = await client.invoke('usage.summary', {})
        set(r.ok ? { items: r.value.items, effectiveTier: r.value.effectiveTier, error: null } : { error: r.error })
      }
    }
  })
