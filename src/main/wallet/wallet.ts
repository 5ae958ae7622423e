import { fingerprint, replayOf } from '../../node/fingerprint'
import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import { BillingError, IdempotencyConflict, InsufficientFunds, InvalidAmount, InvalidInput, NotFound } from '../../shared/errors'
import { assertCurrency, type Currency, type Money } from '../../shared/money'
import { shortfall } from '../../shared/billing/shortfall'
import { isProvider, walletAccounts, type Provider, type WalletAccounts } from './accounts'
import { AlreadyClaimed, HoldClosed, HoldExpired } from './errors'
import { walletHistory } from './history'
import { LedgerCore, type Draft, type Leg, type Posting } from './ledger'
import type { HoldRow } from './statements'
import type {
  ChargeInput,
  ChargeOutcome,
  ConsumeInput,
  ConsumeResult,
  EntryType,
  ExpiredHold,
  AlignDebtInput,
  AlignDebtResult,
  BonusWithdrawalInput,
  BonusWithdrawalResult,
  ExternalDebitInput,
  ExternalDebitResult,
  FirstFreeElsewhereInput,
  FirstFreeElsewhereResult,
  FirstFreeInput,
  FirstFreeResult,
  HistoryPage,
  HistoryQuery,
  HoldInfo,
  HoldInput,
  HoldResult,
  HoldStatus,
  OverflowingDebitResult,
  RechargeInput,
  RechargeResult,
  RefundInput,
  RefundResult,
  SettleInput,
  SettleResult,
  VerifyReport,
  VoidInput,
  VoidResult,
  WalletDeps,
  WalletRecord
} from './types'
import { checkKey, checkMoney, checkText, checkTtl } from './validate'
import { assertLedgerOk, verifyLedger, type LedgerStart } from './verify'

/** What an operation decided, before anything is written. */
type Plan<R> =
  | { draft: Draft; result: R; after?: () => void }
  /** The request was already applied under another id (payment id, refund id): its first result. */
  | { replay: R }
  /** Nothing to write (needs_recharge); a stored result for the key still wins. */
  | { unchanged: R }

/** Where a spend's money comes from, in order (Wallet.pay). */
type Source = 'cash' | 'bonus' | 'debt'
type Paid = Record<Source, number>
/** Paid use: the cash first, then promotion credit (coverage checked before). */
const SPEND: readonly Source[] = ['cash', 'bonus']
/** A debit that cannot be refused (another device's spend): then debt. */
const OVERFLOWING_SPEND: readonly Source[] = ['cash', 'bonus', 'debt']
const CASH_THEN_DEBT: readonly Source[] = ['cash', 'debt']
/** Taking a bonus back: what is left of it first. */
const BONUS_THEN_CASH: readonly Source[] = ['bonus', 'cash', 'debt']

/** Due holds expired while the file opens (a crashed run leaves a few); the sweep takes the rest. */
const OPEN_EXPIRY_MAX = 200

/**
 * The user's prepaid wallet over the shared double-entry ledger. Every mutation takes an
 * idempotency key: the same key with the same request returns the first result, even if
 * the state has changed since; with another request it throws IdempotencyConflict.
 * Input is validated before any transaction, and every failure leaves the ledger unchanged.
 */
export class Wallet {
  readonly accountId: string
  readonly currency: Currency
  readonly accounts: WalletAccounts
  private readonly core: LedgerCore
  private readonly clock: Clock
  private readonly ids: IdSource
  private readonly onRecord: ((record: WalletRecord) => void) | undefined

  /** Opens the wallet: creates its accounts if new and releases holds past their expiry. */
  constructor(deps: WalletDeps) {
    this.accountId = checkKey(deps.accountId ?? 'local', 'accountId')
    this.currency = assertCurrency(deps.currency ?? 'CNY')
    this.clock = deps.clock
    this.ids = deps.ids
    this.onRecord = deps.onRecord
    this.accounts = walletAccounts(this.accountId, this.currency)
    this.core = LedgerCore.of(deps.db)
    this.core.ensureAccounts(this.accountId, this.currency, this.clock.now())
    // Bounded: opening runs on the host's main thread; any further due holds go to the sweep.
    if (deps.expireHoldsOnOpen !== false) this.expireHolds(OPEN_EXPIRY_MAX)
  }

