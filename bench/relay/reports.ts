import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mrrAt } from '../../src/relay/reports/mrr'
import { revenueReport } from '../../src/relay/reports/service'
import { statement } from '../../src/relay/reports/statement'
import { openPgStore } from '../../src/relay/store/pg/open'
import type { RelayStore } from '../../src/relay/store/ports'
import { openSqliteStore } from '../../src/relay/store/sqlite/open'
import { nowNs, percentile, round } from '../stats'
import { benchDatabase } from './pg-database'

// Benchmark (a script, not a test): the console's reports over a relay ledger of BENCH_TRANSFERS
// transfers (default 1,000,000 over one year: recharges into 10,000 wallets and paid uses out of
// them) and BENCH_GRANTS subscription grants (default 100,000), on SQLite.
//   report_month_ms  the revenue report of the year's last month, by day (it walks every transfer
//                    before the month's end: the wallet liability is a balance)
//   report_mrr_ms    MRR at the year's end from the running grants
//   report_statement_ms  the monthly statement of that month (2025-12): the revenue report by
//                    month plus MRR at its end, as GET /v1/console/reports/statement answers it
//   report_floor_ms  the floor: a bare SUM(amount) over the same transfers, the least a report can read
// Median of 5 (target: each < 1 s). The PostgreSQL half (BENCH_PG=0 skips it): the same fixture by
// INSERT … SELECT over generate_series in a database of its own (pg-database.ts), the same
// reports through the PostgreSQL store: report_month_pg_ms, report_mrr_pg_ms, report_statement_pg_ms.

const N = Number(process.env['BENCH_TRANSFERS'] ?? 1_000_000)
const GRANTS = Number(process.env['BENCH_GRANTS'] ?? 100_000)
const ACCOUNTS = 10_000
const T0 = Date.UTC(2025, 0, 1)
const YEAR = 365 * 86_400_000
const SAMPLES = 5

const CLOCK = { now: () => T0 + YEAR + 86_400_000 }
const MONTH_START = Date.UTC(2025, 11, 1) - 8 * 3_600_000
const MONTH_END = T0 + YEAR - 8 * 3_600_000

async function time(f: () => Promise<unknown> | unknown): Promise<number> {
  const xs: number[] = []
  for (let i = 0; i < SAMPLES; i++) {
    const t = nowNs()
    await f()
    xs.push(Number(nowNs() - t) / 1e6)
  }
  return round(percentile(xs, 50))
}

async function measure(label: string, store: RelayStore, floorQuery: () => Promise<unknown> | unknown) {
  let days = 0
  const month = await time(async () => {
    const r = await revenueReport(store, CLOCK, { from: MONTH_START, to: MONTH_END, bucket: 'day', timeZone: 'Asia/Shanghai' })
    days = Object.keys(r.periods['CNY'] ?? {}).length
  })
  let mrr = 0
  const at = T0 + YEAR - 1
  const mrrMs = await time(async () => {
    mrr = mrrAt(at, await store.read(async (tx) => tx.grants.runningAt(at))).mrr['CNY'] ?? 0
  })
  let net = 0
  const statementMs = await time(async () => {
    net = (await statement(store, CLOCK, { bucket: 'month', period: '2025-12', timeZone: 'Asia/Shanghai' })).currencies['CNY']?.net ?? 0
  })
  const floor = await time(floorQuery)
  console.log(
    `${label}: month report (${days} days) ${month} ms; MRR ${mrr} at the year's end ${mrrMs} ms; statement 2025-12 (net ${net}) ${statementMs} ms; floor (SUM over the same rows) ${floor} ms`
  )
  return { month, mrr: mrrMs, statement: statementMs, floor }
}

// The SQLite fixture's rows, generated in SQL: accounts, then transfers and grants by series.
const PG_FIXTURE = [
  "INSERT INTO ledger_accounts (id, kind, customer_account_id, currency, created_at) VALUES ('clearing:alipay:CNY', 'provider_clearing', NULL, 'CNY', $1), ('revenue:usage:CNY', 'revenue_usage', NULL, 'CNY', $1)",
  "INSERT INTO accounts (id, created_at) SELECT 'acc_' || a, $1 FROM generate_series(0, $2 - 1) a",
  "INSERT INTO ledger_accounts (id, kind, customer_account_id, currency, created_at) SELECT 'wallet:acc_' || a || ':CNY', 'customer_wallet', 'acc_' || a, 'CNY', $1 FROM generate_series(0, $2 - 1) a",
  `INSERT INTO ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, currency, customer_account_id, source_id, at)
   SELECT 'tr_' || i, CASE WHEN i % 10 = 0 THEN 'payment' ELSE 'wallet_debit' END,
     CASE WHEN i % 10 = 0 THEN 'clearing:alipay:CNY' ELSE 'wallet:acc_' || (i % $2) || ':CNY' END,
     CASE WHEN i % 10 = 0 THEN 'wallet:acc_' || (i % $2) || ':CNY' ELSE 'revenue:usage:CNY' END,
     CASE WHEN i % 10 = 0 THEN 10000 ELSE 100 END, 'CNY', 'acc_' || (i % $2), 'o_' || i,
     $1::timestamptz + (floor(i::float8 / $3 * 365) || ' days')::interval
   FROM generate_series(0, $3 - 1) i`,
  `INSERT INTO grants (id, account_id, source, plan_code, period, price_minor, currency, starts_at, ends_at, status)
   SELECT 'g_' || g, 'acc_' || (g % $2), 'order', 'BASIC', (ARRAY['monthly', 'quarterly', 'yearly'])[g % 3 + 1], (ARRAY[2900, 7900, 29900])[g % 3 + 1], 'CNY',
     $1::timestamptz + (floor(g::float8 / $3 * 365) || ' days')::interval,
     $1::timestamptz + (floor(g::float8 / $3 * 365) || ' days')::interval + ((ARRAY[31, 92, 366])[g % 3 + 1] || ' days')::interval, 'active'
   FROM generate_series(0, $3 - 1) g`
]

