import { createStore } from 'zustand/vanilla'
import type { ErrorInfo } from '../../../shared/errors'
import type { BillingClient } from '../../../shared/ipc/client'
import type { Output } from '../../../shared/ipc/contract'

// 我的优惠券: the account-bound coupons main keeps (from the feed, listed offline), reloaded
// after each sync run; and the one chosen for the next plan paid from the wallet.

export type MyCoupon = Output<'coupons.mine'>['coupons'][number]
export type CouponPreview = Output<'coupons.preview'>

export interface CouponsState {
  mine: MyCoupon[]
  loaded: boolean
  error: ErrorInfo | null
  /** The grant chosen for the wallet buy buttons; null: none. */
  chosen: string | null
  /** Per plan id, what the chosen grant takes off, or why it does not apply. */
  previews: Record<string, { ok: true; value: CouponPreview } | { ok: false; error: ErrorInfo }>
  load(): Promise<void>
  choose(grantId: string | null, planIds: string[]): Promise<void>
}

export const createCouponsStore = (client: BillingClient) =>
  createStore<CouponsState>()((set, get) => {
    client.on('sync.state', (s) => {
      if (!s.syncing && get().loaded) void get().load()
    })
    return {
      mine: [],
      loaded: false,
      error: null,
      chosen: null,
      previews: {},
      async load() {
        const r = await client.invoke('coupons.mine', {})
        if (r.ok) set({ mine: r.value.coupons, loaded: true, error: null })
        else set({ error: r.error, loaded: true })
        // A grant used or withdrawn meanwhile is no longer offered.
        const chosen = get().chosen
        if (chosen && !get().mine.some((c) => c.grant.grantId === chosen && c.state === 'available')) set({ chosen: null, previews: {} })
      },
      async choose(grantId, planIds) {
        set({ chosen: grantId, previews: {} })
        if (!grantId) return
        const entries = await Promise.all(planIds.map(async (planId) => [planId, await client.invoke('coupons.preview', { planId, grantId })] as const))
        if (get().chosen === grantId) set({ previews: Object.fromEntries(entries) })
      }
    }
  })
