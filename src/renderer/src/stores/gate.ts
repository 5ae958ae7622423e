import { createStore } from 'zustand/vanilla'
import type { ErrorInfo } from '../../../shared/errors'
import type { BillingClient } from '../../../shared/ipc/client'
import type { PAID_FEATURES } from '../../../shared/ipc/schemas/wallet'
import type { Confirmed, GateOutcome, Quote } from '../../../shared/ipc/types'
import { newKey } from './keys'

export type PaidFeature = (typeof PAID_FEATURES)[number]

// The dialog a paid use passes. Main quotes first (what would happen: the balance, the first
// free use, included in the plan, or why not) and reserves it; the renderer shows the quote
// and spends nothing until the user confirms; cancel (or Escape) gives the reservation back.
//   quoting → quoted → confirming → closed (success) | quoted with an error beside the button
// 'decided' shows a decision the host app made itself and pushed (gate.decided).
export type GatePhase = 'closed' | 'quoting' | 'quoted' | 'confirming' | 'decided'

export interface GateState {
  phase: GatePhase
  feature: PaidFeature
  quote: Quote | null
  /** The last use confirmed from this dialog. */
  confirmed: Confirmed | null
  /** A decision pushed by main (the host app ran the wallet rule itself). */
  outcome: GateOutcome | null
  error: ErrorInfo | null
  request(feature: PaidFeature): Promise<void>
  confirm(): Promise<void>
  /** Gives back what the quote reserved (if anything) and closes. */
  cancel(): Promise<void>
}

export const createGateStore = (client: BillingClient, onSpent?: () => void) =>
  createStore<GateState>()((set, get) => {
    client.on('gate.decided', (outcome) => {
      set({ phase: 'decided', feature: outcome.feature, quote: null, outcome, error: null })
      onSpent?.()
    })
    const closed = { phase: 'closed' as const, quote: null, outcome: null, error: null }
    return {
      phase: 'closed',
      feature: 'live_session',
      quote: null,
      confirmed: null,
      outcome: null,
      error: null,
      async request(feature) {
        // One quote at a time: a double click must not reserve twice under two keys.
        if (get().phase === 'quoting' || get().phase === 'confirming') return
        set({ phase: 'quoting', feature, quote: null, outcome: null, error: null })
        const idempotencyKey = newKey('gate')
        const r =
          feature === 'live_session'
            ? await client.invoke('live.start', { idempotencyKey })
            : await client.invoke('gate.begin', { idempotencyKey, feature })
        if (get().phase !== 'quoting') {
          // Cancelled while main was quoting: give the reservation back at once.
          if (r.ok) void client.invoke('gate.cancel', { key: r.value.key })
          return
        }
        set(r.ok ? { phase: 'quoted', quote: r.value } : { phase: 'quoted', error: r.error })
      },
      async confirm() {
        const { phase, quote } = get()
        if (phase !== 'quoted' || !quote) return
        set({ phase: 'confirming', error: null })
        const r = await client.invoke('gate.confirm', { key: quote.key })
        if (r.ok) {
          set({ ...closed, confirmed: r.value })
          onSpent?.()
        } else set({ phase: 'quoted', error: r.error })
      },
      async cancel() {
        const { phase, quote } = get()
        if (phase === 'confirming') return // the answer decides; cancelling now could not undo it
        set(closed)
        if (quote && quote.status === 'pending') await client.invoke('gate.cancel', { key: quote.key })
      }
    }
  })
