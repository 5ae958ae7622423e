import { expect, it } from 'vitest'
import type { CouponRow, RedemptionRow } from '../../src/relay/store/coupons'
import type { InvoiceRow, StoreTx } from '../../src/relay/store/ports'
import { forEachStore, openTestStore } from './support/pg'

// The repositories added with coupons, notices and invoices, method by method on both stores:
// the same calls give the same answers and rows (ms instants, numbers, Buffers) on SQLite and
// PostgreSQL, including the conditional "unless recorded / under the limit" statements.

const T = Date.UTC(2025, 0, 15, 4)

async function withStore() {
  const { store } = await openTestStore()
  const unit = <R>(work: (tx: StoreTx) => Promise<R>) => store.unit(work)
  await unit(async (tx) => {
    await tx.accounts.insert('acc-1', null, T)
    await tx.accounts.insert('acc-2', null, T)
  })
  return { store, unit }
}

const coupon: CouponRow = {
  id: 'cp-1',
  name: 'ten off',
  off_json: '{"kind":"percent","percent":"10"}',
  currency: 'CNY',
  minimum: 1000,
  max_discount: null,
  total_limit: 2,
  per_account_limit: 1,
  first_purchase_only: 0,
  valid_from: T - 1000,
  valid_until: null,
  active: 1,
  applies_json: '{"plans":"all","recharge":false}',
  duration_json: '{"kind":"repeating","periods":2}',
  redeemed: 0,
  created_at: T,
  updated_at: T
}

const redemption = (id: string, periodsLeft: number | null): RedemptionRow => ({
  id,
  coupon_id: 'cp-1',
  code: null,
  grant_id: null,
  account_id: 'acc-1',
  order_id: null,
  purchase_id: `p-${id}`,
  state: 'consumed',
  discount: 290,
  currency: 'CNY',
  plan_code: 'BASIC',
  period: 'monthly',
  periods_left: periodsLeft,
  created_at: T,
  updated_at: T
})