  // ---- reads, from memory ----

  /** Spendable now: holds already moved their money out of the wallet. */
  balance(): Money {
    return this.m(this.core.balance(this.accounts.wallet))
  }

  /** Reserved by pending holds. */
  held(): Money {
    return this.m(this.core.balance(this.accounts.holds))
  }

  /** Promotion credit (充值赠送): spent after the cash, never refunded as cash. */
  bonus(): Money {
    return this.m(this.core.balance(this.accounts.bonus))
  }

  /** What paid use may draw on: the cash and then promotion credit (debt still stops it). */
  spendable(): Money {
    return this.m(this.core.balance(this.accounts.wallet) + this.core.balance(this.accounts.bonus))
  }

  /** Owed after refunds the wallet could not cover; paid use stops until it is repaid. */
  debt(): Money {
    return this.m(0 - this.core.balance(this.accounts.debt))
  }

  firstFreeUsed(): boolean {
    return this.core.claimed(this.accountId)
  }

  /**
   * Reads are served from memory, which follows this process's writes. If another
   * connection may write the file, call this to pick its commits up (writes always do).
   */
  refresh(): void {
    this.core.syncWithFile()
  }

  // ---- operations ----

  /** Credits a confirmed payment, exactly once per paymentId; repays debt first. */
  recharge(input: RechargeInput): RechargeResult {
    const key = checkKey(input.key)
    const paymentId = checkKey(input.paymentId, 'paymentId')
    if (!isProvider(input.provider)) throw new InvalidInput(`unknown provider: ${String(input.provider)}`)
    const provider: Provider = input.provider
    const amount = checkMoney(input.amount, this.currency).amount
    const bonus = input.bonus === undefined ? 0 : checkMoney(input.bonus, this.currency).amount
    // The bonus joins the fingerprint only when there is one: keys stored before bonuses still replay.
    const fp = this.fp(bonus > 0 ? { op: 'recharge', paymentId, provider, amount, bonus } : { op: 'recharge', paymentId, provider, amount })
    return this.execute<RechargeResult>(key, fp, (tx, at) => {
      const { stmts } = this.core
      const paid = stmts.getPayment.get(paymentId)
      if (paid) {
        const same =
          paid.owner === this.accountId && paid.currency === this.currency && paid.provider === provider && paid.amount === amount
        if (!same) throw new IdempotencyConflict(`payment:${paymentId}`)
        return { replay: this.storedResult<RechargeResult>(paid.op_key) }
      }
      const A = this.accounts
      const d = tx.draft()
      const entryId = this.ids.next()
      d.move(this.leg(entryId, 'recharge', A.clearing(provider), A.wallet, amount, paymentId))
      const repaid = this.repayDebt(d, 'recharge', paymentId)
      // After the repayment: promotion credit never pays debt (a debt is cash owed).
      if (bonus > 0) d.move(this.leg(this.ids.next(), 'recharge', A.promotions, A.bonus, bonus, paymentId))
      const result: RechargeResult = {
        entryId,
        paymentId,
        provider,
        amount: this.m(amount),
        bonus: this.m(bonus),
        repaidDebt: this.m(repaid),
        balance: this.m(d.balance(A.wallet)),
        debt: this.m(0 - d.balance(A.debt)),
        at
      }
      return {
        draft: d,
        result,
        after: () => stmts.insertPayment.run(paymentId, this.accountId, provider, amount, this.currency, key, at)
      }
    })
  }

  /** Debits the wallet to revenue; InsufficientFunds (with the shortfall) when it cannot. */
  consume(input: ConsumeInput): ConsumeResult {
    const key = checkKey(input.key)
    const amount = checkMoney(input.amount, this.currency).amount
    const feature = checkText(input.feature, 'feature', 1)
    const reason = checkText(input.reason, 'reason')
    const fp = this.fp({ op: 'consume', amount, feature, reason })
    return this.execute<ConsumeResult>(key, fp, (tx, at) => {
      this.assertCovers(tx, amount)
      const A = this.accounts
      const d = tx.draft()
      const entryId = this.ids.next()
      this.pay(d, entryId, A.revenue, amount, { type: 'consume', ref: null, feature, reason }, SPEND)
      const result: ConsumeResult = { entryId, amount: this.m(amount), feature, reason, balance: this.m(d.balance(A.wallet)), at }
      return { draft: d, result, after: () => this.emitDebit(entryId, key, amount, feature, reason, at) }
    })
  }

