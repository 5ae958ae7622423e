import { chart } from '../../src/relay/ledger/chart'
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Writable } from 'node:stream'
import { createBilling } from '../../src/main/billing'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { MemorySecretStore, MemorySettingsStore } from '../../src/main/settings'
import { openSyncedBilling, type createSyncedBilling } from '../../src/main/sync'
import { eventLoopMeter } from '../../src/main/watchdog/event-loop'
import { createRelay } from '../../src/relay/app'
import { defaultConfig } from '../../src/relay/config/config'
import { generateSigningKey } from '../../src/relay/feed/keys'
import { nowNs } from '../stats'

// Catch-up after 30 days offline: 100,000 usage events to push and 10,000 feed records
// (5,000 recharges, 5,000 debits by another device) to pull, verify and apply, against a
// real relay on 127.0.0.1. The month is set up with the relay in-process (its clock fixed);
// the catch-up itself runs against the relay as its own process (`src/relay/start.ts` on
// the same file and key), as in production, where the relay is a hosted server and its work
// does not share the device's thread. CATCHUP_RELAY=inprocess keeps the in-process relay
// for the catch-up too (both programs on one thread: the slower, pessimistic figure).
// Before the catch-up the relay process, just started, is warmed up by another account's
// traffic (a hosted relay has been running for days; CATCHUP_WARM_BATCHES=0 to skip) and given
// a quiet moment to sign the month's records, as a running relay does while idle (it signs them
// anyway on first read). The app is not warmed: it has just restarted after the month.
// The floor, measured right after each catch-up on a fresh file: the same local writes (ack
// the same outbox rows, post the ledger effects, store the same feed records) in transactions
// of 500, with no HTTP, no signatures and no relay. CATCHUP_ROUNDS (default 5) catch-ups of
// copies of the one month, each followed by its floor; figures are medians. Last line: one
// JSON object.
// CATCHUP_FLOOR_SPLIT=1: the floor's acks and records timed apart (stderr).
// CATCHUP_CPU_PROFILE=file: CPU profile of this process during the catch-up;
// CATCHUP_RELAY_PROFILE=dir: CPU profile of the relay process (written when it stops).

