import { createStore } from 'zustand/vanilla'
import type { ErrorInfo } from '../../../shared/errors'
import type { BillingClient } from '../../../shared/ipc/client'
import type { CANCEL_REASONS } from '../../../shared/ipc/schemas/subscriptions'
import type { MoneyDto, Plan, Subscription } from '../../../shared/ipc/types'
import { onCatalogChange } from './catalog'
import { newKey } from './keys'

export type CancelReason = (typeof CANCEL_REASONS)[number]

export interface PlansState {
  plans: Plan[]
  subscription: Subscription | null
  loaded: boolean
  busy: boolean
  error: ErrorInfo | null
  /** The plan whose button caused `error` (shown beside it); null: the screen's own load. */
  errorPlanId: string | null
  /** Set when a subscription from the wallet fell short. */
  shortfall: { planId: string; price: MoneyDto; shortfall: MoneyDto } | null
  load(): Promise<void>
  /** `couponGrantId`: an account-bound coupon (我的优惠券) taken off the wallet price. */
  subscribe(planId: string, couponGrantId?: string): Promise<void>
  startTrial(planId: string): Promise<void>
  setAutoRenew(enabled: boolean): Promise<void>
  cancel(reason: CancelReason, atPeriodEnd: boolean, note?: string): Promise<boolean>
}

export const createPlansStore = (client: BillingClient) =>
  createStore<PlansState>()((set, get) => {
    client.on('subscription.changed', (p) => set({ subscription: p.subscription }))
    onCatalogChange(client, () => {
      if (get().loaded) void get().load()
    })
    // Each action runs with `busy` set, and leaves either the new subscription or an error.
    async function act<T>(
      run: () => Promise<{ ok: true; value: T } | { ok: false; error: ErrorInfo }>,
      apply: (v: T) => void,
      planId: string | null = null
    ): Promise<boolean> {
      set({ busy: true, error: null, errorPlanId: null, shortfall: null })
      const r = await run()
      if (r.ok) apply(r.value)
      set({ busy: false, ...(r.ok ? {} : { error: r.error, errorPlanId: planId }) })
      return r.ok
    }
    return {
      plans: [],
      subscription: null,
      loaded: false,
      busy: false,
      error: null,
      errorPlanId: null,
      shortfall: null,
      async load() {
        const [p, s] = await Promise.all([
          client.invoke('plans.list', {}),
          client.invoke('subscription.current', {})
        ])
        if (p.ok) set({ plans: [...p.value.plans].sort((a, b) => a.sortOrder - b.sortOrder) })
        if (s.ok) set({ subscription: s.value.subscription })
        const failed = !p.ok ? p.error : !s.ok ? s.error : null
        set({ loaded: true, error: failed, errorPlanId: null })
      },
      async subscribe(planId, couponGrantId) {
        await act(
          () => client.invoke('subscription.subscribe', { idempotencyKey: newKey('subscribe'), planId, ...(couponGrantId ? { couponGrantId } : {}) }),
          (v) =>
            v.outcome === 'subscribed'
              ? set({ subscription: v.subscription })
              : set({ shortfall: { planId, price: v.price, shortfall: v.shortfall } }),
          planId
        )
      },
      async startTrial(planId) {
        await act(
          () => client.invoke('subscription.startTrial', { idempotencyKey: newKey('trial'), planId }),
          (subscription) => set({ subscription }),
          planId
        )
      },
      async setAutoRenew(enabled) {
        await act(
          () => client.invoke('subscription.setAutoRenew', { idempotencyKey: newKey('autorenew'), enabled }),
          (subscription) => set({ subscription })
        )
      },
      cancel(reason, atPeriodEnd, note) {
        return act(
          () =>
            client.invoke('subscription.cancel', {
              idempotencyKey: newKey('cancel'),
              reason,
              atPeriodEnd,
              ...(note ? { note } : {})
            }),
          (subscription) => set({ subscription })
        )
      }
    }
  })