  /** Reserves money for a use that may fail; settle or void it before ttlMs passes. */
  hold(input: HoldInput): HoldResult {
    const key = checkKey(input.key)
    const amount = checkMoney(input.amount, this.currency).amount
    const feature = checkText(input.feature, 'feature', 1)
    const reason = checkText(input.reason, 'reason')
    const ttlMs = checkTtl(input.ttlMs)
    const fp = this.fp({ op: 'hold', amount, feature, reason, ttlMs })
    return this.execute<HoldResult>(key, fp, (tx, at) => {
      this.assertCovers(tx, amount)
      const A = this.accounts
      const d = tx.draft()
      const holdId = this.ids.next()
      const entryId = this.ids.next()
      const paid = this.pay(d, entryId, A.holds, amount, { type: 'hold', ref: holdId, feature, reason }, SPEND)
      const expiresAt = at + ttlMs
      const result: HoldResult = { holdId, entryId, amount: this.m(amount), expiresAt, balance: this.m(d.balance(A.wallet)), at }
      return {
        draft: d,
        result,
        after: () =>
          this.core.stmts.insertHold.run(holdId, this.accountId, this.currency, amount, paid.bonus, feature, reason, key, at, expiresAt)
      }
    })
  }

  /** Settles a pending hold, whole or in part; the remainder returns to the wallet. */
  settle(input: SettleInput): SettleResult {
    const key = checkKey(input.key)
    const holdId = checkKey(input.holdId, 'holdId')
    const requested = input.amount === undefined ? null : checkMoney(input.amount, this.currency).amount
    const fp = this.fp({ op: 'settle', holdId, amount: requested })
    return this.execute<SettleResult>(key, fp, (tx, at) => {
      const hold = this.openHold(holdId, at, true)
      const amount = requested ?? hold.amount
      if (amount > hold.amount) {
        throw new InvalidAmount('settle amount exceeds the hold', { holdId, amount, held: hold.amount })
      }
      const A = this.accounts
      const d = tx.draft()
      const entryId = this.ids.next()
      const { feature, reason } = hold
      d.move({ id: entryId, type: 'settle', debit: A.holds, credit: A.revenue, amount, ref: holdId, feature, reason })
      const released = hold.amount - amount
      this.release(d, 'settle', hold, released)
      this.repayDebt(d, 'settle', holdId)
      const result: SettleResult = {
        holdId,
        entryId,
        settled: this.m(amount),
        released: this.m(released),
        balance: this.m(d.balance(A.wallet)),
        at
      }
      return {
        draft: d,
        result,
        after: () => {
          this.closeHold(holdId, 'settled', key, amount, at)
          if (this.onRecord) {
            this.onRecord({
              kind: 'hold_settled',
              id: entryId,
              key,
              accountId: this.accountId,
              holdId,
              settled: this.m(amount),
              released: this.m(released),
              feature,
              reason,
              at
            })
          }
        }
      }
    })
  }

  /**
   * Releases a pending hold to the wallet. A hold past its expiry that the sweep has not
   * reached yet is released too (that is what expiry would do); a closed hold is an error.
   */
  void(input: VoidInput): VoidResult {
    const key = checkKey(input.key)
    const holdId = checkKey(input.holdId, 'holdId')
    const fp = this.fp({ op: 'void', holdId })
    return this.execute<VoidResult>(key, fp, (tx, at) => {
      const hold = this.openHold(holdId, at, false)
      const A = this.accounts
      const d = tx.draft()
      const entryId = this.ids.next()
      this.release(d, 'void', hold, hold.amount, entryId)
      this.repayDebt(d, 'void', holdId)
      const result: VoidResult = { holdId, entryId, released: this.m(hold.amount), balance: this.m(d.balance(A.wallet)), at }
      return { draft: d, result, after: () => this.closeHold(holdId, 'voided', key, null, at) }
    })
  }

