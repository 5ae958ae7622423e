import { describe, expect, it } from 'vitest'
import { InvoiceBook } from '../../src/main/invoices'
import type { CouponGrant } from '../../src/shared/billing/coupons'
import type { CreditNote, FapiaoRequest, Invoice } from '../../src/shared/billing/invoices'
import type { FeedData, FeedRecordType } from '../../src/shared/relay-contract'
import { tempDb } from '../support/db'
import { net, newDevice, startWorld, T0, topUp, type Device, type World } from './support'

// Coupon grants, invoices, credit notes and fapiao requests arrive as signed feed records from
// the real relay (appended on its store as it appends them), are kept in the app's tables and
// listed offline; a record seen twice changes nothing, a later record of the same number wins.
// And what the app does with the records by which the relay charges a refused offline coupon use.

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

describe('an offline coupon use the relay refuses: the difference comes as records the app applies', () => {
  async function boughtWithCoupon(): Promise<{ w: World; a: Device; purchaseId: string }> {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await topUp(w, a, 10_000)
    await relayAppends(w, a.accountId, 'coupon_grant', grant())
    await a.sync.syncNow()
    a.billing.subscriptions.buyFromWallet({ key: 'buy-with-coupon-1', planCode: 'BASIC', period: 'monthly', couponGrantId: 'grant-welcome-0001' })
    expect(net(a)).toBe(10_000 - 2400)
    const row = a.billing.db.sqlite.prepare("SELECT id FROM sync_outbox WHERE kind = 'subscription_purchase'").get() as { id: string }
    return { w, a, purchaseId: row.id }
  }

  it('a first_free_lost-style charge of the discount naming the purchase is taken from the wallet, once', async () => {
    const { w, a, purchaseId } = await boughtWithCoupon()
    await relayAppends(w, a.accountId, 'wallet_debit', {
      sourceId: purchaseId,
      deviceId: a.deviceId,
      amount: cny(500),
      feature: 'subscription',
      reason: 'first_free_lost',
      occurredAt: T0
    })
    await a.sync.syncNow()
    expect(net(a)).toBe(10_000 - 2900)
    rewind(a)
    await a.sync.syncNow()
    expect(net(a)).toBe(10_000 - 2900)
  })

  it('a debit under its own source id is charged too; beyond the balance it is debt', async () => {
    const { w, a } = await boughtWithCoupon()
    await relayAppends(w, a.accountId, 'wallet_debit', {
      sourceId: 'coupon-refused-0001',
      deviceId: a.deviceId,
      amount: cny(8000),
      feature: 'subscription',
      reason: 'debit',
      occurredAt: T0
    })
    await a.sync.syncNow()
    expect(net(a)).toBe(10_000 - 2400 - 8000)
    expect(a.billing.wallet.debt().amount).toBe(400)
  })

  it("the relay's echo of the purchase itself (reason 'debit', the purchase's id) is not charged again", async () => {
    const { w, a, purchaseId } = await boughtWithCoupon()
    await relayAppends(w, a.accountId, 'wallet_debit', {
      sourceId: purchaseId,
      deviceId: a.deviceId,
      amount: cny(2400),
      feature: 'subscription',
      reason: 'debit',
      occurredAt: T0
    })
    await a.sync.syncNow()
    expect(net(a)).toBe(10_000 - 2400)
  })
})
