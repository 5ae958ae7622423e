import { hash } from 'node:crypto'
import type { Clock } from '../../node/clock'
import type { Money } from '../../shared/money'
import type { OutboxAck, OutboxRecord } from '../../shared/relay-contract'
import type { DeviceContext } from '../accounts/accounts'
import type { RelayWallet } from '../accounts/wallet'
import type { Feed } from '../feed/feed'
import type { RelayStore, StoreTx } from '../store/ports'
import { canonicalRecord } from './canonical'
import { chart, type LedgerAccountRef } from '../ledger/chart'
import type { Coupons } from '../coupons/coupons'
import type { Ledger } from '../ledger/ledger'
import type { Grants } from '../subscriptions/grants'
import { purchaseRefusal, type CatalogVersionView } from '../pricing/purchases'
import type { Invoices } from '../invoices/invoices'


// A device's outbox batch, applied in one transaction and acknowledged by id. A record id is
// kept with its canonical body and a fingerprint of it: the same id and content again is
// acknowledged without a second effect; the same id with other content is refused
// (IDEMPOTENCY_CONFLICT).
// - usage: recorded (the relay's copy for reconciliation and reports).
// - wallet_debit: debits the relay's wallet (debt when it goes below zero) and is mirrored in
//   the feed so the account's other devices converge.
// - first_free_claim: the first claim the relay commits for the account wins (a `first_free`
//   record names it); every later claim, from any device, becomes a charge of its price
//   (a `wallet_debit` record with reason first_free_lost, and debt if the wallet is short).
// - trial_start: once per account and plan code. The first trial the relay commits for the pair
//   is confirmed (a `trials` row); every later one, from any device or install, is refused.
//   Either way a `trial_decision` record says so (the device that started a refused trial
//   ends it; every device marks the plan's trial as used), and the record's outcome is
//   'confirmed' or 'refused'. A resend is acknowledged without a second decision.
// - subscription_purchase: a plan bought from the wallet on a device. Its price is checked
//   against the catalog version it names (pricing/purchases.ts; refused: PRICE_MISMATCH,
//   NOT_SOLD, CATALOG_VERSION); then one transfer wallet → the plan's revenue (debt when short),
//   mirrored as a `wallet_debit` record (feature 'subscription') for the other devices, and the
//   relay's grant for it (subscriptions/grants.ts: extension, or a switch by the one rule), whose
//   `subscription_grant` record every device mirrors; the purchasing device aligns to it.
//
// Catch-up pushes 100k records in batches, so the per-record cost is what counts: the account
// row is read once per batch, each record is serialised once (its canonical body, hashed for
// the fingerprint), and usage records (no effect beyond their rows) are inserted together (the
// store writes several rows per statement), the stored fingerprints read only when some id was
// already there. A debit or claim is looked up first, since its
// effect must not run for a resend; usage rows waiting before it are written first, so it sees
// them.

/** sha256 of the canonical body, as src/node/fingerprint.ts computes fingerprint(). */
export function bodyFingerprint(body: string): string {
  // The one-shot hash: half the cost of createHash().update().digest() per record.
  return hash('sha256', body, 'base64url').slice(0, 22)
}

type TrialStart = Extract<OutboxRecord, { kind: 'trial_start' }>
type Purchase = Extract<OutboxRecord, { kind: 'subscription_purchase' }>
/** The records that move money (usage is inserted apart, a trial decided apart). */
type MoneyRecord = Exclude<OutboxRecord, TrialStart>

/** Where the price check finds a catalog version by number. */
export type CatalogVersions = (
  tx: StoreTx,
  version: number,
  renewalOf?: { code: string; period: string }
) => Promise<CatalogVersionView | undefined> | CatalogVersionView | undefined

/** What is wrong with a purchase's coupon field itself (its use is judged when applied). */
function couponUseRefusal(rec: Purchase, list: Money | undefined): { code: string; message: string } | null {
  if (!rec.coupon) return null
  const d = rec.coupon.discount
  if (d.currency !== rec.price.currency) return { code: 'CURRENCY_MISMATCH', message: 'the coupon discount is in another currency than the price' }
  if (d.amount <= 0) return { code: 'INVALID_AMOUNT', message: 'a coupon discount must be above zero' }
  if (list && rec.price.amount > list.amount) return { code: 'PRICE_MISMATCH', message: `the price is above the list price ${list.amount}` }
  return null
}

