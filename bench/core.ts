import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBilling, type Billing } from '../src/main/billing'
import { systemClock } from '../src/node/clock'
import { randomIds } from '../src/node/ids'
import { openDatabase, type Durability } from '../src/main/db/open'
import { ensureLedgerFixture } from './fixtures/ledger'
import { latencyUs, nowNs, round } from './stats'

// Benchmark of the billing core (a script that prints, never a timed test). For each
// durability ('full', the app default, then 'normal') and beside floors measured in the same
// run on files opened by the same openDatabase() (same pragmas):
//   floor_tx      a bare better-sqlite3 IMMEDIATE transaction: one UPDATE + one INSERT
//   floor_select  a bare prepared point SELECT
//   check         quotas.check() median / p99 (memory only)
//   consume       quotas.consume(), one durable call (one transaction) per operation
//   wallet rule   wallet.chargeOrFree() (paid branch), one durable call per operation
//   open          createBilling() on a 1,000,000-entry ledger (open + migrate check + load)
// Throughput runs floor, consume and rule interleaved in blocks of 25 operations, each timed
// on its own, so a noisy neighbour on the shared disk hits floor and code alike.
// Env: BENCH_LEDGER_ENTRIES (default 1000000), BENCH_PHASE_MS (default 3000; doubled for 'full').
// Last line: one JSON object.

const ENTRIES = Number(process.env.BENCH_LEDGER_ENTRIES ?? 1_000_000)
const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 3_000)
const OPEN_RUNS = 7
const TARGET = { checkMedianUs: 1, consumeRatio: 0.7, openMs: 50 }

const log = (msg: string): void => console.log(msg)
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

/**
 * Ops/s of each function, interleaved in small blocks (floor, consume, rule, floor, …) and
 * timed separately, so all see the same disk: on a shared disk the fsync rate swings several
 * times over within a second, and back-to-back phases would compare different weather.
 */
function interleaved(fns: Record<string, (i: number) => unknown>, budgetMs: number, block = 25): Record<string, number> {
  const names = Object.keys(fns)
  let i = 0
  for (const name of names) for (let w = 0; w < 200; w++) fns[name]!(i++) // warm-up
  const spent = Object.fromEntries(names.map((n) => [n, 0n]))
  const done = Object.fromEntries(names.map((n) => [n, 0]))
  const end = nowNs() + BigInt(Math.round(budgetMs * 1e6))
  while (nowNs() < end) {
    for (const name of names) {
      const fn = fns[name]!
      const t = nowNs()
      for (let b = 0; b < block; b++) fn(i++)
      spent[name]! += nowNs() - t
      done[name]! += block
    }
  }
  return Object.fromEntries(names.map((n) => [n, Math.round(done[n]! / (Number(spent[n]) / 1e9))]))
}

interface Figures {
  floor_tx_ops_s: number
  floor_select_us: number
  floor_select_p99_us: number
  check_median_us: number
  check_p99_us: number
  consume_ops_s: number
  consume_ratio: number
  wallet_rule_ops_s: number
  wallet_rule_ratio: number
  open_ms_1m: number
}

