import { afterEach, describe, expect, it } from 'vitest'
import { openPgStore, type PgStore } from '../../src/relay/store/pg/open'
import type { LedgerAccountRef } from '../../src/relay/ledger/chart'
import type { CouponRow, RedemptionRow } from '../../src/relay/store/coupons'
import type { InvoiceRow, StoreTx } from '../../src/relay/store/ports'
import { pgRepos } from '../../src/relay/store/pg/repos'
import { pgReadAhead } from '../../src/relay/store/pg/repos/ahead'
import { sqlOn } from '../../src/relay/store/pg/sql'
import { freshDatabase, pgAvailable } from './support/pg'

// What the PostgreSQL store does to spend fewer round trips per unit, and the guarantees it keeps:
// writes nobody reads the answer of are queued and sent with the unit's next statement (sql.ts);
// reads the unit repeats are kept for the unit (sql.ts memo); feed numbers come in blocks
// (repos/feed.ts); grouped units of all instances take a gate before their snapshot
// (unit-of-work.ts).

const stores: PgStore[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
})

async function open(url?: string): Promise<PgStore> {
  const s = await openPgStore({ url: url ?? (await freshDatabase()) })
  stores.push(s)
  return s
}

const COUPON: CouponRow = {
  id: 'cp-1', name: 'ten off', off_json: '{"kind":"percent","percent":"10"}', currency: 'CNY', minimum: 0, max_discount: null, total_limit: null,
  per_account_limit: null, first_purchase_only: 0, valid_from: 0, valid_until: null, active: 1, applies_json: '{"plans":"all","recharge":true}',
  duration_json: '{"kind":"once"}', redeemed: 0, created_at: 0, updated_at: 0
}

const rows = async (s: PgStore, sql: string) => (await s.pool.query(sql)).rows as Record<string, unknown>[]

const append = (tx: Pick<StoreTx, 'feed'>, id: string, accountId = 'acc') =>
  tx.feed.append({ id, accountId, type: 'order_closed', timestamp: 1, keyId: 'k' }, (seq) => ({ payload: JSON.stringify({ seq }), signature: '' }))

