import Decimal from 'decimal.js'
import type { IdSource } from '../../node/ids'
import { CurrencyMismatch } from '../../shared/errors'
import { MONEY_ROUNDING, type Money } from '../../shared/money'
import { BONUS_WITHDRAWAL_FEATURE, RELAY_DEVICE_ID } from '../../shared/relay-contract'
import type { Feed } from '../feed/feed'
import { chart, type LedgerAccountRef, type TransferKind } from '../ledger/chart'
import type { Ledger } from '../ledger/ledger'
import type { StoreTx } from '../store/ports'

// Each account's wallet in the relay's ledger: credited by confirmed recharges, spent by refunds
// of recharges, device debits and lost first-free claims. Devices spend offline, so a spend may
// exceed the wallet: the shortfall is first lent to the wallet from the account's receivable (a
// `debt` transfer), so the wallet never goes below zero and what is owed is the receivable. Money
// arriving meanwhile repays it first. Every change of debt is published in the feed as a `debt`
// record whose `outstanding` tells every device to stop paid use until a recharge settles it.
// All methods run inside the caller's unit of work.

export type DebtReason = 'overdraft' | 'first_free_lost'

/** A refund's take-back of its recharge's bonus: `due` in all, `fromBonus` of it from promotion credit. */
export interface BonusWithdrawal {
  due: number
  fromBonus: number
}

export interface WalletState {
  /** Wallet less debt: negative while the account owes money. */
  balance: Money
  debt: Money
  /** Promotion credit (recharge bonuses), spent after the cash; never money the customer takes back. */
  bonus: Money
}

export class RelayWallet {
  constructor(
    private readonly ledger: Ledger,
    private readonly feed: Feed,
    private readonly ids: IdSource
  ) {}

  async state(tx: StoreTx, accountId: string): Promise<WalletState> {
    const account = await tx.accounts.get(accountId)
    if (!account) throw new Error(`no relay account ${accountId}`)
    const currency = account.walletCurrency
    const wallet = await this.ledger.balance(tx, chart.wallet(accountId, currency))
    const debt = await this.ledger.balance(tx, chart.receivable(accountId, currency))
    const bonus = await this.ledger.balance(tx, chart.bonus(accountId, currency))
    return { balance: { amount: wallet - debt, currency }, debt: { amount: debt, currency }, bonus: { amount: bonus, currency } }
  }

  /**
   * Money paid in (a recharge): `from` → the wallet, then any debt repaid from the wallet. An
   * amount of 0 (a recharge a coupon paid in full: its discount is already in the wallet) posts
   * nothing and only repays.
   */
  async credit(tx: StoreTx, accountId: string, amount: Money, t: { id: string; from: LedgerAccountRef; sourceId: string; feedSourceId: string }): Promise<void> {
    const { wallet, receivable, held, owed } = await this.read(tx, accountId, amount)
    if (amount.amount > 0) await this.ledger.post(tx, { id: t.id, kind: 'payment', debit: t.from, credit: wallet, amount, customerAccountId: accountId, sourceId: t.sourceId })
    const repay = Math.min(owed, held + amount.amount)
    if (repay > 0) {
      await this.ledger.post(tx, {
        id: `${t.id}:repay`,
        kind: 'debt_repayment',
        debit: wallet,
        credit: receivable,
        amount: { amount: repay, currency: amount.currency },
        customerAccountId: accountId,
        sourceId: t.sourceId
      })
    }
    await this.announceDebt(tx, accountId, amount, owed, owed - repay, t.feedSourceId, 'overdraft')
  }

  /** Money spent from the wallet to `to`; beyond the wallet, as debt. */
  async debit(
    tx: StoreTx,
    accountId: string,
    amount: Money,
    t: { id: string; kind: TransferKind; to: LedgerAccountRef; sourceId: string; feedSourceId: string; reason: DebtReason; useBonus?: boolean }
  ): Promise<void> {
    const { wallet, receivable, owed, held: cash } = await this.read(tx, accountId, amount)
    let held = cash
    // A spend takes cash first, then promotion credit, then goes into debt. Refunds never
    // touch promotion credit: it is not money the customer can take back.
    if (t.useBonus && amount.amount > held) {
      const bonus = chart.bonus(accountId, amount.currency)
      const take = Math.min(amount.amount - held, await this.ledger.balance(tx, bonus))
      if (take > 0) {
        await this.ledger.post(tx, { id: `${t.id}:bonus`, kind: 'bonus_spend', debit: bonus, credit: wallet, amount: { amount: take, currency: amount.currency }, customerAccountId: accountId, sourceId: t.sourceId })
        held += take
      }
    }
    const shortfall = Math.min(amount.amount, amount.amount - held)
    if (shortfall > 0) {
      await this.ledger.post(tx, {
        id: `${t.id}:debt`,
        kind: 'debt',
        debit: receivable,
        credit: wallet,
        amount: { amount: shortfall, currency: amount.currency },
        customerAccountId: accountId,
        sourceId: t.sourceId
      })
    }
    await this.ledger.post(tx, { id: t.id, kind: t.kind, debit: wallet, credit: t.to, amount, customerAccountId: accountId, sourceId: t.sourceId })
    await this.announceDebt(tx, accountId, amount, owed, owed + Math.max(0, shortfall), t.feedSourceId, t.reason)
  }

