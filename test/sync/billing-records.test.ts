import { describe, expect, it } from 'vitest'
import { InvoiceBook } from '../../src/main/invoices'
import type { CouponGrant } from '../../src/shared/billing/coupons'
import type { CreditNote, FapiaoRequest, Invoice } from '../../src/shared/billing/invoices'
import type { FeedData, FeedRecordType } from '../../src/shared/relay-contract'
import { tempDb } from '../support/db'
import { admin, net, newDevice, relayWallet, startWorld, T0, topUp, type Device, type World } from './support'

// Coupon grants, invoices, credit notes and fapiao requests arrive as signed feed records from
// the real relay (appended on its store as it appends them), are kept in the app's tables and
// listed offline; a record seen twice changes nothing, a later record of the same number wins.
// And an account-bound coupon the relay granted, used offline for a wallet purchase: confirmed,
// or refused and charged at the list price (src/relay/outbox/outbox.ts purchase()).

const cny = (amount: number) => ({ amount, currency: 'CNY' as const })

async function relayAppends<T extends FeedRecordType>(w: World, accountId: string, type: T, data: FeedData<T>): Promise<void> {
  const { core, db } = w.t.relay
  await db.unit((tx) => core.feed.append(tx, accountId, type, data))
}

const grant = (over: Partial<CouponGrant> = {}): CouponGrant => ({
  grantId: 'grant-welcome-0001',
  couponId: 'cpn-welcome',
  name: '新人礼券',
  off: { kind: 'amount', amount: cny(500) },
  appliesTo: [{ planCode: 'BASIC' }],
  validFrom: T0 - 86_400_000,
  validUntil: T0 + 30 * 86_400_000,
  state: 'available',
  at: T0 - 86_400_000,
  ...over
})

const invoice = (over: Partial<Invoice> = {}): Invoice => ({
  number: 'INV-2025-000001',
  issuedAt: T0,
  status: 'paid',
  source: { kind: 'order', orderNo: 'ORD-1' },
  lines: [
    {
      item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' },
      quantity: 1,
      unitPrice: cny(2900),
      discount: cny(0),
      taxRate: '0.06',
      tax: cny(164),
      total: cny(2900)
    }
  ],
  total: cny(2900),
  tax: cny(164),
  discount: cny(0),
  credited: cny(0),
  ...over
})
const credit: CreditNote = { number: 'CN-2025-000001', invoiceNumber: 'INV-2025-000001', issuedAt: T0 + 1000, amount: cny(1000), tax: cny(57), refundId: 'rf-1' }
const fapiao: FapiaoRequest = { invoiceNumber: 'INV-2025-000001', status: 'issued', requestedAt: T0 + 10, decidedAt: T0 + 20, fapiaoNumber: '12345678901234567890' }

const rewind = (d: Device) => d.billing.db.sqlite.prepare('UPDATE sync_state SET cursor = NULL').run()
const tables = (d: Device) =>
  ['coupon_grants', 'invoices', 'credit_notes', 'fapiao_requests', 'sync_inbox'].map((t) => d.billing.db.sqlite.prepare(`SELECT * FROM ${t} ORDER BY 1`).all())