describe.runIf(pgAvailable())('relay store round trips [pg]', () => {
  it('a queued write is seen by the next read of its unit and crosses with its values exactly', async () => {
    const s = await open()
    const odd = `O'Brien \\ "直播" $1 ;\n--`
    const at = Date.UTC(2026, 11, 7, 1, 2, 3, 456)
    const seen = await s.unit(async (tx) => {
      await tx.accounts.insert('acc', odd, at)
      await tx.notifications.log({ at, provider: 'stripe', eventId: null, eventType: odd, orderNo: null, outcome: 'rejected', reason: null, remoteAddress: null })
      return tx.accounts.get('acc')
    })
    expect(seen).toEqual({ id: 'acc', walletCurrency: 'CNY', firstFreeClaimId: null })
    expect(await rows(s, 'SELECT label, created_at FROM accounts')).toEqual([{ label: odd, created_at: new Date(at) }])
    expect(await rows(s, 'SELECT event_id, event_type, at FROM notification_log')).toEqual([{ event_id: null, event_type: odd, at: new Date(at) }])
  })

  it('a queued write that fails fails its unit (nothing of it stays), or only the savepoint it was queued in', async () => {
    const s = await open()
    await s.unit(async (tx) => tx.notifications.remember('stripe', 'evt_1', null, 'payment.succeeded', 1000))
    // The duplicate key is found at the next round trip (here the COMMIT); the unit is rolled back.
    await expect(
      s.unit(async (tx) => {
        await tx.accounts.insert('lost', null, 0)
        await tx.notifications.remember('stripe', 'evt_1', null, 'payment.succeeded', 1000)
      })
    ).rejects.toMatchObject({ code: '23505' })
    expect(await rows(s, 'SELECT id FROM accounts')).toEqual([])
    // Inside a savepoint: that savepoint fails, at its end; the outer work commits.
    await s.unit(async (tx) => {
      await tx.accounts.insert('kept', null, 0)
      await expect(
        tx.nested(async (inner) => {
          await inner.accounts.insert('undone', null, 0)
          await inner.notifications.remember('stripe', 'evt_1', null, 'payment.succeeded', 1000)
        })
      ).rejects.toMatchObject({ code: '23505' })
      await tx.accounts.insert('after', null, 0)
    })
    expect(await rows(s, 'SELECT id FROM accounts ORDER BY id')).toEqual([{ id: 'after' }, { id: 'kept' }])
  })

  it('a queued write runs as EXECUTE of a statement PREPAREd once per connection, also after a message with its PREPARE failed', async () => {
    const s = await openPgStore({ url: await freshDatabase(), poolMax: 1 })
    stores.push(s)
    const log = (reason: string) =>
      ({ at: 5, provider: 'stripe', eventId: null, eventType: 'x', orderNo: null, outcome: 'rejected', reason, remoteAddress: null }) as const
    await s.unit(async (tx) => tx.notifications.remember('stripe', 'evt_1', null, 'payment.succeeded', 1000))
    // One message: the PREPAREs of the account insert and of the log, then the writes; the duplicate fails.
    await expect(
      s.unit(async (tx) => {
        await tx.accounts.insert('lost', null, 0)
        await tx.notifications.remember('stripe', 'evt_1', null, 'payment.succeeded', 1000)
        await tx.notifications.log(log('lost'))
      })
    ).rejects.toMatchObject({ code: '23505' })
    // The same connection: both statements work again (neither "already exists" nor "does not exist").
    for (const id of ['kept', 'again']) {
      await s.unit(async (tx) => {
        await tx.accounts.insert(id, null, 0)
        await tx.notifications.log(log(id))
      })
    }
    expect(await rows(s, 'SELECT id FROM accounts ORDER BY id')).toEqual([{ id: 'again' }, { id: 'kept' }])
    expect(await rows(s, 'SELECT reason FROM notification_log ORDER BY reason')).toEqual([{ reason: 'again' }, { reason: 'kept' }])
    // Each PREPAREd once: the failed message sent its PREPAREs ahead of its writes, so they all ran
    // although the unit failed (three times: a unique key is tried again), and none is sent again.
    const names = (await rows(s, 'SELECT name FROM pg_prepared_statements WHERE from_sql ORDER BY name')).map((r) => String(r.name))
    expect(names).toHaveLength(3)
    expect(names.every((n) => n.endsWith('_q'))).toBe(true)
  })

  it('after a message with PREPAREs failed for another reason (here a PREPARE itself), the connection is given up, not reused', async () => {
    const s = await openPgStore({ url: await freshDatabase(), poolMax: 1 })
    stores.push(s)
    const pid = async () => (await s.pool.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number
    const before = await pid()
    const client = await s.pool.connect()
    const first = sqlOn(client)
    first.queue('BEGIN')
    await first.later('INSERT INTO accounts (id, label, created_at) VALUES ($1, $2, $3)', ['a', null, new Date(0)])
    await first.later('INSERT INTO no_such_table VALUES ($1)', [1])
    // The account insert's PREPARE ran, the second failed (42P01): which ran is not known from the error.
    await expect(first.flush('COMMIT')).rejects.toMatchObject({ code: '42P01' })
    expect(first.tainted).toBe(true)
    client.release(new Error('tainted'))
    // What a unit does with such a connection (unit-of-work.ts): closed; the next unit runs on a new one.
    await s.unit(async (tx) => tx.accounts.insert('b', null, 0))
    expect(await rows(s, 'SELECT id FROM accounts')).toEqual([{ id: 'b' }])
    expect(await pid()).not.toBe(before)
  })

  it('a prepared statement gone behind the store’s back fails one unit, whose connection is then replaced', async () => {
    const s = await openPgStore({ url: await freshDatabase(), poolMax: 1 })
    stores.push(s)
    const log = (reason: string) =>
      ({ at: 5, provider: 'stripe', eventId: null, eventType: 'x', orderNo: null, outcome: 'rejected', reason, remoteAddress: null }) as const
    await s.unit(async (tx) => tx.notifications.log(log('one')))
    const names = (await s.pool.query('SELECT name FROM pg_prepared_statements WHERE from_sql')).rows as { name: string }[]
    expect(names.length).toBeGreaterThan(0)
    for (const { name } of names) await s.pool.query(`DEALLOCATE ${name}`)
    await expect(s.unit(async (tx) => tx.notifications.log(log('lost')))).rejects.toMatchObject({ code: '26000' })
    await s.unit(async (tx) => tx.notifications.log(log('two')))
    expect(await rows(s, 'SELECT reason FROM notification_log ORDER BY reason')).toEqual([{ reason: 'one' }, { reason: 'two' }])
  })

  it('a batch’s reads ahead (replay memory, orders, their accounts, billing details, wallet ledger) answer its reads without a round trip, and its own writes after', async () => {
    const s = await open()
    const order = (id: string, no: string, accountId = 'acc') => ({
      id, order_no: no, account_id: accountId, device_id: 'd', client_key: id, request_fingerprint: 'f', provider: 'stripe' as const,
      item_json: '{}', subject: 's', amount: 100, currency: 'CNY' as const, expires_at: 1000, created_at: 0
    })
    const wallet = (acc: string) => `wallet:${acc}:CNY`
    await s.unit(async (tx) => {
      await tx.accounts.insert('acc', null, 0)
      await tx.accounts.insert('acc2', null, 0)
      await tx.orders.insert(order('ord-1', 'N1'))
      await tx.orders.insert(order('ord-2', 'N2', 'acc2'))
      await tx.notifications.remember('stripe', 'evt_a', 'N1', 'payment.succeeded', 0)
      await tx.invoices.putBillingDetails('acc', '{"type":"personal"}', 0)
      await tx.signIn.insertIdentity('email', 'b@example.com', 'acc', 2)
      await tx.signIn.insertIdentity('email', 'a@example.com', 'acc', 1)
      await tx.notices.optOut('acc', 'invoice_issued', 0)
      const w = { id: wallet('acc'), kind: 'customer_wallet' as const, customerAccountId: 'acc', currency: 'CNY' as const }
      const c = { id: 'clearing:stripe:CNY', kind: 'provider_clearing' as const, customerAccountId: null, currency: 'CNY' as const }
      await tx.ledger.post({ id: 't0', kind: 'payment', debitAccountId: c.id, creditAccountId: w.id, amount: 500, currency: 'CNY', customerAccountId: 'acc', sourceId: 'x', at: 0 }, { debit: c, credit: w })
    })
    const client = await s.pool.connect()
    try {
      const counted = { statements: 0, roundTrips: 0 }
      const sql = sqlOn(client, counted)
      const tx = pgRepos(sql)
      sql.queue('BEGIN ISOLATION LEVEL REPEATABLE READ')
      await pgReadAhead(sql, {
        events: [{ provider: 'stripe', eventIds: ['evt_a', 'evt_b'] }],
        orderNos: ['N1', 'N2', 'N9'],
        ledgerAccounts: (acc) => [wallet(acc)]
      })
      expect(counted.roundTrips).toBe(2)
      expect(await tx.notifications.seen('stripe', 'evt_a')).toBe(true)
      expect(await tx.notifications.seen('stripe', 'evt_b')).toBe(false)
      expect(await tx.orders.byNo('N1')).toMatchObject({ id: 'ord-1', state: 'created', amount: 100 })
      expect(await tx.orders.byNo('N9')).toBeUndefined()
      expect(await tx.invoices.bySource('order', 'N2')).toBeUndefined()
      expect(await tx.accounts.get('acc2')).toEqual({ id: 'acc2', walletCurrency: 'CNY', firstFreeClaimId: null })
      expect(await tx.invoices.billingDetails('acc')).toBe('{"type":"personal"}')
      expect(await tx.invoices.billingDetails('acc2')).toBeUndefined()
      expect(await tx.ledger.account(wallet('acc'))).toMatchObject({ creditsPosted: 500, debitsPosted: 0 })
      expect(await tx.ledger.account(wallet('acc2'))).toBeUndefined()
      expect(await tx.signIn.identities('acc')).toEqual([{ kind: 'email', subject: 'a@example.com' }, { kind: 'email', subject: 'b@example.com' }])
      expect(await tx.signIn.identities('acc2')).toEqual([])
      expect([await tx.notices.optedOut('acc', 'invoice_issued'), await tx.notices.optedOut('acc', 'refund'), await tx.notices.optedOut('acc2', 'invoice_issued')]).toEqual([true, false, false])
      // The feed heads were taken ahead: records of both accounts number within their blocks.
      const seqs = [await append(tx, 'r1', 'acc'), await append(tx, 'r2', 'acc2'), await append(tx, 'r3', 'acc')].map((r) => r.seq)
      expect(seqs[2]).toBe(seqs[0]! + 1)
      expect(counted.roundTrips).toBe(2)
      // The unit's own writes: remembered, paid, inserted, claimed, posted.
      await tx.notifications.remember('stripe', 'evt_b', 'N2', 'payment.succeeded', 0)
      await tx.orders.setPaid('ord-1', 'pi_1', 5)
      await tx.orders.insert(order('ord-9', 'N9'))
      await tx.accounts.claimFirstFree('acc2', 'claim-1', 'd')
      await tx.signIn.insertIdentity('sms', '+8613800000000', 'acc2', 3)
      await tx.notices.optOut('acc2', 'refund', 3)
      expect(await tx.notifications.seen('stripe', 'evt_b')).toBe(true)
      expect(await tx.orders.byNo('N1')).toMatchObject({ state: 'paid', provider_payment_id: 'pi_1' })
      expect(await tx.orders.byNo('N9')).toMatchObject({ id: 'ord-9' })
      expect(await tx.orders.byNo('N2')).toMatchObject({ id: 'ord-2', state: 'created' })
      expect(await tx.accounts.get('acc2')).toMatchObject({ firstFreeClaimId: 'claim-1' })
      expect(await tx.signIn.identities('acc2')).toEqual([{ kind: 'sms', subject: '+8613800000000' }])
      expect(await tx.notices.optedOut('acc2', 'refund')).toBe(true)
      await sql.flush('COMMIT')
    } finally {
      client.release()
    }
    expect(await rows(s, "SELECT event_id FROM provider_events ORDER BY event_id")).toEqual([{ event_id: 'evt_a' }, { event_id: 'evt_b' }])
    // A later unit's records number above the blocks taken ahead.
    const later = await s.unit(async (tx) => [(await append(tx, 'r4', 'acc')).seq, (await append(tx, 'r5', 'acc2')).seq])
    const stored = await rows(s, "SELECT id, seq FROM feed WHERE id IN ('r1', 'r2', 'r3') ORDER BY seq DESC")
    expect(later.every((n) => n > Number(stored[0]!.seq))).toBe(true)
    // Keys cross as a text[] literal exactly, whatever they hold.
    const odd = ['e"1\\,{}', 'NULL', '', '直播 x', "O'Brien"]
    await s.unit(async (tx) => {
      for (const id of odd) await tx.notifications.remember('stripe', id, null, 'x', 0)
    })
    const answers = await s.unit(async (tx) => {
      await tx.readAhead({ events: [{ provider: 'stripe', eventIds: [...odd, 'e"1\\,{}x'] }], orderNos: [], ledgerAccounts: () => [] })
      return Promise.all([...odd, 'e"1\\,{}x'].map((id) => tx.notifications.seen('stripe', id)))
    })
    expect(answers).toEqual([true, true, true, true, true, false])
  })

  it('feed: a block whose savepoint rolled back is forgotten, so a record after another unit’s commit numbers above it', async () => {
    const s = await open()
    await s.unit(async (tx) => tx.accounts.insert('acc', null, 0))
    let runs = 0
    let otherCommitted: Promise<number> | undefined
    const late = s.unit(async (tx) => {
      runs++
      // The head's lock taken inside the savepoint goes with its rollback.
      await tx.nested(async (inner) => {
        await append(inner, `undone-${runs}`)
        throw new Error('undo')
      }).catch(() => {})
      // Meanwhile another unit appends to the same account and commits (it does not wait for this one).
      otherCommitted ??= s.unit(async (t) => (await append(t, 'other')).seq)
      await otherCommitted
      return (await append(tx, 'late')).seq
    })
    const [lateSeq, otherSeq] = [await late, await otherCommitted!]
    expect(lateSeq).toBeGreaterThan(otherSeq)
    const feed = await s.read(async (tx) => tx.feed.since('acc', 0, 10))
    expect(feed.map((r) => r.id)).toEqual(['other', 'late'])
  })

  it('feed: several records of one account in a unit take the numbers of one block, above every earlier unit’s', async () => {
    const s = await open()
    await s.unit(async (tx) => tx.accounts.insert('acc', null, 0))
    const first = await s.unit(async (tx) => (await append(tx, 'a')).seq)
    const seqs = await s.unit(async (tx) => {
      const out: number[] = []
      for (let i = 0; i < 70; i++) out.push((await append(tx, `b${i}`)).seq)
      return out
    })
    expect(seqs[0]).toBeGreaterThan(first)
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs)
    expect(new Set(seqs).size).toBe(70)
    const feed = await s.read(async (tx) => tx.feed.since('acc', 0, 100))
    expect(feed.map((r) => r.seq)).toEqual([first, ...seqs])
    expect(feed.every((r) => (JSON.parse(r.payload) as { seq: number }).seq === r.seq)).toBe(true)
  })

  it('invoice numbers after the first of a unit are counted in the unit, and a rolled-back savepoint gives its own back', async () => {
    const s = await open()
    const taken = await s.unit(async (tx) => {
      const out = [await tx.invoices.nextNumber('INV', 2026), await tx.invoices.nextNumber('INV', 2026)]
      await tx.nested(async (inner) => {
        out.push(await inner.invoices.nextNumber('INV', 2026))
        throw new Error('undo')
      }).catch(() => {})
      out.push(await tx.invoices.nextNumber('INV', 2026), await tx.invoices.nextNumber('INV', 2026))
      return out
    })
    expect(taken).toEqual([1, 2, 3, 3, 4])
    expect(await s.read(async (tx) => tx.invoices.counters())).toEqual([{ series: 'INV', year: 2026, last: 4 }])
  })

  it('a ledger account read again after the unit’s own postings answers what the database then holds', async () => {
    const s = await open()
    const wallet: LedgerAccountRef = { id: 'w', kind: 'customer_wallet', customerAccountId: 'acc', currency: 'CNY' }
    const clearing: LedgerAccountRef = { id: 'c', kind: 'provider_clearing', customerAccountId: null, currency: 'CNY' }
    const post = (tx: StoreTx, id: string, amount: number, debit = clearing, credit = wallet) =>
      tx.ledger.post(
        { id, kind: 'payment', debitAccountId: debit.id, creditAccountId: credit.id, amount, currency: 'CNY', customerAccountId: 'acc', sourceId: id, at: 0 },
        { debit, credit }
      )
    await s.unit(async (tx) => {
      await tx.accounts.insert('acc', null, 0)
      await post(tx, 't0', 5)
    })
    const inUnit = await s.unit(async (tx) => {
      const before = await tx.ledger.account('w')
      await post(tx, 't1', 100)
      await post(tx, 't2', 30, wallet, clearing)
      return { before, after: await tx.ledger.account('w'), clearing: await tx.ledger.account('c') }
    })
    expect(inUnit.before).toMatchObject({ creditsPosted: 5, debitsPosted: 0 })
    const stored = await s.read(async (tx) => ({ w: await tx.ledger.account('w'), c: await tx.ledger.account('c') }))
    expect(inUnit.after).toEqual(stored.w)
    expect(inUnit.clearing).toEqual(stored.c)
    expect(stored.w).toMatchObject({ creditsPosted: 105, debitsPosted: 30 })
  })

  it('an order’s read tells ahead that it has no invoice and no coupon redemption; one the unit then inserts, or one stored, is found', async () => {
    const s = await open()
    const order = {
      id: 'ord-1', order_no: 'N1', account_id: 'acc', device_id: 'd', client_key: 'k', request_fingerprint: 'f', provider: 'stripe' as const,
      item_json: '{}', subject: 's', amount: 100, currency: 'CNY' as const, expires_at: 1000, created_at: 0
    }
    const invoice: InvoiceRow = {
      number: 'INV-1', accountId: 'acc', sourceKind: 'order', sourceId: 'N1', issuedAt: 0, status: 'paid', currency: 'CNY', total: 100, tax: 6,
      discount: 0, credited: 0, creditedTax: 0, lines: '[]', buyer: null, version: 1, updatedAt: 0
    }
    await s.unit(async (tx) => {
      await tx.accounts.insert('acc', null, 0)
      await tx.orders.insert(order)
    })
    const redemption: RedemptionRow = {
      id: 'rd-1', coupon_id: 'cp-1', code: null, grant_id: null, account_id: 'acc', order_id: 'ord-1', purchase_id: null, state: 'consumed',
      discount: 10, currency: 'CNY', plan_code: null, period: null, periods_left: 0, created_at: 0, updated_at: 0
    }
    const inUnit = await s.unit(async (tx) => {
      const read = await tx.orders.byNo('N1')
      const before = { invoice: await tx.invoices.bySource('order', 'N1'), redemption: await tx.coupons.redemptionOfOrder('ord-1') }
      await tx.invoices.insert(invoice)
      await tx.coupons.insertCoupon(COUPON)
      await tx.coupons.insertRedemption(redemption)
      return { read, before, after: { invoice: (await tx.invoices.bySource('order', 'N1'))?.number, redemption: (await tx.coupons.redemptionOfOrder('ord-1'))?.id } }
    })
    expect(inUnit.read).toMatchObject({ id: 'ord-1', order_no: 'N1', amount: 100 })
    expect(inUnit.read).not.toHaveProperty('has_invoice')
    expect(inUnit.read).not.toHaveProperty('has_redemption')
    expect(inUnit.before).toEqual({ invoice: undefined, redemption: undefined })
    expect(inUnit.after).toEqual({ invoice: 'INV-1', redemption: 'rd-1' })
    const stored = await s.unit(async (tx) => {
      await tx.orders.byNo('N1')
      return { invoice: (await tx.invoices.bySource('order', 'N1'))?.number, redemption: (await tx.coupons.redemptionOfOrder('ord-1'))?.id }
    })
    expect(stored).toEqual({ invoice: 'INV-1', redemption: 'rd-1' })
  })

  it('the catalog version in force is kept only for the instants it holds for', async () => {
    const s = await open()
    const from = Date.UTC(2030, 0, 1)
    await s.unit(async (tx) => tx.catalog.insert({ version: 2, effectiveFrom: from, document: '{}', publishedAt: from - 1000 }))
    const versions = await s.unit(async (tx) => [
      (await tx.catalog.inForce(from - 1))?.version,
      (await tx.catalog.inForce(from))?.version,
      (await tx.catalog.inForce(from - 1))?.version,
      (await tx.catalog.inForce(0))?.version
    ])
    expect(versions).toEqual([1, 2, 1, 1])
  })

  it('grouped units of two instances on one row follow each other: the second runs once, on the first’s result', async () => {
    const url = await freshDatabase()
    const [one, two] = [await open(url), await open(url)]
    await one.unit(async (tx) => tx.accounts.insert('acc', null, 0))
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    let entered = () => {}
    const inside = new Promise<void>((resolve) => (entered = resolve))
    const runs = { one: 0, two: 0 }
    const first = one.unitGrouped(async (tx) => {
      runs.one++
      await append(tx, 'first')
      entered()
      await held
    })
    await inside
    const second = two.unitGrouped(async (tx) => {
      runs.two++
      return (await append(tx, 'second')).seq
    })
    // The second waits at the gate, before its snapshot, until the first commits.
    await new Promise((resolve) => setTimeout(resolve, 100))
    release()
    await first
    await second
    expect(runs).toEqual({ one: 1, two: 1 })
    const feed = await one.read(async (tx) => tx.feed.since('acc', 0, 10))
    expect(feed.map((r) => r.id)).toEqual(['first', 'second'])
  })
})
