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

// Crash test: a child process runs a random workload on one real ledger file and is SIGKILLed
// at a seeded random moment; the parent reopens the file and checks it (check.ts). The same
// file is used for every round, so damage would accumulate. Each round's clock starts a day
// after the previous one: holds left open by a kill expire at the next open, months roll over.
//
// CRASH_ROUNDS (default 50) and CRASH_SEED (default random; printed) replay a run. To watch it
// fail, break the core on purpose: CRASH_SABOTAGE=no-tx or CRASH_SABOTAGE=ack-early (workload.ts).

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 50)
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 1_000_000))
const DAY = 24 * 3600 * 1000
const T0 = Date.UTC(2026, 0, 10, 4, 0, 0) // workload.ts CRASH_T0: noon in Shanghai
const WORKLOAD = fileURLToPath(new URL('./workload.ts', import.meta.url))
/** Share of rounds killed while the child opens the file (migrations, expiry of old holds, seeding). */
const EARLY_KILLS = 0.15
const MAX_EARLY_KILL_MS = 120
/** Otherwise the kill lands this many ms at most after the child's first line (open finished). */
const MAX_KILL_AFTER_READY_MS = 250

interface ChildRun {
  stdout: string
  stderr: string
  killed: boolean
  code: number | null
}

interface Child {
  /** Lets the child open the file and run; resolves when it is dead. */
  go(killAt: { early: boolean; ms: number }): Promise<ChildRun>
  abort(): void
}

/**
 * Starts a workload child that loads its modules and waits (CRASH_WAIT_GO): the next round's
 * child starts while this round runs, so tsx start-up is off the critical path.
 */
function startChild(dbPath: string, seed: number, startMs: number): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKLOAD, dbPath, String(seed), String(startMs)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, CRASH_WAIT_GO: '1' }
  })
  let stdout = ''
  let stderr = ''
  let onFirstLine: (() => void) | undefined
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    if (stdout.length === 0) onFirstLine?.()
    stdout += chunk
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
      else onFirstLine = () => void (timer = setTimeout(kill, killAt.ms))
      child.stdin.end('go\n')
      const run = await closed
      clearTimeout(timer)
      clearTimeout(watchdog)
      return run
    },
    abort: kill
  }
}

describe('crash safety', () => {
  it(
    `survives ${ROUNDS} SIGKILLs of a random workload on one file (seed ${SEED})`,
    async () => {
      const dbPath = join(tempDir('billing-crash-'), 'billing.sqlite')
      const rng = seeded(SEED)
      let baseline: LedgerView = { seq: 0, W: 0, H: 0 }
      const inFlight: Record<string, number> = {}
      let reported = 0
      let betweenSlices = 0

      const seedOf = (round: number): number => SEED * 1000 + round
      const spawnRound = (round: number): Child => startChild(dbPath, seedOf(round), T0 + round * DAY)
      let next: Child | undefined = spawnRound(0)
      try {
        for (let round = 0; round < ROUNDS; round++) {
          const child: Child = next as Child
          next = round + 1 < ROUNDS ? spawnRound(round + 1) : undefined
          const startMs = T0 + round * DAY
          const early = rng.next() < EARLY_KILLS
          const killAt = { early, ms: rng.int(0, early ? MAX_EARLY_KILL_MS : MAX_KILL_AFTER_READY_MS) }
          const run = await child.go(killAt)
          const where = `round ${round} (CRASH_SEED=${SEED}, kill ${early ? 'from go' : 'after ready'} +${killAt.ms} ms)`
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
            inFlight[report.inFlight] = (inFlight[report.inFlight] ?? 0) + 1
            reported += report.reported
            if (report.betweenSlices) betweenSlices++
          } finally {
            billing.close()
          }
        }
      } finally {
        next?.abort()
      }
      // The rounds did work: most kills landed with operations reported and one in flight.
      expect(reported).toBeGreaterThan(ROUNDS)
      console.info(
        `crash test: ${ROUNDS} rounds, seed ${SEED}, ${reported} operations reported; killed between sweep slices: ${betweenSlices}; in flight at the kill:`,
        inFlight
      )
    },
    Math.max(120_000, ROUNDS * 4_000)
  )
})