function measure(durability: Durability, dir: string, fixture: string): Figures {
  // Floors: their own file, opened (and so configured) exactly like the ledger.
  const floorDb = openDatabase({ path: join(dir, `floor-${durability}.sqlite`), durability })
  const sq = floorDb.sqlite
  sq.exec(`CREATE TABLE floor_accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);
           CREATE TABLE floor_entries (seq INTEGER PRIMARY KEY, key TEXT NOT NULL, amount INTEGER NOT NULL, at INTEGER NOT NULL);
           INSERT INTO floor_accounts VALUES (1, 0), (2, 0);`)
  const update = sq.prepare('UPDATE floor_accounts SET balance = balance + ? WHERE id = ?')
  const insert = sq.prepare('INSERT INTO floor_entries (key, amount, at) VALUES (?, ?, ?)')
  const floorTx = sq.transaction((i: number) => {
    update.run(1, 1)
    insert.run(`k${i}`, 1, i)
  }).immediate
  const select = sq.prepare('SELECT balance FROM floor_accounts WHERE id = ?')

  // The measured core: a real file, an unlimited plan for consume, money for the rule.
  const billing: Billing = createBilling({
    dbPath: join(dir, `core-${durability}.sqlite`),
    clock: systemClock,
    ids: randomIds(systemClock),
    durability
  })
  const { quotas, wallet, subscriptions } = billing
  subscriptions.subscribe({ key: 'sub', planCode: 'ENTERPRISE', period: 'lifetime', payment: { paymentId: 'bench-pay' } })
  wallet.recharge({ key: 'top-up', paymentId: 'bench-top-up', provider: 'alipay', amount: 5_000_000_000 })
  if (quotas.check('ai_request').limit === null) throw new Error('expected a limited ai_request quota for check()')

  const floorSel = latencyUs(() => select.get(1))
  const check = latencyUs(() => quotas.check('ai_request', 1))

  const ops = interleaved(
    {
      floor: (i) => floorTx(i),
      // 'export' is unlimited on ENTERPRISE, so the run never hits the quota.
      consume: (i) => quotas.consume('export', 1, `u${i}`),
      rule: (i) => wallet.chargeOrFree({ key: `w${i}`, price: 1, feature: 'ai_request', reason: 'bench' })
    },
    durability === 'full' ? PHASE_MS * 2 : PHASE_MS
  )
  const report = billing.verify()
  if (!report.ok) throw new Error(`the benchmark ledger does not verify: ${report.problems.slice(0, 3).join('; ')}`)
  billing.close()
  floorDb.close()

  const opens: number[] = []
  for (let r = 0; r <= OPEN_RUNS; r++) {
    const t = nowNs()
    const b = createBilling({ dbPath: fixture, clock: systemClock, ids: randomIds(systemClock), durability })
    const ms = Number(nowNs() - t) / 1e6
    const head = b.db.sqlite.prepare<[], number>('SELECT MAX(seq) FROM wallet_entries').pluck().get()
    b.close()
    if (head !== ENTRIES) throw new Error(`the fixture holds ${head} entries, not ${ENTRIES}`)
    if (r > 0) opens.push(ms) // the first run warms the page cache
  }

  const floorTxOps = ops.floor as number
  const consumeOps = ops.consume as number
  const ruleOps = ops.rule as number
  return {
    floor_tx_ops_s: floorTxOps,
    floor_select_us: floorSel.median,
    floor_select_p99_us: floorSel.p99,
    check_median_us: check.median,
    check_p99_us: check.p99,
    consume_ops_s: consumeOps,
    consume_ratio: round(consumeOps / floorTxOps),
    wallet_rule_ops_s: ruleOps,
    wallet_rule_ratio: round(ruleOps / floorTxOps),
    open_ms_1m: round(median(opens), 2)
  }
}

function print(durability: Durability, f: Figures): void {
  const mark = (ok: boolean): string => (ok ? 'meets' : 'MISSES')
  const n = (x: number): string => x.toLocaleString('en')
  log(`\ncore — durability ${durability}${durability === 'full' ? ' (app default)' : ''}`)
  log(`  floor: UPDATE+INSERT tx   ${n(f.floor_tx_ops_s).padStart(9)} ops/s`)
  log(`  floor: point SELECT       ${f.floor_select_us.toFixed(3).padStart(9)} µs median, ${f.floor_select_p99_us.toFixed(3)} µs p99`)
  log(`  quota check               ${f.check_median_us.toFixed(3).padStart(9)} µs median, ${f.check_p99_us.toFixed(3)} µs p99   target median ≤ ${TARGET.checkMedianUs} µs: ${mark(f.check_median_us <= TARGET.checkMedianUs)}`)
  log(`  quota consume             ${n(f.consume_ops_s).padStart(9)} ops/s = ${(f.consume_ratio * 100).toFixed(1)}% of floor   target ≥ ${TARGET.consumeRatio * 100}%: ${mark(f.consume_ratio >= TARGET.consumeRatio)}`)
  log(`  wallet rule (chargeOrFree)${n(f.wallet_rule_ops_s).padStart(9)} ops/s = ${(f.wallet_rule_ratio * 100).toFixed(1)}% of floor`)
  log(`  open ${ENTRIES.toLocaleString('en')} entries   ${f.open_ms_1m.toFixed(2).padStart(9)} ms median of ${OPEN_RUNS}   target ≤ ${TARGET.openMs} ms: ${mark(f.open_ms_1m <= TARGET.openMs)}`)
}

function main(): void {
  const loadBefore = loadavg()[0] as number
  log(`billing core benchmark — node ${process.version}, load average ${loadBefore.toFixed(2)}`)
  const fixture = ensureLedgerFixture(ENTRIES, log)
  const dir = mkdtempSync(join(tmpdir(), 'billing-bench-'))
  try {
    const full = measure('full', dir, fixture)
    print('full', full)
    const normal = measure('normal', dir, fixture)
    print('normal', normal)
    const suffixed = Object.fromEntries(Object.entries(normal).map(([k, v]) => [`${k}_normal`, v]))
    log('')
    console.log(
      JSON.stringify({
        ...full,
        ...suffixed,
        ledger_entries: ENTRIES,
        targets: { check_median_us: TARGET.checkMedianUs, consume_ratio: TARGET.consumeRatio, open_ms_1m: TARGET.openMs },
        load_avg_start: round(loadBefore, 2),
        load_avg_end: round(loadavg()[0] as number, 2)
      })
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main()
