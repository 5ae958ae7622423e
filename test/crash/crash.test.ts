import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createBilling } from '../../src/main/billing'
import { Wallet } from '../../src/main/wallet'
import { ManualClock } from '../../src/node/clock'
import { randomIds } from '../../src/node/ids'
import { tempDir } from '../support/db'
import { checkRound } from './check'
import { parseLines, type LedgerView } from './protocol'
import { seeded } from './random'
import { openSynced, type SyncTarget } from './synced'
import { startTestRelay, type TestRelay } from '../relay/support/relay'
import { relayNetWallet } from '../support/relay-ledger'
import { chart } from '../../src/relay/ledger/chart'

// Crash test: a child process runs a random workload on one real ledger file and is SIGKILLed
// at a seeded random moment; the parent reopens the file and checks it (check.ts). The same
// file is used for every round, so damage would accumulate. Each round's clock starts a day
// after the previous one: holds left open by a kill expire at the next open, months roll over.
//
// CRASH_ROUNDS (default 50) and CRASH_SEED (default random; printed) replay a run. To watch it
// fail, break the core on purpose: CRASH_SABOTAGE=no-tx or CRASH_SABOTAGE=ack-early (workload.ts).

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 50)
/** Rounds of the synced mode (the file enrolled with a relay on 127.0.0.1): CRASH_SYNC_ROUNDS. */
const SYNC_ROUNDS = Number(process.env.CRASH_SYNC_ROUNDS ?? 12)
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 1_000_000))
const DAY = 24 * 3600 * 1000
const T0 = Date.UTC(2026, 0, 10, 4, 0, 0) // workload.ts CRASH_T0: noon in Shanghai
const WORKLOAD = fileURLToPath(new URL('./workload.ts', import.meta.url))
/** Share of rounds killed while the child opens the file (migrations, expiry of old holds, seeding). */
const EARLY_KILLS = 0.15
const MAX_EARLY_KILL_MS = 120
/** Otherwise the kill lands this many ms at most after the child's first line (open finished). */
const MAX_KILL_AFTER_READY_MS = 250
/** An aimed kill lands this soon after the operation's begin line (a sync run waits on HTTP). */
const MAX_KILL_IN_OP_MS = { sweep: 60, sync: 500 } as const

interface ChildRun {
  stdout: string
  stderr: string
  killed: boolean
  code: number | null
}

interface Child {
  /** Lets the child open the file and run; resolves when it is dead. `onBegin`: the kill's timer starts at that operation's begin line. */
  go(killAt: { early: boolean; ms: number; onBegin?: 'sweep' | 'sync' }): Promise<ChildRun>
  abort(): void
}

/**
 * Starts a workload child that loads its modules and waits (CRASH_WAIT_GO): the next round's
 * child starts while this round runs, so tsx start-up is off the critical path.
 */
function startChild(dbPath: string, seed: number, startMs: number, target: SyncTarget | undefined, sweepFirst: boolean): Child {
  const env = { ...process.env, CRASH_WAIT_GO: '1', CRASH_SWEEP_FIRST: sweepFirst ? '1' : '0', ...(target ? { CRASH_SYNC: JSON.stringify(target) } : {}) }
  const child = spawn(process.execPath, ['--import', 'tsx', WORKLOAD, dbPath, String(seed), String(startMs)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env
  })
  let stdout = ''
  let stderr = ''
  let onFirstLine: (() => void) | undefined
  let onChunk: (() => void) | undefined
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    if (stdout.length === 0) onFirstLine?.()
    stdout += chunk
    onChunk?.()
  })
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => void (stderr += chunk))
  const closed = new Promise<ChildRun>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ stdout, stderr, killed: signal === 'SIGKILL', code }))
  })
  const kill = (): void => void child.kill('SIGKILL')
  return {
    async go(killAt) {
      // A child that never gets going is a failure, not a hang.
      const watchdog = setTimeout(kill, 30_000)
      let timer: NodeJS.Timeout | undefined
      if (killAt.early) timer = setTimeout(kill, killAt.ms)
      else if (killAt.onBegin) {
        // Aimed: the timer starts when the child says it begins an operation of that kind.
        const mark = `"t":"begin"`
        const kind = `"kind":"${killAt.onBegin}"`
        onChunk = () => {
          if (timer === undefined && stdout.split('\n').some((l) => l.includes(mark) && l.includes(kind))) timer = setTimeout(kill, killAt.ms)
        }
      } else onFirstLine = () => void (timer = setTimeout(kill, killAt.ms))
      child.stdin.end('go\n')
      const run = await closed
      clearTimeout(timer)
      clearTimeout(watchdog)
      return run
    },
    abort: kill
  }
}

