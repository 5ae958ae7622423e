// The crash test's child process: `node --import tsx test/crash/workload.ts <dbPath> <seed> [startMs]`
// (with CRASH_WAIT_GO=1 it waits for a line on stdin before opening the file).
// Opens a real ledger file (durability 'full', random ids), runs a seeded random workload and,
// after each operation RETURNS, writes one line naming what succeeded (see protocol.ts). It
// runs until killed (or MAX_OPS). The parent SIGKILLs it and checks the file against the lines.
//
// CRASH_SABOTAGE breaks the core on purpose, to prove the test can fail:
//   no-tx        db.tx runs its function without a transaction (each statement commits alone)
//   ack-early    a wallet or subscription mutation is reported from inside its transaction,
//                before the commit (the classic "acknowledged but not durable" bug)
import { writeSync } from 'node:fs'
import { createBilling } from '../../src/main/billing'
import { ManualClock } from '../../src/node/clock'
import { randomIds } from '../../src/node/ids'
import { Wallet, type Provider, type WalletDeps } from '../../src/main/wallet'
import { BillingError } from '../../src/shared/errors'
import type { LedgerView, Line, OpKind } from './protocol'
import { seeded } from './random'
import { openSynced, type SyncTarget } from './synced'

export const CRASH_T0 = Date.UTC(2026, 0, 10, 4, 0, 0) // noon in Shanghai
/** Holds the workload settles or voids outlive a round (rounds are a day apart, a round's clock spans < 3 h). */
export const HOLD_TTL_MS = 12 * 3600 * 1000
/** Short holds are never closed by the workload: they expire mid-round, left to the sweep. */
const SHORT_HOLD_TTL_MS = [500, 5_000] as const
/** Holds or subscription steps per sweep slice: the sweep spans many transactions, a kill lands between them. */
const SWEEP_SLICE = 1
const SWEEP_FIRST_HOLDS = 6
const MAX_OPS = 3000

const [dbPath, seedArg, startArg] = process.argv.slice(2)
if (!dbPath || !seedArg) throw new Error('usage: workload.ts <dbPath> <seed> [startMs]')
const seed = Number(seedArg)
const rng = seeded(seed)
const clock = new ManualClock(startArg ? Number(startArg) : CRASH_T0)
const sabotage = process.env.CRASH_SABOTAGE ?? ''

/** Synchronous write: once it returns, the line is in the pipe and survives the kill. */
function emit(line: Line): void {
  const buf = Buffer.from(JSON.stringify(line) + '\n')
  let off = 0
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err
    }
  }
}

// The parent starts the next child while it checks the last round: the child loads its
// modules, then waits for "go" on stdin before it touches the file.
if (process.env.CRASH_WAIT_GO === '1') {
  await new Promise((resolve) => process.stdin.once('data', resolve))
  process.stdin.destroy()
}

// CRASH_SYNC: the file is an enrolled device's (synced.ts); a sync run replaces local recharges,
// which the relay would never have seen (its money arrives through the feed instead).
const target = process.env.CRASH_SYNC ? (JSON.parse(process.env.CRASH_SYNC) as SyncTarget) : null
// CRASH_SWEEP_FIRST=1 (the parent's choice, half the rounds): the round opens without expiring
// due holds, takes SWEEP_FIRST_HOLDS short holds, then sweeps them all (one per slice, as the
// module's timer would after start); the parent kills just after the sweep begins.
const sweepFirst = process.env.CRASH_SWEEP_FIRST === '1' && target === null
const synced = target ? openSynced(dbPath, target, clock, randomIds(clock)) : null
const billing =
  synced?.billing ??
  createBilling({
    dbPath,
    clock,
    ids: randomIds(clock),
    durability: 'full',
    ...(sweepFirst ? { createWallet: (deps: WalletDeps) => new Wallet({ ...deps, expireHoldsOnOpen: false }) } : {})
  })
