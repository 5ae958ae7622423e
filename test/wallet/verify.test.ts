import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { LedgerCorrupt } from '../../src/shared/errors'
import { entryHash, Wallet, type VerifyProblemKind } from '../../src/main/wallet'
import { filePath, openFile, setup, T0 } from './fixture'

function busy() {
  const s = setup()
  const { wallet } = s
  wallet.recharge({ key: 'r', paymentId: 'p', provider: 'alipay', amount: 1000 }) // seq 1
  wallet.consume({ key: 'c1', amount: 100, feature: 'ai', reason: '' }) // seq 2
  wallet.consume({ key: 'c2', amount: 200, feature: 'ai', reason: '' }) // seq 3
  const h = wallet.hold({ key: 'h', amount: 300, feature: 'live', reason: '', ttlMs: 60_000 }) // seq 4
  wallet.chargeOrFree({ key: 'f', price: 5000, feature: 'ai', reason: '' }) // seq 5, first-free
  expect(wallet.verify()).toMatchObject({ ok: true, problems: [], entries: 5, accounts: 10 })
  return { ...s, holdId: h.holdId }
}

const kinds = (w: Wallet) => new Set(w.verify().problems.map((p) => p.kind))
const has = (w: Wallet, ...k: VerifyProblemKind[]) => expect([...kinds(w)]).toEqual(expect.arrayContaining(k))

describe('verify()', () => {
  it('detects an amount edited with raw SQL', () => {
    const { db, wallet } = busy()
    db.sqlite.prepare('UPDATE wallet_entries SET amount = 10 WHERE seq = 2').run()
    const report = wallet.verify()
    expect(report.ok).toBe(false)
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'chain', details: { seq: 2, id: 'w-2' } }),
        expect.objectContaining({ kind: 'balance', details: { account: 'wallet:CNY:local', cached: 400, recomputed: 490 } })
      ])
    )
    // Only the edited row breaks the chain; the walk continues from the stored hash.
    expect(report.problems.filter((p) => p.kind === 'chain')).toHaveLength(1)
    expect(() => wallet.assertVerified()).toThrow(LedgerCorrupt)
  })

  it('detects an edit whose row hash was recomputed: the next row no longer chains', () => {
    const { db, wallet } = busy()
    const row = db.sqlite.prepare('SELECT * FROM wallet_entries WHERE seq = 2').get() as Parameters<typeof entryHash>[1]
    const prev = (db.sqlite.prepare('SELECT hash FROM wallet_entries WHERE seq = 1').get() as { hash: string }).hash
    const forged = { ...row, amount: 10 }
    db.sqlite.prepare('UPDATE wallet_entries SET amount = 10, hash = ? WHERE seq = 2').run(entryHash(prev, forged))
    const chain = wallet.verify().problems.filter((p) => p.kind === 'chain')
    expect(chain).toEqual([expect.objectContaining({ details: { seq: 3, id: 'w-3' } })])
  })

  it('detects a deleted row in the middle and a deleted last row', () => {
    const a = busy()
    a.db.sqlite.prepare('DELETE FROM wallet_entries WHERE seq = 3').run()
    has(a.wallet, 'sequence', 'chain', 'balance')

    const b = busy()
    b.db.sqlite.prepare('DELETE FROM wallet_entries WHERE seq = 5').run()
    b.db.sqlite.prepare('DELETE FROM wallet_first_free_claims').run()
    // No chain break (it is the tail), but account heads, balances and memory disagree.
    expect(kinds(b.wallet).has('chain')).toBe(false)
    has(b.wallet, 'head', 'balance')
  })

  it('detects a tampered cached balance, even when the attacker keeps the sum at zero', () => {
    const a = busy()
    a.db.sqlite.prepare("UPDATE wallet_accounts SET balance = balance + 500 WHERE id = 'wallet:CNY:local'").run()
    has(a.wallet, 'balance', 'cache', 'sum')

    const b = busy()
    b.db.sqlite.prepare("UPDATE wallet_accounts SET balance = balance + 500 WHERE id = 'wallet:CNY:local'").run()
    b.db.sqlite.prepare("UPDATE wallet_accounts SET balance = balance - 500 WHERE id = 'revenue:CNY:local'").run()
    expect(kinds(b.wallet).has('sum')).toBe(false)
    has(b.wallet, 'balance', 'cache')
  })

  it('detects side tables that disagree with the entries', () => {
    const a = busy()
    a.db.sqlite.prepare("UPDATE wallet_holds SET status = 'voided' WHERE id = ?").run(a.holdId)
    has(a.wallet, 'holds')
    const b = busy()
    b.db.sqlite.prepare('DELETE FROM wallet_first_free_claims').run()
    has(b.wallet, 'claims')
    const c = busy()
    c.db.sqlite.prepare('UPDATE wallet_payments SET amount = 5').run()
    has(c.wallet, 'payments')
  })

  it('detects a file edited while the app was closed, after reopening', () => {
    const path = filePath()
    const clock = new ManualClock(T0)
    const db1 = openFile(path)
    const w1 = new Wallet({ db: db1, clock, ids: sequentialIds('a') })
    w1.recharge({ key: 'r', paymentId: 'p', provider: 'alipay', amount: 1000 })
    w1.consume({ key: 'c', amount: 100, feature: 'ai', reason: '' })
    db1.close()
    const raw = new Database(path)
    // Give the money back and make the cached balances agree: only the chain can tell.
    raw.prepare('UPDATE wallet_entries SET amount = 1 WHERE seq = 2').run()
    raw.prepare("UPDATE wallet_accounts SET balance = 999 WHERE id = 'wallet:CNY:local'").run()
    raw.prepare("UPDATE wallet_accounts SET balance = 1 WHERE id = 'revenue:CNY:local'").run()
    raw.close()
    const db2 = openFile(path)
    const w2 = new Wallet({ db: db2, clock, ids: sequentialIds('b') })
    expect(w2.balance().amount).toBe(999)
    expect([...kinds(w2)]).toEqual(['chain'])
    db2.close()
  })
})

describe('verify() and entry times', () => {
  it('reports an entry dated before its predecessor', () => {
    const { db, wallet } = busy()
    db.sqlite.prepare('UPDATE wallet_entries SET created_at = 0 WHERE seq = 3').run()
    has(wallet, 'entry', 'chain')
  })
})