interface UsageRow {
  id: string
  fp: string
  body: string
}

export class Outbox {
  constructor(
    private readonly store: RelayStore,
    private readonly clock: Clock,
    private readonly feed: Feed,
    private readonly wallet: RelayWallet,
    private readonly ledger: Ledger,
    private readonly grants: Grants,
    private readonly catalog: CatalogVersions,
    /** How long after a catalog change a device offline across it may still buy at the old prices. */
    private readonly purchaseGraceMs: number,
    private readonly invoices: Invoices,
    /** Judges a purchase's account-bound coupon (src/relay/coupons). */
    private readonly coupons?: Coupons
  ) {}

  accept(ctx: DeviceContext, records: OutboxRecord[]): Promise<OutboxAck> {
    return this.store.unit(async (tx) => {
      const ack: OutboxAck = { accepted: [], rejected: [] }
      if (records.length === 0) return ack
      const acct = await tx.accounts.get(ctx.accountId)
      if (!acct) throw new Error(`no relay account ${ctx.accountId}`)
      let winner = acct.firstFreeClaimId
      const now = this.clock.now()
      // A record whose id is stored already (sent before, or twice in this batch): the same
      // content is acknowledged again, other content refused.
      const resend = (id: string, fp: string, prev: string) => {
        if (prev === fp) ack.accepted.push(id)
        else ack.rejected.push({ id, code: 'IDEMPOTENCY_CONFLICT', message: 'record id reused with other content' })
      }
      const usage: UsageRow[] = []
      const flushUsage = async () => {
        if (usage.length === 0) return
        if ((await tx.outbox.insertUsage(ctx.accountId, ctx.deviceId, usage, now)) < usage.length) {
          // Some id was stored before (or twice here): judge each by what is stored now.
          for (const u of usage) resend(u.id, u.fp, (await tx.outbox.fingerprint(ctx.accountId, u.id))!)
        } else {
          for (const u of usage) ack.accepted.push(u.id)
        }
        usage.length = 0
      }
      for (const rec of records) {
        const body = canonicalRecord(rec)
        const fp = bodyFingerprint(body)
        if (rec.kind === 'usage') {
          usage.push({ id: rec.id, fp, body })
          continue
        }
        await flushUsage()
        const prev = await tx.outbox.fingerprint(ctx.accountId, rec.id)
        if (prev !== undefined) {
          resend(rec.id, fp, prev)
          continue
        }
        if (rec.kind === 'trial_start') {
          const invalid = rec.planCode === 'FREE' ? 'the FREE plan has no trial' : rec.endsAt <= rec.startedAt ? 'a trial must end after it starts' : null
          if (invalid !== null) {
            ack.rejected.push({ id: rec.id, code: 'INVALID_INPUT', message: invalid })
            continue
          }
          const outcome = await this.decideTrial(tx, ctx, rec, now)
          await tx.outbox.insert({ accountId: ctx.accountId, id: rec.id, deviceId: ctx.deviceId, kind: rec.kind, fingerprint: fp, body, outcome, receivedAt: now })
          ack.accepted.push(rec.id)
          continue
        }
        const amount = rec.kind === 'wallet_debit' ? rec.amount : rec.price
        // A purchase with a coupon: its catalog list price, which it is checked and charged by.
        let list: Money | undefined
        if (rec.kind === 'subscription_purchase') {
          const future = rec.occurredAt > now + this.purchaseGraceMs
          const view = future ? undefined : await this.catalog(tx, rec.catalogVersion, rec.action === 'subscribe' ? undefined : { code: rec.planCode, period: rec.period })
          const listed = rec.coupon && view ? view.price(rec.planCode, rec.period) : null
          list = listed !== null ? { amount: listed, currency: rec.price.currency } : undefined
          const refusal = future
            ? { code: 'INVALID_INPUT', message: 'a purchase cannot be dated in the future' }
            : (couponUseRefusal(rec, list) ?? purchaseRefusal(list ? { ...rec, price: list } : rec, view, this.purchaseGraceMs))
          if (refusal) {
            ack.rejected.push({ id: rec.id, ...refusal })
            continue
          }
        }
        if (amount.currency !== acct.walletCurrency) {
          ack.rejected.push({ id: rec.id, code: 'CURRENCY_MISMATCH', message: `the wallet is in ${acct.walletCurrency}` })
          continue
        }
        // A zero debit or a free "price" moves no money but would still become a feed record
        // that every device must apply: refused like a negative one. A coupon may make a plan free.
        if (amount.amount < 0 || (amount.amount === 0 && list === undefined)) {
          ack.rejected.push({ id: rec.id, code: 'INVALID_AMOUNT', message: 'amount must be above zero' })
          continue
        }
        const outcome = await this.apply(tx, ctx, rec, winner, list)
        if (outcome === 'won') winner = rec.id
        await tx.outbox.insert({
          accountId: ctx.accountId,
          id: rec.id,
          deviceId: ctx.deviceId,
          kind: rec.kind,
          fingerprint: fp,
          body,
          outcome,
          receivedAt: now
        })
        ack.accepted.push(rec.id)
      }
      await flushUsage()
      return ack
    })
  }