const { wallet, quotas, subscriptions } = billing
/** Set while an operation runs under CRASH_SABOTAGE=ack-early: called before the outermost commit. */
let ackEarly: ((result: unknown) => void) | null = null
sabotageTx()

// Read from the file, not from the wallet's memory, so a line written inside a transaction
// (ack-early) says exactly what a line after the commit would.
const headSeq = billing.db.sqlite.prepare<[], number>('SELECT COALESCE(MAX(seq), 0) FROM wallet_entries').pluck()
const balanceOf = billing.db.sqlite.prepare<[string], number>('SELECT balance FROM wallet_accounts WHERE id = ?').pluck()
const view = (): LedgerView => ({
  seq: headSeq.get() ?? 0,
  W: balanceOf.get(wallet.accounts.wallet) ?? 0,
  H: balanceOf.get(wallet.accounts.holds) ?? 0
})

emit({ t: 'ready', at: clock.now(), ...view() })

function sabotageTx(): void {
  const db = billing.db as { tx: <T>(fn: () => T) => T }
  if (sabotage === 'no-tx') db.tx = (fn) => fn()
  if (sabotage === 'ack-early') {
    const real = db.tx
    let depth = 0
    db.tx = (fn) =>
      real(() => {
        depth++
        try {
          const out = fn()
          if (depth === 1 && ackEarly) ackEarly(out)
          return out
        } finally {
          depth--
        }
      })
  }
}

const PROVIDERS: readonly Provider[] = ['alipay', 'wechat', 'stripe', 'paypal']
const holds: { holdId: string; amount: number }[] = []
/** When the short holds expire (the sweep takes the due ones). */
let shortHolds: number[] = []
const leases: string[] = []
const prefix = `c${seed}-`

interface Op {
  kind: OpKind
  req: unknown
  run(): unknown
}

/** Takes a random element out of the list. */
function take<T>(items: T[]): T {
  return items.splice(rng.int(0, items.length - 1), 1)[0] as T
}

function nextOp(key: string): Op {
  // Several holds due: sweep them more often than by chance, so kills land between its slices.
  const i = Number(key.slice(prefix.length))
  if (sweepFirst && i < SWEEP_FIRST_HOLDS) return holdOp(key, true)
  if (sweepFirst && i === SWEEP_FIRST_HOLDS) return sweepOp()
  if (shortHolds.filter((t) => t <= clock.now()).length >= 3 && rng.next() < 0.5) return sweepOp()
  const r = rng.int(1, 100)
  if (r <= 12 && synced) return syncOp(synced.sync)
  if (r <= 12) {
    const req = { key, paymentId: `pay-${key}`, provider: rng.pick(PROVIDERS), amount: rng.int(100, 8_000) }
    return { kind: 'recharge', req, run: () => wallet.recharge(req) }
  }
  if (r <= 24) {
    const req = { key, amount: rng.int(1, 4_000), feature: 'ai_request', reason: 'crash workload' }
    return { kind: 'consume', req, run: () => wallet.consume(req) }
  }
  if (r <= 35) return holdOp(key, rng.next() < 0.6)
  if (r <= 43 && holds.length > 0) {
    const h = take(holds)
    const req = rng.next() < 0.5 ? { key, holdId: h.holdId } : { key, holdId: h.holdId, amount: rng.int(1, h.amount) }
    return { kind: 'settle', req, run: () => wallet.settle(req) }
  }
  if (r <= 49 && holds.length > 0) {
    const req = { key, holdId: take(holds).holdId }
    return { kind: 'void', req, run: () => wallet.void(req) }
  }
  if (r <= 61) {
    const req = { key, price: rng.int(1, 3_000), feature: 'export', reason: 'crash workload' }
    return { kind: 'chargeOrFree', req, run: () => wallet.chargeOrFree(req) }
  }
  if (r <= 75) {
    const req = { feature: rng.pick(['ai_request', 'export'] as const), qty: rng.int(1, 3), key }
    return { kind: 'quotaConsume', req, run: () => quotas.consume(req.feature, req.qty, req.key) }
  }
  if (r <= 82) {
    const req =
      rng.next() < 0.5
        ? { key, feature: 'live_room' as const, holder: `room-${key}` }
        : { key, feature: 'storage' as const, holder: `rec-${key}`, qty: rng.int(1, 2048), ttlMs: null }
    return {
      kind: 'acquire',
      req,
      run: () => {
        const lease = quotas.acquire(req)
        leases.push(lease.id)
        return lease
      }
    }
  }
  if (r <= 87 && leases.length > 0) {
    const req = { leaseId: take(leases) }
    return { kind: 'release', req, run: () => quotas.release(req.leaseId) }
  }
  if (r <= 92) {
    const req = {
      key,
      planCode: rng.pick(['BASIC', 'PREMIUM'] as const),
      period: 'monthly' as const,
      payment: 'wallet' as const,
      autoRenew: rng.next() < 0.7
    }
    return { kind: 'subscribe', req, run: () => subscriptions.subscribe(req) }
  }
  if (r <= 95) {
    const req = { key, atPeriodEnd: rng.next() < 0.5, reason: 'crash workload' }
    return { kind: 'cancel', req, run: () => subscriptions.cancel(req) }
  }
  return sweepOp()
}