  /**
   * Releases this wallet's pending holds whose expiry has passed (a crashed live session
   * frees its money). Runs at open; call it on a timer too. No idempotency key: each hold
   * is released once because only a pending hold is. `max`: at most this many, the earliest
   * due first, in one transaction (a sliced sweep calls again for the rest).
   */
  expireHolds(max = -1): ExpiredHold[] {
    const now = this.clock.now()
    const { stmts } = this.core
    // The common case, nothing due, costs one indexed read and no write transaction.
    if (stmts.dueHolds.get(now, this.accountId, this.currency, 1) === undefined) return []
    return this.core.transact((tx) => {
      const at = tx.entryTime(now)
      const out: ExpiredHold[] = []
      for (const hold of stmts.dueHolds.all(now, this.accountId, this.currency, max)) {
        const d = tx.draft()
        const entryId = this.ids.next()
        this.release(d, 'expire', hold, hold.amount, entryId)
        this.repayDebt(d, 'expire', hold.id)
        tx.post(d, null, null, undefined, this.accountId, this.currency, at)
        this.closeHold(hold.id, 'expired', null, null, at)
        out.push({ holdId: hold.id, entryId, released: this.m(hold.amount) })
      }
      return out
    })
  }

  /** Uses this account's one first-free: promotions pays the price, atomically with the claim. */
  useFirstFree(input: FirstFreeInput): FirstFreeResult {
    const key = checkKey(input.key)
    const price = checkMoney(input.price, this.currency).amount
    const feature = checkText(input.feature, 'feature', 1)
    const reason = checkText(input.reason, 'reason')
    const fp = this.fp({ op: 'firstFree', price, feature, reason })
    return this.execute<FirstFreeResult>(key, fp, (tx, at) => {
      if (this.core.claimed(this.accountId)) throw new AlreadyClaimed(this.accountId)
      const p = this.planFirstFree(tx, key, price, feature, reason, at)
      const { entryId, balance } = p.result
      return { draft: p.draft, after: p.after, result: { entryId, price: this.m(price), balance, at } }
    })
  }

  /**
   * The product rule in one call: the balance covers the price → paid; else first-free
   * unused → free; else needs_recharge with the shortfall (nothing is written). While debt
   * is outstanding paid use is refused: shortfall = debt + price − balance.
   */
  chargeOrFree(input: ChargeInput): ChargeOutcome {
    const key = checkKey(input.key)
    const price = checkMoney(input.price, this.currency).amount
    const feature = checkText(input.feature, 'feature', 1)
    const reason = checkText(input.reason, 'reason')
    const fp = this.fp({ op: 'chargeOrFree', price, feature, reason })
    return this.execute<ChargeOutcome>(key, fp, (tx, at) => {
      const A = this.accounts
      const balance = tx.balance(A.wallet)
      const bonus = tx.balance(A.bonus)
      const debt = 0 - tx.balance(A.debt)
      if (debt === 0 && balance + bonus >= price) {
        const d = tx.draft()
        const entryId = this.ids.next()
        this.pay(d, entryId, A.revenue, price, { type: 'consume', ref: null, feature, reason }, SPEND)
        const result: ChargeOutcome = { outcome: 'paid', entryId, price: this.m(price), balance: this.m(d.balance(A.wallet)), at }
        return { draft: d, result, after: () => this.emitDebit(entryId, key, price, feature, reason, at) }
      }
      if (!this.core.claimed(this.accountId)) return this.planFirstFree(tx, key, price, feature, reason, at)
      return {
        unchanged: {
          outcome: 'needs_recharge',
          price: this.m(price),
          shortfall: this.m(shortfall(debt, price, balance + bonus)),
          balance: this.m(balance),
          debt: this.m(debt)
        }
      }
    })
  }

