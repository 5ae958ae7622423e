import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import type { BillingDb } from '../../src/main/db/open'
import { BillingError, type ErrorCode } from '../../src/shared/errors'
import { PROVIDERS, Wallet } from '../../src/main/wallet'
import { filePath, openFile, snapshot, T0 } from './fixture'

// Random operation sequences against a real file, with reopen (crash-free restart) mixed in.
// After every step: the ledger verifies (cached = recomputed balances, zero sum, hash chain),
// the wallet is never negative, memory equals the file, a failure changed nothing, and a
// replayed key returns its first answer without moving any money. Recharges may carry a bonus
// (promotion credit): it is never negative, a refund never touches it, and a hold gives back to
// it no more than it took.

const amount = fc.integer({ min: 1, max: 1500 })
const op = fc.oneof(
  {
    arbitrary: fc.record({ t: fc.constant('recharge' as const), pay: fc.nat(4), amount, provider: fc.constantFrom(...PROVIDERS), bonus: fc.option(amount, { nil: undefined }) }),
    weight: 3
  },
  { arbitrary: fc.record({ t: fc.constant('withdraw' as const), amount }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('align' as const), debt: fc.integer({ min: 0, max: 3000 }) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('consume' as const), amount }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('hold' as const), amount, ttl: fc.integer({ min: 1, max: 5000 }) }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('settle' as const), h: fc.nat(20), amount: fc.option(amount, { nil: undefined }) }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('void' as const), h: fc.nat(20) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 4000 }) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('expire' as const) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('charge' as const), price: amount }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('firstFree' as const), price: amount }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('external' as const), amount, device: fc.constantFrom('dev-b', 'dev-c'), useBonus: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('elsewhere' as const), claim: fc.nat(2) }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant('refund' as const),
      pay: fc.nat(4),
      percent: fc.integer({ min: 1, max: 100 }),
      reuseId: fc.boolean()
    }),
    weight: 3
  },
  { arbitrary: fc.record({ t: fc.constant('replay' as const), i: fc.nat(200) }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('conflict' as const), i: fc.nat(200) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('reopen' as const) }), weight: 1 }
)
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never

const EXPECTED_FAILURES: ErrorCode[] = [
  'INSUFFICIENT_FUNDS',
  'HOLD_EXPIRED',
  'HOLD_CLOSED',
  'NOT_FOUND',
  'INVALID_AMOUNT',
  'IDEMPOTENCY_CONFLICT',
  'ALREADY_CLAIMED'
]

interface Issued {
  key: string
  run: (w: Wallet) => unknown
  stored: boolean
  result?: unknown
}

function balances(db: BillingDb) {
  return db.sqlite.prepare('SELECT id, balance FROM wallet_accounts ORDER BY id').all()
}