forEachStore('coupons, notices and invoices repositories', () => {
  it('coupons: limits taken by conditional statements, given back and taken again; rows as stored', async () => {
    const { store, unit } = await withStore()
    const r = await unit(async (tx) => {
      const c = tx.coupons
      await c.insertCoupon(coupon)
      await c.insertCode({ code: 'TEN', coupon_id: 'cp-1', total_limit: 1, per_account_limit: null, valid_until: T + 60_000, active: 1, redeemed: 0, created_at: T })
      const takes = [await c.takeCoupon('cp-1', T), await c.takeCoupon('cp-1', T), await c.takeCoupon('cp-1', T)]
      const codeTakes = [await c.takeCode('TEN'), await c.takeCode('TEN')]
      const uses = [await c.takeUse('coupon:cp-1', 'acc-1', 1), await c.takeUse('coupon:cp-1', 'acc-1', 1), await c.takeUse('coupon:cp-1', 'acc-2', 0)]
      const unlimited = [await c.takeUse('code:TEN', 'acc-2', null), await c.takeUse('code:TEN', 'acc-2', null)]
      await c.giveBack('cp-1', 'TEN', 'acc-1', T + 1)
      const afterBack = { coupon: (await c.coupon('cp-1'))!.redeemed, code: (await c.code('TEN'))!.redeemed, use: await c.uses('coupon:cp-1', 'acc-1') }
      // Given back below zero stays at zero.
      await c.giveBack('cp-1', 'TEN', 'acc-1', T + 1)
      await c.giveBack('cp-1', 'TEN', 'acc-1', T + 1)
      await c.retake('cp-1', 'TEN', 'acc-1', T + 2)
      return { takes, codeTakes, uses, unlimited, afterBack, row: await c.coupon('cp-1'), code: await c.code('TEN'), list: await c.list(), codes: await c.codesOf('cp-1') }
    })
    expect(r.takes).toEqual([true, true, false])
    expect(r.codeTakes).toEqual([true, false])
    expect(r.uses).toEqual([true, false, false])
    expect(r.unlimited).toEqual([true, true])
    expect(r.afterBack).toEqual({ coupon: 1, code: 0, use: 0 })
    expect(r.row).toEqual({ ...coupon, redeemed: 1, updated_at: T + 2 })
    expect(r.code).toEqual({ code: 'TEN', coupon_id: 'cp-1', total_limit: 1, per_account_limit: null, valid_until: T + 60_000, active: 1, redeemed: 1, created_at: T })
    expect(r.list).toEqual([r.row])
    expect(r.codes).toEqual([r.code])
    await unit(async (tx) => {
      expect(await tx.coupons.uses('coupon:cp-1', 'acc-1')).toBe(1)
      expect(await tx.coupons.uses('coupon:cp-1', 'acc-2')).toBe(0)
      await tx.coupons.setActive('cp-1', false, T + 3)
      expect(await tx.coupons.coupon('cp-1')).toMatchObject({ active: 0, updated_at: T + 3 })
    })
    await store.close()
  })

  it('coupons: redemptions, renewals and grants', async () => {
    const { store, unit } = await withStore()
    await unit(async (tx) => {
      const c = tx.coupons
      await c.insertCoupon(coupon)
      await c.insertRedemption({ ...redemption('rd-1', 1), order_id: 'ord-1', purchase_id: null })
      await c.insertRedemption(redemption('rd-2', 1))
      await c.insertRedemption(redemption('rd-3', null))
      expect(await c.redemptionOfOrder('ord-1')).toEqual({ ...redemption('rd-1', 1), order_id: 'ord-1', purchase_id: null })
      // The newest that still discounts a renewal, in insertion order (same instant).
      expect((await c.renewable('acc-1', 'BASIC', 'monthly'))!.id).toBe('rd-3')
      expect(await c.takeRenewal('rd-3', T + 1)).toBe(true)
      expect(await c.renewable('acc-1', 'BASIC', 'monthly')).toEqual({ ...redemption('rd-3', null), updated_at: T + 1 })
      expect(await c.moveRedemption('rd-3', 'consumed', 'returned', T + 2)).toBe(true)
      expect(await c.moveRedemption('rd-3', 'consumed', 'returned', T + 2)).toBe(false)
      expect((await c.renewable('acc-1', 'BASIC', 'monthly'))!.id).toBe('rd-2')
      expect([await c.takeRenewal('rd-2', T), await c.takeRenewal('rd-2', T)]).toEqual([true, false])
      expect((await c.renewable('acc-1', 'BASIC', 'monthly'))!.id).toBe('rd-1')
      await c.takeRenewal('rd-1', T)
      expect(await c.renewable('acc-1', 'BASIC', 'monthly')).toBeUndefined()
      // A renewal grant waiting keeps its redemption renewable.
      const grant = { id: 'cg-1', coupon_id: 'cp-1', account_id: 'acc-1', code: null, state: 'available' as const, valid_from: T, valid_until: null, used_by: null, renewal_of: 'rd-2', created_at: T, updated_at: T }
      await c.insertGrant(grant)
      expect((await c.renewable('acc-1', 'BASIC', 'monthly'))!.id).toBe('rd-2')
      expect(await c.renewalGrant('rd-2')).toEqual(grant)
      await c.insertGrant({ ...grant, id: 'cg-2', code: 'TEN', renewal_of: null, valid_until: T + 5000 })
      expect((await c.grantByCode('acc-1', 'TEN'))!.id).toBe('cg-2')
      expect(await c.moveGrant('cg-2', 'available', 'used', 'purchase-9', T + 4)).toBe(true)
      expect(await c.moveGrant('cg-2', 'available', 'used', 'purchase-9', T + 4)).toBe(false)
      expect(await c.moveGrant('cg-2', 'used', 'revoked', null, T + 5)).toBe(true)
      expect(await c.grant('cg-2')).toEqual({ ...grant, id: 'cg-2', code: 'TEN', renewal_of: null, valid_until: T + 5000, state: 'revoked', used_by: 'purchase-9', updated_at: T + 5 })
      expect(await c.grantByCode('acc-1', 'TEN')).toBeUndefined()
      expect((await c.grantsOf('acc-1')).map((g) => g.id)).toEqual(['cg-1', 'cg-2'])
      expect((await c.grantsOfCoupon('cp-1', 'available')).map((g) => g.id)).toEqual(['cg-1'])
      expect(await c.hasPurchased('acc-1')).toBe(false)
    })
    await expect(unit(async (tx) => tx.coupons.insertRedemption({ ...redemption('rd-9', 0), order_id: 'ord-1' }))).rejects.toThrow()
    await store.close()
  })

  it('invoices: numbers taken inside the unit (a rollback gives them back); rows, fapiao files and PDFs as stored', async () => {
    const { store, unit } = await withStore()
    await expect(
      unit(async (tx) => {
        expect(await tx.invoices.nextNumber('INV', 2025)).toBe(1)
        throw new Error('rolled back')
      })
    ).rejects.toThrow('rolled back')
    expect(await unit(async (tx) => tx.invoices.counters())).toEqual([])
    expect(await unit(async (tx) => [await tx.invoices.nextNumber('INV', 2025), await tx.invoices.nextNumber('INV', 2025), await tx.invoices.nextNumber('CN', 2025)])).toEqual([1, 2, 1])
    expect(await unit(async (tx) => tx.invoices.nextNumber('INV', 2026))).toBe(1)
    expect(await unit(async (tx) => tx.invoices.counters())).toEqual([
      { series: 'CN', year: 2025, last: 1 },
      { series: 'INV', year: 2025, last: 2 },
      { series: 'INV', year: 2026, last: 1 }
    ])
    const inv: InvoiceRow = {
      number: 'INV-2025-000001',
      accountId: 'acc-1',
      sourceKind: 'order',
      sourceId: 'R1',
      issuedAt: T,
      status: 'paid',
      currency: 'CNY',
      total: 2900,
      tax: 164,
      discount: 0,
      credited: 0,
      creditedTax: 0,
      lines: '[]',
      buyer: null,
      version: 1,
      updatedAt: T
    }
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10])
    await unit(async (tx) => {
      const i = tx.invoices
      await i.insert(inv)
      expect(await i.byNumber(inv.number)).toEqual(inv)
      expect(await i.bySource('order', 'R1')).toEqual(inv)
      await i.update(inv.number, { status: 'partially_credited', credited: 1000, creditedTax: 57 }, T + 1)
      expect(await i.ofAccount('acc-1')).toEqual([{ ...inv, status: 'partially_credited', credited: 1000, creditedTax: 57, version: 2, updatedAt: T + 1 }])
      const note = { number: 'CN-2025-000001', invoiceNumber: inv.number, accountId: 'acc-1', refundId: 'stripe:re_1', issuedAt: T + 1, currency: 'CNY' as const, amount: 1000, tax: 57 }
      await i.insertCreditNote(note)
      expect(await i.creditNoteByRefund('stripe:re_1')).toEqual(note)
      expect(await i.creditNotesOf('acc-1')).toEqual([note])
      expect(await i.billingDetails('acc-1')).toBeUndefined()
      await i.putBillingDetails('acc-1', '{"a":1}', T)
      await i.putBillingDetails('acc-1', '{"a":2}', T + 1)
      expect(await i.billingDetails('acc-1')).toBe('{"a":2}')
      const requested = { invoiceNumber: inv.number, accountId: 'acc-1', status: 'requested' as const, requestedAt: T, decidedAt: null, fapiaoNumber: null, reason: null, fileType: null }
      await i.putFapiao(requested, null)
      expect(await i.fapiao(inv.number)).toEqual(requested)
      expect(await i.fapiaoFile(inv.number)).toBeUndefined()
      const issued = { ...requested, status: 'issued' as const, decidedAt: T + 2, fapiaoNumber: '12345678901234567890', fileType: 'pdf' as const }
      await i.putFapiao(issued, pdf)
      expect(await i.fapiaoOf('acc-1')).toEqual([issued])
      expect(await i.fapiaoByNumber('12345678901234567890')).toEqual(issued)
      expect(await i.fapiaoFile(inv.number)).toEqual({ fileType: 'pdf', file: pdf })
      expect(await i.pdf(inv.number, 'zh-CN', 2)).toBeUndefined()
      await i.putPdf(inv.number, 'zh-CN', 2, pdf, T)
      await i.putPdf(inv.number, 'zh-CN', 2, Buffer.from('other'), T)
      const kept = await i.pdf(inv.number, 'zh-CN', 2)
      expect(Buffer.isBuffer(kept) && kept.equals(pdf)).toBe(true)
    })
    await expect(unit(async (tx) => tx.invoices.insert({ ...inv, number: 'INV-2025-000002' }))).rejects.toThrow()
    await store.close()
  })

  it('invoices: issuers at once, half of them rolled back, commit numbers without a gap', async () => {
    const { store, unit } = await withStore()
    const runs = await Promise.allSettled(
      Array.from({ length: 12 }, (_, k) =>
        unit(async (tx) => {
          const n = await tx.invoices.nextNumber('INV', 2025)
          if (k % 2 === 1) throw new Error('rolled back')
          return n
        })
      )
    )
    const committed = runs.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])).sort((a, b) => a - b)
    expect(committed).toEqual([1, 2, 3, 4, 5, 6])
    expect(runs.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.message)).toEqual(Array(6).fill('rolled back'))
    expect(await unit(async (tx) => tx.invoices.counters())).toEqual([{ series: 'INV', year: 2025, last: 6 }])
    await store.close()
  })

  it('notices: each "unless recorded" answers false the second time; language, opt-outs, emails, debt episodes', async () => {
    const { store, unit } = await withStore()
    await unit(async (tx) => {
      const n = tx.notices
      const notice = { accountId: 'acc-1', noticeId: 'payment:R1', kind: 'payment_received', at: T }
      expect([await n.claim(notice), await n.claim({ ...notice, at: T + 1 }), await n.claim({ ...notice, accountId: 'acc-2' })]).toEqual([true, false, true])
      expect(await n.claim({ ...notice, noticeId: 'payment:R2' })).toBe(true)
      expect(await n.language('acc-1')).toBe('zh-CN')
      await n.setLanguage('acc-1', 'en', T)
      await n.setLanguage('acc-2', 'en', T)
      await n.setLanguage('acc-2', 'zh-CN', T + 1)
      expect([await n.language('acc-1'), await n.language('acc-2')]).toEqual(['en', 'zh-CN'])
      expect(await n.optedOut('acc-1', 'subscription_started')).toBe(false)
      expect([await n.optOut('acc-1', 'subscription_started', T), await n.optOut('acc-1', 'subscription_started', T)]).toEqual([true, false])
      expect(await n.optedOut('acc-1', 'subscription_started')).toBe(true)
      const email = { noticeId: 'payment:R1', recipient: 'a@example.com', accountId: 'acc-1', kind: 'payment_received', language: 'en' as const, messageId: '<m@x>', sentAt: T }
      expect(await n.email('payment:R1', 'a@example.com')).toBeUndefined()
      expect([await n.recordEmail(email), await n.recordEmail({ ...email, messageId: '<other@x>' })]).toEqual([true, false])
      expect(await n.email('payment:R1', 'a@example.com')).toEqual(email)
      const episode = { accountId: 'acc-1', debtId: 'debt-1', sourceId: 'rec-1', startedAt: T, graceEndsAt: T + 10 * 86_400_000 }
      expect([await n.startEpisode(episode), await n.startEpisode({ ...episode, debtId: 'debt-2' })]).toEqual([true, false])
      expect(await n.episode('acc-1')).toEqual(episode)
      await n.endEpisode('acc-1')
      expect(await n.episode('acc-1')).toBeUndefined()
      expect(await n.purchase('acc-1', 'purchase-1')).toBeUndefined()
      await tx.outbox.insert({ accountId: 'acc-1', id: 'purchase-1', deviceId: 'd', kind: 'subscription_purchase', fingerprint: 'f', body: '{"action":"auto_renew"}', outcome: 'accepted', receivedAt: T })
      expect(await n.purchase('acc-1', 'purchase-1')).toEqual({ body: '{"action":"auto_renew"}', receivedAt: T })
    })
    await store.close()
  })

  it('jobs: add queues a job as enqueue does, without an answer; the same kind and key again changes nothing', async () => {
    const { store, unit } = await withStore()
    await unit(async (tx) => {
      await tx.jobs.add({ id: 'j1', kind: 'k', key: 'a', payload: '"first"', runAt: T, createdAt: T })
      await tx.jobs.add({ id: 'j2', kind: 'k', key: 'a', payload: '"second"', runAt: T + 5, createdAt: T + 5 })
      expect(await tx.jobs.byKey('k', 'a')).toMatchObject({ id: 'j1', payload: '"first"', runAt: T, state: 'pending' })
      expect(await tx.jobs.enqueue({ id: 'j3', kind: 'k', key: 'a', payload: 'null', runAt: T, createdAt: T })).toBe(false)
    })
    await store.close()
  })

  it('jobs: a lease is renewed only by its owner while it holds', async () => {
    const { store, unit } = await withStore()
    await unit(async (tx) => {
      await tx.jobs.enqueue({ id: 'j1', kind: 'k', key: 'a', payload: 'null', runAt: T, createdAt: T })
      expect((await tx.jobs.claim(T, 'owner-1', T + 1000, 10)).map((j) => j.id)).toEqual(['j1'])
      expect(await tx.jobs.renew('j1', 'owner-2', T + 2000, T + 10)).toBe(false)
      expect(await tx.jobs.renew('j1', 'owner-1', T + 2000, T + 10)).toBe(true)
      expect(await tx.jobs.byKey('k', 'a')).toMatchObject({ leaseUntil: T + 2000, updatedAt: T + 10 })
      expect(await tx.jobs.renew('j1', 'owner-1', T + 5000, T + 2000)).toBe(false)
    })
    await store.close()
  })

  it('jobs: a claim takes the earliest due, pending or with a lease run out, up to its limit; concurrent claims never share a job', async () => {
    const { store, unit } = await withStore()
    const job = (id: string, runAt: number) => ({ id, kind: 'k', key: id, payload: 'null', runAt, createdAt: T })
    await unit(async (tx) => {
      for (const [id, at] of [['p3', T - 3000], ['p1', T - 5000], ['future', T + 1000], ['r2', T - 4000], ['r4', T - 2000], ['live', T - 6000]] as const) await tx.jobs.enqueue(job(id, at))
      // r2 and r4 were leased until T - 1 (run out by T); live's lease holds past T.
      expect((await tx.jobs.claim(T - 2000, 'old', T - 1, 10)).map((j) => j.id).sort()).toEqual(['live', 'p1', 'p3', 'r2', 'r4'])
      expect(await tx.jobs.renew('live', 'old', T + 60_000, T - 1500)).toBe(true)
      for (const id of ['p1', 'p3']) expect(await tx.jobs.fail(id, 'old', 'x', T - 5000 + (id === 'p3' ? 2000 : 0), T - 1500)).toBe(true)
    })
    const claimed = await unit(async (tx) => tx.jobs.claim(T, 'new', T + 60_000, 3))
    // The earliest three (r4, the latest due, waits), in no promised order.
    expect(claimed.map((j) => [j.id, j.state, j.leaseOwner, j.attempts]).sort()).toEqual([
      ['p1', 'running', 'new', 2],
      ['p3', 'running', 'new', 2],
      ['r2', 'running', 'new', 2]
    ])
    expect((await unit(async (tx) => tx.jobs.claim(T, 'new', T + 60_000, 3))).map((j) => j.id)).toEqual(['r4'])
    expect(await unit(async (tx) => tx.jobs.claim(T, 'new', T + 60_000, 3))).toEqual([])
    // Twenty due jobs, four claims of five at once: each job goes to one of them.
    await unit(async (tx) => {
      for (let i = 0; i < 20; i++) await tx.jobs.enqueue(job(`race-${String(i).padStart(2, '0')}`, T + 1000))
    })
    const batches = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => unit(async (tx) => tx.jobs.claim(T + 1000, owner, T + 60_000, 5))))
    for (const b of batches) expect(b.length).toBeLessThanOrEqual(5)
    // What the four left (a claim skips rows another is locking) the next claim takes.
    const left = await unit(async (tx) => tx.jobs.claim(T + 1000, 'e', T + 60_000, 100))
    const ids = [...batches.flat(), ...left].map((j) => j.id)
    expect(ids.sort()).toEqual(['future', ...Array.from({ length: 20 }, (_, i) => `race-${String(i).padStart(2, '0')}`)])
    await store.close()
  })
})