describe('coupon, invoice, credit note and fapiao records', () => {
  it('are kept and listed; applied twice they change nothing; a later record of the same number wins; listed with the relay gone', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await relayAppends(w, a.accountId, 'coupon_grant', grant())
    await relayAppends(w, a.accountId, 'invoice', invoice({ status: 'paid' }))
    await relayAppends(w, a.accountId, 'credit_note', credit)
    await relayAppends(w, a.accountId, 'invoice', invoice({ status: 'partially_credited', credited: cny(1000) }))
    await relayAppends(w, a.accountId, 'fapiao', { invoiceNumber: 'INV-2025-000001', status: 'requested', requestedAt: T0 + 10 })
    await relayAppends(w, a.accountId, 'fapiao', fapiao)
    await a.sync.syncNow()

    expect(a.billing.coupons.list()).toEqual([{ grant: grant(), state: 'available', usedAt: null }])
    const [entry] = a.sync.docs.invoices()
    expect(entry).toEqual({ invoice: invoice({ status: 'partially_credited', credited: cny(1000) }), creditNotes: [credit], fapiao })

    // Every record again (the cursor moved back): nothing changes.
    const before = tables(a)
    rewind(a)
    await a.sync.syncNow()
    expect(tables(a)).toEqual(before)
    expect(a.sync.state().skippedCount).toBe(0)

    // The relay gone: still listed, from the file.
    await w.t.relay.stop()
    expect(a.sync.docs.invoices()).toEqual([entry])
    expect(a.billing.coupons.list()).toHaveLength(1)
  })

  it('a later coupon_grant state wins (revoked), an older one does not undo it', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await relayAppends(w, a.accountId, 'coupon_grant', grant())
    await relayAppends(w, a.accountId, 'coupon_grant', grant({ state: 'revoked', at: T0 }))
    await relayAppends(w, a.accountId, 'coupon_grant', grant({ state: 'available', at: T0 - 1 }))
    await a.sync.syncNow()
    expect(a.billing.coupons.list().map((c) => c.state)).toEqual(['revoked'])
  })

  it('the invoice book keeps the record with the highest feed sequence', () => {
    const book = new InvoiceBook(tempDb())
    expect(book.applyInvoice(invoice({ status: 'paid' }), 10)).toBe(true)
    expect(book.applyInvoice(invoice({ status: 'void' }), 9)).toBe(false)
    expect(book.applyInvoice(invoice({ status: 'void' }), 10)).toBe(false)
    expect(book.get('INV-2025-000001')?.invoice.status).toBe('paid')
    expect(book.applyInvoice(invoice({ status: 'credited', credited: cny(2900) }), 11)).toBe(true)
    expect(book.get('INV-2025-000001')?.invoice.status).toBe('credited')
    // The relay's HTTP answer to a request (seq 0) never replaces a feed record.
    expect(book.applyFapiao(fapiao, 12)).toBe(true)
    expect(book.applyFapiao({ invoiceNumber: 'INV-2025-000001', status: 'requested', requestedAt: T0 }, 0)).toBe(false)
    expect(book.get('INV-2025-000001')?.fapiao?.status).toBe('issued')
  })
})

