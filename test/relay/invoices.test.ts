import { expect, it } from 'vitest'
import { InvoiceSchema, CreditNoteSchema } from '../../src/shared/billing/invoices'
import { includedTax } from '../../src/shared/money'
import type { OrderRow } from '../../src/relay/store/ports'
import { verifyLedger } from '../../src/relay/ledger/verify'
import { checkout, notify, paid, refunded } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { forEachStore } from './support/pg'
import { enrolDevice, feedPath, startTestRelay, type TestRelay } from './support/relay'

// Invoices issued with each payment and credit notes with each refund, over the real relay
// (HTTP, a SQLite file or a PostgreSQL database, the notification pipeline and the outbox).

const recharge = (amount: number) => ({ provider: 'stripe', item: { kind: 'recharge', amount: { amount, currency: 'CNY' } } })
const basic = { provider: 'stripe', item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' } }

async function setup(config: Parameters<typeof startTestRelay>[0] = {}) {
  const provider = createTestProvider('stripe')
  const t = await startTestRelay({ providers: [provider], ...config })
  const dev = await enrolDevice(t.api)
  return { t, provider, dev }
}

/** Every record of a type in the account's feed, parsed, in feed order. */
async function feedOf(t: TestRelay, token: string, type: string): Promise<any[]> {
  const out: any[] = []
  let cursor: string | undefined
  for (;;) {
    const page = (await t.api('GET', feedPath({ limit: 200, cursor }), { token })).body
    for (const r of page.records) {
      const p = JSON.parse(r.payload)
      if (p.type === type) out.push(p.data)
    }
    cursor = page.nextCursor
    if (!page.hasMore) return out
  }
}

async function list(t: TestRelay, token: string) {
  const r = await t.api('GET', '/v1/invoices', { token })
  expect(r.status).toBe(200)
  return r.body as { invoices: any[]; creditNotes: any[]; fapiao: any[] }
}

forEachStore('invoices issued with payments', () => {
  it('gives every paid order one invoice, numbered without gaps, with the VAT included in its price', async () => {
    const { t, provider, dev } = await setup()
    const a = await checkout(t.api, dev.token, recharge(10_000))
    const b = await checkout(t.api, dev.token, basic)
    const c = await checkout(t.api, dev.token, recharge(333))
    const pay = paid(a.order.orderNo, 10_000)
    expect((await notify(t, provider, [pay])).status).toBe(200)
    // A replay and a second event for the same payment issue nothing more.
    expect((await notify(t, provider, [pay, paid(a.order.orderNo, 10_000)])).status).toBe(200)
    expect((await notify(t, provider, [paid(b.order.orderNo, 2900)])).status).toBe(200)
    // A rejected payment (wrong amount) issues no invoice and takes no number.
    expect((await notify(t, provider, [paid(c.order.orderNo, 334)])).status).toBe(400)
    expect((await notify(t, provider, [paid(c.order.orderNo, 333)])).status).toBe(200)

    const { invoices } = await list(t, dev.token)
    expect(invoices.map((i) => i.number)).toEqual(['INV-2025-000001', 'INV-2025-000002', 'INV-2025-000003'])
    for (const i of invoices) expect(InvoiceSchema.parse(i)).toEqual(i)
    const [ra, pb, rc] = invoices
    expect(ra).toMatchObject({ status: 'paid', source: { kind: 'order', orderNo: a.order.orderNo }, total: { amount: 10_000 }, credited: { amount: 0 } })
    // 100.00 incl. 6 %: net 94.34, tax 5.66.
    expect(ra.lines).toEqual([
      {
        item: { kind: 'recharge' },
        quantity: 1,
        unitPrice: { amount: 10_000, currency: 'CNY' },
        discount: { amount: 0, currency: 'CNY' },
        taxRate: '0.06',
        tax: { amount: 566, currency: 'CNY' },
        total: { amount: 10_000, currency: 'CNY' }
      }
    ])
    expect(pb.lines[0].item).toEqual({ kind: 'plan', planCode: 'BASIC', period: 'monthly' })
    expect(pb.tax).toEqual(includedTax({ amount: 2900, currency: 'CNY' }, '0.06'))
    expect(rc.tax.amount).toBe(19) // 333 − round(333 / 1.06 = 314.15) = 19
    // Each invoice went to the account's feed once (nothing changed since).
    expect((await feedOf(t, dev.token, 'invoice')).map((i) => i.number)).toEqual(invoices.map((i) => i.number))
    expect(await t.sql('SELECT series, year, last FROM document_counters')).toEqual([{ series: 'INV', year: 2025, last: 3 }])
  })

  it('takes the year in the billing time zone: 31 December 16:30 UTC is already next year in Shanghai, not in UTC', async () => {
    const { t, provider, dev } = await setup()
    const a = await checkout(t.api, dev.token, recharge(1000))
    t.clock.set(Date.UTC(2025, 11, 31, 16, 30))
    await notify(t, provider, [paid(a.order.orderNo, 1000)])
    expect((await list(t, dev.token)).invoices[0].number).toBe('INV-2026-000001')

    const utc = await setup({ config: { invoicing: { ...t.config.invoicing, timeZone: 'UTC' } } })
    const b = await checkout(utc.t.api, utc.dev.token, recharge(1000))
    utc.t.clock.set(Date.UTC(2025, 11, 31, 16, 30))
    await notify(utc.t, utc.provider, [paid(b.order.orderNo, 1000)])
    expect((await list(utc.t, utc.dev.token)).invoices[0].number).toBe('INV-2025-000001')
  })

  it('takes the tax rate of the catalog version that priced the order, also after a version is published on a running relay', async () => {
    const { t, provider, dev } = await setup()
    const now = t.clock.now()
    // Paid under version 1 first, so the relay has that version at hand when version 2 comes.
    const first = await checkout(t.api, dev.token, recharge(1060))
    await notify(t, provider, [paid(first.order.orderNo, 1060)])
    const before = await checkout(t.api, dev.token, recharge(1060))
    t.clock.set(now + 1000)
    await t.relay.core.store.unit(async (tx) => {
      const doc = { ...JSON.parse((await tx.catalog.byVersion(1))!.document), version: 2, effectiveFrom: now + 1000, taxRate: '0.13' }
      await tx.catalog.insert({ version: 2, effectiveFrom: now + 1000, document: JSON.stringify(doc), publishedAt: now + 1000 })
    })
    const a = await checkout(t.api, dev.token, recharge(11_300))
    await notify(t, provider, [paid(a.order.orderNo, 11_300)])
    await notify(t, provider, [paid(before.order.orderNo, 1060)])
    const invoices = (await list(t, dev.token)).invoices
    const of = (orderNo: string) => invoices.find((i) => i.source.orderNo === orderNo)
    expect(of(first.order.orderNo).lines[0]).toMatchObject({ taxRate: '0.06', tax: { amount: 60 } })
    expect(of(a.order.orderNo).lines[0]).toMatchObject({ taxRate: '0.13', tax: { amount: 1300 } })
    // Created while version 1 was in force: its rate, though paid after version 2 took effect.
    expect(of(before.order.orderNo).lines[0]).toMatchObject({ taxRate: '0.06', tax: { amount: 60 } })
    // Each order keeps the version that priced it.
    const versions = await t.relay.core.store.read(async (tx) => Promise.all([first, before, a].map(async (c) => (await tx.orders.byNo(c.order.orderNo))!.catalog_version)))
    expect(versions).toEqual([1, 1, 2])
  })

  it('an order made before orders kept their catalog version takes the rate in force when it was created', async () => {
    const { t, provider, dev } = await setup()
    const now = t.clock.now()
    const old = await checkout(t.api, dev.token, recharge(1060))
    await t.relay.core.store.unit(async (tx) => {
      const doc = { ...JSON.parse((await tx.catalog.byVersion(1))!.document), version: 2, effectiveFrom: now + 1000, taxRate: '0.13' }
      await tx.catalog.insert({ version: 2, effectiveFrom: now + 1000, document: JSON.stringify(doc), publishedAt: now + 1000 })
    })
    await t.sql('UPDATE orders SET catalog_version = NULL WHERE order_no = ?', old.order.orderNo)
    t.clock.set(now + 2000)
    await notify(t, provider, [paid(old.order.orderNo, 1060)])
    expect((await list(t, dev.token)).invoices.find((i: { source: { orderNo?: string } }) => i.source.orderNo === old.order.orderNo).lines[0]).toMatchObject({
      taxRate: '0.06',
      tax: { amount: 60 }
    })
  })

  it('rolls a number back with the transaction that took it: the next invoice gets it', async () => {
    const { t, provider, dev } = await setup()
    const a = await checkout(t.api, dev.token, recharge(1000))
    const core = t.relay.core
    const order = (await core.store.read(async (tx) => tx.orders.byNo(a.order.orderNo))) as OrderRow
    await expect(
      core.store.unit(async (tx) => {
        const inv = await core.invoicing.invoices.issueForOrder(tx, order, 0, core.clock.now())
        expect(inv!.number).toBe('INV-2025-000001')
        throw new Error('crash after the number was taken')
      })
    ).rejects.toThrow('crash after')
    expect(await t.sql('SELECT count(*) AS n FROM document_counters')).toEqual([{ n: 0 }])
    await notify(t, provider, [paid(a.order.orderNo, 1000)])
    expect((await list(t, dev.token)).invoices.map((i) => i.number)).toEqual(['INV-2025-000001'])
  })

  it('invoices a plan bought from the wallet, with the purchase as its source', async () => {
    const { t, provider, dev } = await setup()
    const top = await checkout(t.api, dev.token, recharge(10_000))
    await notify(t, provider, [paid(top.order.orderNo, 10_000)])
    const rec = {
      id: 'purchase-0001',
      kind: 'subscription_purchase',
      planCode: 'BASIC',
      period: 'monthly',
      price: { amount: 2900, currency: 'CNY' },
      catalogVersion: 1,
      action: 'subscribe',
      periodStart: t.clock.now(),
      periodEnd: null,
      occurredAt: t.clock.now()
    }
    const ack = await t.api('POST', '/v1/outbox', { token: dev.token, body: { records: [rec] } })
    expect(ack.body).toEqual({ accepted: ['purchase-0001'], rejected: [] })
    // A resend is acknowledged without a second invoice.
    await t.api('POST', '/v1/outbox', { token: dev.token, body: { records: [rec] } })
    // A refused purchase (wrong price) gets none.
    const bad = await t.api('POST', '/v1/outbox', { token: dev.token, body: { records: [{ ...rec, id: 'purchase-0002', price: { amount: 100, currency: 'CNY' } }] } })
    expect(bad.body.rejected[0].code).toBe('PRICE_MISMATCH')
    const { invoices } = await list(t, dev.token)
    expect(invoices.map((i) => [i.number, i.source])).toEqual([
      ['INV-2025-000001', { kind: 'order', orderNo: top.order.orderNo }],
      ['INV-2025-000002', { kind: 'wallet', purchaseId: 'purchase-0001' }]
    ])
    expect(invoices[1].lines[0]).toMatchObject({ item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' }, total: { amount: 2900 }, tax: { amount: 164 } })
  })

  it('issues nothing with RELAY_INVOICES=off', async () => {
    const { t, provider, dev } = await setup({ config: { invoicing: { enabled: false, timeZone: 'Asia/Shanghai', seller: { name: 'x' } } } })
    const a = await checkout(t.api, dev.token, recharge(1000))
    await notify(t, provider, [paid(a.order.orderNo, 1000)])
    await notify(t, provider, [refunded(a.order.orderNo, 500, 're_off')])
    expect(await list(t, dev.token)).toEqual({ invoices: [], creditNotes: [], fapiao: [] })
  })
})

forEachStore('credit notes issued with refunds', () => {
  it('credits partial refunds in their own series, tax in proportion, and the last one takes the rest of the tax', async () => {
    const { t, provider, dev } = await setup()
    const a = await checkout(t.api, dev.token, basic)
    await notify(t, provider, [paid(a.order.orderNo, 2900)])
    const inv0 = (await list(t, dev.token)).invoices[0]
    expect(inv0.tax.amount).toBe(164)
    const r1 = refunded(a.order.orderNo, 1000, 're_1')
    expect((await notify(t, provider, [r1])).status).toBe(200)
    // The same refund again: no second credit note.
    expect((await notify(t, provider, [r1])).status).toBe(200)
    // A refund beyond what is left is refused, and credits nothing.
    expect((await notify(t, provider, [refunded(a.order.orderNo, 5000, 're_too_much')])).status).toBe(400)
    let l = await list(t, dev.token)
    expect(l.creditNotes).toEqual([
      { number: 'CN-2025-000001', invoiceNumber: inv0.number, issuedAt: t.clock.now(), amount: { amount: 1000, currency: 'CNY' }, tax: { amount: 57, currency: 'CNY' }, refundId: 'stripe:re_1' }
    ])
    expect(l.invoices[0]).toMatchObject({ status: 'partially_credited', credited: { amount: 1000 } })
    await notify(t, provider, [refunded(a.order.orderNo, 1899, 're_2')])
    await notify(t, provider, [refunded(a.order.orderNo, 1, 're_3')])
    l = await list(t, dev.token)
    for (const n of l.creditNotes) expect(CreditNoteSchema.parse(n)).toEqual(n)
    expect(l.creditNotes.map((n) => [n.number, n.amount.amount, n.tax.amount])).toEqual([
      ['CN-2025-000001', 1000, 57],
      ['CN-2025-000002', 1899, 107],
      ['CN-2025-000003', 1, 0]
    ])
    expect(l.creditNotes.reduce((s, n) => s + n.tax.amount, 0)).toBe(164)
    expect(l.invoices[0]).toMatchObject({ status: 'credited', credited: { amount: 2900 } })
    // The VAT was booked to tax payable at issue and taken back by each credit note; the books hold.
    const vat = await t.sql(`SELECT kind, amount FROM ledger_transfers WHERE kind IN ('vat', 'vat_reversal') ORDER BY ${t.store === 'pg' ? 'seq' : 'rowid'}`)
    expect(vat).toEqual([{ kind: 'vat', amount: 164 }, { kind: 'vat_reversal', amount: 57 }, { kind: 'vat_reversal', amount: 107 }])
    expect(await t.sql("SELECT debits_posted AS d, credits_posted AS c FROM ledger_accounts WHERE id = 'tax_payable:CNY'")).toEqual([{ d: 164, c: 164 }])
    const report = verifyLedger(await t.relay.core.store.read(async (tx) => tx.ledger.snapshot()))
    expect(report.breaks).toEqual([])
    // The feed carries each credit note and the invoice re-sent after each change.
    expect((await feedOf(t, dev.token, 'credit_note')).map((n) => n.number)).toEqual(['CN-2025-000001', 'CN-2025-000002', 'CN-2025-000003'])
    expect((await feedOf(t, dev.token, 'invoice')).map((i) => [i.status, i.credited.amount])).toEqual([
      ['paid', 0],
      ['partially_credited', 1000],
      ['partially_credited', 2899],
      ['credited', 2900]
    ])
  })

  it('credits a recharge refunded through its provider', async () => {
    const { t, provider, dev } = await setup()
    const a = await checkout(t.api, dev.token, recharge(5000))
    await notify(t, provider, [paid(a.order.orderNo, 5000)])
    await notify(t, provider, [refunded(a.order.orderNo, 5000, 're_all')])
    const l = await list(t, dev.token)
    expect(l.invoices[0]).toMatchObject({ status: 'credited', credited: { amount: 5000 } })
    expect(l.creditNotes.map((n) => [n.amount.amount, n.tax.amount])).toEqual([[5000, l.invoices[0].tax.amount]])
  })
})
