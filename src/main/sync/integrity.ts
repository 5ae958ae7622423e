import type { Billing } from '../billing'
import type { LeaseKeeper } from './lease'
import { verifyOutbox } from './outbox'
import type { TrustGuard } from './trust'

export interface IntegrityReport {
  ok: boolean
  problems: string[]
}

/**
 * Re-verifies the ledgers' hash chains, that every local spend has its outbox row, and the
 * stored lease; anything wrong makes the device untrusted until the next sync.
 */
export function checkIntegrity(billing: Billing, keeper: LeaseKeeper, guard: TrustGuard): IntegrityReport {
  const verified = billing.verify()
  const missing = verifyOutbox(billing.db.sqlite)
  const report = { ...verified, ok: verified.ok && missing.length === 0, problems: [...verified.problems, ...missing] }
  keeper.load()
  if (!report.ok) guard.flag('ledger_tampered')
  return report
}
