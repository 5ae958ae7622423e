import type { BillingClient } from '../../../shared/ipc/client'
import { createAccountStore } from './account'
import { createCheckoutStore } from './checkout'
import { createGateStore } from './gate'
import { createHistoryStore } from './history'
import { createLiveStore } from './live'
import { createNoticesStore } from './notices'
import { createPlansStore } from './plans'
import { createSettingsStore } from './settings'
import { createSyncStore } from './sync'
import { createUsageStore } from './usage'
import { createWalletStore } from './wallet'
import { createCouponsStore } from './coupons'
import { createInvoicesStore } from './invoices'

// All stores of one window, built over one client: tests make a fresh set per test.
export function createStores(client: BillingClient) {
  const usage = createUsageStore(client)
  const wallet = createWalletStore(client)
  const sync = createSyncStore(client)
  const live = createLiveStore(client, () => void usage.getState().load())
  return {
    settings: createSettingsStore(client),
    sync,
    // Signing in or out changes what the wallet and the status bar show.
    account: createAccountStore(client, () => {
      void sync.getState().load()
      void wallet.getState().load()
    }),
    wallet,
    checkout: createCheckoutStore(client),
    plans: createPlansStore(client),
    usage,
    history: createHistoryStore(client),
    // A confirmed paid use changes usage (a live room taken); the balance arrives by event.
    gate: createGateStore(client, () => {
      void usage.getState().load()
      void live.getState().load()
    }),
    live,
    notices: createNoticesStore(client),
    coupons: createCouponsStore(client),
    invoices: createInvoicesStore(client)
  }
}

export type Stores = ReturnType<typeof createStores>
