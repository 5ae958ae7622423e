import { spawnSync } from 'node:child_process'
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdtempSync, openSync, renameSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBilling } from '../src/main/billing'
import { writeCheckpoints } from '../src/main/integrity/checkpoint'
import { checkFile } from '../src/main/integrity/file-check'
import { MemorySecretStore, MemorySettingsStore } from '../src/main/settings'
import { openSyncedBilling } from '../src/main/sync'
import { eventLoopMeter } from '../src/main/watchdog/event-loop'
import { ManualClock, systemClock } from '../src/node/clock'
import { randomIds, sequentialIds } from '../src/node/ids'
import { generateSigningKey } from '../src/relay/feed/keys'
import { ensureLedgerFixture, ledgerFixturePath } from './fixtures/ledger'
import { nowNs } from './stats'

// The host's main process never freezes (docs/performance.md, "Main thread"): the longest
// event-loop block the module causes, measured by its own watchdog (src/main/watchdog), beside
// the floor of a bare loop measured the same way in the same run.
//   start_block_ms        createSyncedBilling + start() + the first quota check on the 1M-entry
//                         ledger plus 365,000 usage events, with the full check on the worker after it
//   start_first_check_ms  from the call that opens the file to the first `check` answered
//   verify_full_ms        the full check on the worker thread (wall time; the main thread keeps turning)
//   history_page_ms       one 50-row wallet history page at the end of 1M entries, and one filtered to recharges;
//                         history_usage_page_ms: a usage page of a feature the year never used (the walk's bound)
// catchup_block_ms is printed by bench/sync/catchup.ts. BENCH_MAIN_ROUNDS (default 5) rounds, each
// in a fresh process (a streamer's app opens the file once per run: nothing is warm), medians and
// the worst round; BENCH_LEDGER_ENTRIES and BENCH_USAGE_EVENTS shrink the fixture for a trial run.

const ENTRIES = Number(process.env.BENCH_LEDGER_ENTRIES ?? 1_000_000)
const USAGE_EVENTS = Number(process.env.BENCH_USAGE_EVENTS ?? 365_000)
const ROUNDS = Number(process.env.BENCH_MAIN_ROUNDS ?? 5)
const log = (msg: string): void => console.log(msg)
const ms = (t: bigint): number => Number(nowNs() - t) / 1e6
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const round1 = (x: number): number => Math.round(x * 10) / 10

/** The ledger fixture with a year of usage (1,000 events a day) and a checkpoint from a whole full check. Cached beside it. */
function ensureStartFixture(): string {
  const ledger = ensureLedgerFixture(ENTRIES, log)
  const path = ledgerFixturePath(ENTRIES).replace(/\.sqlite$/, `-usage${USAGE_EVENTS}.sqlite`)
  if (existsSync(path)) return path
  log(`adding ${USAGE_EVENTS.toLocaleString('en')} usage events and a checkpoint (once) …`)
  const building = `${path}.building-${process.pid}`
  copyFileSync(ledger, building)
  const head = createBilling({ dbPath: building, durability: 'normal' })
  const last = head.db.sqlite.prepare<[], number>('SELECT max(created_at) FROM wallet_entries').pluck().get() ?? Date.UTC(2024, 0, 1)
  head.close()
  const clock = new ManualClock(last + 1_000)
  const billing = createBilling({ dbPath: building, clock, ids: sequentialIds('u'), durability: 'normal' })
  try {
    // 'export' is unlimited on ENTERPRISE: a year of use never hits a quota.
    billing.subscriptions.subscribe({ key: 'bench-plan', planCode: 'ENTERPRISE', period: 'lifetime', payment: 'wallet' })
    const perDay = USAGE_EVENTS / 365
    for (let day = 0; day < 365; day++) {
      billing.db.tx(() => {
        for (let i = 0; i < perDay; i++) {
          clock.advance(86_400_000 / perDay)
          billing.quotas.consume('export', 1, `use-${day}-${i}`)
        }
      })
    }
    const report = checkFile(billing.db, { outbox: false })
    if (!report.ok) throw new Error(`the start fixture does not verify: ${report.problems.slice(0, 3).join('; ')}`)
    writeCheckpoints(billing.db, report.tails, clock.now())
    billing.db.sqlite.pragma('wal_checkpoint(TRUNCATE)')
  } finally {
    billing.close()
  }
  renameSync(building, path)
  for (const ext of ['-wal', '-shm', '.lock']) rmSync(`${building}${ext}`, { force: true })
  return path
}

/** The longest block of a loop doing nothing but its timers, over `durationMs`: the floor. */
async function bareLoopBlockMs(durationMs: number): Promise<number> {
  const meter = eventLoopMeter()
  await new Promise((r) => setTimeout(r, durationMs))
  const block = meter.longestBlockMs()
  meter.close()
  return block
}

interface Round {
  startBlockMs: number
  firstCheckMs: number
  verifyFullMs: number
  fullCheckProblems: number
  historyPageMs: number
  historyFilteredMs: number
  historyUsageMs: number
  floorMs: number
}

