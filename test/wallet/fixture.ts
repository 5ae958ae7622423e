import { join } from 'node:path'
import { expect } from 'vitest'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { openDatabase, type BillingDb } from '../../src/main/db/open'
import { BillingError, type ErrorCode } from '../../src/shared/errors'
import { Wallet, type WalletDeps } from '../../src/main/wallet'
import { tempDb, tempDir } from '../support/db'

export const T0 = Date.UTC(2025, 0, 1, 8, 0, 0)

export function setup(over: Partial<WalletDeps> = {}) {
  const db = over.db ?? tempDb()
  const clock = new ManualClock(T0)
  const ids = sequentialIds('w')
  const wallet = new Wallet({ db, clock, ids, ...over })
  return { db, clock, ids, wallet }
}

/** A file path that survives close(), for reopen tests; the directory is removed after the test. */
export function filePath(): string {
  return join(tempDir(), 'wallet.sqlite')
}

export function openFile(path: string, opts: { lock?: boolean } = {}): BillingDb {
  return openDatabase({ path, durability: 'normal', ...opts })
}

const TABLES = [
  'wallet_accounts',
  'wallet_entries',
  'wallet_holds',
  'wallet_payments',
  'wallet_refunds',
  'wallet_first_free_claims'
] as const

/** Everything a failed operation must leave as it was: every row of every wallet table. */
export function snapshot(db: BillingDb, wallet?: Wallet) {
  const tables = Object.fromEntries(
    TABLES.map((t) => [t, db.sqlite.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()])
  )
  const memory = wallet
    ? { balance: wallet.balance(), debt: wallet.debt(), held: wallet.held(), firstFree: wallet.firstFreeUsed() }
    : null
  return { tables, memory }
}

/** Runs fn, expects a BillingError with `code`, and proves nothing changed. */
export function expectRejected(db: BillingDb, wallet: Wallet, code: ErrorCode, fn: () => unknown): BillingError {
  const before = snapshot(db, wallet)
  let caught: unknown
  try {
    fn()
  } catch (err) {
    caught = err
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(BillingError)
  expect((caught as BillingError).code).toBe(code)
  expect(snapshot(db, wallet)).toEqual(before)
  return caught as BillingError
}

export const cny = (amount: number) => ({ amount, currency: 'CNY' as const })

export function sumOfBalances(db: BillingDb): number {
  return (db.sqlite.prepare('SELECT COALESCE(SUM(balance), 0) AS s FROM wallet_accounts').get() as { s: number }).s
}
