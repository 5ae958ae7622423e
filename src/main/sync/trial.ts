import type { SubscriptionService } from '../subscriptions'
import { trialSubscriptionOf } from './outbox'

// A trial the relay refused (the account had used that plan's trial already, on another
// device or an earlier install) ends now: its trial time is taken back with `shorten` (actor
// 'relay'), the one change that moves a period end back. A trial still running has nothing
// else, so it ends at once (cancelled now). One converted to a paid plan during the trial
// keeps what was paid for: only the trial days still ahead are taken back. A trial that
// already ended, or was replaced by another subscription, is left as is.

/** Returns whether the local subscription changed. */
export function endRefusedTrial(subs: SubscriptionService, key: string, recordId: string, planCode: string, now: number): boolean {
  const subscriptionId = trialSubscriptionOf(recordId)
  const live = subs.current()
  if (subscriptionId === null || !live || live.id !== subscriptionId || live.trialEndsAt === null) return false
  const end = live.currentPeriodEnd
  const running = live.status === 'trialing' || live.status === 'active' || (live.status === 'cancelled' && live.cancelAtPeriodEnd)
  if (!running || end === null || end <= now) return false
  const trialLeft = Math.min(live.trialEndsAt, end) - now
  if (trialLeft <= 0) return false
  subs.shorten({ key, ms: trialLeft, reason: `trial refused: this account already used its ${planCode} trial`, actor: 'relay' })
  return true
}
