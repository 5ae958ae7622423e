import Database from 'better-sqlite3'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseDocumentNumber } from '../../src/relay/invoices/numbers'
import { tempDir } from '../support/db'
import { sessionCompletedEvent, signStripeEvent, startFakeStripe } from './fakes/stripe'
import { startChildRelay, type ChildRelay } from './support/child'
import { enrolDevice, makeApi, newKey, type Api } from './support/relay'
import { STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET } from './support/stripe'
import { stormEnv } from './support/storm'

// Invoice numbers under a SIGKILL loop: a child relay is killed again and again while paid
// notifications (the real Stripe adapter, signed as Stripe signs them) stream in; after each
// restart on the same file the invoices are numbered 1..n per series and year with no gap and
// no duplicate, every paid order has exactly one invoice, and no unpaid order has one. In the
// end everything is redelivered and every order is paid and invoiced once.

const ORDERS = 36
const KILLS = 3

async function deliver(url: string, bodies: string[], killAfter: number | null, kill: () => void): Promise<void> {
  const queue = [...bodies]
  let done = 0
  let killed = false
  const worker = async () => {
    for (let body = queue.shift(); body; body = queue.shift()) {
      try {
        const res = await fetch(`${url}/v1/notify/stripe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': signStripeEvent(body, STRIPE_WEBHOOK_SECRET, Math.floor(Date.now() / 1000)) },
          body
        })
        await res.text()
      } catch {
        // the relay is down: Stripe redelivers later
      }
      done++
      if (killAfter !== null && done >= killAfter && !killed) {
        killed = true
        kill()
      }
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
}

async function checkNumbers(api: Api, token: string, orders: string[]): Promise<number> {
  const { invoices } = (await api('GET', '/v1/invoices', { token })).body as { invoices: { number: string; source: { orderNo: string } }[] }
  const bySeriesYear = new Map<string, number[]>()
  for (const i of invoices) {
    const p = parseDocumentNumber(i.number)!
    const k = `${p.series}-${p.year}`
    bySeriesYear.set(k, [...(bySeriesYear.get(k) ?? []), p.n])
  }
  for (const ns of bySeriesYear.values()) expect(ns.sort((a, b) => a - b)).toEqual(ns.map((_, i) => i + 1))
  const invoiced = invoices.map((i) => i.source.orderNo)
  expect(new Set(invoiced).size).toBe(invoiced.length)
  const paid: string[] = []
  for (const no of orders) if ((await api('GET', `/v1/orders/${no}`, { token })).body.order.state === 'paid') paid.push(no)
  expect(invoiced.sort()).toEqual(paid.sort())
  return paid.length
}

describe('invoice numbers when the relay is killed during issuance', () => {
  it('leave no gap and no duplicate, and every paid order has exactly one invoice', async () => {
    const fake = await startFakeStripe({ apiKey: STRIPE_SECRET_KEY })
    const dataDir = tempDir('relay-invoice-kill-')
    const env = stormEnv(dataDir, fake)
    let relay: ChildRelay = await startChildRelay(env)
    try {
      let api = makeApi(relay.url)
      const dev = await enrolDevice(api)
      const orders: { orderNo: string; amount: number }[] = []
      for (let i = 0; i < ORDERS; i++) {
        const item = i % 3 === 0 ? { kind: 'plan', planCode: 'BASIC', period: 'monthly' } : { kind: 'recharge', amount: { amount: 1000 + i, currency: 'CNY' } }
        const r = await api('POST', '/v1/checkouts', { token: dev.token, body: { provider: 'stripe', item }, headers: { 'idempotency-key': newKey() } })
        expect(r.status).toBe(200)
        orders.push({ orderNo: r.body.order.orderNo, amount: r.body.order.amount.amount })
      }
      const created = Math.floor(Date.now() / 1000)
      const bodies = orders.map((o) =>
        JSON.stringify(sessionCompletedEvent({ orderNo: o.orderNo, amount: o.amount, currency: 'cny', created, paid: true, eventId: `evt_inv_${o.orderNo}` }))
      )
      const orderNos = orders.map((o) => o.orderNo)
      let paidSoFar = 0
      for (let k = 0; k < KILLS; k++) {
        // Each round sends every order not yet paid (and some paid ones again), then is killed midway.
        const victim = relay
        const round = [...bodies].sort(() => Math.random() - 0.5).slice(0, Math.ceil(ORDERS * 0.6))
        await deliver(victim.url, round, Math.ceil(round.length / 3), () => victim.proc.kill('SIGKILL'))
        expect((await victim.exited).signal).toBe('SIGKILL')
        relay = await startChildRelay(env)
        api = makeApi(relay.url)
        const paid = await checkNumbers(api, dev.token, orderNos)
        expect(paid).toBeGreaterThanOrEqual(paidSoFar)
        paidSoFar = paid
      }
      expect(paidSoFar).toBeGreaterThan(0)
      await deliver(relay.url, bodies, null, () => {})
      expect(await checkNumbers(api, dev.token, orderNos)).toBe(ORDERS)
      relay.proc.kill('SIGTERM')
      await relay.exited
      // The counter row says as much: the last number taken is the number of invoices.
      const db = new Database(join(dataDir, 'relay.sqlite'), { readonly: true })
      try {
        const rows = db.prepare('SELECT series, last FROM document_counters').all()
        expect(rows).toEqual([{ series: 'INV', last: ORDERS }])
        expect(db.prepare('SELECT count(*) AS n FROM invoices').get()).toEqual({ n: ORDERS })
      } finally {
        db.close()
      }
    } finally {
      if (relay.proc.exitCode === null && relay.proc.signalCode === null) {
        relay.proc.kill('SIGTERM')
        await relay.exited
      }
      await fake.close()
    }
  }, 180_000)
})