const USAGE = Number(process.env['CATCHUP_USAGE'] ?? 100_000)
const RECORDS = Number(process.env['CATCHUP_RECORDS'] ?? 10_000)
const BATCH = 500
const ROUNDS = Number(process.env['CATCHUP_ROUNDS'] ?? 5)
/** Outbox batches another account pushes to warm each new relay process up (500 records each). */
const WARM_BATCHES = Number(process.env['CATCHUP_WARM_BATCHES'] ?? 20)
const T0 = Date.UTC(2025, 0, 1)
const DAY = 86_400_000
const ms = (t: bigint) => Math.round(Number(nowNs() - t) / 1e6)
const ADMIN = 'bench-admin-token-0123456789abcdef'
const inProcess = process.env['CATCHUP_RELAY'] === 'inprocess'
const root = fileURLToPath(new URL('../../', import.meta.url))

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-catchup-'))
  const clock = new ManualClock(T0)
  const signingKey = generateSigningKey().privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
  let child: ChildProcess | undefined
  const relay = createRelay(
    defaultConfig({
      dataDir: join(dir, 'relay'),
      port: 0,
      durability: 'normal',
      adminToken: ADMIN,
      signingKey,
      logLevel: 'warn',
      // A lease long enough to cover the month offline (the default 7 days + grace would gate to FREE).
      leaseTtlMs: 32 * DAY,
      rateLimit: { devicePerMinute: 1e9, addressPerMinute: 1e9, notifyPerMinute: 1e9 }
    }),
    { clock, ids: sequentialIds('bench'), logStream: new Writable({ write: (_c, _e, cb) => cb() }) }
  )
  const url = await relay.start()
  let relayStopped = false
  try {
    const settings = new MemorySettingsStore({ relayUrl: url })
    const secrets = new MemorySecretStore()
    // As the host opens it (openBillingModule): ICU's one-time start-up on a worker first.
    const open = (dbPath = join(dir, 'app.sqlite')) =>
      openSyncedBilling({
        dbPath,
        durability: 'normal',
        clock,
        ids: sequentialIds('device-a-entry'),
        settings,
        secrets,
        relayPublicKey: relay.key.publicKeyBase64,
        // CATCHUP_PUSH_DEPTH=n: outbox batches in flight at once (A/B of the app's default).
        ...(process.env['CATCHUP_PUSH_DEPTH'] ? { outboxPipeline: Number(process.env['CATCHUP_PUSH_DEPTH']) } : {}),
        // CATCHUP_FETCH=undici: the global fetch instead of the node:http transport (A/B).
        ...(process.env['CATCHUP_FETCH'] === 'undici' ? { fetch: globalThis.fetch } : {})
      })
    const { billing, sync } = await open()
    // Enrol, then go offline for 30 days while streaming: 100k usage events on an
    // ENTERPRISE lifetime plan (exports are unlimited there).
    const { code } = await relay.core.accounts.createEnrolment(undefined, 'bench')
    const who = await sync.enrol(code, 'bench-pc')
    await sync.syncNow()
    billing.subscriptions.subscribe({ key: 'bench-plan', planCode: 'ENTERPRISE', period: 'lifetime', payment: { paymentId: 'bench-pay' } })
    const perDay = Math.ceil(USAGE / 30)
    for (let i = 0; i < USAGE; i += BATCH) {
      clock.set(T0 + Math.floor(i / perDay) * DAY + (i % perDay))
      billing.db.tx(() => {
        for (let j = i; j < Math.min(USAGE, i + BATCH); j++) billing.quotas.consume('export', 1, `usage-${j}`)
      })
    }
    // Meanwhile on the relay: recharges and another device's spending.
    const other = await relay.core.accounts.enrol((await relay.core.accounts.createEnrolment(who.accountId, 'b')).code, 'other-pc')
    await relay.db.unit(async (tx) => {
      for (let i = 0; i < RECORDS / 2; i++) {
        const orderNo = `RBENCH${String(i).padStart(10, '0')}`
        const amount = { amount: 1000, currency: 'CNY' as const }
        await relay.core.feed.append(tx, who.accountId, 'payment_confirmed', {
          orderNo,
          provider: 'alipay',
          providerPaymentId: `p${i}`,
          item: { kind: 'recharge', amount },
          amount,
          paidAt: clock.now()
        })
        await relay.core.wallet.credit(tx, who.accountId, amount, { id: `payment:${orderNo}`, from: chart.clearing('alipay', 'CNY'), sourceId: orderNo, feedSourceId: orderNo })
      }
    })
    await relay.core.outbox.accept(
      { accountId: who.accountId, deviceId: other.deviceId },
      Array.from({ length: RECORDS / 2 }, (_, i) => ({
        id: `other-debit-${String(i).padStart(8, '0')}`,
        kind: 'wallet_debit' as const,
        amount: { amount: 500, currency: 'CNY' as const },
        feature: 'ai_request',
        occurredAt: clock.now()
      }))
    )
    // Another account's device, used only to warm a freshly started relay process up.
    const warmDevice = await relay.core.accounts.enrol((await relay.core.accounts.createEnrolment(undefined, 'warm')).code, 'warm-pc')
    clock.set(T0 + 30 * DAY)
    const rounds: Round[] = []
    if (inProcess) {
      rounds.push(await catchUp(billing, sync, undefined, dir))
    } else {
      // The month is kept as a snapshot; each round catches up a copy of it against the relay
      // running as its own process (as in production: the app restarts after the month and
      // meets a hosted relay), then the floor runs on the same machine right after. A round
      // is ~2 s on 2 shared cores, so one round's ratio moves by ±10 points with other work;
      // the figures are medians over ROUNDS.
      sync.close()
      await relay.stop()
      relayStopped = true
      const snapshot = join(dir, 'snapshot')
      mkdirSync(snapshot)
      cpSync(join(dir, 'relay'), join(snapshot, 'relay'), { recursive: true })
      cpSync(join(dir, 'app.sqlite'), join(snapshot, 'app.sqlite'))
      const settingsAtSnapshot = settings.get()
      for (let r = 0; r < ROUNDS; r++) {
        const runDir = join(dir, `round-${r}`)
        cpSync(snapshot, runDir, { recursive: true })
        const started = await startRelayProcess(join(runDir, 'relay'), signingKey)
        child = started.proc
        try {
          // The month's records were written over 30 days; a running relay signs each one in
          // its next quiet moment (feed/signer.ts), long before the device returns. The
          // compressed month gave it none, so it gets one now, outside the measurement.
          // A hosted relay has been running for days (its code compiled hot); this one just
          // started. Warm it up with another account's traffic first, outside the measurement.
          await warmUp(started.url, warmDevice.deviceToken, r)
          await signingBacklogCleared(started.url)
          settings.set({ ...settingsAtSnapshot, relayUrl: started.url })
          const reopened = await open(join(runDir, 'app.sqlite'))
          rounds.push(await catchUp(reopened.billing, reopened.sync, child, runDir))
        } finally {
          await stopChild(child)
          child = undefined
        }
        const last = rounds[rounds.length - 1]!
        console.log(
          `round ${r + 1}: catch-up ${last.catchupMs} ms, floor ${last.floorMs} ms (${((last.floorMs / last.catchupMs) * 100).toFixed(0)}%), CPU app ${last.appCpuMs} ms, relay ${last.relayCpuMs} ms`
        )
        rmSync(runDir, { recursive: true, force: true })
      }
    }
    const first = rounds[0]!
    const catchupMs = median(rounds.map((r) => r.catchupMs))
    const floorMs = median(rounds.map((r) => r.floorMs))
    const ratio = median(rounds.map((r) => r.floorMs / r.catchupMs))
    const appCpuMs = median(rounds.map((r) => r.appCpuMs))
    const relayCpuMs = inProcess ? null : median(rounds.map((r) => r.relayCpuMs ?? 0))
    console.log(`pushed ${first.pending} outbox rows, applied ${first.applied} feed records, balance ${first.balance}`)
    console.log(`catch-up ${catchupMs} ms; batched-transaction floor ${floorMs} ms (${(ratio * 100).toFixed(0)}% of floor speed, median of ${rounds.length})`)
    console.log(`CPU during the catch-up: app ${appCpuMs} ms (verification threads included), relay ${relayCpuMs ?? 'in-process'} ms`)
    console.log(
      JSON.stringify({
        catchup_ms: catchupMs,
        floor_batch_ms: floorMs,
        ratio: Number(ratio.toFixed(3)),
        round_ratios: rounds.map((r) => Number((r.floorMs / r.catchupMs).toFixed(3))),
        outbox_rows: first.pending,
        feed_records: first.applied,
        catchup_app_cpu_ms: appCpuMs,
        catchup_relay_cpu_ms: relayCpuMs,
        catchup_block_ms: median(rounds.map((r) => r.blockMs)),
        relay: inProcess ? 'in-process' : 'process'
      })
    )
  } finally {
    if (child) await stopChild(child)
    if (!relayStopped) await relay.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

interface Round {
  catchupMs: number
  floorMs: number
  appCpuMs: number
  relayCpuMs: number | null
  pending: number
  applied: number
  balance: number
  blockMs: number
}

type Opened = ReturnType<typeof createSyncedBilling>

/** One catch-up (syncNow from the month's end), then the floor on the same rows. */
async function catchUp(billing: Opened['billing'], sync: Opened['sync'], child: ChildProcess | undefined, dir: string): Promise<Round> {
  const pending = sync.state().pendingCount
  const profile = await startProfile()
  const cpu0 = process.cpuUsage()
  const relayCpu0 = cpuOf(child)
  // The longest main-thread block of the catch-up (the module's own watchdog, docs/performance.md).
  const meter = eventLoopMeter()
  await new Promise((r) => setTimeout(r, 25)) // the histogram measures between its own ticks
  const t = nowNs()
  const state = await sync.syncNow()
  const catchupMs = ms(t)
  const blockMs = meter.longestBlockMs()
  meter.close()
  // CPU time beside wall time: on a shared 2-core machine the wall time moves with the load.
  const cpu = process.cpuUsage(cpu0)
  const appCpuMs = Math.round((cpu.user + cpu.system) / 1000)
  const relayCpuMs = child ? cpuOf(child) - relayCpu0 : null
  await profile?.()
  if (state.lastError) throw new Error(`catch-up failed: ${state.lastError}`)
  const applied = (billing.db.sqlite.prepare('SELECT count(*) AS n FROM sync_inbox').get() as { n: number }).n
  const balance = billing.wallet.balance().amount
  // The floor writes these same rows (their real payloads and signatures), not stand-ins.
  const inboxRows = billing.db.sqlite
    .prepare("SELECT id, cursor, type, timestamp, payload, signature FROM sync_inbox WHERE type IN ('payment_confirmed', 'wallet_debit') ORDER BY CAST(cursor AS INTEGER)")
    .all() as InboxRow[]
  const outboxBodies = billing.db.sqlite.prepare('SELECT id, body FROM sync_outbox ORDER BY seq').all() as { id: string; body: string }[]
  sync.close()
  const floorMs = floor(dir, outboxBodies, inboxRows)
  return { catchupMs, floorMs, appCpuMs, relayCpuMs, pending, applied, balance, blockMs }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** `npm run relay` as a child process on the seeded data dir; resolves with its URL once it listens. */
function startRelayProcess(dataDir: string, signingKey: string): Promise<{ proc: ChildProcess; url: string }> {
  const profDir = process.env['CATCHUP_RELAY_PROFILE']
  const proc = spawn(process.execPath, [...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []), '--import', 'tsx', 'src/relay/start.ts'], {
    cwd: root,
    env: {
      PATH: process.env['PATH'] ?? '',
      RELAY_PORT: '0',
      RELAY_DATA_DIR: dataDir,
      RELAY_DB_DURABILITY: 'normal',
      RELAY_SIGNING_KEY: signingKey,
      RELAY_ADMIN_TOKEN: ADMIN,
      RELAY_LOG_LEVEL: 'warn',
      RELAY_LEASE_TTL_HOURS: String(32 * 24),
      RELAY_RATE_DEVICE_PER_MIN: '1000000',
      RELAY_RATE_ADDRESS_PER_MIN: '1000000'
    },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let err = ''
  return new Promise((resolve, reject) => {
    proc.stderr!.on('data', (c: Buffer) => {
      err += c.toString('utf8')
      const m = /listening on (http:\/\/\S+)/.exec(err)
      if (m) resolve({ proc, url: m[1]! })
    })
    proc.on('exit', (code) => reject(new Error(`relay exited with ${code}: ${err}`)))
  })
}

/** Another account's device pushes WARM_BATCHES usage batches and reads its feed. */
async function warmUp(url: string, token: string, round: number): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  for (let b = 0; b < WARM_BATCHES; b++) {
    const records = Array.from({ length: BATCH }, (_, i) => ({
      id: `warm-${round}-${b}-${String(i).padStart(4, '0')}`,
      kind: 'usage',
      feature: 'export',
      quantity: 1,
      occurredAt: T0
    }))
    const res = await fetch(`${url}/v1/outbox`, { method: 'POST', headers, body: JSON.stringify({ records }) })
    if (!res.ok) throw new Error(`warm-up push failed: ${res.status} ${await res.text()}`)
    await (await fetch(`${url}/v1/feed`, { headers: { authorization: headers.authorization } })).text()
  }
}

/** Polls the relay's /health until its feed signing backlog is empty (at most 30 s). */
async function signingBacklogCleared(url: string): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const health = (await (await fetch(`${url}/health`)).json()) as { signingBacklog?: number }
    if (health.signingBacklog === 0) return
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error('the relay did not sign its feed backlog within 30 s')
}

/** User + system CPU of a child process so far (ms), from /proc; 0 where /proc is missing. */
function cpuOf(proc: ChildProcess | undefined): number {
  if (!proc?.pid) return 0
  try {
    const fields = readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    // utime and stime are fields 14 and 15 of the line, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return 0
  }
}

async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const exited = new Promise((r) => proc.on('exit', r))
  proc.kill('SIGTERM')
  await exited
}