  /** The first trial of (account, plan code) committed here is confirmed, any later one refused. */
  private async decideTrial(tx: StoreTx, ctx: DeviceContext, rec: TrialStart, now: number): Promise<'confirmed' | 'refused'> {
    const claimed = await tx.trials.claim({
      accountId: ctx.accountId,
      planCode: rec.planCode,
      recordId: rec.id,
      deviceId: ctx.deviceId,
      startedAt: rec.startedAt,
      decidedAt: now
    })
    const outcome = claimed ? 'confirmed' : 'refused'
    // A confirmed trial is one of the account's subscriptions on the relay (its lease counts it).
    if (claimed) await this.grants.recordTrial(tx, ctx.accountId, { deviceId: ctx.deviceId, planCode: rec.planCode, period: rec.period, startsAt: rec.startedAt, endsAt: rec.endsAt })
    await this.feed.append(tx, ctx.accountId, 'trial_decision', {
      recordId: rec.id,
      planCode: rec.planCode,
      deviceId: ctx.deviceId,
      outcome,
      decidedAt: now
    })
    return outcome
  }

  private async apply(tx: StoreTx, ctx: DeviceContext, rec: MoneyRecord, winner: string | null, list: Money | undefined): Promise<string> {
    switch (rec.kind) {
      case 'usage':
        return 'recorded' // inserted by accept() without coming here
      case 'wallet_debit':
        await this.charge(tx, ctx, rec.id, rec.amount, rec.feature, rec.occurredAt, 'debit')
        return 'debited'
      case 'subscription_purchase':
        return this.purchase(tx, ctx, rec, list)
      case 'first_free_claim':
        if (winner === null) {
          await tx.accounts.claimFirstFree(ctx.accountId, rec.id, ctx.deviceId)
          await this.feed.append(tx, ctx.accountId, 'first_free', {
            winningClaimId: rec.id,
            deviceId: ctx.deviceId,
            feature: rec.feature,
            decidedAt: this.clock.now()
          })
          // Given away at its price: the promotion's cost, and the use's revenue.
          await this.ledger.post(tx, {
            id: `first_free:${ctx.accountId}:${rec.id}`,
            kind: 'first_free',
            debit: chart.firstFree(rec.price.currency),
            credit: chart.usageRevenue(rec.price.currency),
            amount: rec.price,
            customerAccountId: ctx.accountId,
            sourceId: rec.id
          })
          return 'won'
        }
        await this.charge(tx, ctx, rec.id, rec.price, rec.feature, rec.occurredAt, 'first_free_lost')
        return 'lost'
    }
  }

