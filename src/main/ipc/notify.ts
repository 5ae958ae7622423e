import type { EventEmitter } from '../../shared/ipc/server'
import type { GateOutcome, WalletBalance } from '../../shared/ipc/types'
import type { Billing } from '../billing'
import { toSubscriptionDto } from './mapping'

// Events main pushes to the renderer. Always called AFTER a commit, with state read back
// from the core, so the renderer never sees a change that was rolled back. The sync service
// calls these too when it applies a paid record or a subscription grant.

export interface Notifier {
  balanceChanged(): void
  subscriptionChanged(): void
  /** The host app ran the wallet rule for a session it started itself. */
  gateDecided(outcome: GateOutcome): void
  readonly events: EventEmitter | null
}

export function walletBalance(billing: Billing): WalletBalance {
  const w = billing.wallet
  const balance = w.balance()
  const held = w.held()
  return {
    balance,
    held,
    available: { amount: Math.max(0, w.available().amount), currency: balance.currency },
    debt: w.debt(),
    firstFreeAvailable: !w.firstFreeUsed()
  }
}

export function createNotifier(billing: Billing, events: EventEmitter | null): Notifier {
  return {
    events,
    balanceChanged: () => void events?.emit('balance.changed', walletBalance(billing)),
    subscriptionChanged() {
      const s = billing.subscriptions.current()
      events?.emit('subscription.changed', { subscription: s ? toSubscriptionDto(s) : null })
    },
    gateDecided: (outcome) => void events?.emit('gate.decided', outcome)
  }
}

export const silentNotifier = (billing: Billing): Notifier => createNotifier(billing, null)
