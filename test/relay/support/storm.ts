import { publicKeyFromBase64, verifyRecord } from '../../../src/node/feed'
import { asyncPaymentSucceededEvent, sessionCompletedEvent, signStripeEvent } from '../fakes/stripe'
import type { FakeStripe } from '../fakes/stripe'
import { ADMIN_TOKEN, feedPath, newKey, type Api } from './relay'
import { STRIPE_WEBHOOK_SECRET, stripeEnv } from './stripe'

// A storm of Stripe notifications, as Stripe delivers them: signed, several at once, each
// redelivered until it gets a 2xx. Shared by the restart storm and the PostgreSQL fault tests.

export interface Delivery {
  orderNo: string
  body: string
}

/** Recharge orders of the given amounts, checked out through `api` by the device `token`. */
export async function openOrders(api: Api, token: string, amounts: number[]): Promise<{ orderNo: string; amount: number }[]> {
  const orders: { orderNo: string; amount: number }[] = []
  for (const amount of amounts) {
    const r = await api('POST', '/v1/checkouts', {
      token,
      body: { provider: 'stripe', item: { kind: 'recharge', amount: { amount, currency: 'CNY' } } },
      headers: { 'idempotency-key': newKey() }
    })
    if (r.status !== 200) throw new Error(`checkout: ${r.status} ${r.text}`)
    orders.push({ orderNo: r.body.order.orderNo, amount })
  }
  return orders
}

/** Two events per payment (completed + async succeeded), the first also duplicated. */
export function paymentDeliveries(orders: { orderNo: string; amount: number }[]): Delivery[] {
  const created = Math.floor(Date.now() / 1000)
  const deliveries: Delivery[] = []
  for (const o of orders) {
    const base = { orderNo: o.orderNo, amount: o.amount, currency: 'cny', created }
    const a = JSON.stringify(sessionCompletedEvent({ ...base, paid: true, eventId: `evt_done_${o.orderNo}` }))
    const b = JSON.stringify(asyncPaymentSucceededEvent({ ...base, eventId: `evt_async_${o.orderNo}` }))
    deliveries.push({ orderNo: o.orderNo, body: a }, { orderNo: o.orderNo, body: b }, { orderNo: o.orderNo, body: a })
  }
  return deliveries
}

export const shuffle = <T>(items: T[]): T[] => [...items].sort(() => Math.random() - 0.5)

/**
 * Delivers each notification once (12 at a time) to `urlOf(i)`; `stop` runs once after
 * `stopAfter` deliveries. Returns the orders with a 2xx, how many deliveries got anything else
 * (an error status or no answer: connection refused or reset), and the error statuses.
 */
export async function storm(
  urlOf: (i: number) => string,
  deliveries: Delivery[],
  stopAfter: number | null,
  stop: () => void
): Promise<{ acked: Set<string>; failed: number; statuses: number[] }> {
  const acked = new Set<string>()
  const statuses: number[] = []
  let done = 0
  let failed = 0
  let stopped = false
  const queue = deliveries.map((d, i) => ({ d, i }))
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        const at = Math.floor(Date.now() / 1000)
        const res = await fetch(`${urlOf(next.i)}/v1/notify/stripe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': signStripeEvent(next.d.body, STRIPE_WEBHOOK_SECRET, at) },
          body: next.d.body
        })
        await res.text()
        if (res.status === 200) acked.add(next.d.orderNo)
        else {
          failed++
          statuses.push(res.status)
        }
      } catch {
        // connection refused / reset: the relay is down; the provider will redeliver
        failed++
      }
      done++
      if (stopAfter !== null && done >= stopAfter && !stopped) {
        stopped = true
        stop()
      }
    }
  }
  await Promise.all(Array.from({ length: 12 }, worker))
  return { acked, failed, statuses }
}

/** Every record of the device's feed, verified, paging from `cursor`; seqs as served. */
export async function readFeed(api: Api, token: string, accountId: string, cursor = '') {
  const key = publicKeyFromBase64((await api('GET', '/health')).body.publicKey)
  const records: { seq: number; type: string; data: { orderNo?: string } }[] = []
  for (;;) {
    const res = await api('GET', feedPath({ limit: 17, cursor: cursor || undefined }), { token })
    if (res.status !== 200) throw new Error(`feed: ${res.status} ${res.text}`)
    for (const e of res.body.records) {
      const p = verifyRecord(e, key, accountId)
      records.push({ seq: Number(e.cursor), type: p.type, data: p.data as { orderNo?: string } })
    }
    cursor = res.body.nextCursor
    if (!res.body.hasMore) break
  }
  return { records, cursor }
}

/** A relay child process's environment for a storm: Stripe on its fake, admin routes on, limits out of the way. */
export function stormEnv(dataDir: string, fake: Pick<FakeStripe, 'port'>): Record<string, string> {
  return {
    RELAY_DATA_DIR: dataDir,
    RELAY_ADMIN_TOKEN: ADMIN_TOKEN,
    RELAY_RATE_ADDRESS_PER_MIN: '100000',
    RELAY_RATE_DEVICE_PER_MIN: '100000',
    RELAY_RATE_NOTIFY_PER_MIN: '1000000',
    ...(stripeEnv(fake) as Record<string, string>)
  }
}