/** CATCHUP_CPU_PROFILE=file.cpuprofile: a CPU profile of the catch-up alone (app and relay share this thread). */
async function startProfile(): Promise<(() => Promise<void>) | undefined> {
  const file = process.env['CATCHUP_CPU_PROFILE']
  if (!file) return undefined
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 200 })
  await session.post('Profiler.start')
  return async () => {
    const { profile } = await session.post('Profiler.stop')
    writeFileSync(file, JSON.stringify(profile))
    session.disconnect()
  }
}

interface InboxRow {
  id: string
  cursor: string
  type: string
  timestamp: number
  payload: string
  signature: string
}

/**
 * The same local writes as the catch-up, in transactions of BATCH, without network or crypto:
 * the catch-up's own outbox rows acked one by one, and its own feed records (payload and
 * signature as received) stored in the inbox beside the wallet effect each one carries.
 */
function floor(dir: string, outbox: { id: string; body: string }[], records: InboxRow[]): number {
  const clock = new ManualClock(T0)
  const ids = sequentialIds('floor-entry')
  const b = createBilling({ dbPath: join(dir, 'floor.sqlite'), durability: 'normal', clock, ids })
  const s = b.db.sqlite
  s.prepare('INSERT OR IGNORE INTO sync_state (id, updated_at) VALUES (1, 0)').run()
  const ins = s.prepare('INSERT INTO sync_outbox (id, kind, body, spend, created_at) VALUES (?, ?, ?, 0, 0)')
  b.db.tx(() => {
    for (const r of outbox) ins.run(r.id, 'usage', r.body)
  })
  const ack = s.prepare('UPDATE sync_outbox SET acked_at = ? WHERE id = ? AND acked_at IS NULL')
  const inbox = s.prepare('INSERT INTO sync_inbox (id, cursor, type, timestamp, payload, signature, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
  const t = nowNs()
  for (let i = 0; i < outbox.length; i += BATCH) {
    b.db.tx(() => {
      for (let j = i; j < Math.min(outbox.length, i + BATCH); j++) ack.run(1, outbox[j]!.id)
    })
  }
  const tAcks = ms(t)
  for (let i = 0; i < records.length; i += BATCH) {
    b.db.tx(() => {
      for (let j = i; j < Math.min(records.length, i + BATCH); j++) {
        const r = records[j]!
        if (r.type === 'payment_confirmed') b.wallet.recharge({ key: `feed:${r.id}`, paymentId: `P${j}`, provider: 'alipay', amount: 1000 })
        else b.wallet.postExternalDebit({ key: `feed:${r.id}`, amount: 500, deviceId: 'other-pc', feature: 'ai_request', reason: 'other device' })
        inbox.run(r.id, r.cursor, r.type, r.timestamp, r.payload, r.signature, 0)
      }
    })
  }
  const out = ms(t)
  if (process.env['CATCHUP_FLOOR_SPLIT']) console.error(`floor: acks ${tAcks} ms, records ${out - tAcks} ms`)
  b.close()
  return out
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