interface Totals {
  reported: number
  betweenSlices: number
  inFlight: Record<string, number>
}

/**
 * The loop: one child per round on the same file, each SIGKILLed at a seeded moment, the file
 * checked after each. `sync`: the file is an enrolled device's; `beforeRound` runs on the relay.
 */
async function runRounds(dbPath: string, rounds: number, sync?: { target: SyncTarget; beforeRound(startMs: number): Promise<void> }): Promise<Totals> {
  const rng = seeded(SEED + (sync ? 1 : 0))
  let baseline: LedgerView = { seq: 0, W: 0, H: 0 }
  if (sync) {
    const b = createBilling({ dbPath, durability: 'full' })
    baseline = { seq: b.db.sqlite.prepare<[], number>('SELECT COALESCE(MAX(seq), 0) FROM wallet_entries').pluck().get() ?? 0, W: b.wallet.balance().amount, H: b.wallet.held().amount }
    b.close()
  }
  const totals: Totals = { reported: 0, betweenSlices: 0, inFlight: {} }
  const seedOf = (round: number): number => SEED * 1000 + round + (sync ? 500 : 0)
  // Half the rounds of the core workload begin with a sliced sweep of the holds left due (workload.ts).
  const sweepFirst = (round: number): boolean => !sync && seeded(seedOf(round)).next() < 0.5
  const spawnRound = (round: number): Child => startChild(dbPath, seedOf(round), T0 + round * DAY, sync?.target, sweepFirst(round))
  let next: Child | undefined = spawnRound(0)
  try {
    for (let round = 0; round < rounds; round++) {
      const child: Child = next as Child
      next = round + 1 < rounds ? spawnRound(round + 1) : undefined
      const startMs = T0 + round * DAY
      await sync?.beforeRound(startMs)
      const early = rng.next() < EARLY_KILLS
      const ms = rng.int(0, early ? MAX_EARLY_KILL_MS : MAX_KILL_AFTER_READY_MS)
      // Aimed kills: a round that starts with its sweep dies while the sweep runs; half the
      // synced rounds die during their first sync run. The rest die at random.
      const aim = early ? undefined : sweepFirst(round) ? ('sweep' as const) : sync && rng.next() < 0.5 ? ('sync' as const) : undefined
      const killAt = aim ? { early, ms: rng.int(0, MAX_KILL_IN_OP_MS[aim]), onBegin: aim } : { early, ms }
      const run = await child.go(killAt)
      const where = `${sync ? 'synced ' : ''}round ${round} (CRASH_SEED=${SEED}, kill ${early ? 'from go' : 'after ready'} +${killAt.ms} ms)`
      // Only the kill may end the child; anything else is a crash of the workload itself.
      if (!run.killed && run.code !== 0) throw new Error(`${where}: the workload exited ${run.code}:\n${run.stderr}`)

      const lines = parseLines(run.stdout)
      const at = lines.reduce((t, l) => ('at' in l ? Math.max(t, l.at) : t), startMs)
      const clock = new ManualClock(at)
      // The check opens the file as the child left it: no expiry of due holds at open.
      const billing = createBilling({
        dbPath,
        clock,
        ids: randomIds(clock),
        durability: 'full',
        createWallet: (deps) => new Wallet({ ...deps, expireHoldsOnOpen: false })
      })
      try {
        const report = checkRound(billing, lines, baseline, `c${seedOf(round)}-`)
        expect(report.problems, where).toEqual([])
        baseline = report.after
        totals.inFlight[report.inFlight] = (totals.inFlight[report.inFlight] ?? 0) + 1
        totals.reported += report.reported
        if (report.betweenSlices) totals.betweenSlices++
      } finally {
        billing.close()
      }
    }
  } finally {
    next?.abort()
  }
  return totals
}

