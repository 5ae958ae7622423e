import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mrrAt } from '../../src/relay/reports/mrr'
import { revenueReport } from '../../src/relay/reports/service'
import { openSqliteStore } from '../../src/relay/store/sqlite/open'
import { nowNs, percentile, round } from '../stats'

// Benchmark (a script, not a test): the console's reports over a relay ledger of BENCH_TRANSFERS
// transfers (default 1,000,000 over one year: recharges into 10,000 wallets and paid uses out of
// them) and BENCH_GRANTS subscription grants (default 100,000), on SQLite.
//   report_month_ms  the revenue report of the year's last month, by day (it walks every transfer
//                    before the month's end: the wallet liability is a balance)
//   report_mrr_ms    MRR at the year's end from the running grants
//   report_floor_ms  the floor: a bare SUM(amount) over the same transfers, the least a report can read
// Median of 5 (target: each < 1 s). The PostgreSQL half (report_month_pg_ms) is not written yet.

const N = Number(process.env['BENCH_TRANSFERS'] ?? 1_000_000)
const GRANTS = Number(process.env['BENCH_GRANTS'] ?? 100_000)
const ACCOUNTS = 10_000
const T0 = Date.UTC(2025, 0, 1)
const YEAR = 365 * 86_400_000
const SAMPLES = 5

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
    const clock = { now: () => T0 + YEAR + 86_400_000 }
    const monthStart = Date.UTC(2025, 11, 1) - 8 * 3_600_000
    const monthEnd = T0 + YEAR - 8 * 3_600_000
    const time = async (f: () => Promise<unknown> | unknown) => {
      const xs: number[] = []
      for (let i = 0; i < SAMPLES; i++) {
        const t = nowNs()
        await f()
        xs.push(Number(nowNs() - t) / 1e6)
      }
      return round(percentile(xs, 50))
    }
    let days = 0
    const month = await time(async () => {
      const r = await revenueReport(store, clock, { from: monthStart, to: monthEnd, bucket: 'day', timeZone: 'Asia/Shanghai' })
      days = Object.keys(r.periods['CNY'] ?? {}).length
    })
    let mrr = 0
    const at = T0 + YEAR - 1
    const mrrMs = await time(async () => {
      mrr = mrrAt(at, await store.read(async (tx) => tx.grants.runningAt(at))).mrr['CNY'] ?? 0
    })
    const floor = await time(() => s.prepare('SELECT sum(amount) FROM ledger_transfers WHERE at < ?').pluck().get(monthEnd))
    console.log(`month report (${days} days) ${month} ms; MRR ${mrr} at the year's end ${mrrMs} ms; floor (SUM over the same rows) ${floor} ms`)
    console.log(JSON.stringify({ report_month_ms: month, report_mrr_ms: mrrMs, report_floor_ms: floor, transfers: N, grants: GRANTS, target_ms: 1000 }))
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

void main()