  /**
   * Reverses (part of) a recharge, once per refundId: the wallet gives back what it has,
   * the rest becomes debt, so the wallet never goes negative.
   */
  refund(input: RefundInput): RefundResult {
    const key = checkKey(input.key)
    const refundId = checkKey(input.refundId, 'refundId')
    const paymentId = checkKey(input.paymentId, 'paymentId')
    const amount = checkMoney(input.amount, this.currency).amount
    const fp = this.fp({ op: 'refund', refundId, paymentId, amount })
    return this.execute<RefundResult>(key, fp, (tx, at) => {
      const { stmts } = this.core
      const prior = stmts.getRefund.get(refundId)
      if (prior) {
        if (prior.payment_id !== paymentId || prior.amount !== amount) throw new IdempotencyConflict(`refund:${refundId}`)
        return { replay: this.storedResult<RefundResult>(prior.op_key) }
      }
      const payment = stmts.getPayment.get(paymentId)
      if (!payment || payment.owner !== this.accountId || payment.currency !== this.currency) {
        throw new NotFound('payment', paymentId)
      }
      const refundable = payment.amount - payment.refunded
      if (amount > refundable) {
        throw new InvalidAmount('refund exceeds what is left of the payment', { paymentId, amount, refundable })
      }
      const A = this.accounts
      const clearing = A.clearing(payment.provider as Provider)
      const d = tx.draft()
      const entryId = this.ids.next()
      // A refund gives back cash only: what the wallet has, the rest as debt.
      const { cash: fromWallet, debt: toDebt } = this.pay(d, entryId, clearing, amount, { type: 'refund', ref: refundId, feature: null, reason: null }, CASH_THEN_DEBT)
      const result: RefundResult = {
        refundId,
        paymentId,
        entryId,
        amount: this.m(amount),
        fromWallet: this.m(fromWallet),
        fromBonus: this.m(0),
        toDebt: this.m(toDebt),
        balance: this.m(d.balance(A.wallet)),
        debt: this.m(0 - d.balance(A.debt)),
        at
      }
      return {
        draft: d,
        result,
        after: () => {
          stmts.insertRefund.run(refundId, paymentId, amount, fromWallet, toDebt, key, at)
          stmts.addRefunded.run(amount, paymentId)
          if (this.onRecord) {
            const { refundId: r, paymentId: p, amount: a, fromWallet: fw, toDebt: td } = result
            this.onRecord({ kind: 'refund', id: entryId, key, accountId: this.accountId, refundId: r, paymentId: p, amount: a, fromWallet: fw, toDebt: td, at })
          }
        }
      }
    })
  }

  /**
   * Posts a debit that happened outside this wallet: another device of the account spent, or
   * the relay charged a first-free claim that lost. Once per key. It cannot be refused (the
   * money is already spent): what the wallet covers leaves it, the rest becomes debt, and paid
   * use stops until a recharge repays it. Entry type 'consume'; not reported through onRecord
   * (it came from elsewhere and must not be sent back).
   */
  postExternalDebit(input: ExternalDebitInput): ExternalDebitResult {
    const key = checkKey(input.key)
    const amount = checkMoney(input.amount, this.currency).amount
    const feature = checkText(input.feature, 'feature', 1)
    const reason = checkText(input.reason, 'reason')
    const deviceId = input.deviceId === undefined ? null : checkKey(input.deviceId, 'deviceId')
    const useBonus = input.useBonus !== false
    const fp = this.fp(useBonus ? { op: 'externalDebit', amount, feature, reason, deviceId } : { op: 'externalDebit', amount, feature, reason, deviceId, useBonus })
    return this.overflowingDebit(key, fp, this.accounts.revenue, amount, { type: 'consume', ref: deviceId, feature, reason }, useBonus ? OVERFLOWING_SPEND : CASH_THEN_DEBT)
  }

  /**
   * The relay took back (part of) a recharge's bonus with its refund (bonus × refunded ÷ paid):
   * from promotion credit first; what this device already spent of it (and the relay had not
   * heard of yet) from the wallet, then as debt, as the relay does. Once per key.
   */
  withdrawBonus(input: BonusWithdrawalInput): BonusWithdrawalResult {
    const key = checkKey(input.key)
    const refundId = checkKey(input.refundId, 'refundId')
    const amount = checkMoney(input.amount, this.currency).amount
    const fp = this.fp({ op: 'withdrawBonus', refundId, amount })
    return this.overflowingDebit(key, fp, this.accounts.promotions, amount, { type: 'refund', ref: refundId, feature: null, reason: null }, BONUS_THEN_CASH)
  }

