// Writes test/fixtures/legacy-0.1.0.billing: a ledger file written by the code as it was
// before the structure change (commit 525b29a), with wallet entries, holds, first-free,
// refunds and debt, subscriptions (trial, wallet-paid, renewals, cancel) and usage events and
// leases. test/db/legacy-file.test.ts opens a copy with today's code and runs verify(): the
// stored formats (hash fields, fingerprints) must not have changed.
// Re-running it on newer code rewrites the fixture; only do that for a new legacy version.
//   npx tsx scripts/legacy-fixture.ts
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createBilling } from '../src/main/billing'
import { ManualClock } from '../src/node/clock'
import { sequentialIds } from '../src/node/ids'
import { money } from '../src/shared/money'

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const out = path.join(root, 'test/fixtures/legacy-0.1.0.billing')
const DAY = 86_400_000
// 2026-01-31 10:00 Asia/Shanghai: a month-end anchor, so renewals clamp.
const clock = new ManualClock(Date.UTC(2026, 0, 31, 2, 0, 0))
fs.rmSync(out, { force: true })
const billing = createBilling({ dbPath: out, clock, ids: sequentialIds('legacy') })
const cny = (amount: number) => money(amount, 'CNY')
const { wallet, subscriptions, quotas } = billing

wallet.chargeOrFree({ key: 'live-0', price: cny(500), feature: 'live_session', reason: '开始直播' })
wallet.recharge({ key: 'r1', paymentId: 'pay-1', provider: 'alipay', amount: cny(20000) })
wallet.chargeOrFree({ key: 'live-1', price: cny(500), feature: 'live_session', reason: '开始直播' })
wallet.chargeOrFree({ key: 'live-2', price: cny(500), feature: 'live_session', reason: '开始直播' })
wallet.consume({ key: 'c1', amount: cny(120), feature: 'ai_reply', reason: 'AI 回复' })
const hold = wallet.hold({ key: 'h1', amount: cny(800), feature: 'export', reason: '导出', ttlMs: DAY })
wallet.settle({ key: 's1', holdId: hold.holdId, amount: cny(300) })
const lapsed = wallet.hold({ key: 'h2', amount: cny(200), feature: 'export', reason: '导出', ttlMs: 60_000 })
clock.advance(120_000)
wallet.expireHolds()
wallet.void({ key: 'v0', holdId: wallet.hold({ key: 'h3', amount: cny(100), feature: 'export', reason: '导出', ttlMs: DAY }).holdId })
for (let i = 0; i < 20; i++) quotas.consume('ai_request', 1 + (i % 3), `ai-${i}`)
const room = quotas.acquire({ key: 'room-1', feature: 'live_room', holder: 'room-a' })
quotas.heartbeat(room.leaseId ?? (room as { id: string }).id)

subscriptions.subscribe({ key: 'trial-1', planCode: 'PREMIUM', period: 'monthly', trial: true })
clock.advance(8 * DAY)
billing.sweep()
subscriptions.cancel({ key: 'cancel-1', atPeriodEnd: false, reason: '换套餐' })
subscriptions.subscribe({ key: 'sub-1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
for (let month = 0; month < 3; month++) {
  clock.advance(31 * DAY)
  billing.sweep()
  for (let i = 0; i < 5; i++) quotas.consume('ai_request', 2, `ai-m${month}-${i}`)
}
wallet.refund({ key: 'rf1', refundId: 'refund-1', paymentId: 'pay-1', amount: cny(20000) })
wallet.recharge({ key: 'r2', paymentId: 'pay-2', provider: 'wechat', amount: cny(5000) })
void lapsed

const report = billing.verify()
if (!report.ok) throw new Error(`the fixture does not verify: ${report.problems.join('; ')}`)
const expected = {
  writtenBy: '525b29a',
  at: clock.now(),
  balance: wallet.balance(),
  debt: wallet.debt(),
  held: wallet.held(),
  firstFreeUsed: wallet.firstFreeUsed(),
  subscription: (() => {
    const s = subscriptions.current()
    return s && { planCode: s.planCode, status: s.status, currentPeriodEnd: s.currentPeriodEnd }
  })(),
  walletEntries: (billing.db.sqlite.prepare('SELECT count(*) AS n FROM wallet_entries').get() as { n: number }).n
}
billing.db.sqlite.pragma('wal_checkpoint(TRUNCATE)')
billing.close()
for (const suffix of ['-wal', '-shm']) fs.rmSync(out + suffix, { force: true })
fs.writeFileSync(out.replace(/\.billing$/, '.expected.json'), JSON.stringify(expected, null, 2) + '\n')
console.log(`wrote ${path.relative(root, out)}`, expected)
