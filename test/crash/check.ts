import { isDeepStrictEqual } from 'node:util'
import type { Billing } from '../../src/main/billing'
import type { Lease, UsageRecord } from '../../src/main/quotas'
import type { LedgerView, Line, OpKind } from './protocol'

// What the parent checks after each kill, on the reopened file:
// 1. verify() passes (hash chain, cached balances = entries, sums, holds, claims; quotas).
// 2. Every operation the child reported is there, with the result it reported, and replaying
//    its request returns that result without writing anything.
// 3. Nothing else is there: the keys on file are the reported ones plus at most the one
//    operation in flight; rejected operations left no trace.
// 4. Balances = the last balances the child reported + the effect of the in-flight operation
//    only; the entries the child had seen sum to exactly the balances it reported, and those
//    balances equal the running sum of the reported operations' effects.

type Ok = Extract<Line, { t: 'ok' }>
type Begin = Extract<Line, { t: 'begin' }>
type Rejected = Extract<Line, { t: 'rejected' }>

const WALLET_KINDS: ReadonlySet<OpKind> = new Set(['recharge', 'consume', 'hold', 'settle', 'void', 'chargeOrFree'])
const SUB_KINDS: ReadonlySet<OpKind> = new Set(['subscribe', 'cancel'])

/** The wallet idempotency key an operation writes its entries under, if any. */
function walletKey(kind: OpKind, key: string): string | null {
  if (WALLET_KINDS.has(kind)) return key
  if (kind === 'subscribe') return `subscription:subscribe:${key}`
  return null
}

const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null))
const same = (a: unknown, b: unknown): boolean => isDeepStrictEqual(json(a), json(b))
const amountOf = (m: unknown): number => (m as { amount: number }).amount

/** The effect of one reported operation on the wallet (W) and the holds (H), from its result. */
function effect(op: Ok): { dW: number; dH: number } {
  const r = op.result as Record<string, unknown>
  switch (op.kind) {
    case 'recharge':
      return { dW: amountOf(r.amount) - amountOf(r.repaidDebt), dH: 0 }
    case 'consume':
      return { dW: -amountOf(r.amount), dH: 0 }
    case 'hold':
      return { dW: -amountOf(r.amount), dH: amountOf(r.amount) }
    case 'settle':
      return { dW: amountOf(r.released), dH: -(amountOf(r.settled) + amountOf(r.released)) }
    case 'void':
      return { dW: amountOf(r.released), dH: -amountOf(r.released) }
    case 'chargeOrFree':
      return { dW: r.outcome === 'paid' ? -amountOf(r.price) : 0, dH: 0 }
    case 'subscribe':
      return { dW: -amountOf(r.price), dH: 0 }
    case 'sweep':
    case 'sync':
      return { dW: r.dW as number, dH: r.dH as number }
    default:
      return { dW: 0, dH: 0 }
  }
}

export interface RoundReport {
  problems: string[]
  /** The file's state after the check: the baseline of the next round. */
  after: LedgerView
  /** What was in flight when the kill landed: 'open' = before the child was ready, 'between' = no op, 'finished' = no kill. */
  inFlight: OpKind | 'open' | 'between' | 'finished'
  /** The kill landed between two committed slices of a sweep or a sync run (feed slices, outbox batches). */
  betweenSlices: boolean
  reported: number
}

