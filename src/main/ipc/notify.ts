import type { EventEmitter } from '../../shared/ipc/server'
import type { GateOutcome, WalletBalance } from '../../shared/ipc/types'
import type { Billing } from '../billing'
import { toSubscriptionDto } from './mapping'

// Events main pushes to the renderer. Always called AFTER a commit, with state read back
// from the core, so the renderer never sees a change that was rolled back. The sync service
// calls these too when it applies a paid record or a subscription grant.

export interface Notifier {
  /** The wallet as the renderer sees it (what balance.changed carries). */
  balance(): WalletBalance
  balanceChanged(): void
  subscriptionChanged(): void
  /** The host app ran the wallet rule for a session it started itself. */
  gateDecided(outcome: GateOutcome): void
  readonly events: EventEmitter | null
}

/**
 * `firstFreeAvailable`: the sync service's answer (first-free is once per ACCOUNT, so another
 * device's claim counts); without it, this file's own record.
 */
export function walletBalance(billing: Billing, firstFreeAvailable?: () => boolean): WalletBalance {
  const w = billing.wallet
  const balance = w.balance()
  const bonus = w.bonus()
  const held = w.held()
  return {
    balance,
    bonus,
    held,
    // Nothing is available while a debt is owed: paid use stops until a recharge repays it.
    available: { amount: w.debt().amount > 0 ? 0 : Math.max(0, balance.amount + bonus.amount), currency: balance.currency },
    debt: w.debt(),
    firstFreeAvailable: firstFreeAvailable ? firstFreeAvailable() : !w.firstFreeUsed()
  }
}

export interface NotifierOptions {
  firstFreeAvailable?: () => boolean
}

export function createNotifier(billing: Billing, events: EventEmitter | null, opts: NotifierOptions = {}): Notifier {
  const balance = (): WalletBalance => walletBalance(billing, opts.firstFreeAvailable)
  return {
    events,
    balance,
    balanceChanged: () => void events?.emit('balance.changed', balance()),
    subscriptionChanged() {
      const s = billing.subscriptions.current()
      events?.emit('subscription.changed', { subscription: s ? toSubscriptionDto(s) : null })
    },
    gateDecided: (outcome) => void events?.emit('gate.decided', outcome)
  }
}

export const silentNotifier = (billing: Billing): Notifier => createNotifier(billing, null)
