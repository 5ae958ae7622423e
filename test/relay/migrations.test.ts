import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { verifyLedger } from '../../src/relay/ledger/verify'
import { openSqliteStore, relayMigrationsFolder } from '../../src/relay/store/sqlite/open'
import { tempDir } from '../support/db'

// Upgrades of a relay database that already holds data.

/** A copy of migrations/relay that stops before `tag`. */
function migrationsBefore(tag: string): string {
  const folder = join(tempDir('relay-migrations-'), 'relay')
  cpSync(relayMigrationsFolder(), folder, { recursive: true })
  const journalPath = join(folder, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] }
  const at = journal.entries.findIndex((e) => e.tag === tag)
  expect(at).toBeGreaterThan(0)
  for (const e of journal.entries.slice(at)) rmSync(join(folder, `${e.tag}.sql`))
  journal.entries = journal.entries.slice(0, at)
  writeFileSync(journalPath, JSON.stringify(journal))
  return folder
}

/** A relay file at an older schema, as an older relay left it (its code's repositories are gone). */
function olderRelayFile(path: string, before: string): Database.Database {
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  migrate(drizzle(sqlite), { migrationsFolder: migrationsBefore(before) })
  return sqlite
}

describe('relay migrations', () => {
  it('0003 rebuilds outbox_records WITHOUT ROWID and keeps every record', async () => {
    const path = join(tempDir('relay-upgrade-'), 'relay.sqlite')
    const old = olderRelayFile(path, '0003_outbox_records_without_rowid')
    old.prepare("INSERT INTO accounts (id, created_at) VALUES ('acct_1', 1)").run()
    const insert = old.prepare(
      "INSERT INTO outbox_records (account_id, id, device_id, kind, fingerprint, body, outcome, received_at) VALUES ('acct_1', ?, 'dev_1', 'usage', ?, ?, 'recorded', 2)"
    )
    for (let i = 0; i < 50; i++) insert.run(`use-${i}`, `fp${i}`, `{"id":"use-${i}"}`)
    const before = old.prepare('SELECT * FROM outbox_records ORDER BY account_id, id').all()
    old.close()

    const db = openSqliteStore({ path })
    try {
      const sql = (db.sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = 'outbox_records'").get() as { sql: string }).sql
      expect(sql).toMatch(/WITHOUT ROWID\s*$/)
      expect(db.sqlite.prepare('SELECT * FROM outbox_records ORDER BY account_id, id').all()).toEqual(before)
      // The key still refuses a duplicate, and the foreign key still holds.
      const again = db.sqlite.prepare(
        "INSERT INTO outbox_records (account_id, id, device_id, kind, fingerprint, body, outcome, received_at) VALUES (?, 'use-0', 'dev_1', 'usage', 'x', '{}', 'recorded', 3)"
      )
      expect(() => again.run('acct_1')).toThrow(/UNIQUE|PRIMARY KEY/)
      expect(() => again.run('acct_missing')).toThrow(/FOREIGN KEY/)
      expect(db.sqlite.pragma('foreign_key_check')).toEqual([])
    } finally {
      await db.close()
    }
  })

  it('0004 carries the wallet column into the ledger: opening balances, past payments and refunds; the books hold', async () => {
    const path = join(tempDir('relay-ledger-upgrade-'), 'relay.sqlite')
    const old = olderRelayFile(path, '0004_ledger')
    const account = old.prepare("INSERT INTO accounts (id, created_at, wallet_balance) VALUES (?, 1, ?)")
    account.run('acct_rich', 4200)
    account.run('acct_owing', -300)
    account.run('acct_zero', 0)
    const order = old.prepare(
      `INSERT INTO orders (id, order_no, account_id, device_id, client_key, request_fingerprint, provider, item_json, subject, amount,
        currency, refunded_amount, state, expires_at, created_at, updated_at) VALUES (?, ?, ?, 'dev', ?, 'fp', ?, '{}', 's', ?, 'CNY', ?, ?, 9, 2, 3)`
    )
    order.run('ord_1', 'R1', 'acct_rich', 'k1', 'alipay', 5000, 800, 'partially_refunded')
    order.run('ord_2', 'R2', 'acct_owing', 'k2', 'stripe', 2900, 0, 'paid')
    order.run('ord_3', 'R3', 'acct_owing', 'k3', 'stripe', 1000, 0, 'expired')
    old.prepare("INSERT INTO refunds (provider, refund_id, order_id, amount, at) VALUES ('alipay', 'rf_1', 'ord_1', 800, 4)").run()
    old.close()

    const db = openSqliteStore({ path })
    try {
      const transfers = db.sqlite
        .prepare('SELECT id, kind, debit_account_id AS debit, credit_account_id AS credit, amount FROM ledger_transfers ORDER BY seq')
        .all()
      expect(transfers).toEqual([
        { id: 'opening:acct_owing', kind: 'opening_balance', debit: 'receivable:acct_owing:CNY', credit: 'opening:CNY', amount: 300 },
        { id: 'opening:acct_rich', kind: 'opening_balance', debit: 'opening:CNY', credit: 'wallet:acct_rich:CNY', amount: 4200 },
        { id: 'payment:R1', kind: 'payment', debit: 'clearing:alipay:CNY', credit: 'opening:CNY', amount: 5000 },
        { id: 'payment:R2', kind: 'payment', debit: 'clearing:stripe:CNY', credit: 'opening:CNY', amount: 2900 },
        { id: 'refund:alipay:rf_1', kind: 'refund', debit: 'opening:CNY', credit: 'clearing:alipay:CNY', amount: 800 }
      ])
      const report = verifyLedger(await db.read(async (tx) => tx.ledger.snapshot()))
      expect(report.breaks).toEqual([])
      expect(report.ok).toBe(true)
      expect(db.sqlite.prepare("SELECT COUNT(*) AS n FROM pragma_table_info('accounts') WHERE name = 'wallet_balance'").get()).toEqual({ n: 0 })
    } finally {
      await db.close()
    }
  })

  it('0006 lets a grant be paid by the wallet: grants from before keep their order and its price', async () => {
    const path = join(tempDir('relay-grants-upgrade-'), 'relay.sqlite')
    const old = olderRelayFile(path, '0006_wallet_grants')
    old.prepare('INSERT INTO accounts (id, created_at) VALUES (?, 1)').run('acct_1')
    old
      .prepare(
        `INSERT INTO orders (id, order_no, account_id, device_id, client_key, request_fingerprint, provider, item_json, subject, amount,
          currency, refunded_amount, state, expires_at, created_at, updated_at) VALUES ('ord_1', 'R1', 'acct_1', 'dev', 'k1', 'fp', 'alipay', '{}', 's', 5900, 'CNY', 0, 'paid', 9, 2, 3)`
      )
      .run()
    old
      .prepare("INSERT INTO grants (id, account_id, order_id, plan_code, period, starts_at, ends_at, status) VALUES ('grant_1', 'acct_1', 'ord_1', 'PREMIUM', 'monthly', 10, 20, 'active')")
      .run()
    old.close()

    const db = openSqliteStore({ path })
    try {
      expect(db.sqlite.prepare('SELECT * FROM grants').all()).toEqual([
        {
          id: 'grant_1',
          account_id: 'acct_1',
          source: 'order',
          order_id: 'ord_1',
          purchase_id: null,
          device_id: null,
          plan_code: 'PREMIUM',
          period: 'monthly',
          price_minor: 5900,
          currency: 'CNY',
          starts_at: 10,
          ends_at: 20,
          carried_ms: 0,
          carried_from: null,
          status: 'active'
        }
      ])
      // A wallet-paid grant has no order.
      db.sqlite
        .prepare(
          "INSERT INTO grants (id, account_id, order_id, purchase_id, device_id, plan_code, period, starts_at, ends_at, status) VALUES ('grant_2', 'acct_1', NULL, 'pur-1', 'dev', 'BASIC', 'monthly', 20, 30, 'active')"
        )
        .run()
      expect(db.sqlite.prepare('PRAGMA foreign_key_check').all()).toEqual([])
    } finally {
      await db.close()
    }
  })

  it('0009 adds sign-in beside existing accounts and devices: they keep working, an identity joins an old account', async () => {
    const path = join(tempDir('relay-sign-in-upgrade-'), 'relay.sqlite')
    const old = olderRelayFile(path, '0009_sign_in')
    old.prepare("INSERT INTO accounts (id, created_at) VALUES ('acct_1', 1)").run()
    old.prepare("INSERT INTO devices (id, account_id, name, token_hash, enrolled_at) VALUES ('dev_1', 'acct_1', 'pc', 'hash-1', 2)").run()
    old.close()

    const db = openSqliteStore({ path })
    try {
      expect(await db.read(async (tx) => tx.accounts.deviceByToken('hash-1'))).toMatchObject({ id: 'dev_1', accountId: 'acct_1' })
      await db.unit(async (tx) => tx.signIn.insertIdentity('email', 'old@example.com', 'acct_1', 3))
      expect(await db.read(async (tx) => tx.signIn.accountOf('email', 'old@example.com'))).toBe('acct_1')
      // One identity, one account; and no identity for an account that does not exist.
      await expect(db.unit(async (tx) => tx.signIn.insertIdentity('email', 'old@example.com', 'acct_1', 4))).rejects.toThrow(/UNIQUE|PRIMARY KEY/)
      await expect(db.unit(async (tx) => tx.signIn.insertIdentity('sms', '+8613800138000', 'acct_missing', 4))).rejects.toThrow(/FOREIGN KEY/)
      expect(await db.unit(async (tx) => tx.signIn.rememberHostToken('iss', 'jti-1', 10, 5))).toBe(true)
      expect(await db.unit(async (tx) => tx.signIn.rememberHostToken('iss', 'jti-1', 10, 6))).toBe(false)
    } finally {
      await db.close()
    }
  })

  it('0011 adds notices beside existing accounts: zh-CN until a device says otherwise, one notice per key, one opt-out per kind', async () => {
    const path = join(tempDir('relay-notices-upgrade-'), 'relay.sqlite')
    const old = olderRelayFile(path, '0011_notices')
    old.prepare("INSERT INTO accounts (id, created_at) VALUES ('acct_1', 1)").run()
    old.close()

    const db = openSqliteStore({ path })
    try {
      expect(await db.read(async (tx) => tx.notices.language('acct_1'))).toBe('zh-CN')
      await db.unit(async (tx) => tx.notices.setLanguage('acct_1', 'en', 2))
      expect(await db.read(async (tx) => tx.notices.language('acct_1'))).toBe('en')
      const notice = { accountId: 'acct_1', noticeId: 'payment:R1', kind: 'payment_received', at: 3 }
      expect(await db.unit(async (tx) => tx.notices.claim(notice))).toBe(true)
      expect(await db.unit(async (tx) => tx.notices.claim(notice))).toBe(false)
      expect(await db.unit(async (tx) => tx.notices.optOut('acct_1', 'subscription_ending', 4))).toBe(true)
      expect(await db.unit(async (tx) => tx.notices.optOut('acct_1', 'subscription_ending', 5))).toBe(false)
      await expect(db.unit(async (tx) => tx.notices.setLanguage('acct_missing', 'en', 6))).rejects.toThrow(/FOREIGN KEY/)
    } finally {
      await db.close()
    }
  })

  it('0012 adds invoices beside existing accounts: numbers start at 1 per series and year, one invoice per payment', async () => {
    const path = join(tempDir('relay-invoices-upgrade-'), 'relay.sqlite')
    const old = olderRelayFile(path, '0012_invoices')
    old.prepare("INSERT INTO accounts (id, created_at) VALUES ('acct_1', 1)").run()
    old.close()

    const db = openSqliteStore({ path })
    try {
      const row = { number: 'INV-2026-000001', accountId: 'acct_1', sourceKind: 'order' as const, sourceId: 'R1', issuedAt: 5, status: 'paid' as const, currency: 'CNY' as const, total: 100, tax: 6, discount: 0, credited: 0, creditedTax: 0, lines: '[]', buyer: null, version: 1, updatedAt: 5 }
      expect(await db.unit(async (tx) => [await tx.invoices.nextNumber('INV', 2026), await tx.invoices.nextNumber('INV', 2026), await tx.invoices.nextNumber('CN', 2026), await tx.invoices.nextNumber('INV', 2027)])).toEqual([1, 2, 1, 1])
      await db.unit(async (tx) => tx.invoices.insert(row))
      // One invoice per payment, and none for an account that does not exist.
      await expect(db.unit(async (tx) => tx.invoices.insert({ ...row, number: 'INV-2026-000002' }))).rejects.toThrow(/UNIQUE/)
      await expect(db.unit(async (tx) => tx.invoices.insert({ ...row, number: 'INV-2026-000003', sourceId: 'R2', accountId: 'acct_missing' }))).rejects.toThrow(/FOREIGN KEY/)
      await db.unit(async (tx) => tx.invoices.putBillingDetails('acct_1', '{}', 6))
      expect(await db.read(async (tx) => tx.invoices.billingDetails('acct_1'))).toBe('{}')
    } finally {
      await db.close()
    }
  })
})