function runScenario(ops: Op[]): void {
  const path = filePath()
  const clock = new ManualClock(T0)
  const ids = sequentialIds('e')
  let db = openFile(path)
  let wallet = new Wallet({ db, clock, ids })
  const issued: Issued[] = []
  const holds: string[] = []
  let n = 0
  try {
    for (const o of ops) {
      let request: ((w: Wallet) => unknown) | null = null
      let replayOf: Issued | null = null
      const key = `k${++n}`
      switch (o.t) {
        case 'recharge':
          request = (w) => w.recharge({ key, paymentId: `pay-${o.pay}`, provider: o.provider, amount: o.amount, ...(o.bonus ? { bonus: o.bonus } : {}) })
          break
        case 'withdraw':
          request = (w) => w.withdrawBonus({ key, refundId: `rf-${key}`, amount: o.amount })
          break
        case 'align': {
          // Moves the split only: the total (cash + bonus + held − debt) stays.
          const total = (w: Wallet) => w.balance().amount + w.bonus().amount + w.held().amount - w.debt().amount
          const before = total(wallet)
          const aligned = wallet.alignDebt({ debt: o.debt })
          expect(total(wallet)).toBe(before)
          // A move lands exactly on the relay's debt, and never while a hold is open.
          if (aligned.moved) {
            expect(wallet.debt().amount).toBe(o.debt)
            expect(wallet.held().amount).toBe(0)
          }
          break
        }
        case 'consume':
          request = (w) => w.consume({ key, amount: o.amount, feature: 'ai', reason: '' })
          break
        case 'hold':
          request = (w) => w.hold({ key, amount: o.amount, feature: 'live', reason: '', ttlMs: o.ttl })
          break
        case 'settle': {
          const holdId = holds.length ? (holds[o.h % holds.length] as string) : 'none'
          request = (w) => w.settle(o.amount === undefined ? { key, holdId } : { key, holdId, amount: o.amount })
          break
        }
        case 'void': {
          const holdId = holds.length ? (holds[o.h % holds.length] as string) : 'none'
          request = (w) => w.void({ key, holdId })
          break
        }
        case 'charge':
          request = (w) => w.chargeOrFree({ key, price: o.price, feature: 'ai', reason: '' })
          break
        case 'firstFree':
          request = (w) => w.useFirstFree({ key, price: o.price, feature: 'ai', reason: '' })
          break
        case 'external':
          request = (w) => w.postExternalDebit({ key, amount: o.amount, deviceId: o.device, feature: 'ai', reason: 'spent elsewhere', useBonus: o.useBonus })
          break
        case 'elsewhere':
          request = (w) => w.markFirstFreeTakenElsewhere({ key, claimId: `ffc-${o.claim}`, deviceId: 'dev-b', feature: 'ai' })
          break
        case 'refund': {
          // A share of what is left of the payment (or of 1000 when unknown), so refunds mostly apply.
          const left = db.sqlite
            .prepare('SELECT amount - refunded AS left FROM wallet_payments WHERE payment_id = ?')
            .get(`pay-${o.pay}`) as { left: number } | undefined
          const refundAmount = Math.max(1, Math.floor(((left?.left ?? 1000) * o.percent) / 100))
          const refundId = o.reuseId ? `rf-${o.pay}` : `rf-${key}`
          request = (w) => w.refund({ key, refundId, paymentId: `pay-${o.pay}`, amount: refundAmount })
          break
        }
        case 'replay':
          replayOf = issued.length ? (issued[o.i % issued.length] as Issued) : null
          break
        case 'conflict': {
          const stored = issued.filter((i) => i.stored)
          const target = stored.length ? (stored[o.i % stored.length] as Issued) : null
          if (target) {
            const before = snapshot(db, wallet)
            const err = catchErr(() => wallet.consume({ key: target.key, amount: 1_000_000, feature: 'other', reason: 'x' }))
            expect(err?.code).toBe('IDEMPOTENCY_CONFLICT')
            expect(snapshot(db, wallet)).toEqual(before)
          }
          break
        }
        case 'advance':
          clock.advance(o.ms)
          break
        case 'expire':
          wallet.expireHolds()
          break
        case 'reopen':
          db.close()
          db = openFile(path)
          wallet = new Wallet({ db, clock, ids })
          break
      }

      if (request) {
        const before = snapshot(db, wallet)
        const bonusBefore = wallet.bonus().amount
        try {
          const result = request(wallet)
          if (o.t === 'refund' || (o.t === 'external' && !o.useBonus)) expect(wallet.bonus().amount).toBe(bonusBefore)
          // A key is stored when it applied something. needs_recharge stores nothing, nor does a
          // recharge/refund answered from an earlier operation with the same payment/refund id.
          const stored = keyStored(db, key)
          const answeredOnly = (result as { outcome?: string }).outcome === 'needs_recharge' || !stored
          issued.push({ key, run: request, stored, result })
          if (o.t === 'hold' && stored) holds.push((result as { holdId: string }).holdId)
          if (answeredOnly) expect(snapshot(db, wallet)).toEqual(before)
        } catch (err) {
          expect(err).toBeInstanceOf(BillingError)
          expect(EXPECTED_FAILURES).toContain((err as BillingError).code)
          expect(snapshot(db, wallet)).toEqual(before)
          issued.push({ key, run: request, stored: false })
        }
      }

      if (replayOf) {
        const before = balances(db)
        if (replayOf.stored) {
          // An applied key answers with its first result and never applies again.
          expect(replayOf.run(wallet)).toEqual(replayOf.result)
          expect(balances(db)).toEqual(before)
        } else {
          // A key that stored nothing may apply now; the invariants below still hold.
          try {
            const result = replayOf.run(wallet)
            const stored = keyStored(db, replayOf.key)
            if (stored) Object.assign(replayOf, { stored, result })
            if (stored && (result as { holdId?: string }).holdId) holds.push((result as { holdId: string }).holdId)
          } catch (err) {
            expect(EXPECTED_FAILURES).toContain((err as BillingError).code)
          }
        }
      }

      // Invariants after every step.
      const report = wallet.verify()
      expect(report.problems).toEqual([])
      expect(wallet.balance().amount).toBeGreaterThanOrEqual(0)
      expect(wallet.held().amount).toBeGreaterThanOrEqual(0)
      expect(wallet.debt().amount).toBeGreaterThanOrEqual(0)
      expect(wallet.bonus().amount).toBeGreaterThanOrEqual(0)
      const holdParts = db.sqlite.prepare("SELECT COUNT(*) AS bad FROM wallet_holds WHERE bonus_amount < 0 OR bonus_amount > amount").get() as { bad: number }
      expect(holdParts.bad).toBe(0)
      // What a hold says it took from promotion credit is what its entries took from it.
      const misrecorded = db.sqlite
        .prepare(
          `SELECT h.id FROM wallet_holds h
            WHERE h.bonus_amount <> (SELECT COALESCE(SUM(e.amount), 0) FROM wallet_entries e WHERE e.ref = h.id AND e.type = 'hold' AND e.debit_account LIKE 'bonus:%')`
        )
        .all()
      expect(misrecorded).toEqual([])
      // A hold gives back to the cash no more than it took from the cash, and to the bonus no more than from the bonus.
      const overReturned = db.sqlite
        .prepare(
          `SELECT h.id FROM wallet_holds h
            WHERE (SELECT COALESCE(SUM(e.amount), 0) FROM wallet_entries e WHERE e.ref = h.id AND e.credit_account LIKE 'wallet:%' AND e.debit_account LIKE 'holds:%') > h.amount - h.bonus_amount
               OR (SELECT COALESCE(SUM(e.amount), 0) FROM wallet_entries e WHERE e.ref = h.id AND e.credit_account LIKE 'bonus:%') > h.bonus_amount`
        )
        .all()
      expect(overReturned).toEqual([])
      // Debt is only outstanding while the wallet is empty: money coming in repays it first.
      if (wallet.debt().amount > 0) expect(wallet.balance().amount).toBe(0)
    }
    const dupKeys = db.sqlite
      .prepare('SELECT op_key FROM wallet_entries WHERE leg = 0 AND op_key IS NOT NULL GROUP BY op_key HAVING COUNT(*) > 1')
      .all()
    expect(dupKeys).toEqual([])
    const dupPayments = db.sqlite
      .prepare("SELECT ref FROM wallet_entries WHERE leg = 0 AND type = 'recharge' GROUP BY ref HAVING COUNT(*) > 1")
      .all()
    expect(dupPayments).toEqual([])
    const claims = db.sqlite.prepare("SELECT COUNT(*) AS n FROM wallet_entries WHERE type = 'first_free'").get() as { n: number }
    expect(claims.n).toBeLessThanOrEqual(1)
  } finally {
    db.close()
  }
}

/** Stored: leg 0 of a ledger operation, or a first-free mark (its key lives in the claims row). */
function keyStored(db: BillingDb, key: string): boolean {
  return (
    db.sqlite.prepare('SELECT 1 FROM wallet_entries WHERE op_key = ? AND leg = 0').get(key) !== undefined ||
    db.sqlite.prepare('SELECT 1 FROM wallet_first_free_claims WHERE op_key = ? AND entry_id IS NULL').get(key) !== undefined
  )
}

function catchErr(fn: () => unknown): BillingError | undefined {
  try {
    fn()
  } catch (err) {
    if (err instanceof BillingError) return err
    throw err
  }
  return undefined
}

describe('wallet ledger properties', () => {
  it('holds its invariants over random operation sequences', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 80, size: 'max' }), (ops) => runScenario(ops)),
      { numRuns: 50 }
    )
  })
})