async function pgPhase(): Promise<{ month: number; mrr: number; statement: number; floor: number } | undefined> {
  const db = await benchDatabase('reports')
  if (!db) return undefined
  try {
    const store = await openPgStore({ url: db.url, poolMax: 2, statementTimeoutMs: 600_000 })
    try {
      const t0 = nowNs()
      const t = new Date(T0)
      await store.pool.query(PG_FIXTURE[0]!, [t])
      await store.pool.query(PG_FIXTURE[1]!, [t, ACCOUNTS])
      await store.pool.query(PG_FIXTURE[2]!, [t, ACCOUNTS])
      await store.pool.query(PG_FIXTURE[3]!, [t, ACCOUNTS, N])
      await store.pool.query(PG_FIXTURE[4]!, [t, ACCOUNTS, GRANTS])
      await store.pool.query('VACUUM (ANALYZE)')
      console.log(`PostgreSQL fixture loaded in ${(Number(nowNs() - t0) / 1e9).toFixed(1)} s`)
      return await measure('PostgreSQL', store, () => store.pool.query('SELECT sum(amount) FROM ledger_transfers WHERE at < $1', [new Date(MONTH_END)]))
    } finally {
      await store.close()
    }
  } finally {
    await db.remove()
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-reports-'))
  const store = openSqliteStore({ path: join(dir, 'relay.sqlite'), durability: 'normal' })
  try {
    const s = store.sqlite
    const t0 = nowNs()
    s.transaction(() => {
      const account = s.prepare('INSERT INTO accounts (id, created_at) VALUES (?, ?)')
      const ledgerAccount = s.prepare('INSERT INTO ledger_accounts (id, kind, customer_account_id, currency, created_at) VALUES (?, ?, ?, ?, ?)')
      ledgerAccount.run('clearing:alipay:CNY', 'provider_clearing', null, 'CNY', T0)
      ledgerAccount.run('revenue:usage:CNY', 'revenue_usage', null, 'CNY', T0)
      for (let a = 0; a < ACCOUNTS; a++) {
        account.run(`acc_${a}`, T0)
        ledgerAccount.run(`wallet:acc_${a}:CNY`, 'customer_wallet', `acc_${a}`, 'CNY', T0)
      }
      const transfer = s.prepare(
        'INSERT INTO ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, currency, customer_account_id, source_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
      )
      for (let i = 0; i < N; i++) {
        const a = `acc_${i % ACCOUNTS}`
        const at = T0 + Math.floor((i / N) * YEAR)
        // One in ten a recharge of 100.00, the rest paid uses of 1.00: wallets stay above zero.
        if (i % 10 === 0) transfer.run(`tr_${i}`, 'payment', 'clearing:alipay:CNY', `wallet:${a}:CNY`, 10_000, 'CNY', a, `o_${i}`, at)
        else transfer.run(`tr_${i}`, 'wallet_debit', `wallet:${a}:CNY`, 'revenue:usage:CNY', 100, 'CNY', a, `d_${i}`, at)
      }
      const grant = s.prepare(
        "INSERT INTO grants (id, account_id, source, plan_code, period, price_minor, currency, starts_at, ends_at, status) VALUES (?, ?, 'order', 'BASIC', ?, ?, 'CNY', ?, ?, 'active')"
      )
      const periods = [['monthly', 2900, 31], ['quarterly', 7900, 92], ['yearly', 29900, 366]] as const
      for (let g = 0; g < GRANTS; g++) {
        const [period, price, days] = periods[g % 3]!
        const start = T0 + Math.floor((g / GRANTS) * YEAR)
        grant.run(`g_${g}`, `acc_${g % ACCOUNTS}`, period, price, start, start + days * 86_400_000)
      }
    })()
    console.log(`fixture: ${N.toLocaleString('en')} transfers, ${GRANTS.toLocaleString('en')} grants in ${(Number(nowNs() - t0) / 1e9).toFixed(1)} s`)
    const sqliteFigures = await measure('SQLite', store, () => s.prepare('SELECT sum(amount) FROM ledger_transfers WHERE at < ?').pluck().get(MONTH_END))
    const pgFigures = process.env['BENCH_PG'] === '0' ? undefined : await pgPhase()
    console.log(
      JSON.stringify({
        report_month_ms: sqliteFigures.month,
        report_mrr_ms: sqliteFigures.mrr,
        report_statement_ms: sqliteFigures.statement,
        report_floor_ms: sqliteFigures.floor,
        ...(pgFigures ? { report_month_pg_ms: pgFigures.month, report_mrr_pg_ms: pgFigures.mrr, report_statement_pg_ms: pgFigures.statement, report_floor_pg_ms: pgFigures.floor } : {}),
        transfers: N,
        grants: GRANTS,
        target_ms: 1000
      })
    )
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

void main()
