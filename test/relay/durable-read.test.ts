import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import { afterAll, describe, expect, it } from 'vitest'
import { checkout, notify, paid } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { enrolDevice, feedPath, startTestRelay } from './support/relay'

// Through the running relay with durability 'full': a device's read that waited for an fsync
// must not see a notification batch that committed when that fsync ended, before its own
// fsync (a power cut would take it back after the device had it). The WAL fsyncs are held by
// hand here (node:fs's fsync, which db/wal-sync.ts calls, is wrapped for this file only).

const realFsync = fs.fsync
let holding = false
const held: (() => void)[] = []
const patched = ((fd: number, cb: (err: Error | null) => void) => {
  if (!holding) return realFsync(fd, cb)
  held.push(() => realFsync(fd, cb))
}) as typeof fs.fsync
fs.fsync = patched
syncBuiltinESMExports()
afterAll(() => {
  fs.fsync = realFsync
  syncBuiltinESMExports()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('reads wait for durable commits', () => {
  it('a feed page served after an fsync holds only what that fsync covered', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider], config: { durability: 'full' } })
    const dev = await enrolDevice(t.api)
    const recharge = (amount: number) => ({ provider: 'stripe', item: { kind: 'recharge', amount: { amount, currency: 'CNY' } } })
    const o1 = (await checkout(t.api, dev.token, recharge(1000))).order
    const o2 = (await checkout(t.api, dev.token, recharge(2000))).order

    holding = true
    try {
      const n1 = notify(t, provider, [paid(o1.orderNo, 1000)])
      while (held.length < 1) await sleep(5) // the fsync covering N1 runs
      const feed = t.api('GET', feedPath(), { token: dev.token }) // waits for it
      let n2Answered = false
      const n2 = notify(t, provider, [paid(o2.orderNo, 2000)]).then((r) => ((n2Answered = true), r))
      await sleep(300) // N2 is verified and waits for the fsync slot
      held.shift()!()
      const page = await feed
      const served = (page.body.records as { payload: string }[])
        .map((r) => JSON.parse(r.payload) as { type: string; data: { orderNo?: string } })
        .filter((p) => p.type === 'payment_confirmed')
        .map((p) => p.data.orderNo)
      expect(served).toEqual([o1.orderNo])
      expect(n2Answered).toBe(false)
      holding = false
      while (held.length) held.shift()!()
      expect((await n1).status).toBe(200)
      expect((await n2).status).toBe(200)
      const later = await t.api('GET', feedPath(), { token: dev.token })
      expect((later.body.records as unknown[]).length).toBeGreaterThan(page.body.records.length)
    } finally {
      // Released on failure too, so the relay can stop.
      holding = false
      while (held.length) held.shift()!()
    }
  })
})
