import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { CurrencyMismatch } from '../../src/shared/errors'
import { Accounts } from '../../src/relay/accounts/accounts'
import { RelayWallet } from '../../src/relay/accounts/wallet'
import { openSqliteStore, type SqliteStore } from '../../src/relay/store/sqlite/open'
import { Feed } from '../../src/relay/feed/feed'
import { chart } from '../../src/relay/ledger/chart'
import { Ledger } from '../../src/relay/ledger/ledger'
import type { IdSource } from '../../src/node/ids'
import type { RelayStore, StoreTx } from '../../src/relay/store/ports'
import { generateSigningKey } from '../../src/relay/feed/keys'
import { tempDir } from '../support/db'
import { forEachStore, openTestStore } from './support/pg'

// The feed numbers records without a query per record (the SQLite store keeps the next seq);
// that may not change what is stored. And the relay wallet's moves, which post debt records to it.

const key = generateSigningKey()
let db: SqliteStore | undefined
let bare: RelayStore | undefined
afterEach(async () => {
  await db?.close()
  await bare?.close()
  db = undefined
  bare = undefined
})
const setStore = (s: RelayStore) => void (bare = s)

/** Accounts over a store, with the wallet they report. */
function accountsOf(store: RelayStore, clock: ManualClock, ids: IdSource): Accounts {
  return new Accounts(store, clock, ids, new RelayWallet(new Ledger(clock), new Feed(store, key, clock, ids), ids))
}

function setDb(next: SqliteStore): void {
  db = next
}