async function oneRound(fixture: string, dir: string, key: string): Promise<Round> {
  const dbPath = join(dir, 'billing.sqlite')
  copyFileSync(fixture, dbPath)
  // The copy's pages are still dirty in the page cache: without this fsync the module's first
  // commit would wait for the OS to write back the whole copy (~200 ms here), a cost of this
  // script's setup that a streamer's file, written long before, never has.
  const fd = openSync(dbPath, 'r+')
  fsyncSync(fd)
  closeSync(fd)
  const floorMs = await bareLoopBlockMs(1_000)
  const meter = eventLoopMeter()
  // The histogram measures between its own ticks: let it tick before the turn it is to see.
  await new Promise((r) => setTimeout(r, 25))
  const t = nowNs()
  // As the host opens it (openBillingModule): ICU's one-time start-up on a worker, then the file.
  const { billing, sync } = await openSyncedBilling({
    dbPath,
    clock: systemClock,
    ids: randomIds(systemClock),
    settings: new MemorySettingsStore(),
    secrets: new MemorySecretStore(),
    relayPublicKey: key,
    fullCheck: { afterStartMs: 0, everyMs: 0 }
  })
  sync.start()
  billing.quotas.check('export')
  const firstCheckMs = ms(t)
  const tf = nowNs()
  // The fixture was built without the sync layer, so its spends have no outbox rows: the check
  // reports them. Its time is the walk's all the same.
  const full = await sync.fullCheck()
  const verifyFullMs = ms(tf)
  const startBlockMs = Math.max(meter.longestBlockMs(), sync.state().health.longestBlockMs)
  meter.close()

  const th = nowNs()
  billing.wallet.history({ limit: 50 })
  const historyPageMs = ms(th)
  const tr = nowNs()
  billing.wallet.history({ limit: 50, types: ['recharge'], from: 0 })
  const historyFilteredMs = ms(tr)
  const tu = nowNs()
  billing.quotas.history({ feature: 'ai_request', limit: 50 })
  const historyUsageMs = ms(tu)
  sync.close()
  return {
    startBlockMs,
    firstCheckMs,
    verifyFullMs,
    fullCheckProblems: full.problems.length,
    historyPageMs,
    historyFilteredMs,
    historyUsageMs,
    floorMs
  }
}

/** One round in this process, started by main() as `--round <fixture>`: prints its Round as JSON. */
async function roundChild(fixture: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'billing-bench-main-'))
  try {
    const round = await oneRound(fixture, dir, generateSigningKey().publicKeyBase64)
    console.log(JSON.stringify(round))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function roundInFreshProcess(fixture: string): Round {
  const child = spawnSync(process.execPath, ['--import', 'tsx', 'bench/main-thread.ts', '--round', fixture], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  if (child.status !== 0) throw new Error(`a round's process failed (${child.status ?? child.signal})`)
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Round
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0] as number
  log(`main-thread benchmark — node ${process.version}, load average ${loadBefore.toFixed(2)}, each round a fresh process`)
  const fixture = ensureStartFixture()
  const rounds: Round[] = []
  for (let r = 0; r < ROUNDS; r++) {
    rounds.push(roundInFreshProcess(fixture))
    const x = rounds.at(-1)!
    log(
      `  round ${r + 1}: start block ${x.startBlockMs} ms, first check ${x.firstCheckMs.toFixed(1)} ms, full check ${x.verifyFullMs.toFixed(0)} ms (worker), history ${x.historyPageMs.toFixed(1)} / ${x.historyFilteredMs.toFixed(1)} / usage ${x.historyUsageMs.toFixed(1)} ms, bare loop ${x.floorMs} ms`
    )
  }
  const m = (f: (r: Round) => number): number => round1(median(rounds.map(f)))
  console.log(
    JSON.stringify({
      start_block_ms: m((r) => r.startBlockMs),
      start_block_worst_ms: round1(Math.max(...rounds.map((r) => r.startBlockMs))),
      start_first_check_ms: m((r) => r.firstCheckMs),
      start_first_check_worst_ms: round1(Math.max(...rounds.map((r) => r.firstCheckMs))),
      verify_full_ms: m((r) => r.verifyFullMs),
      verify_full_problems: rounds[0]!.fullCheckProblems,
      history_page_ms: m((r) => r.historyPageMs),
      history_page_filtered_ms: m((r) => r.historyFilteredMs),
      history_usage_page_ms: m((r) => r.historyUsageMs),
      bare_loop_block_ms: m((r) => r.floorMs),
      ledger_entries: ENTRIES,
      usage_events: USAGE_EVENTS,
      rounds: ROUNDS,
      targets: { block_ms: 50, first_check_ms: 100 },
      load_avg_start: round1(loadBefore),
      load_avg_end: round1(loadavg()[0] as number)
    })
  )
}

const roundAt = process.argv.indexOf('--round')
void (roundAt >= 0 ? roundChild(process.argv[roundAt + 1]!) : main())
