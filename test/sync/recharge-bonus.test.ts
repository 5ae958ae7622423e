import { describe, expect, it } from 'vitest'
import { publishCatalog } from '../../src/relay/catalog/catalog'
import { BUILT_IN_CATALOG } from '../../src/shared/catalog'
import { relayBonus as relayBonusOf } from '../support/relay-ledger'
import { net, newDevice, providerRefunds, relayWallet, startWorld, topUp, type World } from './support'

// A recharge bonus (充值赠送) on the device: the relay's payment record carries it, the wallet
// keeps it as promotion credit beside the cash and spends it after the cash, offline too; a
// refund takes its share back as the relay does, so both sides agree after every sync.

const relayBonus = (w: World, accountId: string): number => relayBonusOf(w.t.relay.db.sqlite, accountId)

async function bonusWorld() {
  const w = await startWorld()
  await publishCatalog(w.t.relay.db, w.t.clock.now(), { ...BUILT_IN_CATALOG, version: 2, effectiveFrom: w.t.clock.now(), rechargeBonuses: [{ min: 10_000, bonus: 1000 }] })
  const a = await newDevice(w, 'a')
  return { w, a }
}

describe('a recharge bonus on the device', () => {
  it('a spend paid from the bonus alone is still checked against the outbox', async () => {
    const { w, a } = await bonusWorld()
    await topUp(w, a, 10_000)
    a.billing.wallet.consume({ key: 'cash', amount: 10_000, feature: 'ai_request', reason: '' })
    const onlyBonus = a.billing.wallet.consume({ key: 'bonus-only', amount: 300, feature: 'ai_request', reason: '' })
    expect(a.billing.wallet.bonus().amount).toBe(700)
    expect(a.sync.checkIntegrity().problems).toEqual([])
    // Its outbox record removed (a spend hidden from the relay): found, by the outbox check and by the balance cross-check.
    a.billing.db.sqlite.prepare('DELETE FROM sync_outbox WHERE id = ?').run(`dbt-${onlyBonus.entryId}`)
    const problems = a.sync.checkIntegrity().problems
    expect(problems).toContain(`wallet consume entry ${onlyBonus.entryId} has no outbox record`)
    expect(problems).toHaveLength(2)
  })

  it('arrives as promotion credit, is spent after the cash, and refunds take it back without paying it out', async () => {
    const { w, a } = await bonusWorld()
    const orderNo = await topUp(w, a, 10_000)
    expect([a.billing.wallet.balance().amount, a.billing.wallet.bonus().amount]).toEqual([10_000, 1000])
    expect(a.sync.checkIntegrity().problems).toEqual([])

    // Spent on the device, beyond the cash: the bonus pays the rest, here and on the relay.
    a.billing.wallet.consume({ key: 'spend-1', amount: 10_500, feature: 'ai_request', reason: '' })
    expect([a.billing.wallet.balance().amount, a.billing.wallet.bonus().amount]).toEqual([0, 500])
    await a.sync.syncNow()
    expect([relayWallet(w, a.accountId).balance, relayBonus(w, a.accountId)]).toEqual([0, 500])

    // Half refunded: its 500 of bonus comes back from promotion credit; the cash refund is debt.
    await providerRefunds(w, 'alipay', orderNo, 5000, 'rf-half')
    await a.sync.syncNow()
    expect([net(a), a.billing.wallet.bonus().amount]).toEqual([-5000, 0])
    expect([relayWallet(w, a.accountId).balance, relayBonus(w, a.accountId)]).toEqual([-5000, 0])
    // The rest: its 500 of bonus was spent, so the cash pays it (more debt), never promotion credit.
    await providerRefunds(w, 'alipay', orderNo, 5000, 'rf-rest')
    await a.sync.syncNow()
    expect([net(a), a.billing.wallet.bonus().amount]).toEqual([-10_500, 0])
    expect(relayWallet(w, a.accountId).balance).toBe(-10_500)
    expect(a.sync.checkIntegrity().problems).toEqual([])
    expect(a.billing.wallet.verify().ok).toBe(true)
  })

  it('a bonus spent offline before the relay hears of it, then refunded: both sides end equal', async () => {
    const { w, a } = await bonusWorld()
    const withBonus = await topUp(w, a, 10_000)
    await topUp(w, a, 2000)
    expect([a.billing.wallet.balance().amount, a.billing.wallet.bonus().amount]).toEqual([12_000, 1000])
    // Offline: 12,600 spent (all the cash, 600 of the bonus), not sent yet.
    a.billing.wallet.consume({ key: 'spend-offline', amount: 12_600, feature: 'ai_request', reason: '' })
    expect(a.billing.wallet.bonus().amount).toBe(400)
    // Meanwhile the bonus recharge is refunded in full: the relay takes its whole bonus back,
    // from promotion credit it still sees untouched.
    await providerRefunds(w, 'alipay', withBonus, 10_000, 'rf-all')
    await a.sync.syncNow()
    // The device gave back the 400 it had left and paid the 600 it spent from the cash (debt);
    // the relay charged the late spend to cash it no longer had: the same debt.
    expect([net(a), a.billing.wallet.bonus().amount]).toEqual([-10_600, 0])
    expect([relayWallet(w, a.accountId).balance, relayBonus(w, a.accountId)]).toEqual([-10_600, 0])
    expect(a.sync.checkIntegrity().problems).toEqual([])
    // The whole feed read again (the cursor lost) changes nothing: each record applies once.
    a.billing.db.sqlite.prepare("UPDATE sync_state SET cursor = '0'").run()
    await a.sync.syncNow()
    expect([net(a), a.billing.wallet.bonus().amount]).toEqual([-10_600, 0])
    expect(a.sync.checkIntegrity().problems).toEqual([])
  })

  it('a refund between an offline spend and its push: the relay used the bonus where the device went into debt; after the sync both owe the same', async () => {
    const { w, a } = await bonusWorld()
    await topUp(w, a, 10_000)
    const small = await topUp(w, a, 5000)
    a.billing.wallet.consume({ key: 'spend-all', amount: 15_000, feature: 'ai_request', reason: '' })
    await providerRefunds(w, 'alipay', small, 5000, 'rf-small')
    await a.sync.syncNow()
    // The relay: the refund from the cash, then the spend from the rest of the cash, the bonus, then debt.
    expect([relayWallet(w, a.accountId).balance, relayBonus(w, a.accountId)]).toEqual([-4000, 0])
    expect([a.billing.wallet.balance().amount, a.billing.wallet.bonus().amount, a.billing.wallet.debt().amount]).toEqual([0, 0, 4000])
    expect(a.sync.checkIntegrity().problems).toEqual([])
    // A recharge of what is owed clears it on both sides.
    await topUp(w, a, 4000)
    expect([a.billing.wallet.debt().amount, relayWallet(w, a.accountId).balance]).toEqual([0, 0])
  })

  it('a bonus held here when the relay takes it back: once the hold ends, the split follows the relay', async () => {
    const { w, a } = await bonusWorld()
    const orderNo = await topUp(w, a, 10_000)
    const hold = a.billing.wallet.hold({ key: 'live', amount: 10_500, feature: 'live_session', reason: '', ttlMs: 3_600_000 })
    await providerRefunds(w, 'alipay', orderNo, 10_000, 'rf-live')
    await a.sync.syncNow()
    // While the hold is open nothing is aligned (its money is still to be settled here).
    expect(a.billing.wallet.debt().amount).toBe(10_500)
    a.billing.wallet.void({ key: 'live-void', holdId: hold.holdId })
    expect([a.billing.wallet.bonus().amount, a.billing.wallet.debt().amount]).toEqual([500, 500])
    await a.sync.syncNow()
    expect([a.billing.wallet.balance().amount, a.billing.wallet.bonus().amount, a.billing.wallet.debt().amount]).toEqual([0, 0, 0])
    expect([relayWallet(w, a.accountId).balance, relayBonus(w, a.accountId)]).toEqual([0, 0])
    expect(a.sync.checkIntegrity().problems).toEqual([])
    expect(a.billing.wallet.history({ limit: 5, types: ['align'] }).items.map((e) => [e.debitAccount.split(':')[0], e.creditAccount.split(':')[0], e.amount.amount])).toEqual([['bonus', 'debt', 500]])
  })

  it('while the account owes, the gate asks for the debt plus the price once (the offline allowance already counts the debt)', async () => {
    const { w, a } = await bonusWorld()
    const orderNo = await topUp(w, a, 5000)
    a.billing.wallet.useFirstFree({ key: 'free', price: 100, feature: 'ai_request', reason: '' })
    a.billing.wallet.consume({ key: 'spend', amount: 5000, feature: 'ai_request', reason: '' })
    await providerRefunds(w, 'alipay', orderNo, 5000, 'rf-owed')
    await a.sync.syncNow()
    expect(a.billing.wallet.debt().amount).toBe(5000)
    expect(a.billing.wallet.chargeOrFree({ key: 'ask', price: 100, feature: 'ai_request', reason: '' })).toMatchObject({ outcome: 'needs_recharge', shortfall: { amount: 5100 } })
    expect(() => a.billing.wallet.consume({ key: 'ask-2', amount: 100, feature: 'ai_request', reason: '' })).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_FUNDS', details: expect.objectContaining({ shortfall: 5100 }) }))
  })
})
