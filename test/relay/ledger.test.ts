import { expect, it } from 'vitest'
import { forEachStore } from './support/pg'
import { runVerify } from '../../src/relay/cli/verify'
import { verifyLedger } from '../../src/relay/ledger/verify'
import { checkout, effects, notify, paid, refunded } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { enrolDevice, startTestRelay, type TestRelay } from './support/relay'

// The relay keeps double-entry books: every payment, refund and device spend is one immutable
// transfer posted with its effect, and relay:verify recomputes them from the file.

const recharge = (amount: number) => ({ provider: 'stripe', item: { kind: 'recharge', amount: { amount, currency: 'CNY' } } })
const plan = { provider: 'stripe', item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' } }

async function verifyCli(t: TestRelay): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = []
  const env = t.config.database ? { RELAY_DATABASE_URL: t.config.database.url } : { RELAY_DB_PATH: t.config.dbPath }
  const code = await runVerify(env, (line) => lines.push(line))
  return { code, lines }
}

async function booksWithEverything() {
  const provider = createTestProvider('stripe')
  const t = await startTestRelay({ providers: [provider] })
  const dev = await enrolDevice(t.api)
  const r1 = (await checkout(t.api, dev.token, recharge(5000))).order
  const p1 = (await checkout(t.api, dev.token, plan)).order
  await notify(t, provider, [paid(r1.orderNo, 5000), paid(p1.orderNo, p1.amount.amount)])
  // Spent offline beyond the wallet: 5,000 in, 6,500 out → a debt of 1,500.
  const spend = await t.api('POST', '/v1/outbox', {
    token: dev.token,
    body: {
      records: [
        { id: 'dbt-000001', kind: 'wallet_debit', amount: { amount: 6500, currency: 'CNY' }, feature: 'ai_request', occurredAt: 1 },
        { id: 'ffc-000001', kind: 'first_free_claim', price: { amount: 500, currency: 'CNY' }, feature: 'stream', occurredAt: 2 }
      ]
    }
  })
  expect(spend.body.accepted).toHaveLength(2)
  // A part of the recharge refunded (more debt), the plan refunded in full, a new recharge settles.
  await notify(t, provider, [refunded(r1.orderNo, 1000, 're_1'), refunded(p1.orderNo, p1.amount.amount, 're_2')])
  const r2 = (await checkout(t.api, dev.token, recharge(3000))).order
  await notify(t, provider, [paid(r2.orderNo, 3000)])
  return { t, dev, provider, r1, p1, r2 }
}

