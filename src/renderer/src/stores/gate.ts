import { createStore } from 'zustand/vanilla'
import type { ErrorInfo } from '../../../shared/errors'
import type { BillingClient } from '../../../shared/ipc/client'
import type { PAID_FEATURES } from '../../../shared/ipc/schemas/wallet'
import type { GateOutcome } from '../../../shared/ipc/types'
import { newKey } from './keys'

export type PaidFeature = (typeof PAID_FEATURES)[number]

// The dialog the wallet rule drives when a paid use starts: main decides (balance, first
// free use, or the shortfall to top up); the renderer only shows the answer.
export interface GateState {
  open: boolean
  checking: boolean
  feature: PaidFeature
  outcome: GateOutcome | null
  error: ErrorInfo | null
  request(feature: PaidFeature): Promise<void>
  close(): void
}

export const createGateStore = (client: BillingClient, onDecided?: (o: GateOutcome) => void) =>
  createStore<GateState>()((set, get) => {
    // The host app may start a session itself; main then pushes the decision here.
    client.on('gate.decided', (outcome) => {
      set({ open: true, checking: false, feature: outcome.feature, outcome, error: null })
      onDecided?.(outcome)
    })
    return {
      open: false,
      checking: false,
      feature: 'live_session',
      outcome: null,
      error: null,
      async request(feature) {
        // One decision at a time: a second call while one is in flight would run the wallet
        // rule again under a fresh key and charge twice.
        if (get().checking) return
        set({ open: true, checking: true, feature, outcome: null, error: null })
        const r = await client.invoke('wallet.chargeOrFree', { idempotencyKey: newKey('gate'), feature })
        if (r.ok) {
          set({ checking: false, outcome: r.value })
          onDecided?.(r.value)
        } else set({ checking: false, error: r.error })
      },
      close: () => set({ open: false, outcome: null, error: null, checking: false })
    }
  })