export function checkRound(billing: Billing, lines: Line[], baseline: LedgerView, prefix: string): RoundReport {
  const problems: string[] = []
  const fail = (msg: string): void => void problems.push(msg)
  const sqlite = billing.db.sqlite
  const { wallet, quotas } = billing
  const A = wallet.accounts

  const verified = billing.verify()
  if (!verified.ok) fail(`verify() failed: ${verified.problems.slice(0, 5).join('; ')}`)

  // ---- what the child said ----
  const ready = lines.find((l) => l.t === 'ready')
  const begins = new Map<number, Begin>()
  const oks: Ok[] = []
  const rejected: Rejected[] = []
  const ended = new Set<number>()
  for (const l of lines) {
    if (l.t === 'begin') begins.set(l.i, l)
    if (l.t === 'ok') oks.push(l)
    if (l.t === 'rejected') rejected.push(l)
    if (l.t === 'ok' || l.t === 'rejected') ended.add(l.i)
  }
  const lastBegin = [...begins.values()].at(-1)
  const clean = lines.some((l) => l.t === 'done')
  const inFlight: Begin | 'open' | null = clean
    ? null
    : !ready
      ? 'open'
      : lastBegin && !ended.has(lastBegin.i)
        ? lastBegin
        : null

  // ---- balances: the running sum of reported effects, checked against each line ----
  let W = ready ? ready.W : baseline.W
  let H = ready ? ready.H : baseline.H
  if (ready && ready.seq < baseline.seq) fail(`the child opened at seq ${ready.seq}, below the last checked ${baseline.seq}`)
  for (const op of oks) {
    const e = effect(op)
    W += e.dW
    H += e.dH
    if (W !== op.W || H !== op.H) {
      fail(`after op ${op.i} (${op.kind}) the effects sum to W=${W} H=${H} but the child saw W=${op.W} H=${op.H}`)
      W = op.W
      H = op.H
    }
  }
  const last: LedgerView = oks.at(-1) ?? ready ?? baseline

  const head = sqlite.prepare<[], number>('SELECT COALESCE(MAX(seq), 0) FROM wallet_entries').pluck().get() ?? 0
  if (head < last.seq) fail(`entries ${head + 1}..${last.seq} were reported committed but are gone`)
  const sums = sqlite.prepare<[{ w: string; h: string; s: number }], { W: number; H: number }>(
    `SELECT COALESCE(SUM(CASE WHEN credit_account = @w THEN amount WHEN debit_account = @w THEN -amount ELSE 0 END), 0) AS W,
            COALESCE(SUM(CASE WHEN credit_account = @h THEN amount WHEN debit_account = @h THEN -amount ELSE 0 END), 0) AS H
       FROM wallet_entries WHERE seq <= @s`
  )
  const seen = sums.get({ w: A.wallet, h: A.holds, s: last.seq }) as { W: number; H: number }
  if (seen.W !== last.W || seen.H !== last.H) {
    fail(`entries up to seq ${last.seq} sum to W=${seen.W} H=${seen.H}, the child reported W=${last.W} H=${last.H}`)
  }

  // Entries after the last reported line can only be the in-flight operation's.
  const inFlightKind = inFlight === null ? null : inFlight === 'open' ? 'open' : inFlight.kind
  const inFlightWalletKey = inFlight && inFlight !== 'open' ? walletKey(inFlight.kind, inFlight.key) : null
  const tail = sqlite
    .prepare<[number], { seq: number; op_key: string | null; type: string }>(
      'SELECT seq, op_key, type FROM wallet_entries WHERE seq > ? ORDER BY seq'
    )
    .all(last.seq)
  for (const e of tail) {
    const allowed =
      (inFlightWalletKey !== null && e.op_key === inFlightWalletKey) ||
      ((inFlightKind === 'sweep' || inFlightKind === 'open') && e.op_key === null && e.type === 'expire') ||
      (inFlightKind === 'sweep' && e.op_key !== null && /^subscription:.+:renewal:/.test(e.op_key)) ||
      // A sync run killed between its feed slices: the slices it committed (keyed by record).
      (inFlightKind === 'sync' && e.op_key !== null && e.op_key.startsWith('feed:'))
    if (!allowed) fail(`entry ${e.seq} (${e.type}, key ${e.op_key}) belongs to no reported or in-flight operation`)
  }
  const tailSum = sums.get({ w: A.wallet, h: A.holds, s: Number.MAX_SAFE_INTEGER }) as { W: number; H: number }
  const actual = { W: wallet.balance().amount, H: wallet.held().amount }
  if (actual.W !== tailSum.W || actual.H !== tailSum.H) {
    fail(`balances W=${actual.W} H=${actual.H} differ from their entries W=${tailSum.W} H=${tailSum.H}`)
  }
  if (inFlightWalletKey !== null) {
    // The in-flight operation committed whole or not at all: its result's balance is the balance now.
    const row = leg0(inFlightWalletKey)
    const bal = row && (JSON.parse(row.result ?? 'null') as { balance?: unknown } | null)?.balance
    if (row && bal !== undefined && amountOf(bal) !== actual.W) {
      fail(`the in-flight ${inFlightKind} committed with balance ${amountOf(bal)} but the wallet holds ${actual.W}`)
    }
  }

  function leg0(key: string): { result: string | null } | undefined {
    return sqlite
      .prepare<[string], { result: string | null }>('SELECT result FROM wallet_entries WHERE op_key = ? AND leg = 0')
      .get(key)
  }
  const subRequest = sqlite.prepare<[string], { result: string | null }>('SELECT result FROM subscription_requests WHERE key = ?')
  const leaseRow = sqlite.prepare<[string], { id: string; status: string }>('SELECT id, status FROM gauge_leases WHERE key = ?')
  const leaseById = sqlite.prepare<[string], { status: string }>('SELECT status FROM gauge_leases WHERE id = ?')

  // ---- each hold expired at most once, and an expired hold by exactly one entry (the sweep's slices) ----
  const miscounted = sqlite
    .prepare<[string], { id: string; status: string; n: number }>(
      `SELECT h.id, h.status, COALESCE(e.n, 0) AS n FROM wallet_holds h
         LEFT JOIN (SELECT ref, COUNT(*) AS n FROM wallet_entries WHERE type = 'expire' AND debit_account = ? GROUP BY ref) e ON e.ref = h.id
        WHERE (h.status = 'expired') <> (COALESCE(e.n, 0) = 1)`
    )
    .all(A.holds)
  for (const h of miscounted) fail(`hold ${h.id} is ${h.status} with ${h.n} expiry entries`)
  // Killed inside a sliced sweep: some of it committed (entries after the last line), some still due.
  const dueAtBegin = sqlite.prepare<[number], number>("SELECT COUNT(*) FROM wallet_holds WHERE status = 'pending' AND expires_at <= ?").pluck()
  const begun = inFlight !== null && inFlight !== 'open' ? inFlight : null
  // …or inside a sync run: feed slices committed after its begin line, or batches acked while others still wait.
  const ackedSince = sqlite.prepare<[number], number>('SELECT COUNT(*) FROM sync_outbox WHERE acked_at >= ?').pluck()
  const pending = sqlite.prepare<[], number>('SELECT COUNT(*) FROM sync_outbox WHERE acked_at IS NULL AND rejected_code IS NULL').pluck()
  const betweenSlices =
    begun !== null &&
    ((begun.kind === 'sweep' && tail.length > 0 && (dueAtBegin.get(begun.at) ?? 0) > 0) ||
      (begun.kind === 'sync' && (tail.length > 0 || ((ackedSince.get(begun.at) ?? 0) > 0 && (pending.get() ?? 0) > 0))))

  // ---- every reported operation is there, with its result ----
  for (const op of oks) {
    const where = `op ${op.i} (${op.kind} ${op.key})`
    const r = op.result as Record<string, unknown> | null
    if (r === null) {
      fail(`${where} reported no result`)
      continue
    }
    if (WALLET_KINDS.has(op.kind)) {
      const row = leg0(op.key)
      if (op.kind === 'chargeOrFree' && r.outcome === 'needs_recharge') {
        if (row) fail(`${where} answered needs_recharge but wrote an entry`)
      } else if (!row) fail(`${where} was reported but has no ledger entry`)
      else if (!same(JSON.parse(row.result ?? 'null'), r)) fail(`${where} is stored with another result`)
    } else if (SUB_KINDS.has(op.kind)) {
      const row = subRequest.get(op.key)
      if (!row) fail(`${where} was reported but its request is not stored`)
      else if (!same(JSON.parse(row.result ?? 'null'), r)) fail(`${where} is stored with another result`)
      if (op.kind === 'subscribe' && amountOf(r.price) > 0 && !leg0(`subscription:subscribe:${op.key}`)) {
        fail(`${where} was reported but its wallet charge is missing`)
      }
    } else if (op.kind === 'quotaConsume') {
      if (!same(quotas.record(op.key), r)) fail(`${where} was reported but its usage event is missing or different`)
    } else if (op.kind === 'acquire') {
      if (leaseRow.get(op.key)?.id !== (r as unknown as Lease).id) fail(`${where} was reported but its lease is missing`)
    } else if (op.kind === 'release') {
      // Releasing a lease that had already expired returns it as it is: expired.
      const lease = r as unknown as Lease
      if (leaseById.get(lease.id)?.status !== lease.status) fail(`${where} was reported ${lease.status} but the lease is not`)
    }
  }

  // ---- rejected operations left nothing ----
  const anyKey = sqlite.prepare<[{ k: string; sk: string }], number>(
    `SELECT (SELECT COUNT(*) FROM wallet_entries WHERE op_key IN (@k, @sk)) + (SELECT COUNT(*) FROM usage_events WHERE key = @k)
          + (SELECT COUNT(*) FROM gauge_leases WHERE key = @k) + (SELECT COUNT(*) FROM subscription_requests WHERE key = @k)`
  ).pluck()
  for (const op of rejected) {
    const k = op.key
    if ((anyKey.get({ k, sk: `subscription:subscribe:${k}` }) ?? 0) > 0) fail(`op ${op.i} (${op.kind}) was rejected (${op.code}) but left rows`)
  }

  // ---- nothing but reported operations (and the one in flight) under this round's keys ----
  const keysOf = (sql: string): string[] => sqlite.prepare<[string], string>(sql).pluck().all(`${prefix}%`)
  const expectKeys = (what: string, onFile: string[], kinds: ReadonlySet<OpKind>, reported: Ok[]): void => {
    const want = new Set(reported.filter((o) => kinds.has(o.kind)).map((o) => o.key))
    const maybe = inFlight && inFlight !== 'open' && kinds.has(inFlight.kind) ? inFlight.key : null
    for (const k of onFile) if (!want.has(k) && k !== maybe) fail(`${what} ${k} is on file but was never reported`)
    const have = new Set(onFile)
    for (const k of want) if (!have.has(k)) fail(`${what} ${k} was reported but is not on file`)
  }
  const paid = oks.filter((o) => !(o.kind === 'chargeOrFree' && (o.result as { outcome?: string })?.outcome === 'needs_recharge'))
  expectKeys('wallet key', keysOf('SELECT DISTINCT op_key FROM wallet_entries WHERE op_key LIKE ?'), WALLET_KINDS, paid)
  expectKeys('usage event', keysOf('SELECT key FROM usage_events WHERE key LIKE ?'), new Set(['quotaConsume']), oks)
  expectKeys('lease', keysOf('SELECT key FROM gauge_leases WHERE key LIKE ?'), new Set(['acquire']), oks)
  expectKeys('subscription request', keysOf('SELECT key FROM subscription_requests WHERE key LIKE ?'), SUB_KINDS, oks)
  const unfinished = sqlite.prepare<[], number>('SELECT COUNT(*) FROM subscription_requests WHERE result IS NULL').pluck().get()
  if (unfinished) fail(`${unfinished} subscription request(s) stored without their result`)

  // ---- replaying every reported request returns its result and writes nothing ----
  const fingerprintOfFile = (): unknown =>
    sqlite
      .prepare(
        `SELECT (SELECT COALESCE(MAX(seq), 0) FROM wallet_entries) AS entries, (SELECT COUNT(*) FROM usage_events) AS usage,
                (SELECT COUNT(*) FROM gauge_leases WHERE status = 'held') AS held, (SELECT COUNT(*) FROM gauge_leases) AS leases,
                (SELECT COUNT(*) FROM subscription_requests) AS requests, (SELECT COUNT(*) FROM subscription_events) AS events,
                (SELECT COUNT(*) FROM wallet_holds WHERE status = 'pending') AS holds`
      )
      .get()
  const before = fingerprintOfFile()
  if (problems.length === 0) {
    for (const op of oks) {
      const where = `replay of op ${op.i} (${op.kind} ${op.key})`
      try {
        const again = replay(billing, op)
        if (again !== undefined && !same(again, op.result)) fail(`${where} returned another result`)
      } catch (err) {
        fail(`${where} threw ${(err as Error).message}`)
      }
    }
    if (!same(fingerprintOfFile(), before)) fail(`replays wrote to the file: ${JSON.stringify(before)} → ${JSON.stringify(fingerprintOfFile())}`)
    if (wallet.balance().amount !== actual.W || wallet.held().amount !== actual.H) fail('replays moved money')
  }

  return {
    problems,
    after: { seq: head, W: actual.W, H: actual.H },
    inFlight: clean ? 'finished' : (inFlightKind ?? 'between'),
    betweenSlices,
    reported: oks.length
  }
}