describe('an account-bound coupon used offline for a wallet purchase, judged by the relay on sync', () => {
  // The relay's 新人券: ¥5 off BASIC, granted to the account through its admin route; the grant
  // reaches every device as a signed coupon_grant record.
  async function granted(topUpAmount = 10_000): Promise<{ w: World; a: Device; couponId: string; grantId: string }> {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await topUp(w, a, topUpAmount)
    const made = await admin(w, '/v1/admin/coupons', { name: '新人礼券', off: { kind: 'amount', amount: cny(500) }, appliesTo: { plans: [{ planCode: 'BASIC' }] } })
    const couponId = made.coupon.id as string
    const grantId = (await admin(w, `/v1/admin/coupons/${couponId}/grants`, { accountId: a.accountId })).grant.grantId as string
    await a.sync.syncNow()
    expect(a.billing.coupons.list()).toEqual([expect.objectContaining({ grant: expect.objectContaining({ grantId, couponId }), state: 'available' })])
    return { w, a, couponId, grantId }
  }

  /** Bought from the wallet with the grant, offline (nothing synced yet): list − discount. */
  function buy(d: Device, grantId: string, key: string): string {
    const before = net(d)
    d.billing.subscriptions.buyFromWallet({ key, planCode: 'BASIC', period: 'monthly', couponGrantId: grantId })
    expect(net(d)).toBe(before - 2400)
    const rows = d.billing.db.sqlite.prepare("SELECT id, body FROM sync_outbox WHERE kind = 'subscription_purchase' ORDER BY rowid").all() as { id: string; body: string }[]
    const row = rows.at(-1)!
    expect(JSON.parse(row.body)).toMatchObject({ price: cny(2400), coupon: { grantId, discount: cny(500) } })
    return row.id
  }

  const outcome = (w: World, id: string) => (w.t.relay.db.sqlite.prepare('SELECT outcome FROM outbox_records WHERE id = ?').get(id) as { outcome: string }).outcome
  const refusedDebits = (w: World, id: string) => w.t.relay.db.sqlite.prepare('SELECT COUNT(*) AS n FROM feed WHERE type = ? AND payload LIKE ?').get('wallet_debit', `%${id}:coupon_refused%`)

  it('confirmed: the device keeps list − discount charged once, the relay agrees, the grant is used; a second sync changes nothing', async () => {
    const { w, a, grantId } = await granted()
    const id = buy(a, grantId, 'buy-with-coupon-1')
    await a.sync.syncNow()
    expect(outcome(w, id)).toMatch(/^purchased/)
    expect(outcome(w, id)).not.toMatch(/coupon_refused/)
    expect(relayWallet(w, a.accountId).balance).toBe(10_000 - 2400)
    expect(net(a)).toBe(10_000 - 2400)
    expect(a.billing.coupons.list().map((c) => c.state)).toEqual(['used'])
    expect(w.t.relay.db.sqlite.prepare('SELECT state FROM coupon_grants WHERE id = ?').get(grantId)).toEqual({ state: 'used' })
    // Every record again: the purchase's own debit echoed by the relay is not charged twice.
    rewind(a)
    await a.sync.syncNow()
    expect(net(a)).toBe(10_000 - 2400)
    expect(a.billing.wallet.debt().amount).toBe(0)
  })

  it('refused, the coupon deactivated on the relay before the offline use synced: charged the list price once, as a second debit', async () => {
    const { w, a, couponId, grantId } = await granted()
    const id = buy(a, grantId, 'buy-with-coupon-2')
    // A minute after the device's use, the operator deactivates the coupon: the grant revoked.
    w.t.clock.advance(60_000)
    await admin(w, `/v1/admin/coupons/${couponId}/deactivate`, {})
    await a.sync.syncNow()
    expect(outcome(w, id)).toMatch(/coupon_refused/)
    expect(refusedDebits(w, id)).toEqual({ n: 1 })
    expect(relayWallet(w, a.accountId).balance).toBe(10_000 - 2900)
    expect(net(a)).toBe(10_000 - 2900)
    expect(a.billing.coupons.list().map((c) => c.state)).toEqual(['revoked'])
    expect(a.billing.subscriptions.current()?.planCode).toBe('BASIC')
    rewind(a)
    await a.sync.syncNow()
    expect(net(a)).toBe(10_000 - 2900)
  })

  it('refused, the same grant used offline on two devices: the second to sync pays the list price; both end agreeing with the relay', async () => {
    const { w, a, grantId } = await granted()
    const b = await newDevice(w, 'b', a.accountId)
    expect(b.billing.coupons.list().map((c) => c.grant.grantId)).toEqual([grantId])
    buy(a, grantId, 'buy-on-a')
    const idB = buy(b, grantId, 'buy-on-b')
    await a.sync.syncNow()
    await b.sync.syncNow()
    await a.sync.syncNow()
    expect(outcome(w, idB)).toMatch(/coupon_refused/)
    expect(relayWallet(w, a.accountId).balance).toBe(10_000 - 2400 - 2900)
    expect(net(a)).toBe(10_000 - 2400 - 2900)
    expect(net(b)).toBe(10_000 - 2400 - 2900)
    expect(b.billing.coupons.list().map((c) => c.state)).toEqual(['used'])
    rewind(b)
    await b.sync.syncNow()
    expect(net(b)).toBe(10_000 - 2400 - 2900)
  })

  it('refused with too little left in the wallet: the rest of the list price becomes debt, once', async () => {
    const { w, a, couponId, grantId } = await granted(2500)
    const id = buy(a, grantId, 'buy-with-coupon-3')
    expect(net(a)).toBe(100)
    await admin(w, `/v1/admin/coupons/${couponId}/deactivate`, {})
    await a.sync.syncNow()
    expect(outcome(w, id)).toMatch(/coupon_refused/)
    expect(relayWallet(w, a.accountId).balance).toBe(2500 - 2900)
    expect(a.billing.wallet.balance().amount).toBe(0)
    expect(a.billing.wallet.debt().amount).toBe(400)
    rewind(a)
    await a.sync.syncNow()
    expect(a.billing.wallet.debt().amount).toBe(400)
    expect(net(a)).toBe(-400)
  })
})