  /**
   * Pays the part of this wallet's debt that the relay does not have from promotion credit,
   * given the relay's outstanding debt; the total stays as it is. Promotion credit lets the same
   * total be split differently when events reach the two sides in another order: the relay sees
   * a device's spend only when it is pushed (after a refund it may already have applied), and it
   * has no holds (a bonus held here is free there, and a refund may take it back): so the relay
   * spent promotion credit where this wallet went into debt. The caller aligns only when nothing
   * of this device is unsynced (no pending hold, no spend the relay has not echoed) and the two
   * totals agree. Only that direction is aligned, and only when promotion credit covers the whole
   * difference: a relay owing more than this wallet is not this case (it is left as it is).
   */
  alignDebt(input: AlignDebtInput): AlignDebtResult {
    // Named by the ledger's head as on the file: a state is aligned once, and an alignment moves the head.
    this.core.syncWithFile()
    const key = `feed:align:${this.core.headSeq}`
    const target = input.debt === 0 ? 0 : checkMoney(input.debt, this.currency).amount
    const fp = this.fp({ op: 'alignDebt', debt: target })
    return this.execute<AlignDebtResult>(key, fp, (tx) => {
      const A = this.accounts
      const d = tx.draft()
      const state = () => ({ moved: d.legs.length > 0, balance: this.m(d.balance(A.wallet)), bonus: this.m(d.balance(A.bonus)), debt: this.m(0 - d.balance(A.debt)) })
      const excess = 0 - d.balance(A.debt) - target
      if (tx.balance(A.holds) !== 0 || excess <= 0 || d.balance(A.bonus) < excess) return { unchanged: state() }
      d.move(this.leg(this.ids.next(), 'align', A.bonus, A.debt, excess, 'relay'))
      return { draft: d, result: state() }
    })
  }

  /**
   * Records that the account's one first-free was used on another device (the relay decided):
   * from then on firstFreeUsed() is true here, so useFirstFree and chargeOrFree never give it.
   * A claim already made here stays (the relay turns a losing one into a charge, which arrives
   * as an external debit): then nothing is written and `recorded` is false. Once per key.
   */
  markFirstFreeTakenElsewhere(input: FirstFreeElsewhereInput): FirstFreeElsewhereResult {
    const key = checkKey(input.key)
    const claimId = checkKey(input.claimId, 'claimId')
    const deviceId = checkKey(input.deviceId, 'deviceId')
    const feature = checkText(input.feature, 'feature', 1)
    const { stmts } = this.core
    return this.core.transact((tx) => {
      const at = tx.entryTime(this.clock.now())
      // The key lives in the claims row (there is no ledger entry); a ledger key is another request.
      const byKey = stmts.markByKey.get(key)
      if (byKey) {
        if (byKey.account_id !== this.accountId || byKey.elsewhere_claim_id !== claimId || byKey.elsewhere_device_id !== deviceId) {
          throw new IdempotencyConflict(key)
        }
        return { recorded: true, claimId, deviceId }
      }
      if (stmts.keyResult.get(key)) throw new IdempotencyConflict(key)
      if (stmts.insertElsewhereClaim.run(this.accountId, key, feature, this.currency, claimId, deviceId, at).changes === 0) {
        return { recorded: false, claimId, deviceId }
      }
      tx.mark(this.accountId)
      return { recorded: true, claimId, deviceId }
    })
  }

  /** A debit that cannot be refused: its sources in `order`, debt taking the rest. */
  private overflowingDebit(key: string, fp: string, to: string, amount: number, meta: Pick<Leg, 'type' | 'ref' | 'feature' | 'reason'>, order: readonly Source[]): OverflowingDebitResult {
    return this.execute<OverflowingDebitResult>(key, fp, (tx, at) => {
      const A = this.accounts
      const d = tx.draft()
      const entryId = this.ids.next()
      const paid = this.pay(d, entryId, to, amount, meta, order)
      const result: OverflowingDebitResult = {
        entryId,
        amount: this.m(amount),
        fromWallet: this.m(paid.cash),
        fromBonus: this.m(paid.bonus),
        toDebt: this.m(paid.debt),
        balance: this.m(d.balance(A.wallet)),
        debt: this.m(0 - d.balance(A.debt)),
        at
      }
      return { draft: d, result }
    })
  }

  /** Whether an idempotency key has been used by a wallet operation (its first result stands). */
  usedKey(key: string): boolean {
    if (typeof key !== 'string') return false
    return this.core.stmts.keyResult.get(key) !== undefined || (this.core.hasMarks() && this.core.stmts.markByKey.get(key) !== undefined)
  }

