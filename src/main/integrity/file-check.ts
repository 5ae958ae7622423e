import type { BillingDb } from '../db/open'
import { checkpointProblems, type Checkpoints } from './checkpoint'
import { prepareStatements as usageStatements } from '../quotas/statements'
import { verifyQuotas, type QuotaVerifyReport } from '../quotas/verify'
import { verifySubscriptions, type SubscriptionVerifyReport } from '../subscriptions/verify'
import { verifyOutbox } from '../sync/outbox'
import { LedgerCore } from '../wallet/ledger'
import type { VerifyReport } from '../wallet/types'
import { verifyLedger } from '../wallet/verify'

// The full check of the file alone: every ledger's chain, sums and side tables, and every
// local spend's outbox row, read in one snapshot (one read transaction) so that commits made
// meanwhile by the app's own connection are neither half seen nor reported. What memory holds
// (heads, cached balances) is the app's business, not this check's: it runs over any
// connection, the worker thread's read-only one included (worker.ts).

/** Where each chain ended when it was checked, with its running sums: a checkpoint's figures. */
export type LedgerTails = Checkpoints

export interface FileCheckReport {
  ok: boolean
  problems: string[]
  tails: LedgerTails
}

/** The problems of the three ledgers' reports, each named by its ledger (billing.verify() and the full check). */
export function ledgerProblems(w: VerifyReport, s: SubscriptionVerifyReport, u: QuotaVerifyReport): string[] {
  return [
    ...w.problems.map((p) => `wallet: ${p.message}`),
    ...s.problems.map((p) => `subscription: ${p}`),
    ...u.problems.map((p) => `usage: ${p}`)
  ]
}

/** `outbox`: also that every local spend has its outbox row (a file the sync layer writes). */
export function checkFile(db: BillingDb, opts: { outbox: boolean }): FileCheckReport {
  return db.sqlite.transaction(() => {
    const w = verifyLedger(LedgerCore.of(db))
    const s = verifySubscriptions(db, null)
    const u = verifyQuotas(usageStatements(db.sqlite), null, null)
    const problems = [...ledgerProblems(w, s, u), ...checkpointProblems(db.sqlite), ...(opts.outbox ? verifyOutbox(db.sqlite) : [])]
    return { ok: problems.length === 0, problems, tails: { wallet: w.tail, subscriptions: s.tail, usage: u.tail } }
  })()
}
