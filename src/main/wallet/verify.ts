import { GENESIS_HASH } from '../../node/hashchain'
import { LedgerCorrupt } from '../../shared/errors'
import { entryHash, type LedgerCore } from './ledger'
import type { EntryRow } from './statements'
import type { VerifyProblem, VerifyProblemKind, VerifyReport } from './types'

// verify() re-derives everything the ledger caches and compares: it walks every entry once
// (hash chain, sequence, per-account sums), then checks the cached balances on file and in
// memory, the zero sum per currency, the sign rules, and the side tables against entries.
// A cold path: a scan of the whole file, never run on open.

const MAX_PROBLEMS = 200

interface AccountRow {
  id: string
  owner: string
  kind: string
  currency: string
  balance: number
  last_seq: number
  last_hash: string | null
}

/**
 * Where a walk starts when only the rows after a verified checkpoint are walked (start-up,
 * src/main/integrity): that entry's seq and hash, and each account's sum of entries there.
 */
export interface LedgerStart {
  seq: number
  hash: string
  sums: Record<string, number>
}

/**
 * `from`: walk only the entries after it (the checkpoint's entry must be in the file with its
 * hash); the side tables that are not kept per entry (first-free claims, payments) are then
 * left to the full walk.
 */
export function verifyLedger(core: LedgerCore, from?: LedgerStart): VerifyReport {
  const sqlite = core.db.sqlite
  // Outside any transaction, settle memory written inside an earlier one (a head check, or a
  // reload) so the head and cache checks below run instead of being skipped as "dirty".
  if (!sqlite.inTransaction) core.fresh()
  const problems: VerifyProblem[] = []
  const add = (kind: VerifyProblemKind, message: string, details?: Record<string, unknown>): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(details ? { kind, message, details } : { kind, message })
  }

  const accounts = new Map<string, AccountRow>()
  for (const a of sqlite.prepare<[], AccountRow>('SELECT * FROM wallet_accounts').all()) accounts.set(a.id, a)

  const recomputed = new Map<string, number>(Object.entries(from?.sums ?? {}))
  const lastTouch = new Map<string, { seq: number; hash: string }>()
  let prev = from?.hash ?? GENESIS_HASH
  let expected = (from?.seq ?? 0) + 1
  let count = from?.seq ?? 0
  let lastSeq = from?.seq ?? 0
  let lastAt = Number.NEGATIVE_INFINITY
  if (from && from.seq > 0) {
    const at = sqlite.prepare<[number], { hash: string; created_at: number }>('SELECT hash, created_at FROM wallet_entries WHERE seq = ?').get(from.seq)
    if (at?.hash !== from.hash) add('checkpoint', `the integrity checkpoint names entry ${from.seq}, which the chain does not hold`, { seq: from.seq })
    lastAt = at?.created_at ?? lastAt
  }
  const rows = sqlite.prepare<[number], EntryRow>('SELECT * FROM wallet_entries WHERE seq > ? ORDER BY seq')
  for (const r of rows.iterate(from?.seq ?? 0)) {
    count++
    if (r.seq !== expected) add('sequence', `entries ${expected}..${r.seq - 1} are missing`, { from: expected, to: r.seq - 1 })
    if (entryHash(prev, r) !== r.hash) add('chain', `entry ${r.seq} does not match its hash`, { seq: r.seq, id: r.id })
    // Continue from the stored hash, so one edited row is reported once, not with all its successors.
    prev = r.hash
    expected = r.seq + 1
    lastSeq = r.seq
    // history() relies on time never going backwards along seq.
    if (r.created_at < lastAt) add('entry', `entry ${r.seq} is dated before the entry preceding it`, { seq: r.seq })
    lastAt = r.created_at
    if (!Number.isSafeInteger(r.amount) || r.amount <= 0) add('entry', `entry ${r.seq} has a non-positive amount`, { seq: r.seq })
    if (r.debit_account === r.credit_account) add('entry', `entry ${r.seq} debits and credits one account`, { seq: r.seq })
    for (const id of [r.debit_account, r.credit_account]) {
      const a = accounts.get(id)
      if (!a) add('entry', `entry ${r.seq} names an unknown account ${id}`, { seq: r.seq, account: id })
      else if (a.currency !== r.currency) add('entry', `entry ${r.seq} mixes currencies`, { seq: r.seq, account: id })
      lastTouch.set(id, { seq: r.seq, hash: r.hash })
    }
    recomputed.set(r.debit_account, (recomputed.get(r.debit_account) ?? 0) - r.amount)
    recomputed.set(r.credit_account, (recomputed.get(r.credit_account) ?? 0) + r.amount)
  }

  if (!core.isDirty && (core.headSeq !== lastSeq || (lastSeq > 0 && core.headHash !== prev))) {
    add('head', `the chain ends at ${lastSeq} but this process last wrote ${core.headSeq}`, {
      fileSeq: lastSeq,
      memorySeq: core.headSeq
    })
  }

  const sums = new Map<string, number>()
  for (const a of accounts.values()) {
    const derived = recomputed.get(a.id) ?? 0
    if (derived !== a.balance) {
      add('balance', `account ${a.id} caches ${a.balance} but its entries sum to ${derived}`, {
        account: a.id,
        cached: a.balance,
        recomputed: derived
      })
    }
    const mem = core.balances.get(a.id)
    if (!core.isDirty && mem !== undefined && mem !== a.balance) {
      add('cache', `account ${a.id} is ${mem} in memory but ${a.balance} on file`, { account: a.id, memory: mem, file: a.balance })
    }
    const touch = lastTouch.get(a.id) ?? (from ? touchBefore(core, a, from.seq) : undefined)
    if ((touch?.seq ?? 0) !== a.last_seq || (touch && touch.hash !== a.last_hash)) {
      add('head', `account ${a.id} was last moved by entry ${a.last_seq}, the file's entries say ${touch?.seq ?? 0}`, {
        account: a.id,
        recorded: a.last_seq,
        found: touch?.seq ?? 0
      })
    }
    if ((a.kind === 'wallet' || a.kind === 'holds' || a.kind === 'bonus') && a.balance < 0) add('sign', `account ${a.id} is negative`, { account: a.id })
    if (a.kind === 'debt' && a.balance > 0) add('sign', `debt account ${a.id} is positive`, { account: a.id })
    sums.set(a.currency, (sums.get(a.currency) ?? 0) + a.balance)
  }
  for (const [currency, sum] of sums) {
    if (sum !== 0) add('sum', `${currency} balances sum to ${sum}, not zero`, { currency, sum })
  }

  checkHolds(core, accounts, add)
  if (!from) {
    checkClaims(core, add)
    checkPayments(core, add)
  }

  const sumsAt: Record<string, number> = {}
  for (const [id, sum] of recomputed) sumsAt[id] = sum
  const tail = { seq: lastSeq, hash: prev, count, sums: sumsAt }
  return { ok: problems.length === 0, problems, entries: count, accounts: accounts.size, tail }
}

