import { expect } from 'vitest'
import { publicKeyFromBase64, verifyRecord } from '../../../src/node/feed'
import { checkBooks, verifyLedger } from '../../../src/relay/ledger/verify'
import { FeedPageSchema, type FeedData, type FeedRecordType } from '../../../src/shared/relay-contract'
import { checkout, notify, paid } from '../support/flows'
import { createTestProvider, type TestProvider } from '../support/hmac-provider'
import { ADMIN_TOKEN, enrolDevice, feedPath, newKey, startTestRelay, type TestRelay } from '../support/relay'

// Coupon flows over the real relay on 127.0.0.1: admin routes for definitions, device routes for
// quotes, checkouts and the outbox, the test provider's signed notifications for payments.

export const TTL = 30 * 60_000
export const cny = (amount: number) => ({ amount, currency: 'CNY' as const })
export const plan = (planCode = 'BASIC', period = 'monthly') => ({ kind: 'plan', planCode, period })
export const recharge = (amount: number) => ({ kind: 'recharge', amount: cny(amount) })

let purchases = 0
/** A device's subscription_purchase of BASIC monthly at `at` (outbox record), with a grant's discount if given. */
export function planPurchase(at: number, price: number, coupon?: { grantId: string; discount: number }, over: Record<string, unknown> = {}) {
  return {
    id: `purchase-${++purchases}-abcdef`,
    kind: 'subscription_purchase',
    planCode: 'BASIC',
    period: 'monthly',
    price: cny(price),
    catalogVersion: 1,
    action: 'subscribe',
    periodStart: at,
    periodEnd: at + 30 * 86_400_000,
    occurredAt: at,
    ...(coupon ? { coupon: { grantId: coupon.grantId, discount: cny(coupon.discount) } } : {}),
    ...over
  }
}

export interface CouponRelay extends TestRelay {
  provider: TestProvider
}

export async function startCouponRelay(): Promise<CouponRelay> {
  const provider = createTestProvider('stripe')
  // Many clients from one address at once (the race): the per-address limit is not under test.
  const rateLimit = { devicePerMinute: 10_000, addressPerMinute: 100_000, notifyPerMinute: 100_000 }
  const t = await startTestRelay({ providers: [provider], config: { sweepIntervalMs: 0, rateLimit } })
  return { ...t, provider }
}

export async function admin(t: TestRelay, method: string, path: string, body?: unknown) {
  return t.api(method, path, { token: ADMIN_TOKEN, ...(body !== undefined ? { body } : {}) })
}

/** A coupon with one promotion code; returns the coupon id. */
export async function couponWithCode(t: TestRelay, code: string, coupon: Record<string, unknown>, codeOpts: Record<string, unknown> = {}): Promise<string> {
  const made = await admin(t, 'POST', '/v1/admin/coupons', { name: `coupon ${code}`, ...coupon })
  expect(made.status, made.text).toBe(200)
  const id = made.body.coupon.id as string
  const added = await admin(t, 'POST', `/v1/admin/coupons/${id}/codes`, { code, ...codeOpts })
  expect(added.status, added.text).toBe(200)
  return id
}

export async function quote(t: TestRelay, token: string, body: unknown) {
  const r = await t.api('POST', '/v1/quotes', { token, body })
  expect(r.status, r.text).toBe(200)
  return r.body.quote
}

export function checkoutRaw(t: TestRelay, token: string, body: unknown, key = newKey()) {
  return t.api('POST', '/v1/checkouts', { token, body: { provider: 'stripe', ...(body as object) }, headers: { 'idempotency-key': key } })
}

/** A recharge paid through the provider: the wallet holds `amount`. */
export async function fund(t: CouponRelay, token: string, amount: number): Promise<void> {
  const { order } = await checkout(t.api, token, { provider: 'stripe', item: recharge(amount) })
  expect((await notify(t, t.provider, [paid(order.orderNo, amount)])).status).toBe(200)
}

export async function records<T extends FeedRecordType>(t: TestRelay, dev: { token: string; accountId: string }, type: T): Promise<FeedData<T>[]> {
  const key = publicKeyFromBase64(t.relay.key.publicKeyBase64)
  const page = FeedPageSchema.parse((await t.api('GET', feedPath({ limit: 500 }), { token: dev.token })).body)
  return page.records
    .map((e) => verifyRecord(e, key, dev.accountId))
    .filter((p) => p.type === type)
    .map((p) => p.data as FeedData<T>)
}

/** relay:verify's check of the books, over the relay's database. */
export async function expectBooksBalance(t: TestRelay): Promise<void> {
  const report = verifyLedger(await t.relay.core.store.read(async (tx) => tx.ledger.snapshot()))
  expect(report.breaks).toEqual([])
  expect(report.ok).toBe(true)
  // relay:verify's paged check (pages of 3 transfers here) says the same.
  expect(await t.relay.core.store.read((tx) => checkBooks(tx, 3))).toEqual(report)
}

export function balance(t: TestRelay, accountId: string): { ledger: (id: string) => number } {
  const s = t.relay.db.sqlite
  return {
    ledger: (id) => {
      const row = s.prepare<[string], { d: number; c: number; kind: string }>('SELECT debits_posted AS d, credits_posted AS c, kind FROM ledger_accounts WHERE id = ?').get(id.replace('$', accountId))
      if (!row) return 0
      return ['provider_clearing', 'receivable', 'promotion', 'refunds', 'discounts'].includes(row.kind) ? row.d - row.c : row.c - row.d
    }
  }
}

export function redemptionStates(t: TestRelay, couponId: string): string[] {
  return (t.relay.db.sqlite.prepare('SELECT state FROM coupon_redemptions WHERE coupon_id = ? ORDER BY rowid').all(couponId) as { state: string }[]).map((r) => r.state)
}

export { enrolDevice, notify, paid }
