import type { Billing } from '../billing'
import type { Checkpoints } from '../integrity/checkpoint'
import type { LeaseKeeper } from './lease'
import { verifyOutbox } from './outbox'
import type { SyncStore } from './store'
import type { TrustGuard } from './trust'

export interface IntegrityReport {
  ok: boolean
  problems: string[]
}

/** The relay's side of the cross-check: present once the device is enrolled. */
export interface RelayView {
  store: SyncStore
  enrolled: () => boolean
}

/**
 * Re-verifies the ledgers' hash chains, that every local spend has its outbox row, the
 * stored lease and (enrolled) the wallet against the relay; anything wrong makes the
 * device untrusted until a sync finds it whole. `since`: the chains only after a verified
 * checkpoint (start-up; the full check on the worker walks them whole).
 */
export function checkIntegrity(billing: Billing, keeper: LeaseKeeper, guard: TrustGuard, relay?: RelayView, since?: Checkpoints): IntegrityReport {
  const verified = billing.verify(since)
  const missing = verifyOutbox(billing.db.sqlite, 20, since && { walletSeq: since.wallet.seq, usageSeq: since.usage.seq })
  const apart = relay?.enrolled() ? walletApartFromRelay(billing, relay.store) : []
  const ok = verified.ok && missing.length === 0 && apart.length === 0
  const report = { ...verified, ok, problems: [...verified.problems, ...missing, ...apart] }
  keeper.load()
  if (!report.ok) guard.flag('ledger_tampered')
  return report
}

/**
 * After a sync run that pulled the feed to its end and found the wallet's total equal to the
 * relay's, with nothing of this device unsynced (no pending hold, no own spending the relay has
 * not echoed; a refused spend stays unechoed, and alignment then stays off), the wallet owes
 * what the relay says it owes (`relay_debt`, from its debt records): more here is promotion
 * credit the relay spent where this wallet went into debt (events met in another order), and
 * Wallet.alignDebt pays it from promotion credit. The total does not change.
 */
export function alignWithRelay(billing: Billing, store: SyncStore): void {
  const w = billing.wallet
  if (w.held().amount !== 0 || (store.spendNotEchoed.get()?.total ?? 0) !== 0) return
  const debt = store.state.get()!.relay_debt
  // A relay debt that is not one (an edited file) is not aligned to; the cross-check judges the file.
  if (!Number.isSafeInteger(debt) || debt < 0) return
  w.alignDebt({ debt })
}

/**
 * The wallet against the relay's view of it. Hash chains cannot catch a final spend deleted
 * with every cache and head fixed by hand; the relay's balance can. relay_balance is the sum
 * of the signed money records this device applied (apply.ts), so at every commit
 *   balance + bonus + held − debt = relay_balance − own spending not echoed yet
 * (a hold's money is still the account's for the relay; a refused spend stays spent here;
 * promotion credit counts on both sides, since which of cash or bonus paid may differ).
 * Returns the difference as a problem, or nothing.
 */
export function walletApartFromRelay(billing: Billing, store: SyncStore): string[] {
  const w = billing.wallet
  const [balance, bonus, held, debt] = [w.balance().amount, w.bonus().amount, w.held().amount, w.debt().amount]
  const local = balance + bonus + held - debt
  const relayBalance = store.state.get()!.relay_balance
  const unsynced = store.spendNotEchoed.get()?.total ?? 0
  const expected = relayBalance - unsynced
  if (local === expected) return []
  return [
    `wallet balance ${balance} + bonus ${bonus} + held ${held} − debt ${debt} = ${local} differs by ${local - expected} from the relay's balance ${relayBalance} less ${unsynced} not yet synced = ${expected}`
  ]
}