async function setup() {
  const path = join(tempDir('feed-seq-'), 'relay.sqlite')
  db = openSqliteStore({ path, durability: 'normal' })
  const clock = new ManualClock(1_700_000_000_000)
  const ids = sequentialIds('s')
  const { accountId } = await accountsOf(db, clock, ids).createEnrolment(undefined, 'seq')
  const feed = new Feed(db, key, clock, ids)
  const seqs = () => (db!.sqlite.prepare('SELECT seq FROM feed ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq)
  const payloadSeqs = () =>
    (db!.sqlite.prepare('SELECT seq, payload FROM feed ORDER BY seq').all() as { seq: number; payload: string }[]).map(
      (r) => [r.seq, (JSON.parse(r.payload) as { seq: number }).seq]
    )
  return { path, db, clock, ids, accountId, feed, seqs, payloadSeqs }
}

const order = (n: number) => ({ orderNo: `o${n}`, state: 'expired' as const, reason: 'test', closedAt: 0 })

describe('feed sequence numbers', () => {
  it('increase in commit order; a rolled-back record leaves its number unused; two Feeds on one store share the numbering', async () => {
    const { db, accountId, feed, seqs, payloadSeqs, clock, ids } = await setup()
    const other = new Feed(db, key, clock, ids)
    const append = (tx: StoreTx, f: Feed, n: number) =>
      f.append(tx, accountId, 'order_closed', { ...order(n), provider: 'stripe', item: { kind: 'recharge', amount: { amount: 100, currency: 'CNY' } } })
    await db.unit((tx) => append(tx, other, 1))
    await expect(
      db.unit(async (tx) => {
        await append(tx, feed, 2)
        throw new Error('rolled back')
      })
    ).rejects.toThrow('rolled back')
    // A savepoint rolled back inside a committed transaction.
    await db.unit(async (tx) => {
      await append(tx, feed, 3)
      try {
        await tx.nested(async (inner) => {
          await append(inner, feed, 4)
          throw new Error('inner')
        })
      } catch {
        // only the savepoint is lost
      }
      await append(tx, feed, 5)
    })
    // `other` last numbered record 1: were numbers kept per Feed it would take 2 now, behind
    // records already committed (a reader past 5 would never see it).
    await db.unit((tx) => append(tx, other, 6))
    await db.unit((tx) => append(tx, feed, 7))
    const committed = (db.sqlite.prepare('SELECT payload FROM feed ORDER BY seq').all() as { payload: string }[]).map(
      (r) => (JSON.parse(r.payload) as { data: { orderNo: string } }).data.orderNo
    )
    expect(committed).toEqual(['o1', 'o3', 'o5', 'o6', 'o7'])
    expect(seqs()).toEqual([1, 3, 5, 6, 7])
    // The payload (what is signed) carries the same number as the row.
    expect(payloadSeqs().every(([row, signed]) => row === signed)).toBe(true)
  })

  it('reads the number again when a row took it behind the cache, and after a restart', async () => {
    const { path, db, accountId, feed, seqs, payloadSeqs } = await setup()
    const item = { kind: 'recharge' as const, amount: { amount: 100, currency: 'CNY' as const } }
    await db.unit((tx) => feed.append(tx, accountId, 'order_closed', { ...order(1), provider: 'stripe', item }))
    // A row written at the cached number behind the cache's back (the relay has one writing
    // connection; this is the primary-key fallback, not support for a second writer).
    const second = new Database(path)
    second
      .prepare("INSERT INTO feed (seq, id, account_id, type, timestamp, payload, signature, key_id) VALUES (2, 'rec_x', ?, 'order_closed', 0, '{\"seq\":2}', '', ?)")
      .run(accountId, key.keyId)
    second.close()
    const r = await db.unit((tx) => feed.append(tx, accountId, 'order_closed', { ...order(3), provider: 'stripe', item }))
    expect(r.seq).toBe(3)
    expect(seqs()).toEqual([1, 2, 3])
    expect(payloadSeqs().at(-1)).toEqual([3, 3])
    // After a restart the number continues from the file.
    await db.close()
    const again = openSqliteStore({ path, durability: 'normal' })
    setDb(again)
    const fresh = new Feed(again, key, new ManualClock(0), sequentialIds('f'))
    expect((await again.unit((tx) => fresh.append(tx, accountId, 'order_closed', { ...order(4), provider: 'stripe', item }))).seq).toBe(4)
    // The number is kept per store, not per process: another database numbers from its own file.
    const otherPath = join(tempDir('feed-seq-other-'), 'relay.sqlite')
    const otherDb = openSqliteStore({ path: otherPath, durability: 'normal' })
    try {
      const otherAccount = (await accountsOf(otherDb, new ManualClock(0), sequentialIds('o')).createEnrolment(undefined, 'o')).accountId
      const otherFeed = new Feed(otherDb, key, new ManualClock(0), sequentialIds('p'))
      expect((await otherDb.unit((tx) => otherFeed.append(tx, otherAccount, 'order_closed', { ...order(1), provider: 'stripe', item }))).seq).toBe(1)
      expect((await again.unit((tx) => fresh.append(tx, accountId, 'order_closed', { ...order(5), provider: 'stripe', item }))).seq).toBe(5)
    } finally {
      await otherDb.close()
    }
  })
})

forEachStore('relay wallet moves', () => {
  it('credit and debit: the balance, debt records, and refusals that change nothing', async () => {
    const { store: db, sql } = await openTestStore()
    setStore(db)
    const clock = new ManualClock(1_700_000_000_000)
    const ids = sequentialIds('s')
    const { accountId } = await accountsOf(db, clock, ids).createEnrolment(undefined, 'seq')
    const feed = new Feed(db, key, clock, ids)
    const wallet = new RelayWallet(new Ledger(clock), feed, ids)
    const cny = (amount: number) => ({ amount, currency: 'CNY' as const })
    const state = () => db.read((tx) => wallet.state(tx, accountId))
    const clearing = chart.clearing('stripe', 'CNY')
    const credit = (amount: number, orderNo: string, account = accountId) =>
      db.unit((tx) => wallet.credit(tx, account, cny(amount), { id: `payment:${orderNo}`, from: clearing, sourceId: orderNo, feedSourceId: orderNo }))
    const debit = (amount: number, id: string) =>
      db.unit((tx) =>
        wallet.debit(tx, accountId, cny(amount), { id, kind: 'wallet_debit', to: chart.usageRevenue('CNY'), sourceId: id, feedSourceId: id, reason: 'overdraft' })
      )
    await credit(500, 'o1')
    expect(await state()).toEqual({ balance: cny(500), debt: cny(0), bonus: cny(0) })
    await debit(800, 'd1')
    expect(await state()).toEqual({ balance: cny(-300), debt: cny(300), bonus: cny(0) })
    await credit(100, 'o2')
    await credit(1000, 'o3')
    expect(await state()).toEqual({ balance: cny(800), debt: cny(0), bonus: cny(0) })
    const debts = (await sql<{ payload: string }>("SELECT payload FROM feed WHERE type = 'debt' ORDER BY seq")).map(
      (r) => (JSON.parse(r.payload) as { data: { reason: string; change: { amount: number }; outstanding: { amount: number } } }).data
    )
    expect(debts.map((d) => [d.reason, d.change.amount, d.outstanding.amount])).toEqual([
      ['overdraft', 300, 300],
      ['settled', -100, 200],
      ['settled', -200, 0]
    ])
    // Each move is its transfers: the shortfall lent from the receivable, repayments from the wallet.
    const transfers = await sql('SELECT id, kind, amount FROM ledger_transfers ORDER BY seq')
    expect(transfers).toEqual([
      { id: 'payment:o1', kind: 'payment', amount: 500 },
      { id: 'd1:debt', kind: 'debt', amount: 300 },
      { id: 'd1', kind: 'wallet_debit', amount: 800 },
      { id: 'payment:o2', kind: 'payment', amount: 100 },
      { id: 'payment:o2:repay', kind: 'debt_repayment', amount: 100 },
      { id: 'payment:o3', kind: 'payment', amount: 1000 },
      { id: 'payment:o3:repay', kind: 'debt_repayment', amount: 200 }
    ])
    // Another currency changes nothing and says why; so does an unknown account, and an id twice.
    await expect(db.unit((tx) => wallet.credit(tx, accountId, { amount: 5, currency: 'USD' }, { id: 'payment:o4', from: chart.clearing('stripe', 'USD'), sourceId: 'o4', feedSourceId: 'o4' }))).rejects.toThrow(CurrencyMismatch)
    await expect(credit(5, 'o5', 'no-such-account')).rejects.toThrow('no relay account')
    await expect(credit(5, 'o1')).rejects.toThrow(/UNIQUE|duplicate key/)
    expect(await state()).toEqual({ balance: cny(800), debt: cny(0), bonus: cny(0) })
    expect(await sql('SELECT COUNT(*) AS n FROM ledger_transfers')).toEqual([{ n: 7 }])
  })
})