type Add = (kind: VerifyProblemKind, message: string, details?: Record<string, unknown>) => void

/**
 * An account no entry after the checkpoint moved: its recorded last entry must be at or before
 * the checkpoint and name it (one read by seq, not a walk). Undefined: it was never moved.
 */
function touchBefore(core: LedgerCore, a: AccountRow, seq: number): { seq: number; hash: string } | undefined {
  if (a.last_seq === 0) return undefined
  const r = core.db.sqlite
    .prepare<[number, number, string, string], { seq: number; hash: string }>(
      'SELECT seq, hash FROM wallet_entries WHERE seq = ? AND seq <= ? AND (debit_account = ? OR credit_account = ?)'
    )
    .get(a.last_seq, seq, a.id, a.id)
  return r ?? { seq: -1, hash: '' }
}

/** Money in each holds account equals its pending holds. */
function checkHolds(core: LedgerCore, accounts: Map<string, AccountRow>, add: Add): void {
  const pending = new Map<string, number>()
  const rows = core.db.sqlite
    .prepare<[], { owner: string; currency: string; total: number }>(
      `SELECT owner, currency, SUM(amount) AS total FROM wallet_holds WHERE status = 'pending' GROUP BY owner, currency`
    )
    .all()
  for (const r of rows) pending.set(`holds:${r.currency}:${r.owner}`, r.total)
  for (const a of accounts.values()) {
    if (a.kind !== 'holds') continue
    const total = pending.get(a.id) ?? 0
    if (total !== a.balance) add('holds', `account ${a.id} holds ${a.balance} but pending holds total ${total}`, { account: a.id })
  }
}

/**
 * Each claim made here points at a first-free entry and each first-free use has its claim; a
 * claim made on another device (no entry) must not have a first-free entry here.
 */
function checkClaims(core: LedgerCore, add: Add): void {
  const rows = core.db.sqlite
    .prepare<[], { entry_id: string | null; claim: string | null }>(
      `SELECT e.id AS entry_id, c.account_id AS claim FROM wallet_entries e
         LEFT JOIN wallet_first_free_claims c ON c.op_key = e.op_key AND c.entry_id = e.id
        WHERE e.type = 'first_free' AND e.type <> 'consume'
       UNION ALL
       SELECT e.id, c.account_id FROM wallet_first_free_claims c
         LEFT JOIN wallet_entries e ON e.op_key = c.op_key AND e.leg = 0 AND e.id = c.entry_id AND e.type = 'first_free'
        WHERE e.id IS NULL AND c.elsewhere_claim_id IS NULL`
    )
    .all()
  for (const r of rows) {
    if (r.entry_id === null) add('claims', `first-free claim of ${r.claim} has no ledger entry`, { account: r.claim })
    else if (r.claim === null) add('claims', `first-free entry ${r.entry_id} has no claim`, { entry: r.entry_id })
  }
}

/** Each credited payment has its recharge entry, and its refunded total matches its refunds. */
function checkPayments(core: LedgerCore, add: Add): void {
  const rows = core.db.sqlite
    .prepare<[], { payment_id: string; amount: number; refunded: number; entry_amount: number | null; refunds: number }>(
      `SELECT p.payment_id, p.amount, p.refunded, e.amount AS entry_amount,
              (SELECT COALESCE(SUM(r.amount), 0) FROM wallet_refunds r WHERE r.payment_id = p.payment_id) AS refunds
         FROM wallet_payments p
         LEFT JOIN wallet_entries e ON e.op_key = p.op_key AND e.leg = 0 AND e.type = 'recharge' AND e.ref = p.payment_id`
    )
    .all()
  for (const r of rows) {
    if (r.entry_amount !== r.amount) add('payments', `payment ${r.payment_id} has no matching recharge entry`, { paymentId: r.payment_id })
    if (r.refunds !== r.refunded) add('payments', `payment ${r.payment_id} records ${r.refunded} refunded, refunds total ${r.refunds}`, { paymentId: r.payment_id })
  }
}

/** Throws LedgerCorrupt listing the problems unless the report is clean. */
export function assertLedgerOk(report: VerifyReport): VerifyReport {
  if (!report.ok) {
    const head = report.problems.slice(0, 5).map((p) => p.message).join('; ')
    throw new LedgerCorrupt(`the wallet ledger failed verification: ${head}`, { problems: report.problems })
  }
  return report
}