  /** A recharge's bonus (充值赠送): promotions → the account's promotion credit. */
  async creditBonus(tx: StoreTx, accountId: string, bonus: Money, t: { id: string; sourceId: string }): Promise<void> {
    await this.ledger.post(tx, { id: t.id, kind: 'recharge_bonus', debit: chart.rechargeBonus(bonus.currency), credit: chart.bonus(accountId, bonus.currency), amount: bonus, customerAccountId: accountId, sourceId: t.sourceId })
  }

  /**
   * A refund of a recharge takes back its bonus in proportion to what is refunded so far
   * (bonus × refunded ÷ paid, rounded by MONEY_ROUNDING, the running total), from the promotion
   * credit; whatever of it was spent already is taken from the wallet's cash (debt if short),
   * so a bonus never leaves as cash. Planned before the refund's record is written, which tells
   * devices the part taken from promotion credit (`bonusWithdrawn`); null when nothing is due.
   */
  async planBonusWithdrawal(
    tx: StoreTx,
    order: { account_id: string; amount: number; bonus_amount: number; currency: Money['currency'] },
    refunded: { before: number; after: number }
  ): Promise<BonusWithdrawal | null> {
    if (order.bonus_amount <= 0 || order.amount <= 0) return null
    const share = (refunded: number) => new Decimal(order.bonus_amount).times(refunded).dividedBy(order.amount).toDecimalPlaces(0, MONEY_ROUNDING).toNumber()
    const due = share(refunded.after) - share(refunded.before)
    if (due <= 0) return null
    return { due, fromBonus: Math.min(due, await this.ledger.balance(tx, chart.bonus(order.account_id, order.currency))) }
  }

  /** Posts a planned withdrawal (nothing in between may spend promotion credit). */
  async withdrawBonus(
    tx: StoreTx,
    order: { id: string; account_id: string; currency: Money['currency'] },
    plan: BonusWithdrawal,
    refundId: string,
    at: number
  ): Promise<void> {
    const { due, fromBonus } = plan
    const bonus = chart.bonus(order.account_id, order.currency)
    const promotions = chart.rechargeBonus(order.currency)
    const base = { kind: 'bonus_withdrawn' as const, customerAccountId: order.account_id, sourceId: order.id }
    if (fromBonus > 0) await this.ledger.post(tx, { ...base, id: `bonus_withdrawn:${refundId}`, debit: bonus, credit: promotions, amount: { amount: fromBonus, currency: order.currency } })
    if (due > fromBonus) {
      // Cash leaves the wallet: every device mirrors it as a debit (the relay's own, no device made it).
      const spent = { amount: due - fromBonus, currency: order.currency }
      await this.feed.append(tx, order.account_id, 'wallet_debit', { sourceId: `${refundId}:bonus`, deviceId: RELAY_DEVICE_ID, amount: spent, feature: BONUS_WITHDRAWAL_FEATURE, reason: 'debit', occurredAt: at })
      await this.debit(tx, order.account_id, spent, { id: `bonus_withdrawn:${refundId}:spent`, kind: 'bonus_withdrawn', to: promotions, sourceId: order.id, feedSourceId: refundId, reason: 'overdraft' })
    }
  }

  /** The account's wallet and receivable, and what each holds now; refuses another currency. */
  private async read(tx: StoreTx, accountId: string, amount: Money) {
    const account = await tx.accounts.get(accountId)
    if (!account) throw new Error(`no relay account ${accountId}`)
    if (amount.currency !== account.walletCurrency) throw new CurrencyMismatch(account.walletCurrency, amount.currency)
    const wallet = chart.wallet(accountId, amount.currency)
    const receivable = chart.receivable(accountId, amount.currency)
    return { wallet, receivable, held: await this.ledger.balance(tx, wallet), owed: await this.ledger.balance(tx, receivable) }
  }

  private async announceDebt(
    tx: StoreTx,
    accountId: string,
    amount: Money,
    before: number,
    after: number,
    sourceId: string,
    reason: DebtReason
  ): Promise<void> {
    if (before === after) return
    await this.feed.append(tx, accountId, 'debt', {
      debtId: `debt_${this.ids.next()}`,
      sourceId,
      reason: after < before ? 'settled' : reason,
      change: { amount: after - before, currency: amount.currency },
      outstanding: { amount: after, currency: amount.currency }
    })
  }
}