function holdOp(key: string, short: boolean): Op {
  const ttlMs = short ? rng.int(...SHORT_HOLD_TTL_MS) : HOLD_TTL_MS
  const req = { key, amount: rng.int(1, short ? 800 : 4_000), feature: 'live_room', reason: 'crash workload', ttlMs }
  return {
    kind: 'hold',
    req,
    run: () => {
      const res = wallet.hold(req)
      if (short) shortHolds.push(clock.now() + ttlMs)
      else holds.push({ holdId: res.holdId, amount: req.amount })
      return res
    }
  }
}

// A sync run: pushes the outbox in batches, applies the feed in slices. Like the sweep it
// reports what it did to the wallet; a run that failed (the relay refused, a timeout) is a
// result too.
function syncOp(sync: NonNullable<typeof synced>['sync']): Op {
  return {
    kind: 'sync',
    req: null,
    run: async () => {
      const before = view()
      const state = await sync.syncNow()
      const after = view()
      return { dW: after.W - before.W, dH: after.H - before.H, error: state.lastError }
    }
  }
}

// The sweep reports what it did to the wallet: it has no key to look it up by. It runs as
// the module's timer runs it: in slices, the event loop turning between them.
function sweepOp(): Op {
  return {
    kind: 'sweep',
    req: null,
    run: async () => {
      const before = view()
      await billing.sweepInSlices(SWEEP_SLICE)
      const after = view()
      const now = clock.now()
      shortHolds = shortHolds.filter((t) => t > now)
      return { dW: after.W - before.W, dH: after.H - before.H }
    }
  }
}

for (let i = 0; i < MAX_OPS; i++) {
  clock.advance(rng.int(50, 3_000))
  const key = `${prefix}${i}`
  const op = nextOp(key)
  const at = clock.now()
  const ok = (result: unknown): void => emit({ t: 'ok', i, kind: op.kind, key, req: op.req, result, at, ...view() })
  emit({ t: 'begin', i, kind: op.kind, key, req: op.req, at })
  let acked = false
  if (sabotage === 'ack-early' && op.kind !== 'sweep') {
    ackEarly = (result) => {
      ok(result)
      acked = true
    }
  }
  let result: unknown
  try {
    result = await op.run()
  } catch (err) {
    if (!(err instanceof BillingError)) throw err
    emit({ t: 'rejected', i, kind: op.kind, key, code: err.code, at })
    continue
  } finally {
    ackEarly = null
  }
  if (!acked) ok(result)
}
if (synced) synced.sync.close()
else billing.close()
emit({ t: 'done' })