/** Sends a reported request again; returns what to compare with the reported result (undefined: compared inside). */
function replay(billing: Billing, op: Ok): unknown {
  const { wallet, quotas, subscriptions } = billing
  const req = op.req as never
  switch (op.kind) {
    case 'recharge':
      return wallet.recharge(req)
    case 'consume':
      return wallet.consume(req)
    case 'hold':
      return wallet.hold(req)
    case 'settle':
      return wallet.settle(req)
    case 'void':
      return wallet.void(req)
    case 'chargeOrFree':
      // needs_recharge stores nothing: asking again may rightly get another answer.
      if ((op.result as { outcome: string }).outcome === 'needs_recharge') return undefined
      return wallet.chargeOrFree(req)
    case 'quotaConsume': {
      const { feature, qty, key } = op.req as { feature: 'ai_request' | 'export'; qty: number; key: string }
      return quotas.consume(feature, qty, key) satisfies UsageRecord
    }
    case 'acquire': {
      // A replay returns the lease as it is now (it may have been released or expired since).
      const lease = quotas.acquire(req)
      if (lease.id !== (op.result as Lease).id) throw new Error(`another lease ${lease.id}`)
      return undefined
    }
    case 'release': {
      const lease = quotas.release((op.req as { leaseId: string }).leaseId)
      if (lease.status !== (op.result as Lease).status) throw new Error(`status ${lease.status}`)
      return undefined
    }
    case 'subscribe':
      return subscriptions.subscribe(req)
    case 'cancel':
      return subscriptions.cancel(req)
    case 'sweep':
    case 'sync':
      return undefined
  }
}