forEachStore('the relay ledger', (store) => {
  it('posts one transfer per effect; balances follow; relay:verify says the books hold', async () => {
    const { t, dev, r1, p1, r2 } = await booksWithEverything()
    const transfers = await t.sql('SELECT id, kind, debit_account_id AS debit, credit_account_id AS credit, amount FROM ledger_transfers ORDER BY seq')
    const a = dev.accountId
    expect(transfers).toEqual([
      { id: `payment:${r1.orderNo}`, kind: 'payment', debit: 'clearing:stripe:CNY', credit: `wallet:${a}:CNY`, amount: 5000 },
      { id: `payment:${p1.orderNo}`, kind: 'payment', debit: 'clearing:stripe:CNY', credit: 'revenue:plan:BASIC:monthly:CNY', amount: p1.amount.amount },
      // The plan's invoice (INV 2 of the year: the recharge took 1) books its VAT, 2,900 × 0.06 ÷ 1.06.
      { id: 'vat:INV-2025-000002:0', kind: 'vat', debit: 'revenue:plan:BASIC:monthly:CNY', credit: 'tax_payable:CNY', amount: 164 },
      { id: `debit:${a}:dbt-000001:debt`, kind: 'debt', debit: `receivable:${a}:CNY`, credit: `wallet:${a}:CNY`, amount: 1500 },
      { id: `debit:${a}:dbt-000001`, kind: 'wallet_debit', debit: `wallet:${a}:CNY`, credit: 'revenue:usage:CNY', amount: 6500 },
      { id: `first_free:${a}:ffc-000001`, kind: 'first_free', debit: 'promotions:first_free:CNY', credit: 'revenue:usage:CNY', amount: 500 },
      { id: 'refund:stripe:re_1:debt', kind: 'debt', debit: `receivable:${a}:CNY`, credit: `wallet:${a}:CNY`, amount: 1000 },
      { id: 'refund:stripe:re_1', kind: 'refund', debit: `wallet:${a}:CNY`, credit: 'clearing:stripe:CNY', amount: 1000 },
      { id: 'refund:stripe:re_2', kind: 'refund', debit: 'refunds:CNY', credit: 'clearing:stripe:CNY', amount: p1.amount.amount },
      { id: 'vat_reversal:CN-2025-000002', kind: 'vat_reversal', debit: 'tax_payable:CNY', credit: 'refunds:CNY', amount: 164 },
      { id: `payment:${r2.orderNo}`, kind: 'payment', debit: 'clearing:stripe:CNY', credit: `wallet:${a}:CNY`, amount: 3000 },
      { id: `payment:${r2.orderNo}:repay`, kind: 'debt_repayment', debit: `wallet:${a}:CNY`, credit: `receivable:${a}:CNY`, amount: 2500 }
    ])
    // What devices are told: 500 left after the debt of 2,500 was repaid.
    const account = await t.api('GET', '/v1/account', { token: dev.token })
    expect(account.body.wallet).toEqual({ balance: { amount: 500, currency: 'CNY' }, debt: { amount: 0, currency: 'CNY' }, bonus: { amount: 0, currency: 'CNY' } })
    expect(await effects(t, r1.orderNo)).toMatchObject({ paymentTransfers: 1, refundTransfers: 1 })

    const report = verifyLedger(await t.relay.store.read(async (tx) => tx.ledger.snapshot()))
    expect(report).toMatchObject({ ok: true, breaks: [], transfers: 12 })
    expect(report.totals['CNY']!.debits).toBe(report.totals['CNY']!.credits)
    const cli = await verifyCli(t)
    expect(cli.code).toBe(0)
    expect(cli.lines.join('\n')).toMatch(/the books hold/)
  })

  it('transfers are immutable; an edited transfer or cached balance makes relay:verify exit 1 and name it', async () => {
    const { t, dev, r1 } = await booksWithEverything()
    await expect(t.sql('UPDATE ledger_transfers SET amount = 1')).rejects.toThrow(/immutable/)
    await expect(t.sql('DELETE FROM ledger_transfers')).rejects.toThrow(/immutable/)

    // Someone with the database drops the guard and edits one transfer's amount.
    await t.sql(store === 'pg' ? 'ALTER TABLE ledger_transfers DISABLE TRIGGER ledger_transfers_immutable' : 'DROP TRIGGER ledger_transfers_no_update')
    await t.sql('UPDATE ledger_transfers SET amount = 4000 WHERE id = ?', `payment:${r1.orderNo}`)
    const edited = await verifyCli(t)
    expect(edited.code).toBe(1)
    const text = edited.lines.join('\n')
    expect(text).toContain(`account wallet:${dev.accountId}:CNY: cached debits`)
    expect(text).toContain(`order ${r1.orderNo}: paid 5000, its payment transfer 4000`)
    await t.sql('UPDATE ledger_transfers SET amount = 5000 WHERE id = ?', `payment:${r1.orderNo}`)
    expect((await verifyCli(t)).code).toBe(0)

    // Or a cached balance.
    await t.sql("UPDATE ledger_accounts SET credits_posted = credits_posted + 100 WHERE id = 'revenue:usage:CNY'")
    const cached = await verifyCli(t)
    expect(cached.code).toBe(1)
    expect(cached.lines.join('\n')).toMatch(/account revenue:usage:CNY: cached debits 0 \/ credits 7100, its transfers give 0 \/ 7000/)
  })

  it('relay:verify without a database says where it looked', async () => {
    const lines: string[] = []
    expect(await runVerify({ RELAY_DB_PATH: '/nonexistent/relay.sqlite' }, (l) => lines.push(l))).toBe(2)
    expect(lines[0]).toMatch(/no relay database at \/nonexistent\/relay.sqlite/)
  })
})
