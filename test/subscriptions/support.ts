import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import type { BillingDb } from '../../src/main/db/open'
import { money } from '../../src/shared/money'
import {
  createSubscriptions,
  fromWallTime,
  type SubscriptionRecord,
  type SubscriptionService,
  type WalletPort
} from '../../src/main/subscriptions'
import { tempDb } from '../support/db'

export const SH = 'Asia/Shanghai'

/** An instant given as Shanghai (or `tz`) wall-clock time. */
export function at(year: number, month: number, day: number, hour = 10, minute = 0, tz = SH): number {
  return fromWallTime({ year, month, day, hour, minute, second: 0, millisecond: 0 }, tz)
}

/** Wall-clock text of an instant, e.g. "2025-02-28 10:00:00". */
export function wall(ms: number | null, tz = SH): string | null {
  return ms === null ? null : new Date(ms).toLocaleString('sv-SE', { timeZone: tz })
}

/**
 * A real, tiny wallet behind the WalletPort: a balance row and a payments table in the same
 * SQLite file, written in a nested db.tx (a savepoint inside the subscriptions transaction).
 */
export function tableWallet(db: BillingDb, initial = 0) {
  db.sqlite.exec(`
    CREATE TABLE IF NOT EXISTS test_wallet (id INTEGER PRIMARY KEY CHECK (id = 1), balance INTEGER NOT NULL CHECK (balance >= 0));
    CREATE TABLE IF NOT EXISTS test_wallet_payments (key TEXT PRIMARY KEY, amount INTEGER NOT NULL, reason TEXT NOT NULL);
  `)
  db.sqlite.prepare('INSERT OR REPLACE INTO test_wallet (id, balance) VALUES (1, ?)').run(initial)
  const balance = (): number => (db.sqlite.prepare('SELECT balance FROM test_wallet WHERE id = 1').get() as { balance: number }).balance
  const port: WalletPort = {
    pay: ({ key, amount, reason }) =>
      db.tx(() => {
        if (!Number.isInteger(amount.amount) || amount.amount <= 0) throw new Error('bad amount')
        if (db.sqlite.prepare('SELECT 1 FROM test_wallet_payments WHERE key = ?').get(key)) return { paid: true as const }
        const bal = balance()
        if (bal < amount.amount) return { paid: false as const, shortfall: money(amount.amount - bal, amount.currency) }
        db.sqlite.prepare('UPDATE test_wallet SET balance = balance - ? WHERE id = 1').run(amount.amount)
        db.sqlite.prepare('INSERT INTO test_wallet_payments (key, amount, reason) VALUES (?, ?, ?)').run(key, amount.amount, reason)
        return { paid: true as const }
      }),
  }
  return {
    port,
    balance,
    topUp: (n: number) => void db.sqlite.prepare('UPDATE test_wallet SET balance = balance + ? WHERE id = 1').run(n),
    payments: () => db.sqlite.prepare('SELECT key, amount FROM test_wallet_payments ORDER BY rowid').all() as { key: string; amount: number }[]
  }
}

export interface Setup {
  db: BillingDb
  clock: ManualClock
  subs: SubscriptionService
  wallet: ReturnType<typeof tableWallet>
  records: SubscriptionRecord[]
}

export function setup(opts: { balance?: number; graceDays?: number; timeZone?: string; start?: number; db?: BillingDb } = {}): Setup {
  const db = opts.db ?? tempDb()
  const clock = new ManualClock(opts.start ?? at(2025, 1, 31))
  const wallet = tableWallet(db, opts.balance ?? 0)
  const records: SubscriptionRecord[] = []
  const subs = createSubscriptions({
    db,
    clock,
    ids: sequentialIds('sub'),
    walletPort: wallet.port,
    ...(opts.graceDays !== undefined ? { graceDays: opts.graceDays } : {}),
    ...(opts.timeZone !== undefined ? { timeZone: opts.timeZone } : {}),
    onRecord: (r) => records.push(r)
  })
  return { db, clock, subs, wallet, records }
}

const TABLES = [
  'plans',
  'plan_catalog_seeds',
  'subscriptions',
  'subscription_events',
  'subscription_requests',
  'subscription_charges',
  'test_wallet',
  'test_wallet_payments'
]

/** Every row this domain (and the test wallet) owns: compared before/after a refused call. */
export function snapshot(db: BillingDb): string {
  return JSON.stringify(TABLES.map((t) => db.sqlite.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()))
}

export const DAY = 86_400_000