describe('crash safety', () => {
  it(
    `survives ${ROUNDS} SIGKILLs of a random workload on one file (seed ${SEED})`,
    async () => {
      const dbPath = join(tempDir('billing-crash-'), 'billing.sqlite')
      const t = await runRounds(dbPath, ROUNDS)
      // The rounds did work: most kills landed with operations reported and one in flight.
      expect(t.reported).toBeGreaterThan(ROUNDS)
      console.info(
        `crash test: ${ROUNDS} rounds, seed ${SEED}, ${t.reported} operations reported; killed between sweep slices: ${t.betweenSlices}; in flight at the kill:`,
        t.inFlight
      )
    },
    Math.max(120_000, ROUNDS * 10_000)
  )

  it(
    `an enrolled device survives ${SYNC_ROUNDS} SIGKILLs with sync runs (feed slices, outbox batches) among them; a last sync agrees with the relay (seed ${SEED})`,
    async () => {
      const dir = tempDir('billing-crash-sync-')
      const dbPath = join(dir, 'billing.sqlite')
      const relay = await startTestRelay({
        config: { rateLimit: { devicePerMinute: 1e9, addressPerMinute: 1e9, notifyPerMinute: 1e9 }, leaseTtlMs: 30 * DAY }
      })
      relay.clock.set(T0 - 3600_000)
      const target: SyncTarget = { url: relay.url, publicKey: relay.relay.key.publicKeyBase64 }
      // Enrol the file once, here; every child then opens it enrolled.
      const { code } = await relay.relay.core.accounts.createEnrolment(undefined, 'crash')
      const first = openSynced(dbPath, target, new ManualClock(T0 - 3600_000), randomIds(relay.clock))
      const { accountId } = await first.sync.enrol(code, 'crash-pc')
      let orders = 0
      const credit = (n: number) => relayPayments(relay, accountId, n, () => `RCRASH${String(++orders).padStart(8, '0')}`)
      await credit(6)
      expect((await first.sync.syncNow()).lastError).toBeNull()
      first.sync.close()

      const t = await runRounds(dbPath, SYNC_ROUNDS, {
        target,
        async beforeRound(startMs) {
          relay.clock.set(startMs)
          // Money the device has not seen: the round's sync runs pull it in pages of slices.
          await credit(5)
        }
      })

      // A last sync, uninterrupted: the device and the relay's books agree to the fen.
      const end = T0 + SYNC_ROUNDS * DAY
      relay.clock.set(end)
      const last = openSynced(dbPath, target, new ManualClock(end), randomIds(relay.clock))
      try {
        const state = await last.sync.syncNow()
        expect(state.lastError).toBeNull()
        expect(state.pendingCount).toBe(0)
        const w = last.billing.wallet
        expect(w.balance().amount - w.debt().amount + w.held().amount).toBe(relayNetWallet(relay.relay.db.sqlite, accountId))
        expect(last.billing.verify()).toEqual({ ok: true, problems: [] })
        expect(last.sync.checkIntegrity()).toEqual({ ok: true, problems: [] })
      } finally {
        last.sync.close()
      }
      console.info(
        `crash test (synced): ${SYNC_ROUNDS} rounds, ${t.reported} operations reported; killed between sync slices or batches: ${t.betweenSlices}; in flight at the kill:`,
        t.inFlight
      )
    },
    Math.max(120_000, SYNC_ROUNDS * 10_000)
  )
})

/** `n` recharges paid on the relay (the feed record and the ledger transfer, as a provider's notification posts them). */
async function relayPayments(t: TestRelay, accountId: string, n: number, orderNo: () => string): Promise<void> {
  const { core, db } = t.relay
  await db.unit(async (tx) => {
    for (let i = 0; i < n; i++) {
      const no = orderNo()
      const amount = { amount: 3_000, currency: 'CNY' as const }
      await core.feed.append(tx, accountId, 'payment_confirmed', {
        orderNo: no,
        provider: 'alipay',
        providerPaymentId: `p-${no}`,
        item: { kind: 'recharge', amount },
        amount,
        paidAt: t.clock.now()
      })
      await core.wallet.credit(tx, accountId, amount, { id: `payment:${no}`, from: chart.clearing('alipay', 'CNY'), sourceId: no, feedSourceId: no })
    }
  })
}