  getHold(holdId: string): HoldInfo {
    const row = this.core.stmts.getHold.get(checkKey(holdId, 'holdId'))
    if (!row || row.owner !== this.accountId || row.currency !== this.currency) throw new NotFound('hold', holdId)
    return {
      holdId: row.id,
      amount: this.m(row.amount),
      feature: row.feature,
      reason: row.reason,
      status: row.status as HoldStatus,
      settled: row.settled_amount === null ? null : this.m(row.settled_amount),
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      closedAt: row.closed_at
    }
  }

  /** This wallet's ledger rows, newest first, filtered by type and time, cursor-paged. */
  history(query: HistoryQuery): HistoryPage {
    return walletHistory(this.core.db.sqlite, this.accountId, this.currency, this.accounts.wallet, this.accounts.bonus, query)
  }

  /** Recomputes every balance of the whole ledger, checks sums and the hash chain (`from`: only the entries after a checkpoint). */
  verify(from?: LedgerStart): VerifyReport {
    return verifyLedger(this.core, from)
  }

  /** verify(), throwing LedgerCorrupt with the problems when it fails. */
  assertVerified(): VerifyReport {
    return assertLedgerOk(verifyLedger(this.core))
  }

  // ---- internals ----

  private execute<R>(key: string, fp: string, attempt: (tx: Posting, at: number) => Plan<R>): R {
    return this.core.transact((tx) => {
      // A key a first-free mark used (kept in its claims row, not the ledger) is another request.
      if (this.core.hasMarks() && this.core.stmts.markByKey.get(key)) throw new IdempotencyConflict(key)
      const at = tx.entryTime(this.clock.now())
      let plan: Plan<R>
      try {
        plan = attempt(tx, at)
      } catch (err) {
        // A key used before answers with its first result (or a conflict) even when the
        // request could not be applied now, e.g. the balance has since gone down.
        if (err instanceof BillingError) {
          const prior = this.prior<R>(key, fp)
          if (prior) return prior.value
        }
        throw err
      }
      if ('replay' in plan) return this.prior<R>(key, fp)?.value ?? plan.replay
      if ('unchanged' in plan) return this.prior<R>(key, fp)?.value ?? plan.unchanged
      // The unique key index is the check: leg 0 is written first, so a used key writes nothing.
      if (!tx.post(plan.draft, key, fp, plan.result, this.accountId, this.currency, at)) {
        const prior = this.prior<R>(key, fp)
        if (!prior) throw new Error(`idempotency key ${key} collided but has no stored result`)
        return prior.value
      }
      plan.after?.()
      return plan.result
    })
  }

  private prior<R>(key: string, fp: string): { value: R } | undefined {
    return replayOf(key, fp, this.core.stmts.keyResult.get(key), (row) => ({ value: JSON.parse(row.result ?? 'null') as R }))
  }

  private storedResult<R>(key: string): R {
    const row = this.core.stmts.keyResult.get(key)
    if (!row?.result) throw new Error(`no stored result for key ${key}`)
    return JSON.parse(row.result) as R
  }

  /** Owner and currency are part of every fingerprint: keys are unique across the file. */
  private fp(request: Record<string, unknown>): string {
    return fingerprint({ ...request, owner: this.accountId, currency: this.currency })
  }

  private m(amount: number): Money {
    return { amount, currency: this.currency }
  }

  private leg(id: string, type: EntryType, debit: string, credit: string, amount: number, ref: string) {
    return { id, type, debit, credit, amount, ref, feature: null, reason: null }
  }

  /** Paid use needs no debt and cash plus promotion credit covering the amount. */
  private assertCovers(tx: Posting, amount: number): void {
    const balance = tx.balance(this.accounts.wallet) + tx.balance(this.accounts.bonus)
    const debt = 0 - tx.balance(this.accounts.debt)
    if (debt > 0 || balance < amount) {
      const short = shortfall(debt, amount, balance)
      throw new InsufficientFunds({ balance, required: balance + short, shortfall: short, currency: this.currency })
    }
  }