  /**
   * A plan bought from the wallet: its money moves, then the relay's grant for it. With an
   * account-bound coupon, the use is confirmed once (the grant's coupon_grant record goes out
   * as 'used') and the discount is its own transfer; a use the relay refuses is charged at the
   * list price: the discount the device took is charged as a second debit (debt if short), as a
   * lost first-free claim is.
   */
  private async purchase(tx: StoreTx, ctx: DeviceContext, rec: Purchase, list: Money | undefined): Promise<string> {
    const { price } = rec
    const revenue = chart.planRevenue(rec.planCode, rec.period, price.currency)
    if (price.amount > 0) {
      await this.feed.append(tx, ctx.accountId, 'wallet_debit', {
        sourceId: rec.id,
        deviceId: ctx.deviceId,
        amount: price,
        feature: 'subscription',
        reason: 'debit',
        occurredAt: rec.occurredAt
      })
      await this.wallet.debit(tx, ctx.accountId, price, {
        id: `purchase:${ctx.accountId}:${rec.id}`,
        kind: 'subscription_purchase',
        to: revenue,
        sourceId: rec.id,
        feedSourceId: rec.id,
        reason: 'overdraft',
        useBonus: true
      })
    }
    let outcome = 'purchased'
    if (rec.coupon && list) {
      const discount = rec.coupon.discount
      const adds = price.amount + discount.amount === list.amount
      const use = adds && this.coupons ? await this.coupons.useGrant(tx, ctx.accountId, rec, list, this.clock.now()) : { ok: false as const, reason: 'wrong discount' }
      if (use.ok) {
        await this.ledger.post(tx, { id: `discount:purchase:${ctx.accountId}:${rec.id}`, kind: 'discount', debit: chart.discounts(price.currency), credit: revenue, amount: discount, customerAccountId: ctx.accountId, sourceId: rec.id })
        outcome = 'purchased:coupon_confirmed'
      } else {
        // Charged at the list price: what the device left out is debited now.
        await this.charge(tx, ctx, `${rec.id}:coupon_refused`, { amount: list.amount - price.amount, currency: price.currency }, 'subscription', rec.occurredAt, 'debit', revenue)
        outcome = `purchased:coupon_refused:${use.reason}`.slice(0, 200)
      }
    }
    // The period runs from when it was bought (a device offline for a while), never from later.
    const at = Math.min(rec.occurredAt, this.clock.now())
    await this.grants.grant(tx, ctx.accountId, { source: 'wallet', purchaseId: rec.id, deviceId: ctx.deviceId }, rec, at)
    // Its invoice, in the same unit: a confirmed coupon shows as the line's discount; a refused
    // one was charged at the list price, which the invoice shows.
    const confirmed = outcome === 'purchased:coupon_confirmed' && rec.coupon ? rec.coupon.discount.amount : 0
    const billed = rec.coupon && list && confirmed === 0 ? { ...rec, price: list } : rec
    await this.invoices.issueForPurchase(tx, ctx.accountId, billed, confirmed, this.clock.now())
    return outcome
  }

  /**
   * A paid use charged to the wallet (a debit, or a lost first-free claim at its price): mirrored
   * in the feed for the account's other devices, then the ledger's move (debt when short), after
   * the mirror so a debt record follows the debit that caused it.
   */
  private async charge(
    tx: StoreTx,
    ctx: DeviceContext,
    recordId: string,
    amount: Money,
    feature: string,
    occurredAt: number,
    reason: 'debit' | 'first_free_lost',
    to: LedgerAccountRef = chart.usageRevenue(amount.currency)
  ): Promise<void> {
    await this.feed.append(tx, ctx.accountId, 'wallet_debit', { sourceId: recordId, deviceId: ctx.deviceId, amount, feature, reason, occurredAt })
    const lost = reason === 'first_free_lost'
    await this.wallet.debit(tx, ctx.accountId, amount, {
      id: `${lost ? 'first_free_lost' : 'debit'}:${ctx.accountId}:${recordId}`,
      kind: lost ? 'first_free_lost' : 'wallet_debit',
      to,
      sourceId: recordId,
      feedSourceId: recordId,
      reason: lost ? 'first_free_lost' : 'overdraft',
      useBonus: true
    })
  }
}
