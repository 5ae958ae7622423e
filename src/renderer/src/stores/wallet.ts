import { createStore } from 'zustand/vanilla'
import type { ErrorInfo } from '../../../shared/errors'
import type { BillingClient } from '../../../shared/ipc/client'
import type { RechargeOptions, WalletBalance } from '../../../shared/ipc/types'
import { onCatalogChange } from './catalog'

export interface WalletState {
  balance: WalletBalance | null
  options: RechargeOptions | null
  error: ErrorInfo | null
  optionsError: ErrorInfo | null
  load(): Promise<void>
}

export const createWalletStore = (client: BillingClient) =>
  createStore<WalletState>()((set, get) => {
    client.on('balance.changed', (balance) => set({ balance }))
    onCatalogChange(client, () => {
      if (get().options !== null) void get().load()
    })
    return {
      balance: null,
      options: null,
      error: null,
      optionsError: null,
      async load() {
        const [b, o] = await Promise.all([
          client.invoke('wallet.balance', {}),
          client.invoke('recharge.options', {})
        ])
        set(b.ok ? { balance: b.value, error: null } : { error: b.error })
        set(o.ok ? { options: o.value, optionsError: null } : { optionsError: o.error })
      }
    }
  })