  /**
   * Moves `amount` to `to` from the sources in order (the wallet's cash, promotion credit, debt),
   * each giving what it has; debt takes the rest. Leg 0 carries `entryId` and is the first part
   * that exists, so it names the operation. Callers without debt have checked coverage first.
   */
  private pay(d: Draft, entryId: string, to: string, amount: number, meta: Pick<Leg, 'type' | 'ref' | 'feature' | 'reason'>, order: readonly Source[]): Paid {
    const A = this.accounts
    const paid: Paid = { cash: 0, bonus: 0, debt: 0 }
    let left = amount
    for (const source of order) {
      const account = source === 'cash' ? A.wallet : source === 'bonus' ? A.bonus : A.debt
      const part = source === 'debt' ? left : Math.min(left, Math.max(0, d.balance(account)))
      if (part === 0) continue
      d.move({ id: left === amount ? entryId : this.ids.next(), debit: account, credit: to, amount: part, ...meta })
      paid[source] = part
      left -= part
      if (left === 0) break
    }
    if (left > 0) throw new Error(`a spend of ${amount} was not covered (${left} left)`)
    return paid
  }

  /**
   * Money a hold gives back (`released` of it, after any settled part): to promotion credit up
   * to what the hold took from it, less what the settled part used of it (a spend uses the cash
   * first), and the rest to the wallet.
   */
  private release(d: Draft, type: EntryType, hold: HoldRow, released: number, entryId?: string): void {
    const A = this.accounts
    const settled = hold.amount - released
    const bonusSettled = Math.max(0, settled - (hold.amount - hold.bonus_amount))
    const toBonus = Math.min(released, hold.bonus_amount - bonusSettled)
    const toCash = released - toBonus
    // Ids are taken only for legs that exist (a caller's entryId names the first).
    const id = (first: boolean) => (first && entryId !== undefined ? entryId : this.ids.next())
    if (toCash > 0) d.move(this.leg(id(true), type, A.holds, A.wallet, toCash, hold.id))
    if (toBonus > 0) d.move(this.leg(id(toCash === 0), type, A.holds, A.bonus, toBonus, hold.id))
  }

  /** Money coming back to the wallet pays outstanding debt first. Returns what was repaid. */
  private repayDebt(d: Draft, type: EntryType, ref: string): number {
    const A = this.accounts
    const repay = Math.min(d.balance(A.wallet), 0 - d.balance(A.debt))
    if (repay > 0) d.move(this.leg(this.ids.next(), type, A.wallet, A.debt, repay, ref))
    return Math.max(repay, 0)
  }

  private planFirstFree(tx: Posting, key: string, price: number, feature: string, reason: string, at: number) {
    const A = this.accounts
    const d = tx.draft()
    const entryId = this.ids.next()
    d.move({ id: entryId, type: 'first_free', debit: A.promotions, credit: A.revenue, amount: price, ref: null, feature, reason })
    const result = { outcome: 'first_free' as const, entryId, price: this.m(price), balance: this.m(d.balance(A.wallet)), at }
    const after = () => {
      this.core.stmts.insertClaim.run(this.accountId, entryId, key, feature, price, this.currency, at)
      tx.claim(this.accountId)
      if (this.onRecord) {
        this.onRecord({ kind: 'first_free_claim', id: entryId, key, accountId: this.accountId, price: this.m(price), feature, reason, at })
      }
    }
    return { draft: d, result, after }
  }

  private emitDebit(id: string, key: string, amount: number, feature: string, reason: string, at: number): void {
    if (this.onRecord) {
      this.onRecord({ kind: 'wallet_debit', id, key, accountId: this.accountId, amount: this.m(amount), feature, reason, at })
    }
  }

  /** A pending hold of this wallet, or the typed reason it cannot be closed. */
  private openHold(holdId: string, now: number, expiryBlocks: boolean): HoldRow {
    const row = this.core.stmts.getHold.get(holdId)
    if (!row || row.owner !== this.accountId || row.currency !== this.currency) throw new NotFound('hold', holdId)
    if (row.status === 'expired') throw new HoldExpired(holdId, row.expires_at)
    if (row.status !== 'pending') throw new HoldClosed(holdId, row.status)
    if (expiryBlocks && now >= row.expires_at) throw new HoldExpired(holdId, row.expires_at)
    return row
  }

  private closeHold(holdId: string, status: HoldStatus, key: string | null, settled: number | null, at: number): void {
    if (this.core.stmts.closeHold.run(status, key, settled, at, holdId).changes !== 1) {
      throw new Error(`hold ${holdId} was not pending`)
    }
  }
}
