import { createStore } from 'zustand/vanilla'
import type { ErrorInfo } from '../../../shared/errors'
import type { BillingClient } from '../../../shared/ipc/client'
import type { Checkout, MoneyDto, PaymentMethod } from '../../../shared/ipc/types'
import { newKey } from './keys'

// One checkout at a time, as a small state machine the screen renders:
// idle → creating → waiting → paid | expired | cancelled | failed; error when main refuses;
// paid → partially_refunded → refunded when the relay reports refunds of the order.
export type CheckoutPhase =
  | 'idle'
  | 'creating'
  | 'waiting'
  | 'paid'
  | 'partially_refunded'
  | 'refunded'
  | 'expired'
  | 'cancelled'
  | 'failed'
  | 'error'

export type CheckoutPurpose = { kind: 'recharge'; amount: MoneyDto } | { kind: 'plan'; planId: string }

export interface CheckoutState {
  phase: CheckoutPhase
  checkout: Checkout | null
  error: ErrorInfo | null
  /** What the current checkout pays for, known from the moment it is started. */
  purpose: CheckoutPurpose['kind'] | null
  /** `code`: a promotion code the relay prices the checkout with (as its quote did). */
  start(method: PaymentMethod, purpose: CheckoutPurpose, code?: string): Promise<void>
  cancel(): Promise<void>
  refresh(): Promise<void>
  openExternal(): Promise<void>
  /** Called by the screen's timer: past expiry, ask main for the status instead of guessing. */
  tick(now: number): Promise<void>
  reset(): void
}

const phaseOf = (c: Checkout): CheckoutPhase => (c.status === 'pending' ? 'waiting' : c.status)

/** How far along a paid order is: events may arrive out of order, and it never goes back. */
const PAID_RANK: Partial<Record<CheckoutPhase, number>> = { paid: 1, partially_refunded: 2, refunded: 3 }
const behind = (next: CheckoutPhase, current: CheckoutPhase): boolean =>
  current in PAID_RANK && (PAID_RANK[next] ?? 0) < PAID_RANK[current]!

export const createCheckoutStore = (client: BillingClient) =>
  createStore<CheckoutState>()((set, get) => {
    const mine = (orderId: string): boolean => get().checkout?.orderId === orderId
    const update = (c: Checkout): void => {
      // A paid order never goes back to waiting, nor a refunded one to paid.
      if (behind(phaseOf(c), get().phase)) return
      set({ checkout: c, phase: phaseOf(c) })
    }
    client.on('checkout.updated', (c) => {
      if (mine(c.orderId)) update(c)
    })
    client.on('payment.confirmed', (p) => {
      const c = get().checkout
      if (c && c.orderId === p.orderId && !behind('paid', get().phase)) set({ phase: 'paid', checkout: { ...c, status: 'paid' } })
    })
    return {
      phase: 'idle',
      checkout: null,
      error: null,
      purpose: null,
      async start(method, purpose, code) {
        set({ phase: 'creating', error: null, checkout: null, purpose: purpose.kind })
        const r = await client.invoke('checkout.create', { idempotencyKey: newKey('checkout'), method, purpose, ...(code ? { code } : {}) })
        if (!r.ok) return set({ phase: 'error', error: r.error })
        set({ checkout: r.value, phase: phaseOf(r.value) })
        if (r.value.display.kind === 'url' && r.value.status === 'pending') await get().openExternal()
      },
      async cancel() {
        const c = get().checkout
        if (!c) return
        const r = await client.invoke('checkout.cancel', { orderId: c.orderId })
        if (r.ok) update(r.value)
        else set({ error: r.error })
      },
      async refresh() {
        const c = get().checkout
        if (!c) return
        const r = await client.invoke('checkout.status', { orderId: c.orderId })
        if (r.ok) update(r.value)
      },
      async openExternal() {
        const c = get().checkout
        if (!c) return
        const r = await client.invoke('checkout.openExternal', { orderId: c.orderId })
        if (!r.ok) set({ error: r.error })
      },
      async tick(now) {
        const c = get().checkout
        if (get().phase === 'waiting' && c && now >= c.expiresAt) await get().refresh()
      },
      reset: () => set({ phase: 'idle', checkout: null, error: null, purpose: null })
    }
  })
